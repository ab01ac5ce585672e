/* SPDX-License-Identifier: MIT */
/*
 * frames.c - the frames the host sends through a hosted NDIS 5.x miniport
 * (MiniportSendPackets / MiniportSend) and their completion.
 *
 * Each frame has a buffer of `slot` bytes (a power of two up to a page,
 * or whole pages), so a frame up to the adapter's maximum total size never
 * crosses a page when it fits in one: a miniport may assume a one-element
 * scatter-gather list for a small frame, as many do. Free buffers are
 * reused in FIFO order: a miniport that completes a send before its NIC
 * read the frame (a bug Windows hides by luck) still sends the right bytes
 * for a while, and on sim the device's late read is named
 * ("send.read-after-complete", nd_dp_retired_read).
 *
 * Sends are delivered in order by one thread at a time (the caller of
 * ndisdma_adapter_send, or the adapter's DPC thread after
 * NdisMSendResourcesAvailable or a completion that ends a RESOURCES stall).
 */
#include "datapath.h"
#include "host.h"
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ND_TX_FRAMES 256u
#define ND_XFER_FRAMES 16u
#define ND_MAX_BATCH 32u

/* ---------------- allocation ---------------- */

static uint32_t slot_size(uint32_t max_total)
{
	uint32_t s = 64;
	if (max_total > PAGE_SIZE)
		return (max_total + PAGE_SIZE - 1) & ~(uint32_t)(PAGE_SIZE - 1);
	while (s < max_total)
		s <<= 1;
	return s;
}

/* The descriptor of one frame: a 16-byte zero header (no pool cookie: the
 * packet macros mark nothing), the NDIS_PACKET with
 * PROTOCOL_RESERVED_SIZE_IN_PACKET bytes of ProtocolReserved, its
 * out-of-band data and per-packet information, then the MDL with its
 * page-frame entries. */
static size_t oob_offset(void)
{
	size_t o = offsetof(NDIS_PACKET, ProtocolReserved) +
		   PROTOCOL_RESERVED_SIZE_IN_PACKET;
	return (o + 15) & ~(size_t)15;
}

static void frame_packet_init(struct nd_frame *f, uint32_t span)
{
	PNDIS_PACKET p = f->pkt;
	size_t oob = oob_offset();
	memset(p, 0,
	       oob + sizeof(NDIS_PACKET_OOB_DATA) +
		   sizeof(NDIS_PACKET_EXTENSION));
	p->Private.NdisPacketFlags = fPACKET_ALLOCATED_BY_NDIS;
	p->Private.NdisPacketOobOffset = (USHORT)oob;
	p->Private.ValidCounts = TRUE;
	p->Private.Head = p->Private.Tail = f->mdl;
	p->Private.Count = 1;
	p->Private.PhysicalCount = span;
}

/* Describe len bytes of the frame's buffer from byte `off`. */
static void frame_set_len(struct nd_frame *f, uint32_t off, uint32_t len)
{
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(f->buf + off, len);
	ndisdma_mdl_fill_(f->mdl, f->buf + off, len, span);
	frame_packet_init(f, span);
	f->pkt->Private.TotalLength = len;
	f->len = len;
}

int nd_frames_alloc(struct nd_adapter *ad, struct nd_dp *dp, uint32_t max_total)
{
	(void)ad;
	uint32_t slot = slot_size(max_total < 64 ? 64 : max_total);
	unsigned n = ND_TX_FRAMES + ND_XFER_FRAMES;
	size_t pages = slot / PAGE_SIZE + 2;
	size_t mdl_bytes = sizeof(MDL) + pages * sizeof(PFN_NUMBER);
	size_t stride = 16 + oob_offset() + sizeof(NDIS_PACKET_OOB_DATA) +
			sizeof(NDIS_PACKET_EXTENSION) + mdl_bytes;
	stride = (stride + 63) & ~(size_t)63;
	dp->buf_bytes = (size_t)slot * n;
	if (posix_memalign(&dp->buf_mem, PAGE_SIZE, dp->buf_bytes))
		return -ENOMEM;
	if (posix_memalign(&dp->desc_mem, 64, stride * n)) {
		free(dp->buf_mem);
		dp->buf_mem = NULL;
		return -ENOMEM;
	}
	dp->fr = calloc(n, sizeof(*dp->fr));
	dp->free_ring = calloc(ND_TX_FRAMES, sizeof(*dp->free_ring));
	dp->retired = calloc(2 * ND_TX_FRAMES, sizeof(*dp->retired));
	if (!dp->fr || !dp->free_ring || !dp->retired) {
		nd_frames_free(dp);
		return -ENOMEM;
	}
	memset(dp->desc_mem, 0, stride * n);
	dp->desc_stride = stride;
	dp->desc_base = (unsigned char *)dp->desc_mem + 16;
	dp->slot = slot;
	dp->ntx = ND_TX_FRAMES;
	dp->nxfer = ND_XFER_FRAMES;
	dp->nretired = 2 * ND_TX_FRAMES;
	for (unsigned i = 0; i < n; i++) {
		struct nd_frame *f = &dp->fr[i];
		f->pkt = (PNDIS_PACKET)(dp->desc_base + i * stride);
		f->mdl = (PMDL)((unsigned char *)f->pkt + oob_offset() +
				sizeof(NDIS_PACKET_OOB_DATA) +
				sizeof(NDIS_PACKET_EXTENSION));
		f->buf = (unsigned char *)dp->buf_mem + (size_t)i * slot;
		f->state = FR_FREE;
		frame_set_len(f, 0, 1);
	}
	for (unsigned i = 0; i < ND_TX_FRAMES; i++)
		dp->free_ring[i] = i;
	dp->free_head = 0;
	dp->free_count = ND_TX_FRAMES;
	return 0;
}

void nd_frames_free(struct nd_dp *dp)
{
	free(dp->fr);
	free(dp->free_ring);
	free(dp->retired);
	free(dp->buf_mem);
	free(dp->desc_mem);
	dp->fr = NULL;
	dp->free_ring = NULL;
	dp->retired = NULL;
	dp->buf_mem = dp->desc_mem = NULL;
	dp->ntx = dp->nxfer = 0;
}

struct nd_frame *nd_frame_of(struct nd_dp *dp, const void *p)
{
	if (!dp->fr || (const unsigned char *)p < dp->desc_base)
		return NULL;
	size_t off = (size_t)((const unsigned char *)p - dp->desc_base);
	if (off % dp->desc_stride ||
	    off / dp->desc_stride >= dp->ntx + dp->nxfer)
		return NULL;
	return &dp->fr[off / dp->desc_stride];
}

/* ---------------- completion ---------------- */

static void retire_locked(struct nd_dp *dp, struct nd_frame *f)
{
	SCATTER_GATHER_LIST *l = f->sgl;
	uint64_t off = 0;
	for (ULONG i = 0; l && i < l->NumberOfElements; i++) {
		struct nd_retired *r =
		    &dp->retired[dp->retired_next++ % dp->nretired];
		r->iova = (uint64_t)l->Elements[i].Address.QuadPart;
		r->len = l->Elements[i].Length;
		r->va = f->buf + off;
		r->fr = f;
		r->gen = f->gen;
		off += l->Elements[i].Length;
	}
}

/* The frame's send is over: free its list, put it at the tail of the
 * free ring. dp->lock held. */
static void finish_locked(struct nd_adapter *ad, struct nd_dp *dp,
			  struct nd_frame *f, NDIS_STATUS st)
{
	if (f->sgl) {
		if (ad->bus->ops->dev_read)
			retire_locked(dp, f);
		nd_sg_free(ad, f->sgl, f->pkt, NULL);
		f->sgl = NULL;
		NDIS_PER_PACKET_INFO_FROM_PACKET(
		    f->pkt, ScatterGatherListPacketInfo) = NULL;
	}
	if (f->state == FR_SENT && dp->at_miniport)
		dp->at_miniport--;
	if (st == NDIS_STATUS_SUCCESS) {
		dp->ctr.tx_frames++;
		dp->ctr.tx_bytes += f->len;
	} else {
		dp->ctr.tx_errors++;
	}
	f->state = FR_FREE;
	f->gen++;
	unsigned idx = (unsigned)(f - dp->fr);
	dp->free_ring[(dp->free_head + dp->free_count) % dp->ntx] = idx;
	dp->free_count++;
	if (!dp->at_miniport)
		pthread_cond_broadcast(&dp->cond);
}

void nd_dp_send_complete(struct nd_adapter *ad, PNDIS_PACKET p, NDIS_STATUS st,
			 const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp)
		return;
	pthread_mutex_lock(&dp->lock);
	struct nd_frame *f = nd_frame_of(dp, p);
	if (!f || f >= dp->fr + dp->ntx) {
		pthread_mutex_unlock(&dp->lock);
		nd_report(ND_RULE_SEND_COMPLETE_UNKNOWN, ad, (uintptr_t)p, 0,
			  site,
			  "NdisMSendComplete: packet %p is not one the host "
			  "sent on this adapter; ignored",
			  (void *)p);
		return;
	}
	if (f->state != FR_SENT) {
		pthread_mutex_unlock(&dp->lock);
		nd_report(ND_RULE_SEND_COMPLETE_TWICE, ad, (uintptr_t)p, 0,
			  site,
			  "NdisMSendComplete: packet %p was completed already "
			  "(or is not at the miniport); ignored",
			  (void *)p);
		return;
	}
	finish_locked(ad, dp, f, st);
	/* a serialized miniport's completion ends a RESOURCES stall, as
	 * NDIS resumes its queue after one */
	if (dp->stalled && dp->q_len) {
		dp->stalled = false;
		nd_dp_kick_later_locked(ad, dp);
	}
	pthread_mutex_unlock(&dp->lock);
}

void nd_dp_send_resources(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp)
		return;
	pthread_mutex_lock(&dp->lock);
	if (dp->stalled) {
		dp->stalled = false;
		if (dp->q_len)
			nd_dp_kick_later_locked(ad, dp);
	}
	pthread_mutex_unlock(&dp->lock);
}

/* ---------------- delivery ---------------- */

static void kick_fn(struct nd_adapter *ad, void *arg)
{
	(void)arg;
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	dp->kick_queued = false;
	pthread_mutex_unlock(&dp->lock);
	nd_dp_kick(ad);
}

void nd_dp_kick_later_locked(struct nd_adapter *ad, struct nd_dp *dp)
{
	if (dp->kick_queued || dp->stopping)
		return;
	if (nd_dpc_queue(ad, kick_fn, NULL) == 0)
		dp->kick_queued = true;
}

/* Take up to `max` frames off the queue head into arr, marking them
 * sent. dp->lock held. */
static unsigned take_locked(struct nd_dp *dp, struct nd_frame **arr,
			    unsigned max)
{
	unsigned n = 0;
	while (n < max && dp->q_head) {
		struct nd_frame *f = dp->q_head;
		dp->q_head = f->next;
		if (!dp->q_head)
			dp->q_tail = NULL;
		dp->q_len--;
		f->next = NULL;
		f->state = FR_SENT;
		dp->at_miniport++;
		arr[n++] = f;
	}
	return n;
}

/* Put arr[0..n) back at the queue head, in order. dp->lock held. */
static void requeue_locked(struct nd_dp *dp, struct nd_frame **arr, unsigned n)
{
	for (unsigned i = n; i-- > 0;) {
		struct nd_frame *f = arr[i];
		f->state = FR_QUEUED;
		dp->at_miniport--;
		f->next = dp->q_head;
		dp->q_head = f;
		if (!dp->q_tail)
			dp->q_tail = f;
		dp->q_len++;
	}
}

/* After a serialized miniport's MiniportSendPackets / MiniportSend: the
 * status of each packet it did not complete itself decides. Returns true
 * when the miniport said RESOURCES (delivery stops). */
static bool settle(struct nd_adapter *ad, struct nd_dp *dp,
		   struct nd_frame **arr, unsigned n, const NDIS_STATUS *ret)
{
	bool stall = false;
	pthread_mutex_lock(&dp->lock);
	for (unsigned i = 0; i < n; i++) {
		struct nd_frame *f = arr[i];
		if (f->state != FR_SENT)
			continue; /* completed inside the call */
		NDIS_STATUS st = ret ? ret[i] : NDIS_GET_PACKET_STATUS(f->pkt);
		if (st == NDIS_STATUS_PENDING)
			continue;
		if (st == NDIS_STATUS_RESOURCES) {
			/* this one and every later one not completed yet go
			 * back, in order */
			struct nd_frame *back[ND_MAX_BATCH];
			unsigned nb = 0;
			for (unsigned j = i; j < n; j++)
				if (arr[j]->state == FR_SENT)
					back[nb++] = arr[j];
			requeue_locked(dp, back, nb);
			dp->ctr.tx_resources++;
			dp->stalled = true;
			stall = true;
			break;
		}
		finish_locked(ad, dp, f, st);
	}
	pthread_mutex_unlock(&dp->lock);
	return stall;
}

static void deliver(struct nd_adapter *ad, struct nd_dp *dp,
		    struct nd_frame **arr, unsigned n)
{
	struct nd_driver *d = ad->drv;
	bool serialized = nd_serialized(ad);
	for (unsigned i = 0; i < n; i++)
		NDIS_SET_PACKET_STATUS(arr[i]->pkt, NDIS_STATUS_PENDING);
	nd_serial_enter(ad);
	if (d->chars5.SendPacketsHandler) {
		PNDIS_PACKET pkts[ND_MAX_BATCH];
		for (unsigned i = 0; i < n; i++)
			pkts[i] = arr[i]->pkt;
		ND_DP_CALL(ad, DISPATCH_LEVEL,
			   d->chars5.SendPacketsHandler(ad->context, pkts, n));
		nd_serial_leave(ad);
		if (serialized)
			settle(ad, dp, arr, n, NULL);
		return;
	}
	/* MiniportSend: one packet per call; a RESOURCES answer stops */
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	ND_DP_CALL(ad, DISPATCH_LEVEL,
		   st = d->chars5.SendHandler(ad->context, arr[0]->pkt, 0));
	nd_serial_leave(ad);
	settle(ad, dp, arr, 1, &st);
}

void nd_dp_kick(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	if (dp->delivering) {
		pthread_mutex_unlock(&dp->lock);
		return;
	}
	dp->delivering = true;
	while (dp->q_head && !dp->stalled && !dp->resetting) {
		struct nd_frame *arr[ND_MAX_BATCH];
		unsigned max =
		    ad->drv->chars5.SendPacketsHandler ? dp->batch : 1;
		unsigned n = take_locked(dp, arr, max);
		pthread_mutex_unlock(&dp->lock);
		deliver(ad, dp, arr, n);
		pthread_mutex_lock(&dp->lock);
	}
	dp->delivering = false;
	pthread_mutex_unlock(&dp->lock);
}

/* True when the calling thread runs inside a handler of ad (a DPC, a
 * timer, an indication): NDIS does not call a miniport's send handler
 * from there; the host delivers from the DPC thread. */
static bool inside_miniport(struct nd_adapter *ad)
{
	struct nd_thread *t = nd_self();
	return t->adapter == ad && t->callback != ND_CB_NONE;
}

int ndisdma_adapter_send(ndisdma_adapter *h, const void *frame, size_t len)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	if (!ad || !frame || len < 14)
		return -EINVAL;
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp || atomic_load(&ad->state) != AD_RUNNING)
		return -ESHUTDOWN;
	struct nd_driver *d = ad->drv;
	if (d->ndis_major == 6 ||
	    (!d->chars5.SendPacketsHandler && !d->chars5.SendHandler))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&dp->lock);
	if (dp->stopping || !dp->started) {
		pthread_mutex_unlock(&dp->lock);
		return -ESHUTDOWN;
	}
	if (len > dp->link.max_total) {
		pthread_mutex_unlock(&dp->lock);
		return -EMSGSIZE;
	}
	if (!dp->free_count) {
		pthread_mutex_unlock(&dp->lock);
		return -ENOBUFS;
	}
	struct nd_frame *f = &dp->fr[dp->free_ring[dp->free_head]];
	dp->free_head = (dp->free_head + 1) % dp->ntx;
	dp->free_count--;
	f->state = FR_QUEUED;
	pthread_mutex_unlock(&dp->lock);

	memcpy(f->buf, frame, len);
	frame_set_len(f, 0, (uint32_t)len);
	if (ad->sg5) {
		struct nd_sg_req rq = {
		    .mdl = f->mdl,
		    .offset = 0,
		    .length = (ULONG)len,
		    .to_device = true,
		    .owner = f->pkt,
		    .ndis5 = true,
		    .site = NULL,
		};
		int rc = nd_sg_build(ad, &rq, &f->sgl);
		if (rc) {
			pthread_mutex_lock(&dp->lock);
			finish_locked(ad, dp, f, NDIS_STATUS_RESOURCES);
			dp->ctr.tx_errors--; /* not sent: not a send error */
			pthread_mutex_unlock(&dp->lock);
			return rc == -ENOMEM ? -ENOBUFS : rc;
		}
		NDIS_PER_PACKET_INFO_FROM_PACKET(
		    f->pkt, ScatterGatherListPacketInfo) = f->sgl;
	}
	pthread_mutex_lock(&dp->lock);
	f->next = NULL;
	if (dp->q_tail)
		dp->q_tail->next = f;
	else
		dp->q_head = f;
	dp->q_tail = f;
	dp->q_len++;
	bool later = inside_miniport(ad);
	if (later && !dp->stalled)
		nd_dp_kick_later_locked(ad, dp);
	pthread_mutex_unlock(&dp->lock);
	if (!later)
		nd_dp_kick(ad);
	return 0;
}

/* ---------------- halt ---------------- */

static unsigned wait_ms(const char *env, unsigned dflt)
{
	const char *s = getenv(env);
	char *end;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;
	return s && *s && !*end ? (unsigned)v : dflt;
}

long nd_frames_stop(struct nd_adapter *ad, struct nd_dp *dp)
{
	long never = 0;
	pthread_mutex_lock(&dp->lock);
	/* what the host still queues is never sent: dropped as NDIS
	 * completes it to the protocol with a failure */
	while (dp->q_head) {
		struct nd_frame *f = dp->q_head;
		dp->q_head = f->next;
		dp->q_len--;
		finish_locked(ad, dp, f, NDIS_STATUS_CLOSING);
	}
	dp->q_tail = NULL;
	if (dp->fr) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		unsigned ms = wait_ms("NDISDMA_SEND_WAIT_MS", 5000);
		until.tv_sec += ms / 1000;
		until.tv_nsec += (long)(ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (dp->at_miniport &&
		       pthread_cond_timedwait(&dp->cond, &dp->lock, &until) ==
			   0)
			;
		for (unsigned i = 0; i < dp->ntx; i++) {
			struct nd_frame *f = &dp->fr[i];
			if (f->state != FR_SENT)
				continue;
			nd_report(ND_RULE_SEND_NEVER_COMPLETED, ad,
				  (uintptr_t)f->pkt, f->len, NULL,
				  "packet %p (%u bytes) was never completed "
				  "with NdisMSendComplete (waited %u ms "
				  "before MiniportHalt)",
				  (void *)f->pkt, f->len, ms);
			finish_locked(ad, dp, f, NDIS_STATUS_REQUEST_ABORTED);
			never++;
		}
	}
	pthread_mutex_unlock(&dp->lock);
	return never;
}

/* ---------------- the verifier's view for the simulated device ------- */

bool nd_dp_retired_read(struct nd_adapter *ad, uint64_t a, void *buf,
			size_t len, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp || !len)
		return false;
	pthread_mutex_lock(&dp->lock);
	if (!dp->retired) {
		pthread_mutex_unlock(&dp->lock);
		return false;
	}
	unsigned n =
	    dp->retired_next < dp->nretired ? dp->retired_next : dp->nretired;
	for (unsigned j = 0; j < n; j++) {
		struct nd_retired *r =
		    &dp->retired[(dp->retired_next - 1 - j) % dp->nretired];
		if (a < r->iova || a - r->iova + len > r->len)
			continue;
		bool reused =
		    r->fr->gen != r->gen + 1 || r->fr->state != FR_FREE;
		memcpy(buf, r->va + (a - r->iova), len);
		void *pkt = r->fr->pkt;
		pthread_mutex_unlock(&dp->lock);
		nd_report(ND_RULE_SEND_READ_AFTER_COMPLETE, ad, a, len, site,
			  "device read at 0x%llx: the frame of packet %p was "
			  "completed with NdisMSendComplete before the device "
			  "read it (%s)",
			  (unsigned long long)a, pkt,
			  reused ? "its buffer holds another frame now: the "
				   "wire gets the wrong bytes"
				 : "the host's FIFO reuse still held the "
				   "frame: the wire got it by luck");
		return true;
	}
	pthread_mutex_unlock(&dp->lock);
	return false;
}
