/* SPDX-License-Identifier: MIT */
/*
 * pool.h - the descriptor pool engine behind NDIS_PACKET, NDIS_BUFFER (MDL)
 * and NET_BUFFER_LIST pools: fixed-size objects carved from slabs, a
 * shared free stack per pool (fixed descriptors, overflow descriptors)
 * under the pool's mutex, and a per-thread cache per pool that the owning
 * thread reaches without a lock and without an atomic read-modify-write.
 *
 * Every object is preceded by a 16-byte header (struct nd_pool_hdr) that
 * names its pool and its state, so a free can tell a double free, a free
 * to another pool, and a pointer no pool handed out, without a lookup.
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

#define ND_POOL_COOKIE 0x4e44504fu /* NDPO */
#define ND_OBJ_FREE 0x5a
#define ND_OBJ_LIVE 0xa5
#define ND_OBJ_OVERFLOW 0x01 /* an overflow descriptor */
#define ND_POOL_HDR 16u
#define ND_TL_SLOTS 32u      /* per-thread cache slots (pools per thread) */
#define ND_CACHE_MAX 256u    /* per-thread cache size, as DPDK's default */

struct nd_pool;

/* The header in front of every object. */
struct nd_pool_hdr {
	uint32_t cookie;        /* ND_POOL_COOKIE while the slab lives */
	_Atomic uint8_t state;  /* ND_OBJ_FREE or ND_OBJ_LIVE */
	uint8_t flags;          /* ND_OBJ_OVERFLOW */
	uint16_t slot;          /* the pool's per-thread cache slot */
	struct nd_pool *pool;
};
_Static_assert(sizeof(struct nd_pool_hdr) == ND_POOL_HDR, "header size");

/* A thread's cache of free objects of one pool. Only the owner thread
 * touches objs[] outside the pool lock; a thief holds the pool lock. */
struct nd_pcache {
	_Atomic uint32_t busy;   /* owner inside a cache operation */
	_Atomic uint32_t steal;  /* non-zero: owner must take the slow path */
	_Atomic uint32_t count;  /* objects in objs[] */
	uint32_t cap;
	_Atomic uint64_t pool_id; /* the pool's id; 0 once the pool is gone */
	struct nd_pool *pool;
	struct nd_pcache *next, *prev; /* on the pool's list (pool lock) */
	void *objs[];
};

struct nd_pool_params {
	const char *kind;      /* "packet pool", ...: appears in reports */
	size_t obj_size;       /* bytes after the header */
	uint32_t nfixed;       /* fixed descriptors (initial slab if grow) */
	uint32_t noverflow;    /* overflow descriptors (not with grow) */
	bool grow;             /* unbounded: add a slab of nfixed when dry */
	/* Called (pool lock not held) when a released pool is destroyed,
	 * after its memory is gone; may be NULL. */
	void (*on_destroy)(void *arg);
	void *arg;
	uint32_t tag;          /* kept in the pool for the owner's checks */
};

struct nd_slab {
	struct nd_slab *next;
	size_t bytes;
	char *mem;
};

struct nd_pool {
	/* read-mostly, first line */
	uint64_t id;            /* unique for the process's lifetime */
	unsigned slot;          /* id % ND_TL_SLOTS */
	size_t stride;          /* header + object, cache-line multiple */
	uint32_t cache_cap;     /* 0: no per-thread caches */
	uint32_t refill;        /* objects moved per refill / flush */
	const char *kind;
	void *arg;              /* on_destroy's argument: the NDIS handle */
	uint32_t tag;           /* the owner's kind tag (free checks) */
	bool grow;

	pthread_mutex_t lock;
	bool dying;             /* released while objects were out */
	uint64_t outstanding_at_release;
	void **fixed;           /* free fixed descriptors */
	uint32_t nfree_fixed, cap_fixed;
	void **ovf;             /* free overflow descriptors */
	uint32_t nfree_ovf;
	uint32_t nfixed, noverflow; /* created */
	uint64_t total;         /* objects created (fixed + overflow) */
	struct nd_slab *slabs;
	struct nd_pcache cache_head; /* list of threads' caches */
	size_t cache_bytes;
	void (*on_destroy)(void *arg);
};

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

/* Objects handed out now (a snapshot: exact when no other thread is
 * allocating or freeing). Cannot fail. */
uint64_t nd_pool_in_use(struct nd_pool *p);

/* Bytes the pool holds: slabs, free stacks, caches, the pool itself. */
size_t nd_pool_memory(const struct nd_pool *p);

/* Reading the 16 bytes before an object the driver hands us is the point
 * of the check, and legal (same page); AddressSanitizer must not object
 * when the object is not ours. */
#if defined(__SANITIZE_ADDRESS__) || defined(__clang__)
#define ND_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define ND_NO_ASAN
#endif

/* The header of an object the caller believes came from a pool, or NULL
 * when it cannot have (wrong cookie, or placed where no pool object can
 * be). Reads at most the 16 bytes before obj, in obj's own page. */
ND_NO_ASAN static inline struct nd_pool_hdr *nd_pool_hdr_of(const void *obj)
{
	uintptr_t a = (uintptr_t)obj;
	if (!obj || (a & 4095u) < ND_POOL_HDR || (a & 15u))
		return NULL;
	struct nd_pool_hdr *h = (struct nd_pool_hdr *)(a - ND_POOL_HDR);
	return h->cookie == ND_POOL_COOKIE ? h : NULL;
}

static inline void *nd_pool_obj_of(struct nd_pool_hdr *h)
{
	return (char *)h + ND_POOL_HDR;
}

/* Outcome of a free. */
enum nd_put_result {
	ND_PUT_OK,
	ND_PUT_DOUBLE,   /* already free: nothing done */
	ND_PUT_UNKNOWN,  /* no pool object: nothing done */
	ND_PUT_CROSS,    /* belongs to another pool: returned to its own */
};

/* ---- slow paths (pool.c) ---- */
void *nd_pool_get_slow(struct nd_pool *p);
enum nd_put_result nd_pool_put_slow(struct nd_pool *p, void *obj,
				    const void *site);
unsigned nd_pool_get_bulk_slow(struct nd_pool *p, void **objs, unsigned n);
unsigned nd_pool_put_bulk_slow(struct nd_pool *p, void **objs, unsigned n,
			       const void *site);

/* ---- the fast path ---- */

extern _Thread_local struct nd_pcache *nd_tl_cache[ND_TL_SLOTS];
extern _Atomic int nd_pool_full_fence; /* 1: no membarrier available */

/* Under ThreadSanitizer (which models neither fences nor membarrier) the
 * owner's store and the thief's store are sequentially consistent, the
 * textbook Dekker handshake; so they are when membarrier is missing. */
#if defined(__SANITIZE_THREAD__)
#define ND_POOL_SEQ_CST 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ND_POOL_SEQ_CST 1
#endif
#endif
#ifndef ND_POOL_SEQ_CST
#define ND_POOL_SEQ_CST 0
#endif

/* Enter the owner side of a cache: true when the cache may be used, in
 * which case nd_pcache_leave must follow. */
static inline bool nd_pcache_enter(struct nd_pcache *c)
{
	if (ND_POOL_SEQ_CST ||
	    __builtin_expect(atomic_load_explicit(&nd_pool_full_fence,
						  memory_order_relaxed),
			     0)) {
		atomic_store_explicit(&c->busy, 1, memory_order_seq_cst);
	} else {
		atomic_store_explicit(&c->busy, 1, memory_order_relaxed);
		/* the thief's membarrier supplies the store-load fence */
		atomic_signal_fence(memory_order_seq_cst);
	}
	if (__builtin_expect(atomic_load_explicit(&c->steal,
						  memory_order_seq_cst),
			     0)) {
		atomic_store_explicit(&c->busy, 0, memory_order_release);
		return false;
	}
	return true;
}

static inline void nd_pcache_leave(struct nd_pcache *c)
{
	atomic_store_explicit(&c->busy, 0, memory_order_release);
}

/* The calling thread's cache of p, looked up in `slot` (p's slot: the
 * callers have it at hand without loading p). A cache whose pool died has
 * pool_id 0, so a new pool at the same address never matches it. */
static inline struct nd_pcache *nd_pcache_at(struct nd_pool *p,
					     unsigned slot)
{
	struct nd_pcache *c = nd_tl_cache[slot];
	if (c && c->pool == p &&
	    atomic_load_explicit(&c->pool_id, memory_order_relaxed) != 0)
		return c;
	return NULL;
}

static inline struct nd_pcache *nd_pcache_mine(struct nd_pool *p)
{
	return nd_pcache_at(p, p->slot);
}

/* Take one object. Returns it (state LIVE), or NULL when the pool has
 * nothing left (fixed, overflow and every thread's cache) or cannot grow.
 * Never blocks on anything but the pool's own short critical sections. */
static inline void *nd_pool_get_at(struct nd_pool *p, unsigned slot)
{
	struct nd_pcache *c = nd_pcache_at(p, slot);
	if (__builtin_expect(c != NULL, 1) && nd_pcache_enter(c)) {
		uint32_t n = atomic_load_explicit(&c->count,
						  memory_order_relaxed);
		if (__builtin_expect(n != 0, 1)) {
			void *o = c->objs[n - 1];
			atomic_store_explicit(&c->count, n - 1,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			struct nd_pool_hdr *h =
				(struct nd_pool_hdr *)((char *)o -
						       ND_POOL_HDR);
			atomic_store_explicit(&h->state, ND_OBJ_LIVE,
					      memory_order_relaxed);
			return o;
		}
		nd_pcache_leave(c);
	}
	return nd_pool_get_slow(p);
}

static inline void *nd_pool_get(struct nd_pool *p)
{
	return nd_pool_get_at(p, p->slot);
}

/* Give one object back to `p`. A double free (pool.double-free), a
 * pointer no pool handed out (pool.free-unknown) or an object of another
 * pool (pool.cross-free: it goes back to its own pool) is reported with
 * `site` and returned as such; the pool stays intact. */
static inline enum nd_put_result nd_pool_put_h(struct nd_pool *p,
					       struct nd_pool_hdr *h, void *obj,
					       const void *site)
{
	if (__builtin_expect(h && h->pool == p && !h->flags &&
				     atomic_load_explicit(&h->state,
							  memory_order_relaxed) ==
					     ND_OBJ_LIVE,
			     1)) {
		struct nd_pcache *c = nd_pcache_at(p, h->slot);
		if (__builtin_expect(c != NULL, 1)) {
			atomic_store_explicit(&h->state, ND_OBJ_FREE,
					      memory_order_relaxed);
			if (nd_pcache_enter(c)) {
				uint32_t n = atomic_load_explicit(
					&c->count, memory_order_relaxed);
				if (__builtin_expect(n < c->cap, 1)) {
					c->objs[n] = obj;
					atomic_store_explicit(
						&c->count, n + 1,
						memory_order_relaxed);
					nd_pcache_leave(c);
					return ND_PUT_OK;
				}
				nd_pcache_leave(c);
			}
			atomic_store_explicit(&h->state, ND_OBJ_LIVE,
					      memory_order_relaxed);
		}
	}
	return nd_pool_put_slow(p, obj, site);
}

static inline enum nd_put_result nd_pool_put(struct nd_pool *p, void *obj,
					     const void *site)
{
	return nd_pool_put_h(p, nd_pool_hdr_of(obj), obj, site);
}

/* Take n objects, all or none. Returns n, or 0 when fewer are left. */
static inline unsigned nd_pool_get_bulk(struct nd_pool *p, void **objs,
					unsigned n)
{
	struct nd_pcache *c = nd_pcache_mine(p);
	if (__builtin_expect(c != NULL, 1) && nd_pcache_enter(c)) {
		uint32_t have = atomic_load_explicit(&c->count,
						     memory_order_relaxed);
		if (__builtin_expect(have >= n, 1)) {
			void **src = &c->objs[have - n];
			for (unsigned i = 0; i < n; i++)
				objs[i] = src[n - 1 - i];
			atomic_store_explicit(&c->count, have - n,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			for (unsigned i = 0; i < n; i++)
				atomic_store_explicit(
					&((struct nd_pool_hdr *)((char *)objs[i] -
								 ND_POOL_HDR))
						 ->state,
					ND_OBJ_LIVE, memory_order_relaxed);
			return n;
		}
		nd_pcache_leave(c);
	}
	return nd_pool_get_bulk_slow(p, objs, n);
}

/* Give n objects back to `p`, each checked and reported as nd_pool_put
 * does. Returns how many were bad (0 = all went back). */
static inline unsigned nd_pool_put_bulk(struct nd_pool *p, void **objs,
					unsigned n, const void *site)
{
	struct nd_pcache *c = nd_pcache_mine(p);
	if (__builtin_expect(c == NULL, 0))
		goto slow;
	for (unsigned i = 0; i < n; i++) {
		struct nd_pool_hdr *h = nd_pool_hdr_of(objs[i]);
		if (__builtin_expect(!h || h->pool != p || h->flags ||
					     atomic_load_explicit(
						     &h->state,
						     memory_order_relaxed) !=
						     ND_OBJ_LIVE,
				     0))
			goto slow;
	}
	if (nd_pcache_enter(c)) {
		uint32_t have = atomic_load_explicit(&c->count,
						     memory_order_relaxed);
		if (__builtin_expect(have + n <= c->cap, 1)) {
			for (unsigned i = 0; i < n; i++) {
				atomic_store_explicit(
					&((struct nd_pool_hdr *)((char *)objs[i] -
								 ND_POOL_HDR))
						 ->state,
					ND_OBJ_FREE, memory_order_relaxed);
				c->objs[have + i] = objs[i];
			}
			atomic_store_explicit(&c->count, have + n,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			return 0;
		}
		nd_pcache_leave(c);
	}
slow:
	return nd_pool_put_bulk_slow(p, objs, n, site);
}

#endif
