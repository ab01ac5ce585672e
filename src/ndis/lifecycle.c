/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.c - NdisMRegisterAdapterShutdownHandler,
 * NdisMDeregisterAdapterShutdownHandler and NdisWriteErrorLogEntry of an
 * NDIS 5.x miniport (src/core/request.c keeps the handler and writes the
 * log line).
 */
#include "../core/datapath.h"

#include <stdarg.h>

/* PASSIVE_LEVEL, from MiniportInitialize (Microsoft's reference page) */
VOID NdisMRegisterAdapterShutdownHandler(NDIS_HANDLE h, PVOID ctx,
					 ADAPTER_SHUTDOWN_HANDLER fn)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMRegisterAdapterShutdownHandler", site);
	if (!ad || !nd_dp_of(ad))
		return;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMRegisterAdapterShutdownHandler",
			ad, site);
	nd_dp_shutdown_register(ad, ctx, fn, site);
}

VOID NdisMDeregisterAdapterShutdownHandler(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMDeregisterAdapterShutdownHandler", site);
	if (!ad || !nd_dp_of(ad))
		return;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMDeregisterAdapterShutdownHandler",
			ad, site);
	nd_dp_shutdown_deregister(ad, site);
}

/* IRQL <= DISPATCH_LEVEL */
VOID NdisWriteErrorLogEntry(NDIS_HANDLE h, NDIS_ERROR_CODE ErrorCode,
			    ULONG NumberOfErrorValues, ...)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisWriteErrorLogEntry", site);
	if (!ad)
		return;
	nd_irql_at_most(DISPATCH_LEVEL, "NdisWriteErrorLogEntry", ad, site);
	ULONG v[16];
	va_list ap;
	va_start(ap, NumberOfErrorValues);
	for (ULONG i = 0; i < NumberOfErrorValues && i < 16; i++)
		v[i] = va_arg(ap, ULONG);
	va_end(ap);
	nd_dp_errorlog(ad, ErrorCode, NumberOfErrorValues, v, site);
}
