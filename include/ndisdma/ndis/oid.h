/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/oid.h - object identifiers (OIDs) and the completion calls
 * of MiniportQueryInformation / MiniportSetInformation and MiniportReset
 * (NDIS 5.x). Included by <ndis.h>.
 *
 * The host sends one request at a time, as NDIS does; a handler that
 * returns NDIS_STATUS_PENDING completes it later with
 * NdisMQueryInformationComplete / NdisMSetInformationComplete, until then
 * it may write the InformationBuffer and the BytesWritten / BytesNeeded
 * variables the host passed (they stay valid).
 */
#ifndef NDISDMA_NDIS_OID_H
#define NDISDMA_NDIS_OID_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NDISDMA_NDIS_OID_VALUES_
#define NDISDMA_NDIS_OID_VALUES_
typedef ULONG NDIS_OID, *PNDIS_OID;

/* general objects (Microsoft: "General Operational Characteristics") */
#define OID_GEN_SUPPORTED_LIST 0x00010101
#define OID_GEN_HARDWARE_STATUS 0x00010102
#define OID_GEN_MEDIA_SUPPORTED 0x00010103
#define OID_GEN_MEDIA_IN_USE 0x00010104
#define OID_GEN_MAXIMUM_LOOKAHEAD 0x00010105
#define OID_GEN_MAXIMUM_FRAME_SIZE 0x00010106
#define OID_GEN_LINK_SPEED 0x00010107
#define OID_GEN_TRANSMIT_BUFFER_SPACE 0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE 0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE 0x0001010A
#define OID_GEN_RECEIVE_BLOCK_SIZE 0x0001010B
#define OID_GEN_VENDOR_ID 0x0001010C
#define OID_GEN_VENDOR_DESCRIPTION 0x0001010D
#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010E
#define OID_GEN_CURRENT_LOOKAHEAD 0x0001010F
#define OID_GEN_DRIVER_VERSION 0x00010110
#define OID_GEN_MAXIMUM_TOTAL_SIZE 0x00010111
#define OID_GEN_PROTOCOL_OPTIONS 0x00010112
#define OID_GEN_MAC_OPTIONS 0x00010113
#define OID_GEN_MEDIA_CONNECT_STATUS 0x00010114
#define OID_GEN_MAXIMUM_SEND_PACKETS 0x00010115
#define OID_GEN_VENDOR_DRIVER_VERSION 0x00010116
/* general statistics */
#define OID_GEN_XMIT_OK 0x00020101
#define OID_GEN_RCV_OK 0x00020102
#define OID_GEN_XMIT_ERROR 0x00020103
#define OID_GEN_RCV_ERROR 0x00020104
#define OID_GEN_RCV_NO_BUFFER 0x00020105
/* 802.3 */
#define OID_802_3_PERMANENT_ADDRESS 0x01010101
#define OID_802_3_CURRENT_ADDRESS 0x01010102
#define OID_802_3_MULTICAST_LIST 0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE 0x01010104

/* OID_GEN_CURRENT_PACKET_FILTER bits */
#define NDIS_PACKET_TYPE_DIRECTED 0x00000001
#define NDIS_PACKET_TYPE_MULTICAST 0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST 0x00000004
#define NDIS_PACKET_TYPE_BROADCAST 0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS 0x00000020

/* OID_GEN_MEDIA_CONNECT_STATUS */
typedef enum _NDIS_MEDIA_STATE {
	NdisMediaStateConnected,
	NdisMediaStateDisconnected
} NDIS_MEDIA_STATE,
    *PNDIS_MEDIA_STATE;
#endif

/* request and status codes of this topic */
#ifndef NDIS_STATUS_INVALID_OID
#define NDIS_STATUS_INVALID_OID ((NDIS_STATUS)0xC0010017)
#endif
#ifndef NDIS_STATUS_MULTICAST_FULL
#define NDIS_STATUS_MULTICAST_FULL ((NDIS_STATUS)0xC0010009)
#endif
#ifndef NDIS_STATUS_REQUEST_ABORTED
#define NDIS_STATUS_REQUEST_ABORTED ((NDIS_STATUS)0xC001000C)
#endif
#ifndef NDIS_STATUS_RESET_IN_PROGRESS
#define NDIS_STATUS_RESET_IN_PROGRESS ((NDIS_STATUS)0xC001000D)
#endif
#ifndef NDIS_STATUS_ADAPTER_NOT_READY
#define NDIS_STATUS_ADAPTER_NOT_READY ((NDIS_STATUS)0xC0010011)
#endif

/* Complete the query the host's last MiniportQueryInformation call
 * returned NDIS_STATUS_PENDING for, with its final status (the handler
 * has written InformationBuffer and *BytesWritten / *BytesNeeded by now).
 * IRQL <= DISPATCH_LEVEL. A completion with no query pending (twice, or
 * never asked for: rules "oid.complete-twice" / "oid.complete-no-request")
 * or an unknown handle is reported and ignored, as NDIS ignores it. */
VOID NdisMQueryInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
				   NDIS_STATUS Status);
/* The same for MiniportSetInformation. */
VOID NdisMSetInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
				 NDIS_STATUS Status);
/* Complete a MiniportReset that returned NDIS_STATUS_PENDING.
 * AddressingReset TRUE: the host sets the packet filter, lookahead and
 * multicast list again. IRQL <= DISPATCH_LEVEL. Without a reset in
 * progress it is reported ("reset.complete-no-reset") and ignored. */
VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status,
			BOOLEAN AddressingReset);

#ifdef __cplusplus
}
#endif
#endif
