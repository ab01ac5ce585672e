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
	pthread_mutex_t lock;
	ULONG count, max_buffer;
	unsigned pages;  /* segments one register can hold */
	unsigned active; /* registers in use */
	struct bus_seg *segs; /* count * pages */
	struct nd_mapreg reg[];
};

/* Allocate the state of `count` registers covering max_buffer bytes each
 * into ad->mapping. Returns 0 or -ENOMEM. */
int mapregs_create(struct nd_adapter *ad, ULONG count, ULONG max_buffer);
/* Free ad->mapping (no mapping may be active). Cannot fail. */
void mapregs_destroy(struct nd_adapter *ad);
/* Halt: report ("halt.leak-object") and undo every active mapping and
 * the registers themselves; returns how many objects. */
long mapregs_reclaim(struct nd_adapter *ad);

/* ---------------- system DMA (8237-style channel) ---------------- */

#define ND_SYSDMA_MAGIC 0x4e445344u /* NDSD */

struct nd_sysdma {
	uint32_t magic;
	struct nd_adapter *ad;
	NDIS_DMA_DESCRIPTION desc;
	ULONG max_length;
	unsigned bits;  /* 24 or 32 address lines */
	unsigned unit;  /* bytes per transfer cycle: 1, 2 or 4 */
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

/* Register / deregister a live channel handle (for lookups). */
int sysdma_add(struct nd_sysdma *d);
void sysdma_del(struct nd_sysdma *d);
/* A live channel handle; NULL when unknown (reported handle.unknown when
 * fn is set). */
struct nd_sysdma *sysdma_lookup(NDIS_HANDLE h, const char *fn,
				const void *site);
/* Program the channel for the mapping in d->map (lock held). */
void sysdma_program(struct nd_sysdma *d);

#endif
