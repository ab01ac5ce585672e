/* SPDX-License-Identifier: MIT */
/*
 * loopback.c - a tiny NDIS 5.1 miniport for the `ndisdma run` tests: no
 * device; every frame sent is indicated back as received (a new packet on
 * the miniport's own buffer, status RESOURCES so the host copies it at
 * once), then the send completes. Answers the OIDs `ndisdma run` asks:
 * addresses, frame size, link speed, media state, packet filter,
 * lookahead. Built as a shared object with -Wl,--no-undefined; with
 * LB_LEAK its halt frees nothing (the host must find and count that).
 */
#include <ndis.h>

#define LB_FRAME_MAX 1514

typedef struct _LB {
	NDIS_HANDLE Handle;
	NDIS_HANDLE PacketPool, BufferPool;
	PNDIS_PACKET RxPacket;
	PNDIS_BUFFER RxBuffer;
	UCHAR RxData[LB_FRAME_MAX];
	ULONG Filter, Lookahead;
	ULONGLONG Sent;
} LB;

static const UCHAR lb_mac[6] = {0x02, 0x00, 0x00, 0x4c, 0x42, 0x01};

static NDIS_STATUS lb_initialize(PNDIS_STATUS open_error, PUINT medium,
				 PNDIS_MEDIUM media, UINT nmedia,
				 NDIS_HANDLE handle, NDIS_HANDLE wcc)
{
	(void)wcc;
	*open_error = NDIS_STATUS_SUCCESS;
	UINT i;
	for (i = 0; i < nmedia && media[i] != NdisMedium802_3; i++)
		;
	if (i == nmedia)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*medium = i;
	LB *lb;
	if (NdisAllocateMemoryWithTag((PVOID *)&lb, sizeof(*lb), 'bLdn') !=
	    NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(lb, sizeof(*lb));
	lb->Handle = handle;
	NdisMSetAttributesEx(handle, lb, 0, 0, NdisInterfaceInternal);
	NDIS_STATUS st;
	NdisAllocatePacketPool(&st, &lb->PacketPool, 1,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocateBufferPool(&st, &lb->BufferPool, 1);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_pp;
	NdisAllocatePacket(&st, &lb->RxPacket, lb->PacketPool);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_bp;
	NdisAllocateBuffer(&st, &lb->RxBuffer, lb->BufferPool, lb->RxData,
			   LB_FRAME_MAX);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_p;
	NdisChainBufferAtFront(lb->RxPacket, lb->RxBuffer);
	return NDIS_STATUS_SUCCESS;
fail_p:
	NdisFreePacket(lb->RxPacket);
fail_bp:
	NdisFreeBufferPool(lb->BufferPool);
fail_pp:
	NdisFreePacketPool(lb->PacketPool);
fail:
	NdisFreeMemory(lb, sizeof(*lb), 0);
	return NDIS_STATUS_RESOURCES;
}

static VOID lb_halt(NDIS_HANDLE ctx)
{
	LB *lb = ctx;
#ifdef LB_LEAK
	(void)lb; /* forgets everything: the host reclaims and counts it */
	return;
#endif
	PNDIS_BUFFER b;
	NdisUnchainBufferAtFront(lb->RxPacket, &b);
	if (b)
		NdisFreeBuffer(b);
	NdisFreePacket(lb->RxPacket);
	NdisFreeBufferPool(lb->BufferPool);
	NdisFreePacketPool(lb->PacketPool);
	NdisFreeMemory(lb, sizeof(*lb), 0);
}

static VOID lb_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET packets, UINT count)
{
	LB *lb = ctx;
	for (UINT k = 0; k < count; k++) {
		PNDIS_PACKET p = packets[k];
		PNDIS_BUFFER b;
		UINT total, nbufs, off = 0;
		NdisQueryPacket(p, NULL, &nbufs, &b, &total);
		if (total < 14 || total > LB_FRAME_MAX) {
			NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_INVALID_PACKET);
			continue;
		}
		while (b) {
			PVOID va;
			UINT len;
			NdisQueryBuffer(b, &va, &len);
			NdisMoveMemory(lb->RxData + off, va, len);
			off += len;
			NdisGetNextBuffer(b, &b);
		}
		/* a buffer describing exactly the frame */
		PNDIS_BUFFER old;
		NDIS_STATUS st;
		NdisUnchainBufferAtFront(lb->RxPacket, &old);
		NdisFreeBuffer(old);
		NdisAllocateBuffer(&st, &lb->RxBuffer, lb->BufferPool,
				   lb->RxData, off);
		if (st != NDIS_STATUS_SUCCESS) {
			lb->RxBuffer = NULL;
			NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
			continue;
		}
		NdisChainBufferAtFront(lb->RxPacket, lb->RxBuffer);
		NdisRecalculatePacketCounts(lb->RxPacket);
		NDIS_SET_PACKET_HEADER_SIZE(lb->RxPacket, 14);
		NDIS_SET_PACKET_STATUS(lb->RxPacket, NDIS_STATUS_RESOURCES);
		PNDIS_PACKET rx = lb->RxPacket;
		NdisMIndicateReceivePacket(lb->Handle, &rx, 1);
		lb->Sent++;
		NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_SUCCESS);
	}
}

static NDIS_STATUS lb_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
			    ULONG buflen, PULONG written, PULONG needed)
{
	LB *lb = ctx;
	ULONG u;
	const void *src = &u;
	ULONG len = sizeof(u);
	switch (oid) {
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		src = lb_mac;
		len = 6;
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
	case OID_GEN_MAXIMUM_LOOKAHEAD:
		u = LB_FRAME_MAX - 14;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		u = LB_FRAME_MAX;
		break;
	case OID_GEN_LINK_SPEED:
		u = 10000000; /* 1 Gbit/s in 100 bit/s */
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		u = NdisMediaStateConnected;
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		u = lb->Filter;
		break;
	case OID_GEN_CURRENT_LOOKAHEAD:
		u = lb->Lookahead;
		break;
	case OID_GEN_XMIT_OK:
	case OID_GEN_RCV_OK:
		u = (ULONG)lb->Sent;
		break;
	default:
		*written = 0;
		*needed = 0;
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (buflen < len) {
		*written = 0;
		*needed = len;
		return NDIS_STATUS_INVALID_LENGTH;
	}
	NdisMoveMemory(buf, src, len);
	*written = len;
	*needed = 0;
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS lb_set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
			  ULONG buflen, PULONG read, PULONG needed)
{
	LB *lb = ctx;
	*read = 0;
	*needed = 0;
	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
	case OID_GEN_CURRENT_LOOKAHEAD:
		if (buflen != sizeof(ULONG)) {
			*needed = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(oid == OID_GEN_CURRENT_PACKET_FILTER
				   ? &lb->Filter
				   : &lb->Lookahead,
			       buf, sizeof(ULONG));
		*read = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		*read = buflen;
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING path);

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING path)
{
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, driver, path, NULL);
	if (!wrapper)
		return STATUS_UNSUCCESSFUL;
	NDIS_MINIPORT_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = lb_initialize;
	c.HaltHandler = lb_halt;
	c.QueryInformationHandler = lb_query;
	c.SetInformationHandler = lb_set;
	c.SendPacketsHandler = lb_send_packets;
	if (NdisMRegisterMiniport(wrapper, &c, sizeof(c)) !=
	    NDIS_STATUS_SUCCESS) {
		NdisTerminateWrapper(wrapper, NULL);
		return STATUS_UNSUCCESSFUL;
	}
	return STATUS_SUCCESS;
}
