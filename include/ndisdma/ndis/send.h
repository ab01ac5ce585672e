/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/send.h - completing the sends the host hands a miniport's
 * MiniportSendPackets / MiniportSend (NDIS 5.x). Included by <ndis.h>.
 *
 * The host's packets: one NDIS_BUFFER (the whole frame, never crossing a
 * page for frames up to the adapter's maximum total size, at most one
 * page), ProtocolReserved owned by the host, and for a miniport that
 * called NdisMInitializeScatterGatherDma the list in
 * NDIS_PER_PACKET_INFO_FROM_PACKET(Packet, ScatterGatherListPacketInfo),
 * valid until the send is completed. A serialized miniport may return
 * (MiniportSend) or set in the packet (NDIS_SET_PACKET_STATUS,
 * MiniportSendPackets) NDIS_STATUS_SUCCESS or a failure (done),
 * NDIS_STATUS_PENDING (completed later with NdisMSendComplete) or
 * NDIS_STATUS_RESOURCES (the host keeps the packet and those after it and
 * sends them again after NdisMSendResourcesAvailable or a completion). A
 * deserialized miniport completes every packet with NdisMSendComplete.
 */
#ifndef NDISDMA_NDIS_SEND_H
#define NDISDMA_NDIS_SEND_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct _NDIS_PACKET;

/* Give back a packet the host sent, with the send's final status. IRQL <=
 * DISPATCH_LEVEL (above: reported "irql.too-high", and completed as
 * Windows would). A packet completed twice ("send.complete-twice") or one
 * the host never sent on this adapter ("send.complete-unknown") is
 * reported and ignored. Cannot fail. */
VOID NdisMSendComplete(NDIS_HANDLE MiniportAdapterHandle,
		       struct _NDIS_PACKET *Packet, NDIS_STATUS Status);
/* A serialized miniport that returned NDIS_STATUS_RESOURCES can take
 * sends again: the host sends what it kept, from its own thread (never
 * inside this call). Harmless when nothing is kept, and for a
 * deserialized miniport. IRQL <= DISPATCH_LEVEL. */
VOID NdisMSendResourcesAvailable(NDIS_HANDLE MiniportAdapterHandle);

#ifdef __cplusplus
}
#endif
#endif
