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

#ifndef NDISDMA_NDIS_ERROR_CODES_
#define NDISDMA_NDIS_ERROR_CODES_
typedef ULONG NDIS_ERROR_CODE, *PNDIS_ERROR_CODE;
#define NDIS_ERROR_CODE_RESOURCE_CONFLICT 0xC0001388L
#define NDIS_ERROR_CODE_OUT_OF_RESOURCES 0xC0001389L
#define NDIS_ERROR_CODE_HARDWARE_FAILURE 0xC000138AL
#define NDIS_ERROR_CODE_ADAPTER_NOT_FOUND 0xC000138BL
#define NDIS_ERROR_CODE_INTERRUPT_CONNECT 0xC000138CL
#define NDIS_ERROR_CODE_DRIVER_FAILURE 0xC000138DL
#define NDIS_ERROR_CODE_BAD_VERSION 0xC000138EL
#define NDIS_ERROR_CODE_TIMEOUT 0x8000138FL
#define NDIS_ERROR_CODE_NETWORK_ADDRESS 0xC0001390L
#define NDIS_ERROR_CODE_UNSUPPORTED_CONFIGURATION 0xC0001391L
#define NDIS_ERROR_CODE_INVALID_VALUE_FROM_ADAPTER 0xC0001392L
#define NDIS_ERROR_CODE_MISSING_CONFIGURATION_PARAMETER 0xC0001393L
#define NDIS_ERROR_CODE_BAD_IO_BASE_ADDRESS 0xC0001394L
#define NDIS_ERROR_CODE_RECEIVE_SPACE_SMALL 0x40001395L
#define NDIS_ERROR_CODE_ADAPTER_DISABLED 0x80001396L
#endif

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
