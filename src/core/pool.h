/* SPDX-License-Identifier: MIT */
/*
 * pool.h - the descriptor pool engine behind NDIS_PACKET, NDIS_BUFFER (MDL)
 * and NET_BUFFER_LIST pools: fixed-size objects carved from slabs, a
 * shared free stack per pool (fixed descriptors, overflow descriptors)
 * under the pool's mutex, and a per-thread cache per pool that the owning
 * thread reaches without a lock and without an atomic read-modify-write.
 *
 * Every object is preceded by a 16-byte header (struct nd_pool_hdr) that
 * names its pool and its index; the object's state (FREE or LIVE, the
 * overflow bit, the kind's marks) is one byte of the pool's state array,
 * st[index], outside the objects. A free can tell a double free, a free
 * to another pool, and a pointer no pool handed out, without a lookup;
 * and a batch of objects that lie one after another in memory (a batch
 * freed in the order it was allocated) is checked and marked with a few
 * vector operations on st, without touching the objects. Each slab's
 * indices are followed by a gap entry that is never LIVE, so a range of
 * st that passes a compare lies in one slab.
 *
 * The per-thread cache can be emptied by another thread ("stolen") when
 * the pool runs dry, so a pool never fails while descriptors sit free in
 * some other thread's cache. The owner announces each cache operation
 * with a plain store (busy = 1) and then reads the cache's steal flag; a
 * thief sets the steal flag, then forces a full barrier on every running
 * thread of the process with membarrier(2) (MEMBARRIER_CMD_PRIVATE_
 * EXPEDITED), then waits for busy == 0. This is the asymmetric Dekker
 * pattern (as in liburcu): the rare side pays for the barrier, the fast
 * side pays nothing. Without membarrier the fast side uses a full fence.
 *
 * src/ndis calls this; it calls nothing above it.
 */
#ifndef NDISDMA_POOL_H
#define NDISDMA_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core.h" /* struct nd_tls, ND_TL_SLOTS */

/* The structures and the fast-path helpers (enter, pop, push, taking a
 * checked batch, the line compare) are written once, in the header the
 * inline fast paths share: */
#include <ndisdma/internal/pool_engine.h>

#define ND_POOL_COOKIE NDISDMA_POOL_COOKIE_ /* bound to the address */
/* An object's state byte, st[index]: */
#define ND_ST_GAP NDISDMA_ST_GAP_ /* no object: the entry after each slab */
#define ND_ST_FREE NDISDMA_ST_FREE_
#define ND_ST_LIVE NDISDMA_ST_LIVE_
#define ND_ST_MASK 0xC0	     /* FREE or LIVE */
#define ND_OBJ_OVERFLOW 0x01 /* an overflow descriptor (for good) */
/* The bits between are the kind's own marks on a LIVE object (packets:
 * out-of-band data or Private written through the NDIS calls and
 * macros); the engine clears them when it resets an object on a slow
 * path. An object a fast free may take as it is reads ND_ST_LIVE. */
#define ND_OBJ_KIND_MARKS 0x3E
/* Most objects a growing pool may ever hold (its state array is
 * reserved for this many, and only the part in use is touched). */
#define ND_POOL_GROW_MAX (1u << 24)
#define ND_POOL_HDR NDISDMA_POOL_HDR_
#define ND_CACHE_MAX 256u /* per-thread cache size, as DPDK's default */
#define ND_RUN_NONE NDISDMA_RUN_NONE_ /* run_bot of a cache without a batch */

struct nd_pool;

/* The cookie a header at h holds (NDISDMA_COOKIE_AT_ of the engine header): a
 * header copied elsewhere does not match, so the one compare that
 * recognises a descriptor also checks that the pointer is the slot's
 * real address. */
static inline uint32_t nd_hdr_cookie(const void *h)
{
	return NDISDMA_COOKIE_AT_(h);
}

/* ND_ASSERT: src/core/assert.h (through core.h). */

struct nd_pool_params {
	const char *kind;   /* "packet pool", ...: appears in reports */
	size_t obj_size;    /* bytes after the header */
	uint32_t nfixed;    /* fixed descriptors (initial slab if grow) */
	uint32_t noverflow; /* overflow descriptors (not with grow) */
	bool grow;	    /* unbounded: add slabs when dry */
	/* growing pools: objects per added slab (0: nfixed, at least 64,
	 * at most 4096); with nfixed 0 no memory is taken at creation */
	uint32_t slab;
	/* Called (pool lock not held) when a released pool is destroyed,
	 * after its memory is gone; may be NULL. */
	void (*on_destroy)(void *arg);
	void *arg;
	uint32_t tag; /* kept in the pool for the owner's checks */
	/* Put an object in its free state (what an allocation must find):
	 * called for every new object and, on the slow paths, for every
	 * object freed; the fast paths do the same inline. May be NULL. */
	void (*reset)(void *arg, void *obj);
};

struct nd_slab {
	struct nd_slab *next;
	size_t bytes;
	char *mem;
	size_t keep; /* in the quarantine: leading bytes left as they are */
};

/* Type-stable memory for descriptors (slabs, and the heap MDLs of long
 * buffer ranges): zeroed, page-aligned, never unmapped while pointers
 * to it may be about. nd_pool_mem_get returns NULL when memory runs out.
 * nd_pool_mem_put empties all but the first `keep` bytes (what a late
 * check may still read: a dead cookie) and quarantines the memory; it
 * is handed out again only after 64 others, by size. Cannot fail. */
void *nd_pool_mem_get(size_t bytes);
void nd_pool_mem_put(void *mem, size_t bytes, size_t keep);

/* Create a pool. Returns 0 and *out, -EINVAL (obj_size 0, or no
 * descriptors at all), or -ENOMEM (nothing is left allocated). */
int nd_pool_create(const struct nd_pool_params *prm, struct nd_pool **out);

/* Release the pool (NdisFreePacketPool and friends). Returns how many
 * objects are still out: 0 = destroyed now; otherwise the pool dies when
 * the last of them is freed. Thread-safe against frees on other threads;
 * the caller must not allocate from the pool afterwards. */
uint64_t nd_pool_release(struct nd_pool *p);

/* Destroy at once, whatever is out (halt reclaiming a pool). */
void nd_pool_destroy(struct nd_pool *p);

/* Set p->live_line: the header of an object of p (index 0) followed by
 * `obj48`, the first 48 bytes of a clean object. */
void nd_pool_set_live_line(struct nd_pool *p, const void *obj48);

/* Objects handed out now (a snapshot: exact when no other thread is
 * allocating or freeing). Cannot fail. */
uint64_t nd_pool_in_use(struct nd_pool *p);

/* Bytes the pool holds: slabs, free stacks, caches, the pool itself. */
size_t nd_pool_memory(const struct nd_pool *p);

/* Which sanitizer the build has: one detection, the engine header's
 * (NDISDMA_ASAN_, NDISDMA_TSAN_), for the library and the inline paths. */
#ifdef NDISDMA_ASAN_
#define ND_POOL_ASAN 1
#else
#define ND_POOL_ASAN 0
#endif
#ifdef NDISDMA_TSAN_
#define ND_POOL_TSAN 1
#else
#define ND_POOL_TSAN 0
#endif

/* Reading the 16 bytes before an object the driver hands us is the point
 * of the check, and legal (same page); AddressSanitizer must not object
 * when the object is not ours. */
#if ND_POOL_ASAN
#define ND_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define ND_NO_ASAN
#endif

/* The header of an object the caller believes came from a pool, or NULL
 * when it cannot have (wrong cookie, an index outside its pool's state
 * array, or placed where no pool object can be). Reads at most the 16
 * bytes before obj, in obj's own page. */
ND_NO_ASAN static inline struct nd_pool_hdr *nd_pool_hdr_of(const void *obj)
{
	if (!nd_hdr_readable(obj))
		return NULL;
	struct nd_pool_hdr *h = nd_pool_hdr_raw(obj);
	if (h->cookie != nd_hdr_cookie(h) || h->index >= h->pool->st_cap)
		return NULL;
	return h;
}

/* The state byte of the object whose header h nd_pool_hdr_of accepted. */
static inline _Atomic uint8_t *nd_pool_st(const struct nd_pool_hdr *h)
{
	return &h->pool->st[h->index];
}

static inline uint8_t nd_pool_state(const struct nd_pool_hdr *h)
{
	return atomic_load_explicit(nd_pool_st(h), memory_order_relaxed);
}

/* LIVE (whatever its marks and overflow bit). */
static inline bool nd_pool_is_live(const struct nd_pool_hdr *h)
{
	return (nd_pool_state(h) & ND_ST_MASK) == ND_ST_LIVE;
}

static inline void nd_pool_set_state(const struct nd_pool_hdr *h, uint8_t v)
{
	atomic_store_explicit(nd_pool_st(h), v, memory_order_relaxed);
}

static inline void *nd_pool_obj_of(struct nd_pool_hdr *h)
{
	return (char *)h + ND_POOL_HDR;
}

/* Outcome of a free. */
enum nd_put_result {
	ND_PUT_OK,
	ND_PUT_DOUBLE,	/* already free: nothing done */
	ND_PUT_UNKNOWN, /* no pool object: nothing done */
	ND_PUT_CROSS,	/* belongs to another pool: returned to its own */
};

/* ---- slow paths (pool.c) ---- */
void *nd_pool_get_slow(struct nd_pool *p);
enum nd_put_result nd_pool_put_slow(struct nd_pool *p, void *obj,
				    const void *site);
unsigned nd_pool_get_bulk_slow(struct nd_pool *p, void **objs, unsigned n);
unsigned nd_pool_put_bulk_slow(struct nd_pool *p, void **objs, unsigned n,
			       const void *site);

/* ---- the fast path ----
 *
 * Everything here is inline and takes the caller's thread block (struct
 * nd_tls, from &nd_tl once per call): no lock, no atomic
 * read-modify-write, no call. The NDIS layer composes these with its own
 * inline descriptor reset (what a free must undo), so a descriptor is
 * touched once per allocation (its header state) and checked once per
 * free. */

extern _Atomic int nd_pool_full_fence; /* 1: no membarrier available */

#define ND_LIKELY(x) __builtin_expect(!!(x), 1)
#define ND_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ND_ALWAYS_INLINE static inline __attribute__((always_inline))

/* Under ThreadSanitizer (which models neither fences nor membarrier) the
 * owner's store and the thief's store are sequentially consistent, the
 * textbook Dekker handshake; so they are when membarrier is missing. */
#define ND_POOL_SEQ_CST NDISDMA_SEQ_CST_

/* The owner side of the steal handshake (nd_pcache_enter, _leave,
 * _take), the cache pop and push (nd_pcache_pop, nd_pcache_push), taking
 * a checked batch (nd_pcache_take_run) and the packet line compare
 * (nd_pool_line_live) are in <ndisdma/internal/pool_engine.h>, shared
 * with the inline fast paths of the public headers. */

/* (always_inline and no_sanitize cannot meet in an ASan build) */
#if ND_POOL_ASAN
#define ND_HDR_INLINE static inline
#else
#define ND_HDR_INLINE ND_ALWAYS_INLINE
#endif

/* The header of obj when obj is an object of p in state exactly
 * ND_ST_LIVE (not an overflow descriptor, no marks): the one check of a
 * fast free. Else NULL. */
ND_NO_ASAN ND_HDR_INLINE struct nd_pool_hdr *
nd_pool_live_hdr(const void *obj, const struct nd_pool *p)
{
	if (ND_UNLIKELY(!nd_hdr_readable(obj)))
		return NULL;
	struct nd_pool_hdr *h = nd_pool_hdr_raw(obj);
	if (ND_LIKELY(h->cookie == nd_hdr_cookie(h) && h->pool == p &&
		      h->index < p->st_cap &&
		      atomic_load_explicit(&p->st[h->index],
					   memory_order_relaxed) == ND_ST_LIVE))
		return h;
	return NULL;
}

/* Mark an object taken from a cache LIVE, given its pool's state array
 * (loaded before the cache was entered: entering is a compiler
 * barrier). */
ND_ALWAYS_INLINE void nd_st_mark_live(_Atomic uint8_t *st, void *obj)
{
	atomic_store_explicit(&st[nd_pool_hdr_raw(obj)->index], ND_ST_LIVE,
			      memory_order_relaxed);
}

/* Take one object: the cache pop (nd_pcache_pop), else the slow path.
 * Returns it (state LIVE), or NULL when the pool has nothing left
 * (fixed, overflow and every thread's cache) or cannot grow. Never
 * blocks on anything but the pool's own short critical sections. */
ND_ALWAYS_INLINE void *nd_pool_get_tl(struct nd_tls *t, struct nd_pool *p,
				      unsigned slot)
{
	void *o = nd_pcache_pop(t, p, slot);
	return ND_LIKELY(o != NULL) ? o : nd_pool_get_slow(p);
}

static inline void *nd_pool_get_at(struct nd_pool *p, unsigned slot)
{
	return nd_pool_get_tl(&nd_tl, p, slot);
}

/* Give one object back to `p`, already in its free state: the fast path
 * does not run the pool's reset (the slow path, on a full cache, does,
 * once more). A double free (pool.double-free), a pointer no
 * pool handed out (pool.free-unknown) or an object of another pool
 * (pool.cross-free: it goes back to its own pool) is reported with
 * `site` and returned as such; the pool stays intact. */
static inline enum nd_put_result nd_pool_put_h(struct nd_pool *p,
					       struct nd_pool_hdr *h, void *obj,
					       const void *site)
{
	_Atomic uint8_t *st;
	if (ND_LIKELY(h && h->pool == p &&
		      atomic_load_explicit(st = nd_pool_st(h),
					   memory_order_relaxed) ==
			  ND_ST_LIVE)) {
		if (ND_LIKELY(nd_pcache_push(&nd_tl, p, p->slot, st, obj)))
			return ND_PUT_OK;
	}
	return nd_pool_put_slow(p, obj, site);
}

static inline enum nd_put_result nd_pool_put(struct nd_pool *p, void *obj,
					     const void *site)
{
	return nd_pool_put_h(p, nd_pool_hdr_of(obj), obj, site);
}

/* ---- batches ---- */

/* Where a batch of neighbours lies in its pool's state array: its
 * lowest index, and whether the indices descend along the batch. */
struct nd_run {
	uint32_t lo;
	uint32_t desc;
};

/* When objs[0..n) are objects of p that lie one after another in memory
 * (ascending or descending), every one in state exactly `from`: set them
 * all to `to`, copy the n pointers to dst when it is not NULL, store
 * where they lie in *run when run is not NULL, and return true.
 * Otherwise change nothing (but dst) and return false. The pointers
 * need not be trusted: only the first and the last headers are read,
 * where nd_pool_hdr_of reads; the objects themselves are not touched. A
 * racing second free of the same objects is not guaranteed to be
 * caught. */
bool nd_pool_run_mark(const struct nd_pool *p, void *const *objs, unsigned n,
		      uint8_t from, uint8_t to, void **dst, struct nd_run *run);

/* Take n objects, all or none: a copy of the pointers from the top of
 * the caller's cache, each marked LIVE (a run of neighbours in one
 * operation). Returns n, or 0 when fewer are left. */
ND_ALWAYS_INLINE unsigned nd_pool_get_bulk_tl(struct nd_tls *t,
					      struct nd_pool *p, unsigned slot,
					      void **objs, unsigned n)
{
	_Atomic uint8_t *st = p->st;
	struct nd_pcache *c = nd_pcache_take(t, p, slot);
	if (ND_LIKELY(c != NULL)) {
		uint32_t have =
		    atomic_load_explicit(&c->count, memory_order_relaxed);
		if (ND_LIKELY(have >= n) && ND_LIKELY(n != 0)) {
			if (ND_LIKELY(
				nd_pcache_take_run(c, st, have, objs, n))) {
				nd_pcache_leave(c);
				return n;
			}
			void **src = &c->objs[have - n];
			if (!nd_pool_run_mark(p, src, n, ND_ST_FREE, ND_ST_LIVE,
					      objs, NULL))
				for (unsigned i = 0; i < n; i++) {
					objs[i] = src[i];
					nd_st_mark_live(p->st, src[i]);
				}
			atomic_store_explicit(&c->count, have - n,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			return n;
		}
		nd_pcache_leave(c);
	}
	return nd_pool_get_bulk_slow(p, objs, n);
}

static inline unsigned nd_pool_get_bulk(struct nd_pool *p, void **objs,
					unsigned n)
{
	return nd_pool_get_bulk_tl(&nd_tl, p, p->slot, objs, n);
}

/* The caller's cache of p, entered and with room for n more objects, or
 * NULL (nothing to leave). For bulk frees that check and copy in one
 * pass: store into &c->objs[count...], then nd_pcache_push_commit. */
ND_ALWAYS_INLINE struct nd_pcache *
nd_pcache_room(struct nd_tls *t, struct nd_pool *p, unsigned slot, unsigned n)
{
	struct nd_pcache *c = nd_pcache_take(t, p, slot);
	if (ND_LIKELY(c != NULL)) {
		if (ND_LIKELY(
			atomic_load_explicit(&c->count, memory_order_relaxed) +
			    n <=
			c->cap)) {
			c->run_bot = ND_RUN_NONE; /* the caller writes */
			return c;
		}
		nd_pcache_leave(c);
	}
	return NULL;
}

ND_ALWAYS_INLINE void nd_pcache_push_commit(struct nd_pcache *c, unsigned n)
{
	ND_ASSERT(atomic_load_explicit(&c->count, memory_order_relaxed) + n <=
		  c->cap);
	c->run_bot = ND_RUN_NONE;
	atomic_store_explicit(
	    &c->count,
	    atomic_load_explicit(&c->count, memory_order_relaxed) + n,
	    memory_order_relaxed);
	nd_pcache_leave(c);
}

/* nd_pcache_push_commit of n objects that nd_pool_run_mark checked as a
 * batch of neighbours lying at *run: the cache's top is now that
 * batch, which an allocation takes without a check. */
ND_ALWAYS_INLINE void nd_pcache_push_run(struct nd_pcache *c, unsigned n,
					 const struct nd_run *run)
{
	uint32_t c0 = atomic_load_explicit(&c->count, memory_order_relaxed);
	ND_ASSERT(c0 + n <= c->cap && n != 0);
	c->run_bot = c0;
	c->run_hi = c0 + n;
	/* slot c0 holds index lo (ascending) or lo + n - 1 (descending) */
	c->run_base = run->desc ? run->lo + (n - 1) + c0 : run->lo - c0;
	c->run_desc = run->desc;
	atomic_store_explicit(&c->count, c0 + n, memory_order_relaxed);
	nd_pcache_leave(c);
}

/* The first `good` objects were marked FREE for a push that could not be
 * done: mark them LIVE again and give all n to the slow path (which
 * reports the bad ones and resets the good ones). Returns how many were
 * bad. */
unsigned nd_pool_put_bulk_undo(struct nd_pool *p, void **objs, unsigned n,
			       unsigned good, const void *site);

#if defined(__x86_64__) && !ND_POOL_TSAN && !ND_POOL_ASAN
#define ND_POOL_RUN32 1
/* The CPU has AVX2: batches of a multiple of 32 take nd_pool_put_run32.
 * Set before the first pool exists. */
extern bool nd_pool_avx2;

/* nd_pool_put_run_at for n a non-zero multiple of 32 when nd_pool_avx2:
 * the check and the copy in 32-byte operations (n == 32, a ring
 * refill's batch, unrolled). */
bool nd_pool_put_run32(struct nd_pool *p, unsigned slot, void **objs,
		       unsigned n);
#else
#define ND_POOL_RUN32 0
#endif

/* Give back n objects of p that are a batch of neighbours, all LIVE,
 * into the caller's cache (p's slot `slot`) in one step, its top then
 * marked as a checked batch: true when done; false when they are not,
 * or the cache has no room (nothing changed). */
bool nd_pool_put_run_any(struct nd_pool *p, unsigned slot, void **objs,
			 unsigned n);

static inline bool nd_pool_put_run_at(struct nd_pool *p, unsigned slot,
				      void **objs, unsigned n)
{
#if ND_POOL_RUN32
	if (ND_LIKELY(nd_pool_avx2) && ND_LIKELY(n % 32 == 0 && n != 0))
		return nd_pool_put_run32(p, slot, objs, n);
#endif
	return nd_pool_put_run_any(p, slot, objs, n);
}

static inline bool nd_pool_put_run(struct nd_pool *p, void **objs, unsigned n)
{
	return nd_pool_put_run_at(p, p->slot, objs, n);
}

/* Give n objects back to `p`, each checked and reported as nd_pool_put
 * does (objects already in their free state, as for nd_pool_put_h).
 * Returns how many were bad (0 = all went back). */
static inline unsigned nd_pool_put_bulk(struct nd_pool *p, void **objs,
					unsigned n, const void *site)
{
	if (ND_LIKELY(nd_pool_put_run(p, objs, n)))
		return 0;
	unsigned i = 0;
	struct nd_pcache *c = nd_pcache_room(&nd_tl, p, p->slot, n);
	void **dst =
	    c ? &c->objs[atomic_load_explicit(&c->count, memory_order_relaxed)]
	      : NULL;
	for (; i < n; i++) {
		struct nd_pool_hdr *h = nd_pool_live_hdr(objs[i], p);
		if (ND_UNLIKELY(!h))
			break;
		atomic_store_explicit(nd_pool_st(h), ND_ST_FREE,
				      memory_order_relaxed);
		if (dst)
			dst[i] = objs[i];
	}
	if (ND_LIKELY(i == n) && ND_LIKELY(c != NULL)) {
		nd_pcache_push_commit(c, n);
		return 0;
	}
	if (c)
		nd_pcache_leave(c);
	return nd_pool_put_bulk_undo(p, objs, n, i, site);
}

#endif
