/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/timer.h - NDIS timers: NdisMInitializeTimer /
 * NdisMSetTimer / NdisMSetPeriodicTimer / NdisMCancelTimer (a miniport's,
 * serialized with its other handlers unless it is deserialized) and
 * NdisInitializeTimer / NdisSetTimer / NdisCancelTimer. Included by
 * <ndis.h>.
 *
 * Timer functions run at DISPATCH_LEVEL on the adapter's timer thread (on
 * a process-wide one for an NdisInitializeTimer timer made outside any
 * adapter callback). A timer still set when MiniportHalt returns is
 * cancelled and reported ("halt.leak-timer").
 */
#ifndef NDISDMA_NDIS_TIMER_H
#define NDISDMA_NDIS_TIMER_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A timer function: SystemSpecific1 is the timer's storage,
 * FunctionContext what the driver gave, the others NULL. */
typedef VOID(NDIS_TIMER_FUNCTION)(PVOID SystemSpecific1, PVOID FunctionContext,
				  PVOID SystemSpecific2, PVOID SystemSpecific3);
typedef NDIS_TIMER_FUNCTION *PNDIS_TIMER_FUNCTION;

/* Caller-allocated timer storage, resident while the timer may fire.
 * The host keeps its state elsewhere; the named fields are filled by the
 * initialize call for drivers that look. */
typedef struct _NDIS_MINIPORT_TIMER {
	PVOID Timer[8]; /* KTIMER in the WDK: opaque */
	PVOID Dpc[8];	/* KDPC: opaque */
	PNDIS_TIMER_FUNCTION MiniportTimerFunction;
	PVOID MiniportTimerContext;
	PVOID Miniport; /* the adapter handle */
	struct _NDIS_MINIPORT_TIMER *NextDeferredTimer;
} NDIS_MINIPORT_TIMER, *PNDIS_MINIPORT_TIMER;

typedef struct _NDIS_TIMER {
	PVOID Timer[8];
	PVOID Dpc[8];
} NDIS_TIMER, *PNDIS_TIMER;

/* At PASSIVE_LEVEL, usually from MiniportInitialize: prepare Timer to
 * call TimerFunction(Timer, FunctionContext, NULL, NULL). An unknown
 * handle is reported ("handle.unknown") and the timer still works (not
 * tied to an adapter). Re-initializing a set timer is reported
 * ("timer.init-while-set"): it is cancelled first. */
VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer,
			  NDIS_HANDLE MiniportAdapterHandle,
			  PNDIS_TIMER_FUNCTION TimerFunction,
			  PVOID FunctionContext);
/* At IRQL <= DISPATCH_LEVEL: fire once after MillisecondsToDelay (a set
 * timer is re-set). A timer never initialized is reported
 * ("timer.not-initialized") and ignored. */
VOID NdisMSetTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsToDelay);
/* At IRQL <= DISPATCH_LEVEL: fire every MillisecondPeriod, first after
 * one period. Same failures. */
VOID NdisMSetPeriodicTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondPeriod);
/* At IRQL <= DISPATCH_LEVEL: dequeue; *TimerCancelled TRUE when it was
 * set (its function will not run for that expiry), FALSE when not set
 * (or the function is already running: this does not wait for it).
 * Never initialized: reported ("timer.not-initialized"), FALSE. */
VOID NdisMCancelTimer(PNDIS_MINIPORT_TIMER Timer, PBOOLEAN TimerCancelled);

/* The same for NDIS_TIMER (not serialized with the miniport). The timer
 * belongs to the adapter whose callback initializes it (halt cancels it
 * then), else to the process. */
VOID NdisInitializeTimer(PNDIS_TIMER Timer, PNDIS_TIMER_FUNCTION TimerFunction,
			 PVOID FunctionContext);
VOID NdisSetTimer(PNDIS_TIMER Timer, UINT MillisecondsToDelay);
VOID NdisCancelTimer(PNDIS_TIMER Timer, PBOOLEAN TimerCancelled);

#ifdef __cplusplus
}
#endif

#endif
