/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/receive.h - indicating received frames and status changes
 * to the host (NDIS 5.x). Included by <ndis.h>.
 *
 * Every call here may be made at IRQL <= DISPATCH_LEVEL (above: reported
 * "irql.too-high"; the call then behaves as on Windows). The host hands
 * each received frame to the program's receive callback
 * (ndisdma_adapter_on_receive) on the indicating thread.
 */
#ifndef NDISDMA_NDIS_RECEIVE_H
#define NDISDMA_NDIS_RECEIVE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct _NDIS_PACKET;

#ifndef NDIS_STATUS_MEDIA_CONNECT
#define NDIS_STATUS_MEDIA_CONNECT ((NDIS_STATUS)0x4001000B)
#endif
#ifndef NDIS_STATUS_MEDIA_DISCONNECT
#define NDIS_STATUS_MEDIA_DISCONNECT ((NDIS_STATUS)0x4001000C)
#endif
#ifndef NDIS_STATUS_RESET_START
#define NDIS_STATUS_RESET_START ((NDIS_STATUS)0x40010004)
#endif
#ifndef NDIS_STATUS_RESET_END
#define NDIS_STATUS_RESET_END ((NDIS_STATUS)0x40010005)
#endif

/* Indicate NumberOfPackets received packets. For each, the status the
 * miniport set with NDIS_SET_PACKET_STATUS decides who owns it after the
 * call: NDIS_STATUS_RESOURCES - the host copied the frame, the packet is
 * the miniport's again when this returns; otherwise (NDIS_STATUS_SUCCESS)
 * the host keeps it and gives it back later through MiniportReturnPacket
 * (never from inside this call; a miniport without that handler gets it
 * back at once, as with NDIS_STATUS_RESOURCES). Indicating a packet the
 * host still keeps is reported ("recv.packet-held") and the packet is
 * skipped. Cannot fail. */
VOID NdisMIndicateReceivePacket(NDIS_HANDLE MiniportAdapterHandle,
				struct _NDIS_PACKET **PacketArray,
				UINT NumberOfPackets);
/* Indicate one Ethernet frame by its header (HeaderBufferSize 14 bytes)
 * and a lookahead of its data (LookaheadBufferSize bytes of PacketSize,
 * the data after the header). When the lookahead holds the whole frame,
 * the host copies it; otherwise it calls MiniportTransferData with
 * MiniportReceiveContext from inside this call to copy the rest into a
 * packet of its own (completing with NdisMTransferDataComplete when that
 * returns NDIS_STATUS_PENDING). A header of another size or a lookahead
 * longer than PacketSize is reported ("recv.bad-indication") and the
 * frame dropped. Cannot fail. */
VOID NdisMEthIndicateReceive(NDIS_HANDLE MiniportAdapterHandle,
			     NDIS_HANDLE MiniportReceiveContext,
			     PVOID HeaderBuffer, UINT HeaderBufferSize,
			     PVOID LookaheadBuffer, UINT LookaheadBufferSize,
			     UINT PacketSize);
/* The end of a burst of NdisMEthIndicateReceive calls. Cannot fail. */
VOID NdisMEthIndicateReceiveComplete(NDIS_HANDLE MiniportAdapterHandle);
/* Complete a MiniportTransferData that returned NDIS_STATUS_PENDING:
 * BytesTransferred bytes are in the host's packet. One for a packet with
 * no transfer pending is reported ("recv.transfer-complete-unknown") and
 * ignored. Cannot fail. */
VOID NdisMTransferDataComplete(NDIS_HANDLE MiniportAdapterHandle,
			       struct _NDIS_PACKET *Packet, NDIS_STATUS Status,
			       UINT BytesTransferred);
/* A status change: NDIS_STATUS_MEDIA_CONNECT / NDIS_STATUS_MEDIA_DISCONNECT
 * set the adapter's link state; every status is handed to the program's
 * status callback (ndisdma_adapter_on_status). Cannot fail. */
VOID NdisMIndicateStatus(NDIS_HANDLE MiniportAdapterHandle,
			 NDIS_STATUS GeneralStatus, PVOID StatusBuffer,
			 UINT StatusBufferSize);
/* The end of a group of NdisMIndicateStatus calls. Cannot fail. */
VOID NdisMIndicateStatusComplete(NDIS_HANDLE MiniportAdapterHandle);

#ifdef __cplusplus
}
#endif
#endif
