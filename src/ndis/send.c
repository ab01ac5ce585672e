/* SPDX-License-Identifier: MIT */
/*
 * send.c - NdisMSendComplete and NdisMSendResourcesAvailable: a hosted
 * NDIS 5.x miniport gives back the packets the host sent it
 * (src/core/frames.c builds and delivers them).
 */
#include "../core/datapath.h"

/* Microsoft documents both at IRQL <= DISPATCH_LEVEL (NdisMSendComplete,
 * NdisMSendResourcesAvailable reference pages). */
VOID NdisMSendComplete(NDIS_HANDLE h, PNDIS_PACKET Packet, NDIS_STATUS Status)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_adapter_lookup(h, "NdisMSendComplete", site);
	if (!ad || !nd_dp_of(ad))
		return;
	nd_irql_at_most(DISPATCH_LEVEL, "NdisMSendComplete", ad, site);
	nd_dp_send_complete(ad, Packet, Status, site);
}

VOID NdisMSendResourcesAvailable(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMSendResourcesAvailable", site);
	if (!ad || !nd_dp_of(ad))
		return;
	nd_irql_at_most(DISPATCH_LEVEL, "NdisMSendResourcesAvailable", ad,
			site);
	nd_dp_send_resources(ad);
}
