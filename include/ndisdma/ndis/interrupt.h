/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/interrupt.h - a miniport's interrupt (NDIS 5.x):
 * NdisMRegisterInterrupt, NdisMDeregisterInterrupt and
 * NdisMSynchronizeWithInterrupt. Included by <ndis.h>.
 *
 * The host runs an interrupt thread per registered interrupt, woken by
 * the bus (the VFIO eventfd, the UIO fd, the simulated device's line).
 * On each interrupt it calls MiniportISR at DIRQL (or, for a miniport
 * that registered with RequestIsr FALSE and SharedInterrupt FALSE,
 * MiniportDisableInterrupt), queues MiniportHandleInterrupt as the DPC
 * at DISPATCH_LEVEL on the adapter's DPC thread (serialized with the
 * miniport's other handlers unless it is deserialized), then calls
 * MiniportEnableInterrupt (RequestIsr FALSE only) and unmasks the
 * level-triggered line.
 */
#ifndef NDISDMA_NDIS_INTERRUPT_H
#define NDISDMA_NDIS_INTERRUPT_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NDISDMA_HAVE_KINTERRUPT_MODE
#define NDISDMA_HAVE_KINTERRUPT_MODE 1
/* NdisMRegisterInterrupt's InterruptMode (ignored: the bus decides). */
typedef enum _KINTERRUPT_MODE {
	LevelSensitive,
	Latched
} KINTERRUPT_MODE,
    *PKINTERRUPT_MODE;
typedef KINTERRUPT_MODE NDIS_INTERRUPT_MODE, *PNDIS_INTERRUPT_MODE;
#define NdisInterruptLevelSensitive LevelSensitive
#define NdisInterruptLatched Latched
#endif

/* Caller-allocated storage of a registered interrupt; opaque to the
 * driver (the host keeps its state elsewhere and fills the names below
 * for drivers that look). Resident until NdisMDeregisterInterrupt. */
typedef struct _NDIS_MINIPORT_INTERRUPT {
	PVOID InterruptObject;
	KSPIN_LOCK DpcCountLock;
	PVOID Reserved;
	PVOID MiniportIdField; /* reserved */
	PVOID Miniport;	       /* the adapter handle */
	UCHAR DpcCount;
	BOOLEAN Filler1;
	BOOLEAN SharedInterrupt;
	BOOLEAN IsrRequested;
	PVOID Reserved2[10];
} NDIS_MINIPORT_INTERRUPT, *PNDIS_MINIPORT_INTERRUPT;

/* The function NdisMSynchronizeWithInterrupt runs at DIRQL. */
typedef BOOLEAN(MINIPORT_SYNCHRONIZE_ISR)(PVOID SynchronizeContext);
typedef MINIPORT_SYNCHRONIZE_ISR *PMINIPORT_SYNCHRONIZE_ISR;

/* From MiniportInitialize, at PASSIVE_LEVEL: connect the adapter's
 * interrupt and start calling MiniportISR (RequestIsr or SharedInterrupt
 * TRUE) or MiniportDisableInterrupt, then MiniportHandleInterrupt, on
 * each interrupt. InterruptVector / InterruptLevel are those of the
 * resource list (the device has one interrupt; any value is accepted);
 * InterruptMode is ignored. Returns NDIS_STATUS_SUCCESS;
 * NDIS_STATUS_FAILURE (unknown handle: "handle.unknown"; the adapter
 * already has an interrupt: "interrupt.register-twice"; no
 * MiniportHandleInterrupt, or no MiniportISR where it must be called:
 * "interrupt.bad-params"); NDIS_STATUS_RESOURCE_CONFLICT (the bus has no
 * interrupt, e.g. VFIO without an IRQ: ndisdma_last_error says why);
 * NDIS_STATUS_RESOURCES (no memory / thread). A call outside
 * MiniportInitialize is reported ("interrupt.register-context") and
 * served. Above PASSIVE_LEVEL: "irql.too-high", served. */
NDIS_STATUS NdisMRegisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
				   NDIS_HANDLE MiniportAdapterHandle,
				   UINT InterruptVector, UINT InterruptLevel,
				   BOOLEAN RequestIsr, BOOLEAN SharedInterrupt,
				   NDIS_INTERRUPT_MODE InterruptMode);

/* From MiniportHalt (or a failing MiniportInitialize), at PASSIVE_LEVEL:
 * stop the interrupt; returns when no MiniportISR, DisableInterrupt or
 * queued / running MiniportHandleInterrupt of it is left (except the one
 * calling, when called from inside it). Storage that is not a registered
 * interrupt is reported ("interrupt.not-registered") and ignored. */
VOID NdisMDeregisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt);

/* Run SynchronizeFunction(SynchronizeContext) (a
 * MINIPORT_SYNCHRONIZE_ISR) at DIRQL, excluded from MiniportISR,
 * MiniportDisableInterrupt and MiniportEnableInterrupt; returns what it
 * returns. At IRQL <= DIRQL. Called from inside the ISR it runs at once
 * (the lock is already held). Storage that is not a registered interrupt
 * is reported ("interrupt.not-registered"); the function still runs at
 * DIRQL (there is nothing to exclude). */
BOOLEAN NdisMSynchronizeWithInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
				      PVOID SynchronizeFunction,
				      PVOID SynchronizeContext);

#ifdef __cplusplus
}
#endif

#endif
