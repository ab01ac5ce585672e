/* SPDX-License-Identifier: MIT */
/*
 * indicate.c - what the host does with a hosted NDIS 5.x miniport's
 * receive and status indications: hand each frame to the program's
 * receive callback, keep the packets NDIS would keep and give them back
 * with MiniportReturnPacket from the DPC thread, pull the rest of a frame
 * indicated by lookahead with MiniportTransferData, follow the link state.
 */
#include "datapath.h"
#include "host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Hand one frame to the program. */
static void deliver_frame(struct nd_dp *dp, const void *frame, size_t len)
{
	pthread_mutex_lock(&dp->lock);
	void (*cb)(void *, const void *, size_t) = dp->rx_cb;
	void *ctx = dp->rx_ctx;
	dp->ctr.rx_frames++;
	dp->ctr.rx_bytes += len;
	pthread_mutex_unlock(&dp->lock);
	if (cb)
		cb(ctx, frame, len);
}

/* The bytes of a packet's buffer chain: the one buffer itself when there
 * is one, else copied into `tmp` (cap bytes) or, when longer, into
 * *heap (the caller frees it). Returns the length, or -1 when the frame
 * has no bytes or is too long. */
static long packet_bytes(PNDIS_PACKET p, unsigned char *tmp, size_t cap,
			 const void **data, void **heap)
{
	PNDIS_BUFFER b = p->Private.Head;
	size_t n = 0, total = 0;
	*data = NULL;
	*heap = NULL;
	if (b && !b->Next) {
		*data = b->MappedSystemVa ? b->MappedSystemVa
					  : MmGetMdlVirtualAddress(b);
		return MmGetMdlByteCount(b) ? (long)MmGetMdlByteCount(b) : -1;
	}
	for (PNDIS_BUFFER c = b; c; c = c->Next)
		total += MmGetMdlByteCount(c);
	if (!total || total > (1u << 20))
		return -1;
	if (total > cap) {
		*heap = tmp = malloc(total);
		if (!tmp)
			return -1;
		cap = total;
	}
	for (; b; b = b->Next) {
		ULONG l = MmGetMdlByteCount(b);
		const void *va = b->MappedSystemVa ? b->MappedSystemVa
						   : MmGetMdlVirtualAddress(b);
		if (n + l > cap)
			return -1;
		memcpy(tmp + n, va, l);
		n += l;
	}
	*data = tmp;
	return n ? (long)n : -1;
}

static void return_fn(struct nd_adapter *ad, void *arg)
{
	(void)arg;
	nd_dp_return_all(ad);
}

void nd_dp_return_all(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	W_RETURN_PACKET_HANDLER ret = ad->drv->chars5.ReturnPacketHandler;
	for (;;) {
		pthread_mutex_lock(&dp->lock);
		dp->return_queued = false;
		PNDIS_PACKET *list = dp->ret;
		unsigned n = dp->nret;
		dp->ret = NULL;
		dp->nret = dp->capret = 0;
		for (unsigned i = 0; i < n; i++)
			nd_ptrmap_del(&dp->held, (uintptr_t)list[i]);
		dp->ctr.rx_held = nd_ptrmap_count(&dp->held);
		dp->ctr.rx_returned += n;
		pthread_mutex_unlock(&dp->lock);
		if (!n) {
			free(list);
			return;
		}
		nd_serial_enter(ad);
		for (unsigned i = 0; i < n; i++)
			ND_DP_CALL(ad, DISPATCH_LEVEL,
				   ret(ad->context, list[i]));
		nd_serial_leave(ad);
		free(list);
	}
}

/* Keep p until the DPC thread returns it. dp->lock held. Returns false
 * when there is no memory to keep it (it is then the miniport's again). */
static bool hold_locked(struct nd_adapter *ad, struct nd_dp *dp, PNDIS_PACKET p)
{
	if (dp->nret == dp->capret) {
		unsigned cap = dp->capret ? dp->capret * 2 : 64;
		PNDIS_PACKET *n = realloc(dp->ret, cap * sizeof(*n));
		if (!n)
			return false;
		dp->ret = n;
		dp->capret = cap;
	}
	if (nd_ptrmap_put(&dp->held, (uintptr_t)p, (void *)1))
		return false;
	dp->ret[dp->nret++] = p;
	dp->ctr.rx_held = nd_ptrmap_count(&dp->held);
	if (!dp->return_queued && !dp->stopping &&
	    nd_dpc_queue(ad, return_fn, NULL) == 0)
		dp->return_queued = true;
	return true;
}

void nd_dp_indicate_packets(struct nd_adapter *ad, PNDIS_PACKET *pkts, UINT n,
			    const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	unsigned char tmp[2048];
	bool can_return = ad->drv->chars5.ReturnPacketHandler != NULL;
	for (UINT i = 0; i < n; i++) {
		PNDIS_PACKET p = pkts[i];
		if (!p)
			continue;
		pthread_mutex_lock(&dp->lock);
		bool held = nd_ptrmap_get(&dp->held, (uintptr_t)p) != NULL;
		pthread_mutex_unlock(&dp->lock);
		if (held) {
			nd_report(ND_RULE_RECV_PACKET_HELD, ad, (uintptr_t)p, 0,
				  site,
				  "NdisMIndicateReceivePacket: packet %p was "
				  "indicated before and not yet given back "
				  "with MiniportReturnPacket; skipped",
				  (void *)p);
			continue;
		}
		NDIS_STATUS st = NDIS_GET_PACKET_STATUS(p);
		const void *data;
		void *heap;
		long len = packet_bytes(p, tmp, sizeof(tmp), &data, &heap);
		if (len < 0) {
			pthread_mutex_lock(&dp->lock);
			dp->ctr.rx_dropped++;
			pthread_mutex_unlock(&dp->lock);
			continue;
		}
		deliver_frame(dp, data, (size_t)len);
		free(heap);
		pthread_mutex_lock(&dp->lock);
		if (st == NDIS_STATUS_RESOURCES || !can_return) {
			dp->ctr.rx_copied++;
		} else if (hold_locked(ad, dp, p)) {
			/* NDIS tells the miniport it kept the packet */
			NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_PENDING);
		}
		pthread_mutex_unlock(&dp->lock);
	}
}

long nd_dp_held_report(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	long n = dp->nret;
	for (unsigned i = 0; i < dp->nret; i++)
		nd_report(ND_RULE_RECV_NOT_RETURNED, ad, (uintptr_t)dp->ret[i],
			  0, NULL,
			  "packet %p was indicated while the adapter halted: "
			  "MiniportReturnPacket can no longer be called, the "
			  "packet is never given back",
			  (void *)dp->ret[i]);
	free(dp->ret);
	dp->ret = NULL;
	dp->nret = dp->capret = 0;
	nd_ptrmap_free(&dp->held);
	memset(&dp->held, 0, sizeof(dp->held));
	pthread_mutex_unlock(&dp->lock);
	return n;
}

/* ---------------- lookahead indications ---------------- */

static struct nd_frame *xfer_get(struct nd_dp *dp)
{
	pthread_mutex_lock(&dp->lock);
	struct nd_frame *f = NULL;
	for (unsigned i = 0; dp->fr && i < dp->nxfer; i++)
		if (dp->fr[dp->ntx + i].state == FR_FREE) {
			f = &dp->fr[dp->ntx + i];
			f->state = FR_XFER;
			break;
		}
	if (!f)
		dp->ctr.rx_dropped++;
	else
		dp->ctr.rx_transfers++;
	pthread_mutex_unlock(&dp->lock);
	return f;
}

static void xfer_put(struct nd_dp *dp, struct nd_frame *f)
{
	pthread_mutex_lock(&dp->lock);
	f->state = FR_FREE;
	f->gen++;
	pthread_mutex_unlock(&dp->lock);
}

void nd_dp_eth_indicate(struct nd_adapter *ad, NDIS_HANDLE rctx,
			const void *hdr, UINT hlen, const void *la, UINT lalen,
			UINT psize, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (hlen != 14 || !hdr || (lalen && !la) || lalen > psize ||
	    psize > 65536) {
		nd_report(ND_RULE_RECV_BAD_INDICATION, ad, (uintptr_t)hdr,
			  psize, site,
			  "NdisMEthIndicateReceive: header of %u bytes (14 "
			  "expected), lookahead %u of a %u-byte packet; frame "
			  "dropped",
			  hlen, lalen, psize);
		pthread_mutex_lock(&dp->lock);
		dp->ctr.rx_dropped++;
		pthread_mutex_unlock(&dp->lock);
		return;
	}
	if (lalen >= psize) {
		unsigned char small[14 + 1600];
		unsigned char *tmp = 14 + (size_t)psize <= sizeof(small)
					 ? small
					 : malloc(14 + (size_t)psize);
		if (tmp) {
			memcpy(tmp, hdr, 14);
			memcpy(tmp + 14, la, psize);
			deliver_frame(dp, tmp, 14 + (size_t)psize);
		}
		if (tmp != small)
			free(tmp);
		return;
	}
	W_TRANSFER_DATA_HANDLER xfer = ad->drv->chars5.TransferDataHandler;
	struct nd_frame *f = xfer ? xfer_get(dp) : NULL;
	if (!f || 14 + (size_t)psize > dp->slot) {
		if (f)
			xfer_put(dp, f);
		pthread_mutex_lock(&dp->lock);
		dp->ctr.rx_dropped++;
		pthread_mutex_unlock(&dp->lock);
		return;
	}
	/* the protocol copies the header and lookahead now and asks for
	 * the rest into a packet of its own */
	memcpy(f->buf, hdr, 14);
	memcpy(f->buf + 14, la, lalen);
	UINT rest = psize - lalen;
	ULONG off = 14 + lalen;
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(f->buf + off, rest);
	ndisdma_mdl_fill_(f->mdl, f->buf + off, rest, span);
	memset(f->pkt, 0, sizeof(NDIS_PACKET_PRIVATE));
	f->pkt->Private.NdisPacketFlags = fPACKET_ALLOCATED_BY_NDIS;
	f->pkt->Private.NdisPacketOobOffset =
	    (USHORT)(((offsetof(NDIS_PACKET, ProtocolReserved) +
		       PROTOCOL_RESERVED_SIZE_IN_PACKET) +
		      15) &
		     ~15u);
	f->pkt->Private.ValidCounts = TRUE;
	f->pkt->Private.Head = f->pkt->Private.Tail = f->mdl;
	f->pkt->Private.Count = 1;
	f->pkt->Private.PhysicalCount = span;
	f->pkt->Private.TotalLength = rest;
	f->xfer_off = off;
	f->xfer_total = 14 + psize;
	UINT got = 0;
	/* MiniportTransferData runs in the indication's context (the
	 * miniport's own, already serialized) */
	NDIS_STATUS st = xfer(f->pkt, &got, ad->context, rctx, lalen, rest);
	if (st == NDIS_STATUS_PENDING)
		return; /* NdisMTransferDataComplete delivers it */
	if (st == NDIS_STATUS_SUCCESS)
		deliver_frame(dp, f->buf, off + (got < rest ? got : rest));
	else {
		pthread_mutex_lock(&dp->lock);
		dp->ctr.rx_dropped++;
		pthread_mutex_unlock(&dp->lock);
	}
	xfer_put(dp, f);
}

void nd_dp_eth_indicate_complete(struct nd_adapter *ad)
{
	(void)ad; /* the protocol's ReceiveComplete: nothing is batched */
}

void nd_dp_transfer_complete(struct nd_adapter *ad, PNDIS_PACKET p,
			     NDIS_STATUS st, UINT bytes, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	struct nd_frame *f = nd_frame_of(dp, p);
	bool ok = f && f >= dp->fr + dp->ntx && f->state == FR_XFER;
	pthread_mutex_unlock(&dp->lock);
	if (!ok) {
		nd_report(ND_RULE_RECV_TRANSFER_COMPLETE_UNKNOWN, ad,
			  (uintptr_t)p, bytes, site,
			  "NdisMTransferDataComplete: packet %p has no "
			  "MiniportTransferData pending; ignored",
			  (void *)p);
		return;
	}
	uint32_t rest = f->xfer_total - f->xfer_off;
	if (st == NDIS_STATUS_SUCCESS)
		deliver_frame(dp, f->buf,
			      f->xfer_off + (bytes < rest ? bytes : rest));
	else {
		pthread_mutex_lock(&dp->lock);
		dp->ctr.rx_dropped++;
		pthread_mutex_unlock(&dp->lock);
	}
	xfer_put(dp, f);
}

/* ---------------- status ---------------- */

void nd_dp_indicate_status(struct nd_adapter *ad, NDIS_STATUS st,
			   const void *buf, UINT len)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	if (st == NDIS_STATUS_MEDIA_CONNECT)
		dp->link.up = 1;
	else if (st == NDIS_STATUS_MEDIA_DISCONNECT)
		dp->link.up = 0;
	dp->ctr.status_indications++;
	void (*cb)(void *, int32_t, const void *, size_t) = dp->st_cb;
	void *ctx = dp->st_ctx;
	pthread_mutex_unlock(&dp->lock);
	if (cb)
		cb(ctx, st, buf, len);
}

int ndisdma_adapter_on_receive(ndisdma_adapter *h,
			       void (*cb)(void *, const void *, size_t),
			       void *ctx)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	struct nd_dp *dp = ad ? nd_dp_of(ad) : NULL;
	if (!dp)
		return -EINVAL;
	pthread_mutex_lock(&dp->lock);
	dp->rx_cb = cb;
	dp->rx_ctx = ctx;
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

int ndisdma_adapter_on_status(ndisdma_adapter *h,
			      void (*cb)(void *, int32_t, const void *, size_t),
			      void *ctx)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	struct nd_dp *dp = ad ? nd_dp_of(ad) : NULL;
	if (!dp)
		return -EINVAL;
	pthread_mutex_lock(&dp->lock);
	dp->st_cb = cb;
	dp->st_ctx = ctx;
	pthread_mutex_unlock(&dp->lock);
	return 0;
}
