/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/sync.h - waiting and deferring: NDIS events, work items,
 * NdisStallExecution, NdisMSleep, NdisGetCurrentSystemTime. Included by
 * <ndis.h>.
 */
#ifndef NDISDMA_NDIS_SYNC_H
#define NDISDMA_NDIS_SYNC_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- events ---- */

/* A notification event (stays signaled until reset). Caller storage. */
typedef struct _NDIS_EVENT {
	LONG State;   /* 0 not signaled, 1 signaled */
	LONG Waiters; /* reserved */
	PVOID Reserved[2];
} NDIS_EVENT, *PNDIS_EVENT;

/* At PASSIVE_LEVEL: not signaled. Cannot fail. */
VOID NdisInitializeEvent(PNDIS_EVENT Event);
/* At IRQL <= DISPATCH_LEVEL: signal, waking every waiter. */
VOID NdisSetEvent(PNDIS_EVENT Event);
/* At IRQL <= DISPATCH_LEVEL: back to not signaled. */
VOID NdisResetEvent(PNDIS_EVENT Event);
/* At PASSIVE_LEVEL: wait until signaled or MsToWait milliseconds passed
 * (0: no limit). TRUE when signaled, FALSE on timeout. Above
 * PASSIVE_LEVEL: "irql.too-high", and it still waits. */
BOOLEAN NdisWaitEvent(PNDIS_EVENT Event, UINT MsToWait);

/* ---- work items ---- */

struct _NDIS_WORK_ITEM;
typedef VOID (*NDIS_PROC)(struct _NDIS_WORK_ITEM *, PVOID);

typedef struct _NDIS_WORK_ITEM {
	PVOID Context;
	NDIS_PROC Routine;
	UCHAR WrapperReserved[8 * sizeof(PVOID)];
} NDIS_WORK_ITEM, *PNDIS_WORK_ITEM;

#define NdisInitializeWorkItem(_WI_, _R_, _C_)                                 \
	do {                                                                   \
		(_WI_)->Context = (_C_);                                       \
		(_WI_)->Routine = (_R_);                                       \
	} while (0)

/* At IRQL <= DISPATCH_LEVEL: call WorkItem->Routine(WorkItem, Context)
 * once at PASSIVE_LEVEL on a worker thread (the adapter's work thread
 * when called from an adapter's callback, else a process-wide one).
 * Returns NDIS_STATUS_SUCCESS; NDIS_STATUS_FAILURE for a NULL item or
 * Routine; NDIS_STATUS_RESOURCES (no memory or thread). An item already
 * queued is reported ("work.requeued") and stays queued once
 * (NDIS_STATUS_SUCCESS). A work item still queued when MiniportHalt
 * returns never runs ("halt.leak-workitem"). */
NDIS_STATUS NdisScheduleWorkItem(PNDIS_WORK_ITEM WorkItem);

/* ---- time ---- */

/* Busy-wait MicrosecondsToStall (any IRQL; Windows asks for at most 50
 * microseconds and so does the host: longer stalls are served but
 * reported, "stall.too-long"). */
VOID NdisStallExecution(UINT MicrosecondsToStall);
/* At PASSIVE_LEVEL: sleep at least MicrosecondsToSleep. Above:
 * "irql.too-high", then sleeps anyway. */
VOID NdisMSleep(ULONG MicrosecondsToSleep);
/* The time of day in 100-nanosecond units since 1 January 1601 (UTC).
 * Any IRQL. */
VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime);

#ifdef __cplusplus
}
#endif

#endif
