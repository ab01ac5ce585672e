/* SPDX-License-Identifier: MIT */
/*
 * datapath.h - the host side of a hosted NDIS 5.x miniport's data path:
 * the frames the host sends (its own packets and buffers, reused in FIFO
 * order), the queue a serialized miniport's NDIS_STATUS_RESOURCES leaves,
 * the packets it holds after a receive indication, the one OID request
 * outstanding, link state and counters, reset, check-for-hang and the
 * shutdown handler. src/ndis (send.c, receive.c, status.c, oid.c,
 * lifecycle.c) checks the miniport's calls and calls this; this calls the
 * miniport's handlers (inside nd_serial_enter / leave) and the runtime's
 * threads (host.h).
 *
 * Lock order: nd_serial_enter, then nd_dp.lock, then sg_lock. No handler
 * of the miniport is called with nd_dp.lock held.
 */
#ifndef NDISDMA_DATAPATH_H
#define NDISDMA_DATAPATH_H

#include "core.h"

/* Create the adapter's data-path state before MiniportInitialize (the
 * miniport may indicate or register a shutdown handler from there).
 * Returns 0 or -ENOMEM. */
int nd_dp_create(struct nd_adapter *ad);
/* After a successful MiniportInitialize, with the adapter running: query
 * the addresses, sizes and link state, allocate the host's frames and
 * set the packet filter and lookahead; start check-for-hang. Returns 0,
 * -ENOMEM, or -EIO when the miniport refused the packet filter (the
 * reason is in ndisdma_last_error()). */
int nd_dp_start(struct nd_adapter *ad);
/* Halt begins (before MiniportHalt): refuse new sends and requests, drop
 * what is queued, wait for the sends at the miniport (reporting the ones
 * never completed), stop check-for-hang, give back the packets the host
 * holds. Must not run on the adapter's own threads. Cannot fail. */
void nd_dp_stop(struct nd_adapter *ad);
/* After MiniportHalt (or a failed initialize): report what the miniport
 * left (packets indicated during halt, sends never completed), release
 * the host's frames and free the state. Returns how many objects were
 * reported. */
long nd_dp_destroy(struct nd_adapter *ad);

/* ---- calls from src/ndis (the adapter is live; site = driver's call) */

void nd_dp_send_complete(struct nd_adapter *ad, PNDIS_PACKET p, NDIS_STATUS st,
			 const void *site);
void nd_dp_send_resources(struct nd_adapter *ad);
void nd_dp_indicate_packets(struct nd_adapter *ad, PNDIS_PACKET *pkts, UINT n,
			    const void *site);
void nd_dp_eth_indicate(struct nd_adapter *ad, NDIS_HANDLE rctx,
			const void *hdr, UINT hlen, const void *la, UINT lalen,
			UINT psize, const void *site);
void nd_dp_eth_indicate_complete(struct nd_adapter *ad);
void nd_dp_transfer_complete(struct nd_adapter *ad, PNDIS_PACKET p,
			     NDIS_STATUS st, UINT bytes, const void *site);
void nd_dp_indicate_status(struct nd_adapter *ad, NDIS_STATUS st,
			   const void *buf, UINT len);
void nd_dp_request_complete(struct nd_adapter *ad, bool set, NDIS_STATUS st,
			    const void *site);
void nd_dp_reset_complete(struct nd_adapter *ad, NDIS_STATUS st,
			  BOOLEAN addressing, const void *site);
void nd_dp_shutdown_register(struct nd_adapter *ad, PVOID ctx,
			     VOID (*fn)(PVOID), const void *site);
void nd_dp_shutdown_deregister(struct nd_adapter *ad, const void *site);
void nd_dp_errorlog(struct nd_adapter *ad, ULONG code, ULONG n,
		    const ULONG *values, const void *site);

/* ---- for the simulated device (sim_device.c) ---- */

/* A device read at [a, a+len) that faulted: when the range lies in a
 * frame whose send already completed (its scatter-gather list unmapped),
 * copy the bytes the frame buffer holds now into buf (what the NIC would
 * read on a machine without an IOMMU), report "send.read-after-complete"
 * and return true. False otherwise. */
bool nd_dp_retired_read(struct nd_adapter *ad, uint64_t a, void *buf,
			size_t len, const void *site);

/* ---- shared by frames.c, indicate.c and request.c ---- */

#include "ptrmap.h"

enum nd_frame_state {
	FR_FREE,   /* in the FIFO free ring */
	FR_QUEUED, /* in the host's send queue */
	FR_SENT,   /* at the miniport */
	FR_XFER,   /* a TransferData target, in use */
};

/* One host frame: a buffer that never crosses a page (up to a page), one
 * NDIS_BUFFER describing it and one NDIS_PACKET chaining that buffer. */
struct nd_frame {
	PNDIS_PACKET pkt;
	PMDL mdl;
	unsigned char *buf;
	uint32_t len;
	uint32_t gen; /* bumped each time the buffer is reused */
	enum nd_frame_state state;
	SCATTER_GATHER_LIST *sgl; /* the list the host built, or NULL */
	struct nd_frame *next;	  /* send queue */
	/* a TransferData target: where the frame starts and its size */
	uint32_t xfer_off, xfer_total;
};

/* A completed send's device addresses, for send.read-after-complete. */
struct nd_retired {
	uint64_t iova, len;
	unsigned char *va;
	struct nd_frame *fr;
	uint32_t gen;
};

struct nd_oid_req {
	bool set;
	NDIS_OID oid;
	void *buf;
	ULONG len, written, needed;
	bool done, abandoned, completed_by_call;
	NDIS_STATUS status;
};

struct nd_dp {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* sends drained, request/reset completed */
	bool started, stopping;

	/* frames (frames.c) */
	struct nd_frame *fr; /* ntx send frames, then nxfer transfer ones */
	unsigned ntx, nxfer;
	uint32_t slot; /* bytes per buffer */
	void *buf_mem, *desc_mem;
	size_t buf_bytes, desc_stride;
	unsigned char *desc_base;
	uint32_t *free_ring; /* FIFO of send frame indices */
	unsigned free_head, free_count;
	struct nd_frame *q_head, *q_tail;
	unsigned q_len, at_miniport;
	bool delivering, stalled, kick_queued;
	unsigned batch; /* OID_GEN_MAXIMUM_SEND_PACKETS, <= 32 */
	struct nd_retired *retired;
	unsigned nretired, retired_next;

	/* receive (indicate.c) */
	struct ptrmap held; /* packets the host keeps -> 1 */
	PNDIS_PACKET *ret;  /* to give back with MiniportReturnPacket */
	unsigned nret, capret;
	bool return_queued;
	void (*rx_cb)(void *, const void *, size_t);
	void *rx_ctx;
	void (*st_cb)(void *, int32_t, const void *, size_t);
	void *st_ctx;

	/* requests, reset, lifecycle (request.c) */
	struct nd_oid_req *req;	 /* the one outstanding */
	bool req_completed_once; /* some request was completed already */
	int32_t last_status;
	bool resetting, reset_done, reset_addressing;
	NDIS_STATUS reset_status;
	bool hang_timer;
	unsigned char hang_storage[64]; /* the timer's identity (host.h) */
	VOID (*shutdown)(PVOID);
	PVOID shutdown_ctx;
	struct nd_res shutdown_res;
	bool shutdown_tracked;
	uint32_t multicast_len;
	unsigned char multicast[32 * 6];

	struct ndisdma_link link;
	struct ndisdma_counters ctr;
};

/* The adapter's state; NULL before nd_dp_create / after destroy. */
static inline struct nd_dp *nd_dp_of(struct nd_adapter *ad)
{
	return ad->dp;
}

/* frames.c */
int nd_frames_alloc(struct nd_adapter *ad, struct nd_dp *dp,
		    uint32_t max_total);
void nd_frames_free(struct nd_dp *dp);
/* The host frame whose packet is p, or NULL. */
struct nd_frame *nd_frame_of(struct nd_dp *dp, const void *p);
/* Deliver what is queued (the caller is not inside a handler of ad). */
void nd_dp_kick(struct nd_adapter *ad);
/* Queue a delivery on the DPC thread (once). dp->lock held. */
void nd_dp_kick_later_locked(struct nd_adapter *ad, struct nd_dp *dp);
/* Halt: drop the queue, wait for sends; returns how many never completed
 * (reported, their lists freed). */
long nd_frames_stop(struct nd_adapter *ad, struct nd_dp *dp);

/* indicate.c */
/* Give back every packet the host holds now (halt). */
void nd_dp_return_all(struct nd_adapter *ad);
/* Packets still held (indicated during halt): report and forget. */
long nd_dp_held_report(struct nd_adapter *ad);

/* request.c */
/* Call MiniportQueryInformation / SetInformation as the host; waits. 0 or
 * -errno, *st the NDIS_STATUS. */
int nd_dp_request(struct nd_adapter *ad, bool set, NDIS_OID oid, void *buf,
		  ULONG len, ULONG *written, NDIS_STATUS *st);

/* Call a miniport handler of ad from the host at `irql`: the thread's
 * context names the adapter. */
#define ND_DP_CALL(ad, irql, call)                                             \
	do {                                                                   \
		struct nd_cb_save s_;                                          \
		nd_cb_enter(&s_, (ad)->drv, (ad), ND_CB_HANDLER, (irql));      \
		call;                                                          \
		nd_cb_leave(&s_);                                              \
	} while (0)

#endif
