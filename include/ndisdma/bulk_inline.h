/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/bulk_inline.h - the inline fast paths of the native bulk API
 * for packets (ndisdma_packet_alloc_bulk, ndisdma_packet_free_bulk) and
 * buffers (ndisdma_buffer_alloc_bulk, ndisdma_buffer_free_bulk),
 * included by <ndisdma/ndisdma.h>; like NdisAllocatePacket in
 * <ndisdma/ndis/packet.h> they compile into the driver, as DPDK's
 * rte_mempool_get_bulk/put_bulk do.
 *
 * The free checks the handle inline and calls the library's check of a
 * batch of neighbours in memory (a batch freed in the order it was
 * allocated: one compare of all the pointers and of all the state bytes,
 * see src/core/pool.h), which puts it on the thread's cache marked as a
 * checked batch. The allocation takes from such a batch without looking
 * at each descriptor: the n pointers are copied out and their n state
 * bytes set LIVE in one store (buffers: then each MDL is filled; a
 * range of more than 16 pages hands the rest to the library).
 * Everything else (unknown handle, NULL array, n == 0, a batch that is
 * not neighbours, an empty or unchecked cache, a pool being destroyed or
 * its caches stolen) calls the
 * library's function, which does the same and reports what is wrong, so
 * defining NDISDMA_NO_INLINE changes speed only. The structures they
 * read are ABI (<ndisdma/pool_abi.h>).
 */
#ifndef NDISDMA_BULK_INLINE_H
#define NDISDMA_BULK_INLINE_H

#if !defined(NDISDMA_NO_INLINE)
#include <stdint.h>
#include <string.h>

#include <ndisdma/pool_abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* When the top n (1 <= n < 2^31) of the calling thread's cache of the
 * pool of dp lie in its checked batch: copy them to objs, mark them
 * LIVE, take them off the cache and return nonzero; else 0, nothing
 * done (nd_pcache_take_run, the library's own). */
static inline NDISDMA_INLINE_ int
ndisdma_bulk_take_(const struct nd_dpool_head *dp, void **objs, unsigned n)
{
	struct nd_pool *p = dp->pool;
	NDISDMA_ATOMIC_(uint8_t) *st = p->st;
	struct nd_pcache *c = nd_pcache_take(&ndisdma_tls_, p, dp->slot);
	if (__builtin_expect(c == 0, 0))
		return 0;
	int r = nd_pcache_take_run(c, st, NDISDMA_LD_(&c->count, NDISDMA_RLX_),
				   objs, n);
	nd_pcache_leave(c);
	return r;
}

static inline NDISDMA_INLINE_ int
ndisdma_packet_alloc_bulk_(void *pool, struct _NDIS_PACKET **pkts, unsigned n)
{
	const struct nd_dpool_head *dp = (const struct nd_dpool_head *)pool;
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_PACKET_ && pkts != 0 &&
				 n - 1u < 0x7FFFFFFFu,
			     1) &&
	    __builtin_expect(ndisdma_bulk_take_(dp, (void **)pkts, n), 1))
		return (int)n;
	return (ndisdma_packet_alloc_bulk)(pool, pkts, n);
}

/* The library's check of a batch of neighbours in memory, all exactly
 * LIVE descriptors of pool, onto the calling thread's cache of it (slot)
 * as a checked batch: true when done, false when not (nothing changed). */
#ifdef __cplusplus
bool
#else
_Bool
#endif
ndisdma_pool_put_run_(struct nd_pool *pool, uint32_t slot, void **objs,
		      unsigned n);

static inline NDISDMA_INLINE_ int
ndisdma_packet_free_bulk_(void *pool, struct _NDIS_PACKET **pkts, unsigned n)
{
	const struct nd_dpool_head *dp = (const struct nd_dpool_head *)pool;
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_PACKET_ && pkts != 0 &&
				 n - 1u < 0x7FFFFFFFu,
			     1) &&
	    __builtin_expect(
		ndisdma_pool_put_run_(dp->pool, dp->slot, (void **)pkts, n), 1))
		return 0;
	return (ndisdma_packet_free_bulk)(pool, pkts, n);
}

#define ndisdma_packet_alloc_bulk(_P, _K, _N)                                  \
	ndisdma_packet_alloc_bulk_((_P), (_K), (_N))
#define ndisdma_packet_free_bulk(_P, _K, _N)                                   \
	ndisdma_packet_free_bulk_((_P), (_K), (_N))
#ifdef __cplusplus
}
#endif
#endif

#endif

/* The buffer calls fill MDLs, so they need <ndis.h> as well: this part
 * is compiled by whichever of <ndis.h> and <ndisdma/ndisdma.h> comes
 * second (both include this file). */
#if !defined(NDISDMA_NO_INLINE) && defined(NDISDMA_NDIS_TYPES_H) &&            \
    defined(NDISDMA_NDISDMA_H) && !defined(NDISDMA_BULK_INLINE_BUFFERS_)
#define NDISDMA_BULK_INLINE_BUFFERS_
#ifdef __cplusplus
extern "C" {
#endif

/* The library's end of an inline bulk buffer allocation that met a
 * range of more than 16 pages at bufs[from]: bufs[0..n) were taken from
 * the pool of the handle `pool`, bufs[0..from) filled; it fills the
 * rest (heap MDLs for the long ranges) and returns n, or gives all back
 * and returns 0 when memory runs out. */
int ndisdma_buffer_fill_bulk_(void *pool, struct _MDL **bufs, void *const *vas,
			      const uint32_t *lens, unsigned n, unsigned from);

static inline NDISDMA_INLINE_ int
ndisdma_buffer_alloc_bulk_(void *pool, struct _MDL **bufs, void *const *vas,
			   const uint32_t *lens, unsigned n)
{
	const struct nd_dpool_head *dp = (const struct nd_dpool_head *)pool;
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_BUFFER_ && bufs != 0 &&
				 vas != 0 && lens != 0 && n - 1u < 0x7FFFFFFFu,
			     1) &&
	    __builtin_expect(ndisdma_bulk_take_(dp, (void **)bufs, n), 1)) {
		for (unsigned i = 0; i < n; i++) {
			/* the pages the range spans */
			uint64_t span = (((uintptr_t)vas[i] & 4095u) +
					 (uint64_t)lens[i] + 4095u) >>
					12;
			if (__builtin_expect(span > NDISDMA_MDL_INLINE_PFNS_,
					     0))
				return ndisdma_buffer_fill_bulk_(
				    pool, bufs, vas, lens, n, i);
			ndisdma_mdl_fill_(bufs[i], vas[i], lens[i],
					  (ULONG)span);
		}
		return (int)n;
	}
	return (ndisdma_buffer_alloc_bulk)(pool, bufs, vas, lens, n);
}

/* (a batch of neighbours holds no heap MDL: one is never at the pool's
 * stride from a descriptor) */
static inline NDISDMA_INLINE_ int
ndisdma_buffer_free_bulk_(void *pool, struct _MDL **bufs, unsigned n)
{
	const struct nd_dpool_head *dp = (const struct nd_dpool_head *)pool;
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_BUFFER_ && bufs != 0 &&
				 n - 1u < 0x7FFFFFFFu,
			     1) &&
	    __builtin_expect(
		ndisdma_pool_put_run_(dp->pool, dp->slot, (void **)bufs, n), 1))
		return 0;
	return (ndisdma_buffer_free_bulk)(pool, bufs, n);
}

#define ndisdma_buffer_alloc_bulk(_P, _B, _V, _L, _N)                          \
	ndisdma_buffer_alloc_bulk_((_P), (_B), (_V), (_L), (_N))
#define ndisdma_buffer_free_bulk(_P, _B, _N)                                   \
	ndisdma_buffer_free_bulk_((_P), (_B), (_N))

#ifdef __cplusplus
}
#endif
#endif
