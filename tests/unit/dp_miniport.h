/* SPDX-License-Identifier: MIT */
/*
 * dp_miniport.h - a scriptable NDIS 5.1 miniport for the data-path tests
 * (test_send.c, test_receive.c, test_oids.c, test_lifecycle.c): the test
 * chooses serialized or not, MiniportSendPackets or MiniportSend, the
 * status a send gets, whether OID requests pend, what check-for-hang and
 * reset answer; the miniport records what the host handed it. The test
 * plays the NIC: it completes sends and indicates receives itself.
 */
#ifndef NDISDMA_DP_MINIPORT_H
#define NDISDMA_DP_MINIPORT_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#define DPM_MAX 512

static struct dpm {
	/* set by the test */
	int serialized;
	int use_send; /* MiniportSend instead of MiniportSendPackets */
	int sg;	      /* NdisMInitializeScatterGatherDma */
	NDIS_STATUS send_status;   /* serialized: the status each send gets */
	int resources_once;	   /* serialized: RESOURCES for the next send */
	int complete_inline;	   /* NdisMSendComplete inside the send call */
	int oid_pending;	   /* requests return PENDING */
	int complete_and_return;   /* complete inside, and return the status */
	NDIS_STATUS oid_status;	   /* final status of every request */
	NDIS_STATUS filter_status; /* of OID_GEN_CURRENT_PACKET_FILTER */
	ULONG max_total; /* OID_GEN_MAXIMUM_TOTAL_SIZE, 0: unsupported */
	int no_query;	 /* no QueryInformation/SetInformation handler */
	BOOLEAN hang;	 /* CheckForHang answers */
	int reset_pending;
	BOOLEAN reset_addressing;
	int no_return;		 /* no ReturnPacket handler */
	NDIS_STATUS xfer_status; /* TransferData returns */
	int loopback;		 /* each send is indicated back at once */
	void (*on_send)(void);	 /* called inside MiniportSendPackets */
	void (*init)(NDIS_HANDLE h);
	void (*halt)(NDIS_HANDLE h);

	/* recorded */
	int send_depth, send_reentered;
	NDIS_HANDLE handle;
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	pthread_mutex_t lock;
	PNDIS_PACKET sent[DPM_MAX]; /* packets at the miniport, in order */
	unsigned nsent, send_calls, max_batch;
	KIRQL send_irql;
	PNDIS_PACKET returned[DPM_MAX];
	unsigned nreturned;
	ULONG filter, lookahead, filter_sets, queries, sets;
	int in_request, overlap;
	NDIS_OID pend_oid;
	int pend_set;
	unsigned hang_calls, resets;
	unsigned xfer_calls;
	PNDIS_PACKET xfer_pkt;
	UINT xfer_off, xfer_len;
} dpm;

static const UCHAR dpm_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

static void dpm_reset(void)
{
	memset(&dpm, 0, sizeof(dpm));
	pthread_mutex_init(&dpm.lock, NULL);
	dpm.send_status = NDIS_STATUS_PENDING;
	dpm.oid_status = NDIS_STATUS_SUCCESS;
	dpm.filter_status = NDIS_STATUS_SUCCESS;
	dpm.max_total = 1514;
	dpm.xfer_status = NDIS_STATUS_SUCCESS;
}

/* ---- send ---- */

static void dpm_take(PNDIS_PACKET p)
{
	pthread_mutex_lock(&dpm.lock);
	if (dpm.nsent < DPM_MAX)
		dpm.sent[dpm.nsent++] = p;
	pthread_mutex_unlock(&dpm.lock);
}

/* The status a serialized miniport gives one packet; records it. */
static NDIS_STATUS dpm_one(PNDIS_PACKET p)
{
	dpm.send_irql = KeGetCurrentIrql();
	if (dpm.resources_once) {
		dpm.resources_once = 0;
		return NDIS_STATUS_RESOURCES;
	}
	if (dpm.complete_inline) {
		NdisMSendComplete(dpm.handle, p, NDIS_STATUS_SUCCESS);
		return NDIS_STATUS_SUCCESS;
	}
	if (!dpm.serialized || dpm.send_status == NDIS_STATUS_PENDING)
		dpm_take(p);
	return dpm.serialized ? dpm.send_status : NDIS_STATUS_PENDING;
}

static VOID dpm_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET pkts, UINT n)
{
	assert_ptr_equal(ctx, &dpm);
	if (++dpm.send_depth > 1)
		dpm.send_reentered = 1;
	dpm.send_calls++;
	if (dpm.on_send) {
		dpm.on_send();
		for (UINT i = 0; i < n; i++)
			NdisMSendComplete(dpm.handle, pkts[i],
					  NDIS_STATUS_SUCCESS);
		dpm.send_depth--;
		return;
	}
	if (n > dpm.max_batch)
		dpm.max_batch = n;
	for (UINT i = 0; i < n; i++) {
		if (dpm.loopback) {
			PNDIS_BUFFER b;
			PVOID va;
			UINT len, total;
			NdisGetFirstBufferFromPacketSafe(pkts[i], &b, &va, &len,
							 &total, 16);
			NdisMEthIndicateReceive(dpm.handle, NULL, va, 14,
						(PUCHAR)va + 14, len - 14,
						len - 14);
			NdisMSendComplete(dpm.handle, pkts[i],
					  NDIS_STATUS_SUCCESS);
			continue;
		}
		NDIS_STATUS st = dpm_one(pkts[i]);
		if (dpm.serialized)
			NDIS_SET_PACKET_STATUS(pkts[i], st);
	}
	dpm.send_depth--;
}

static NDIS_STATUS dpm_send(NDIS_HANDLE ctx, PNDIS_PACKET p, UINT flags)
{
	(void)flags;
	assert_ptr_equal(ctx, &dpm);
	dpm.send_calls++;
	return dpm_one(p);
}

/* Complete the oldest n packets the miniport holds. */
static inline unsigned dpm_complete(unsigned n, NDIS_STATUS st)
{
	PNDIS_PACKET done[DPM_MAX];
	pthread_mutex_lock(&dpm.lock);
	if (n > dpm.nsent)
		n = dpm.nsent;
	memcpy(done, dpm.sent, n * sizeof(*done));
	memmove(dpm.sent, dpm.sent + n, (dpm.nsent - n) * sizeof(*done));
	dpm.nsent -= n;
	pthread_mutex_unlock(&dpm.lock);
	for (unsigned i = 0; i < n; i++)
		NdisMSendComplete(dpm.handle, done[i], st);
	return n;
}

/* The bytes of a packet the host sent (one buffer). */
static inline const unsigned char *dpm_bytes(PNDIS_PACKET p, UINT *len)
{
	PNDIS_BUFFER b;
	PVOID va;
	UINT total;
	NdisGetFirstBufferFromPacketSafe(p, &b, &va, len, &total,
					 16 /* NormalPagePriority */);
	assert_int_equal(*len, total);
	return va;
}

/* ---- OIDs ---- */

static NDIS_STATUS dpm_request(int set, NDIS_OID oid, PVOID buf, ULONG len,
			       PULONG done, PULONG needed)
{
	pthread_mutex_lock(&dpm.lock);
	if (dpm.in_request)
		dpm.overlap = 1;
	dpm.in_request = 1;
	pthread_mutex_unlock(&dpm.lock);
	NDIS_STATUS st = dpm.oid_status;
	ULONG v = 0;
	const void *src = &v;
	ULONG n = 4;
	if (!set) {
		dpm.queries++;
		switch (oid) {
		case OID_GEN_MAXIMUM_TOTAL_SIZE:
			v = dpm.max_total;
			if (!v)
				st = NDIS_STATUS_NOT_SUPPORTED;
			break;
		case OID_GEN_MAXIMUM_FRAME_SIZE:
			v = dpm.max_total ? dpm.max_total - 14 : 1500;
			break;
		case OID_GEN_MAXIMUM_LOOKAHEAD:
			v = 256;
			break;
		case OID_GEN_LINK_SPEED:
			v = 10000000; /* 1 Gb/s in 100 b/s */
			break;
		case OID_GEN_MEDIA_CONNECT_STATUS:
			v = NdisMediaStateConnected;
			break;
		case OID_GEN_MAXIMUM_SEND_PACKETS:
			v = 8;
			break;
		case OID_GEN_CURRENT_PACKET_FILTER:
			v = dpm.filter;
			break;
		case OID_802_3_CURRENT_ADDRESS:
		case OID_802_3_PERMANENT_ADDRESS:
			src = dpm_mac;
			n = 6;
			break;
		default:
			st = NDIS_STATUS_NOT_SUPPORTED;
		}
		if (st == NDIS_STATUS_SUCCESS && len < n) {
			*needed = n;
			st = NDIS_STATUS_INVALID_LENGTH;
		} else if (st == NDIS_STATUS_SUCCESS) {
			memcpy(buf, src, n);
			*done = n;
		}
	} else {
		dpm.sets++;
		if (oid == OID_GEN_CURRENT_PACKET_FILTER && len == 4) {
			memcpy(&dpm.filter, buf, 4);
			dpm.filter_sets++;
			if (dpm.filter_status != NDIS_STATUS_SUCCESS)
				st = dpm.filter_status;
		} else if (oid == OID_GEN_CURRENT_LOOKAHEAD && len == 4) {
			memcpy(&dpm.lookahead, buf, 4);
		} else if (oid != OID_802_3_MULTICAST_LIST) {
			st = NDIS_STATUS_NOT_SUPPORTED;
		}
		if (st == NDIS_STATUS_SUCCESS)
			*done = len;
	}
	pthread_mutex_lock(&dpm.lock);
	dpm.in_request = 0;
	pthread_mutex_unlock(&dpm.lock);
	if (dpm.complete_and_return) {
		if (set)
			NdisMSetInformationComplete(dpm.handle, st);
		else
			NdisMQueryInformationComplete(dpm.handle, st);
	}
	if (dpm.oid_pending) {
		dpm.pend_oid = oid;
		dpm.pend_set = set;
		return NDIS_STATUS_PENDING;
	}
	return st;
}

static NDIS_STATUS dpm_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
			     ULONG len, PULONG written, PULONG needed)
{
	assert_ptr_equal(ctx, &dpm);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	return dpm_request(0, oid, buf, len, written, needed);
}

static NDIS_STATUS dpm_set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len,
			   PULONG read, PULONG needed)
{
	assert_ptr_equal(ctx, &dpm);
	return dpm_request(1, oid, buf, len, read, needed);
}

/* ---- receive ---- */

static VOID dpm_return(NDIS_HANDLE ctx, PNDIS_PACKET p)
{
	assert_ptr_equal(ctx, &dpm);
	pthread_mutex_lock(&dpm.lock);
	if (dpm.nreturned < DPM_MAX)
		dpm.returned[dpm.nreturned++] = p;
	pthread_mutex_unlock(&dpm.lock);
}

static inline unsigned dpm_nreturned(void)
{
	pthread_mutex_lock(&dpm.lock);
	unsigned n = dpm.nreturned;
	pthread_mutex_unlock(&dpm.lock);
	return n;
}

/* The receive context the test passes to NdisMEthIndicateReceive: the
 * whole frame. */
struct dpm_rx {
	const unsigned char *frame;
	UINT len;
};

static NDIS_STATUS dpm_transfer(PNDIS_PACKET p, PUINT got, NDIS_HANDLE ctx,
				NDIS_HANDLE rctx, UINT off, UINT len)
{
	assert_ptr_equal(ctx, &dpm);
	struct dpm_rx *rx = rctx;
	dpm.xfer_calls++;
	dpm.xfer_pkt = p;
	dpm.xfer_off = off;
	dpm.xfer_len = len;
	PNDIS_BUFFER b;
	PVOID va;
	UINT blen, total;
	NdisGetFirstBufferFromPacketSafe(p, &b, &va, &blen, &total,
					 16 /* NormalPagePriority */);
	assert_true(blen >= len);
	memcpy(va, rx->frame + 14 + off, len);
	*got = len;
	return dpm.xfer_status;
}

/* ---- lifecycle ---- */

static BOOLEAN dpm_check_for_hang(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &dpm);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	__atomic_add_fetch(&dpm.hang_calls, 1, __ATOMIC_SEQ_CST);
	return __atomic_exchange_n(&dpm.hang, FALSE, __ATOMIC_SEQ_CST);
}

static NDIS_STATUS dpm_reset_h(PBOOLEAN addressing, NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &dpm);
	__atomic_add_fetch(&dpm.resets, 1, __ATOMIC_SEQ_CST);
	*addressing = dpm.reset_addressing;
	return dpm.reset_pending ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS dpm_initialize(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
				  UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	dpm.handle = h;
	NdisMSetAttributesEx(
	    h, &dpm, 0,
	    NDIS_ATTRIBUTE_BUS_MASTER |
		(dpm.serialized ? 0 : NDIS_ATTRIBUTE_DESERIALIZE),
	    NdisInterfacePci);
	if (dpm.sg)
		assert_int_equal(
		    NdisMInitializeScatterGatherDma(h, TRUE, 65536),
		    NDIS_STATUS_SUCCESS);
	if (dpm.init)
		dpm.init(h);
	return NDIS_STATUS_SUCCESS;
}

static VOID dpm_halt(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &dpm);
	if (dpm.halt)
		dpm.halt(dpm.handle);
}

static NTSTATUS dpm_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = dpm_initialize;
	c.HaltHandler = dpm_halt;
	if (dpm.use_send)
		c.SendHandler = dpm_send;
	else
		c.SendPacketsHandler = dpm_send_packets;
	if (!dpm.no_query) {
		c.QueryInformationHandler = dpm_query;
		c.SetInformationHandler = dpm_set;
	}
	if (!dpm.no_return)
		c.ReturnPacketHandler = dpm_return;
	c.TransferDataHandler = dpm_transfer;
	c.CheckForHangHandler = dpm_check_for_hang;
	c.ResetHandler = dpm_reset_h;
	return NdisMRegisterMiniport(w, &c, sizeof(c)) == NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

/* Load and start on uri; the test asserts success. */
static inline void dpm_start(const char *uri)
{
	assert_int_equal(ndisdma_driver_load(dpm_entry, "dpm", &dpm.drv), 0);
	assert_int_equal(ndisdma_adapter_start(dpm.drv, uri, &dpm.ad), 0);
}

/* Halt and unload; returns what halt reclaimed. */
static inline int dpm_stop(void)
{
	int n = ndisdma_adapter_halt(dpm.ad);
	ndisdma_driver_unload(dpm.drv);
	return n;
}

/* Wait up to 2 s for *v (read atomically) to reach at least want. */
static inline int dpm_wait(const unsigned *v, unsigned want)
{
	for (int i = 0; i < 2000; i++) {
		if (__atomic_load_n(v, __ATOMIC_SEQ_CST) >= want)
			return 1;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return 0;
}

static inline void dpm_frame(unsigned char *f, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (unsigned char)(i * 7 + seed);
}

#endif
