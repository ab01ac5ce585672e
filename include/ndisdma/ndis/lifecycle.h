/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/lifecycle.h - the shutdown handler and the error log of an
 * NDIS 5.x miniport. Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_LIFECYCLE_H
#define NDISDMA_NDIS_LIFECYCLE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef VOID (*ADAPTER_SHUTDOWN_HANDLER)(PVOID ShutdownContext);

/* From MiniportInitialize (PASSIVE_LEVEL): the handler the host calls
 * when the system shuts down (ndisdma_adapter_shutdown). A second
 * registration replaces the first. A registration still in place after
 * MiniportHalt is reported ("halt.leak-object") and dropped. Cannot
 * fail; an unknown handle is reported ("handle.unknown"). */
VOID NdisMRegisterAdapterShutdownHandler(
    NDIS_HANDLE MiniportHandle, PVOID ShutdownContext,
    ADAPTER_SHUTDOWN_HANDLER ShutdownHandler);
/* Undo it (MiniportHalt). Without a registration: reported
 * ("shutdown.not-registered") and ignored. */
VOID NdisMDeregisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle);

/* Write an entry to the system event log: here one line on the report
 * stream (ndisdma_verifier_set_output) naming the adapter, the code and
 * the NumberOfErrorValues ULONG values that follow (at most 16 shown),
 * counted in the adapter's counters (errorlog_entries). IRQL <=
 * DISPATCH_LEVEL. Cannot fail. */
VOID NdisWriteErrorLogEntry(NDIS_HANDLE NdisAdapterHandle,
			    NDIS_ERROR_CODE ErrorCode,
			    ULONG NumberOfErrorValues, ...);

#ifdef __cplusplus
}
#endif
#endif
