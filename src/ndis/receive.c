/* SPDX-License-Identifier: MIT */
/*
 * receive.c - receive indications of a hosted NDIS 5.x miniport:
 * NdisMIndicateReceivePacket, NdisMEthIndicateReceive(Complete),
 * NdisMTransferDataComplete (src/core/indicate.c does the host's part).
 * Microsoft documents each at IRQL <= DISPATCH_LEVEL.
 */
#include "../core/datapath.h"

static struct nd_adapter *receiver(NDIS_HANDLE h, const char *fn,
				   const void *site)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, fn, site);
	if (!ad || !nd_dp_of(ad))
		return NULL;
	nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site);
	return ad;
}

VOID NdisMIndicateReceivePacket(NDIS_HANDLE h, PPNDIS_PACKET PacketArray,
				UINT NumberOfPackets)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = receiver(h, "NdisMIndicateReceivePacket", site);
	if (!ad || !PacketArray)
		return;
	nd_dp_indicate_packets(ad, PacketArray, NumberOfPackets, site);
}

VOID NdisMEthIndicateReceive(NDIS_HANDLE h, NDIS_HANDLE MiniportReceiveContext,
			     PVOID HeaderBuffer, UINT HeaderBufferSize,
			     PVOID LookaheadBuffer, UINT LookaheadBufferSize,
			     UINT PacketSize)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = receiver(h, "NdisMEthIndicateReceive", site);
	if (!ad)
		return;
	nd_dp_eth_indicate(ad, MiniportReceiveContext, HeaderBuffer,
			   HeaderBufferSize, LookaheadBuffer,
			   LookaheadBufferSize, PacketSize, site);
}

VOID NdisMEthIndicateReceiveComplete(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    receiver(h, "NdisMEthIndicateReceiveComplete", site);
	if (ad)
		nd_dp_eth_indicate_complete(ad);
}

VOID NdisMTransferDataComplete(NDIS_HANDLE h, PNDIS_PACKET Packet,
			       NDIS_STATUS Status, UINT BytesTransferred)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = receiver(h, "NdisMTransferDataComplete", site);
	if (ad)
		nd_dp_transfer_complete(ad, Packet, Status, BytesTransferred,
					site);
}
