/* SPDX-License-Identifier: MIT */
/*
 * status.c - NdisMIndicateStatus / NdisMIndicateStatusComplete: a hosted
 * NDIS 5.x miniport's status changes (link up and down). IRQL <=
 * DISPATCH_LEVEL (Microsoft's reference pages).
 */
#include "../core/datapath.h"

VOID NdisMIndicateStatus(NDIS_HANDLE h, NDIS_STATUS GeneralStatus,
			 PVOID StatusBuffer, UINT StatusBufferSize)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMIndicateStatus", site);
	if (!ad || !nd_dp_of(ad))
		return;
	nd_irql_at_most(DISPATCH_LEVEL, "NdisMIndicateStatus", ad, site);
	nd_dp_indicate_status(ad, GeneralStatus,
			      StatusBufferSize ? StatusBuffer : NULL,
			      StatusBuffer ? StatusBufferSize : 0);
}

VOID NdisMIndicateStatusComplete(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMIndicateStatusComplete", site);
	if (ad)
		nd_irql_at_most(DISPATCH_LEVEL, "NdisMIndicateStatusComplete",
				ad, site);
}
