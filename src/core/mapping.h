/* SPDX-License-Identifier: MIT */
/*
 * mapping.h - device mappings of arbitrary host ranges (what map registers
 * and the system DMA controller give the device), bounce areas for the
 * buffers the bus cannot put within an adapter's reach, the map register
 * state of an adapter, and the simulated system DMA channel.
 * src/ndis checks the documented rules and calls this; this calls the
 * bus's map/unmap and the adapter's DMA arena.
 */
#ifndef NDISDMA_MAPPING_H
#define NDISDMA_MAPPING_H

#include "core.h"

/* A bounce area: an arena block of the adapter, reused by the mappings of
 * one map register (or one DMA channel) and held until it is released. */
struct nd_bounce {
	void *va;
	uint64_t iova;
	size_t len;
	struct arena_block ab;
};

enum nd_map_kind { ND_MAP_NONE, ND_MAP_SHM, ND_MAP_BUS, ND_MAP_BOUNCE };

/* One mapping. The caller owns `segs` (capsegs entries) and `bounce`. */
struct nd_map {
	enum nd_map_kind kind;
	void *host;
	size_t len;
	bool to_device;
	struct bus_seg *segs;
	unsigned nsegs, capsegs;
	struct nd_bounce *bounce;
};

/* Map [host, host+len) for the device below `limit` (inclusive):
 * - inside one shared-memory block of the adapter: one segment there;
 * - else through the bus's map (one segment per page on sim);
 * - else (bus says -ERANGE, or has no map) through m->bounce, allocated
 *   on first use with bounce_size bytes: the bytes are copied in (both
 *   directions, so bytes the device does not write come back unchanged)
 *   and a window opened with the direction's permissions.
 * to_device: the device may only read. Returns 0 with m->segs/nsegs set;
 * -ENOSPC when more than m->capsegs segments would be needed (m->nsegs =
 * how many); -ENOMEM out of bounce space (counted in bounce_failures) or
 * device address space; -EINVAL. Nothing stays mapped on failure.
 * Thread-safe for distinct `m`. */
int nd_map_range(struct nd_adapter *ad, struct nd_map *m, void *host,
		 size_t len, bool to_device, uint64_t limit,
		 size_t bounce_size);
/* Undo nd_map_range; a device-write bounce is copied back to the host
 * range first. Cannot fail. */
void nd_unmap_range(struct nd_adapter *ad, struct nd_map *m);
/* The same without copying a bounce back: the host range may be gone
 * (halt reclaiming what the driver forgot). */
void nd_unmap_discard(struct nd_adapter *ad, struct nd_map *m);
/* Give a bounce area back to the arena (no-op when never allocated). */
void nd_bounce_release(struct nd_adapter *ad, struct nd_bounce *b);

/* ---------------- map registers ---------------- */

struct nd_mapreg {
	bool busy;
	PNDIS_BUFFER mdl;
	const void *site;
	struct nd_map map;
	struct nd_bounce bounce;
};

struct nd_mapregs {
	struct nd_res res; /* tracked while allocated: halt reclaims */
	pthread_mutex_t lock;
	ULONG count, max_buffer;
	unsigned pages;	      /* segments one register can hold */
	unsigned active;      /* registers in use */
	struct bus_seg *segs; /* count * pages */
	struct nd_mapreg reg[];
};

/* Allocate the state of `count` registers covering max_buffer bytes each
 * into ad->mapping, tracked on the adapter (halt reports active mappings
 * and registers never freed, halt.leak-object). Returns 0 or -ENOMEM. */
int nd_mapregs_create(struct nd_adapter *ad, ULONG count, ULONG max_buffer);
/* Free ad->mapping (no mapping may be active). Cannot fail. */
void nd_mapregs_destroy(struct nd_adapter *ad);

/* ---------------- scatter-gather lists (sg_lists.c) ---------------- */

/* What one scatter-gather list covers: `length` bytes of the MDL chain
 * starting at `offset` into `mdl` (zero-length MDLs are skipped). */
struct nd_sg_req {
	PMDL mdl;
	ULONG offset, length;
	bool to_device; /* the device may only read the list's bytes */
	void *buf;	/* the caller's storage for the list, or NULL */
	ULONG bufsize;
	const void *owner; /* the NET_BUFFER or NDIS_PACKET it is for */
	bool ndis5; /* built for a packet (ScatterGatherListPacketInfo) */
	const void *site;
};

/* Check that the chain holds offset + length bytes (offset inside the
 * first MDL); *nmdls / *nelems: MDLs with bytes in the range and the
 * pages they span (the most elements the list can need). Returns 0 or
 * -EINVAL. Cannot fail otherwise. */
int nd_sg_measure(const struct nd_sg_req *rq, unsigned *nmdls,
		  unsigned *nelems);
/* The bytes a SCATTER_GATHER_LIST of n elements takes. */
size_t nd_sg_list_size(uint64_t n);
/* True when `list` is the address of a live list of the adapter. */
bool nd_sg_is_live(struct nd_adapter *ad, const void *list);
/* Map every MDL piece of the range for the device (nd_map_range: the
 * shared-memory fast path, the bus's per-page windows, or a bounce area
 * of the piece's size) below the adapter's limit, and write the list:
 * one element per device segment, in order. The list goes into rq->buf
 * when that is at least as large as the list and pointer-aligned, else
 * into storage of ours. Records the list as live. Returns 0 and *out;
 * -EINVAL (see nd_sg_measure); -ENOMEM (memory, device address space,
 * bounce space: nothing stays mapped). Thread-safe. */
int nd_sg_build(struct nd_adapter *ad, const struct nd_sg_req *rq,
		SCATTER_GATHER_LIST **out);
/* Free a live list built for `owner`: close the device's windows, copy
 * bounced device writes back into the MDLs, free our storage. Returns
 * 0; -ENOENT (not a live list: nothing changes); -EXDEV (built for
 * another owner, *held set to it: nothing changes). Thread-safe. */
int nd_sg_free(struct nd_adapter *ad, SCATTER_GATHER_LIST *list,
	       const void *owner, const void **held);

/* ---------------- system DMA (8237-style channel) ---------------- */

#define ND_SYSDMA_MAGIC 0x4e445344u /* NDSD */

struct nd_sysdma {
	uint32_t magic;
	struct nd_handle h; /* ND_H_SYSDMA */
	struct nd_adapter *ad;
	NDIS_DMA_DESCRIPTION desc;
	ULONG max_length;
	unsigned bits; /* 24 or 32 address lines */
	unsigned unit; /* bytes per transfer cycle: 1, 2 or 4 */
	struct nd_res res;
	pthread_mutex_t lock;
	/* the transfer set up */
	bool active;
	PNDIS_BUFFER mdl;
	ULONG offset, length;
	BOOLEAN to_device;
	struct nd_map map;
	struct bus_seg *segs;
	unsigned capsegs;
	struct nd_bounce bounce;
	/* the channel's registers */
	bool masked;
	uint32_t count;
	uint64_t pos, moved, cycles, tcs;
};

/* Publish a channel handle (lookups find it). Returns 0, -ENOMEM. */
int nd_sysdma_add(struct nd_sysdma *d);
/* Unpublish it and wait until no call holds it (the caller must hold no
 * reference). True for the one caller that unpublished it; false when it
 * was not published (another deregistration has it). */
bool nd_sysdma_del(struct nd_sysdma *d);
/* A live channel handle, held (nd_sysdma_put); NULL when unknown (reported
 * handle.unknown when fn is set). */
struct nd_sysdma *nd_sysdma_lookup(NDIS_HANDLE h, const char *fn,
				   const void *site);
static inline void nd_sysdma_put(struct nd_sysdma *d)
{
	nd_handle_put(&d->h);
}
static inline void sysdma_putp(struct nd_sysdma **d)
{
	if (*d)
		nd_sysdma_put(*d);
}
#define ND_SYSDMA_AUTOPUT __attribute__((cleanup(sysdma_putp)))
/* Program the channel for the mapping in d->map (lock held). */
void nd_sysdma_program(struct nd_sysdma *d);

#endif
