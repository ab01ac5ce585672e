/* SPDX-License-Identifier: MIT */
/*
 * arena.h - the DMA arena: chunks obtained from a bus, sub-allocated in
 * granules (the cache line), each block contiguous in host and device
 * address space. Blocks larger than half a chunk get a chunk of their own.
 * Not thread-safe: the owner (an adapter's shared memory) holds its lock.
 */
#ifndef NDISDMA_ARENA_H
#define NDISDMA_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"

struct arena_chunk;

struct arena_block {
	struct arena_chunk *chunk;
	size_t first, n; /* granules */
	/* set by nd_arena_alloc: the offset of the first byte of the block's
	 * previously freed granules that no longer holds the poison byte
	 * (the CPU wrote into freed memory), or -1 (granules never used
	 * before are not checked; no poison: -1) */
	long dirty;
};

struct arena {
	struct bus *bus;
	uint64_t dma_limit;
	size_t gran, chunk_size;
	struct arena_chunk *chunks;
	size_t nchunks;
	uint64_t chunk_bytes;
	int poison; /* byte freed blocks hold until reused; -1 = none */
};

/* Create an arena on `bus` whose memory lies below dma_limit (inclusive),
 * in granules of `gran` bytes (a power of two, at least 16) and chunks of
 * chunk_size bytes (a multiple of 4096). Returns 0 or -EINVAL/-ENOMEM. */
int nd_arena_create(struct bus *bus, uint64_t dma_limit, size_t gran,
		    size_t chunk_size, struct arena **out);

/* Allocate len (> 0) bytes, granule-aligned. Returns 0 with the block and
 * its host and device addresses, or -ENOMEM (no memory or no device
 * address space under the limit). */
int nd_arena_alloc(struct arena *, size_t len, struct arena_block *out,
		   void **host, uint64_t *iova);

/* Free a block obtained from nd_arena_alloc, poisoning it. Returns chunks
 * to the bus when they empty (keeping one). Cannot fail. */
void nd_arena_free(struct arena *, const struct arena_block *);

/* The host address of the start of the allocated block containing p, or
 * NULL when p is in no allocated block of this arena. */
void *nd_arena_block_containing(struct arena *, const void *p);

/* Return every chunk to the bus (allocated blocks included). */
void nd_arena_destroy(struct arena *);

#endif
