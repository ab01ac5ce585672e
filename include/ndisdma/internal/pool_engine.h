/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/internal/pool_engine.h - @internal
 *
 * NOT FOR DRIVERS. May change without notice between library versions.
 *
 * The descriptor pool engine's structures and its fast-path helpers,
 * written once: the library (src/core/pool.[ch], src/ndis/packets.c,
 * buffers.c, nbl.c) and the inline fast paths of the public headers
 * (NdisAllocatePacket, NdisFreePacket, NdisAllocateBuffer, NdisFreeBuffer
 * in <ndisdma/ndis/packet.h>, the bulk calls in <ndisdma/bulk_inline.h>)
 * include this one header, so there is nothing to keep in line.
 *
 * Everything here is ABI between a driver compiled with the inline paths
 * and the library: a driver must run with the library version whose
 * headers it was compiled with. The guard is the versioned symbol
 * ndisdma_pool_abi_v2, which every inline path references: a driver built
 * against another layout fails to link instead of misreading these
 * structures. Any change to a structure or a constant here bumps it.
 *
 * Compiles as C11 and as C++ (the fields the engine reaches atomically
 * are _Atomic in C, plain in C++, where the helpers use the __atomic
 * builtins; the layout is the same for these scalar and pointer types).
 */
#ifndef NDISDMA_INTERNAL_POOL_ENGINE_H
#define NDISDMA_INTERNAL_POOL_ENGINE_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#define NDISDMA_ATOMIC_(T) T
#define NDISDMA_LD_(p, mo) __atomic_load_n((p), (mo))
#define NDISDMA_ST_(p, v, mo) __atomic_store_n((p), (v), (mo))
#define NDISDMA_ALIGNAS_(n) alignas(n)
#define NDISDMA_BOOL_ bool
#else
#include <stdatomic.h>
#include <stdbool.h>
#define NDISDMA_ATOMIC_(T) _Atomic(T)
#define NDISDMA_LD_(p, mo) atomic_load_explicit((p), (mo))
#define NDISDMA_ST_(p, v, mo) atomic_store_explicit((p), (v), (mo))
#define NDISDMA_ALIGNAS_(n) _Alignas(n)
#define NDISDMA_BOOL_ _Bool
#endif
#define NDISDMA_RLX_ __ATOMIC_RELAXED
#define NDISDMA_LIKELY_(x) __builtin_expect(!!(x), 1)
#define NDISDMA_UNLIKELY_(x) __builtin_expect(!!(x), 0)

/* ---- constants ---- */

#define NDISDMA_POOL_COOKIE_ 0x4e44504fu /* NDPO, bound to the address */
/* The cookie of the header at address h: a byte copy of a descriptor
 * placed anywhere else carries a cookie that does not match. */
#define NDISDMA_COOKIE_AT_(h)                                                  \
	(NDISDMA_POOL_COOKIE_ ^ (uint32_t)((uintptr_t)(h) >> 6))
#define NDISDMA_POOL_HDR_ 16u /* header bytes in front of an object */
#define NDISDMA_TL_SLOTS_ 32u /* per-thread cache slots */
/* state byte values */
#define NDISDMA_ST_GAP_ 0x00u /* no object: the entry after each slab */
#define NDISDMA_ST_FREE_ 0x40u
#define NDISDMA_ST_LIVE_ 0x80u
/* run_bot of a cache without a checked batch (above any count) */
#define NDISDMA_RUN_NONE_ 0x7FFFFFFFu
/* pool handle magic of a packet pool and of a buffer pool */
#define NDISDMA_DP_PACKET_ 0x4e445050u
#define NDISDMA_DP_BUFFER_ 0x4e444250u
/* page-frame entries a buffer descriptor holds in place */
#define NDISDMA_MDL_INLINE_PFNS_ 16u

/* ---- sanitizers (the one detection; the library uses it too) ---- */

#if defined(__SANITIZE_ADDRESS__)
#define NDISDMA_ASAN_ 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NDISDMA_ASAN_ 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define NDISDMA_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NDISDMA_TSAN_ 1
#endif
#endif
/* NDISDMA_NO_ASAN_: a function that reads the 16 bytes in front of a
 * pointer the driver passes before it knows the pointer is a descriptor
 * (legal: the same page; no AddressSanitizer check there). GCC cannot
 * inline always_inline helpers into no_sanitize functions, so under
 * AddressSanitizer NDISDMA_INLINE_ is a plain inline. */
#ifdef NDISDMA_ASAN_
#define NDISDMA_NO_ASAN_ __attribute__((no_sanitize_address))
#define NDISDMA_INLINE_
#else
#define NDISDMA_NO_ASAN_ __attribute__((always_inline))
#define NDISDMA_INLINE_ __attribute__((always_inline))
#endif
/* Under ThreadSanitizer (which models neither fences nor membarrier) the
 * owner's store of the steal handshake is sequentially consistent. */
#ifdef NDISDMA_TSAN_
#define NDISDMA_SEQ_CST_ 1
#else
#define NDISDMA_SEQ_CST_ 0
#endif

/* The library's invariant checks (ND_ASSERT), in the library's own
 * builds with NDISDMA_ASSERT; nothing in a driver's build. */
#if defined(NDISDMA_ASSERT) && defined(NDISDMA_BUILDING_LIBRARY_) &&           \
    !defined(__cplusplus)
void nd_assert_fail(const char *cond, const char *file, int line,
		    const char *func) __attribute__((noreturn, cold));
#define NDISDMA_ASSERT_(c)                                                     \
	(__builtin_expect(!!(c), 1)                                            \
	     ? (void)0                                                         \
	     : nd_assert_fail(#c, __FILE__, __LINE__, __func__))
#else
#define NDISDMA_ASSERT_(c) ((void)sizeof(!(c)))
#endif

/* ---- structures ---- */

struct nd_pool;
struct nd_pcache;
struct nd_slab;
struct nd_driver;
struct nd_adapter;

/* In front of every object; written when its slab is made. */
struct nd_pool_hdr {
	uint32_t cookie; /* NDISDMA_COOKIE_AT_(header) while the slab lives */
	uint32_t index;	 /* the object's state: pool->st[index] */
	struct nd_pool *pool;
};

/* A thread's cache of free objects of one pool. Only the owner thread
 * touches objs[] outside the pool lock; a thief holds the pool lock and
 * runs the steal handshake (nd_pcache_enter). */
struct nd_pcache {
	NDISDMA_ATOMIC_(uint32_t) busy;	 /* owner inside a cache operation */
	NDISDMA_ATOMIC_(uint32_t) steal; /* non-zero: take the slow path */
	NDISDMA_ATOMIC_(uint32_t) count; /* objects in objs[] */
	uint32_t cap;
	/* the pool while it lives, NULL once it is gone: the fast paths'
	 * one compare (a new pool at the same address never matches) */
	NDISDMA_ATOMIC_(struct nd_pool *) owner;
	uint32_t full_fence; /* no membarrier: the owner's store is seq_cst */
	/* A checked batch of neighbours: slots objs[run_bot .. run_hi)
	 * hold objects of the pool whose state indices are run_base + s
	 * for slot s (run_desc 0) or run_base - s (run_desc 1); those
	 * below count are FREE, those from count up were taken out by an
	 * allocation and are still there (LIVE unless freed since). A
	 * bulk free whose batch check passed sets it; a bulk allocation
	 * below count takes from it without a check, and a bulk free of
	 * exactly the pointers above count gives back without reading a
	 * header. Every operation that writes objs[] otherwise clears it
	 * (run_bot = NDISDMA_RUN_NONE_); a pop leaves it. Owner only,
	 * inside busy, or a thief under the handshake. */
	uint32_t run_bot, run_hi, run_base, run_desc;
	NDISDMA_ATOMIC_(uint64_t) pool_id; /* 0 once the pool is gone */
	struct nd_pool *pool;
	struct nd_pcache *next, *prev; /* on the pool's list (pool lock) */
	/* 32-byte aligned: the bulk calls copy objs[] in 32-byte pieces */
	NDISDMA_ALIGNAS_(32) void *objs[];
};

/* A pool. The fast paths read st, st_cap, slot, tag and live_line. */
struct nd_pool {
	/* one state byte per index (ND_ST_*, ND_OBJ_*); st_cap entries */
	NDISDMA_ATOMIC_(uint8_t) * st;
	uint32_t st_cap;
	unsigned slot;	  /* id % NDISDMA_TL_SLOTS_: the thread's cache */
	uint32_t tag;	  /* the kind's handle magic (free checks) */
	uint32_t st_next; /* the next slab's first index (pool lock) */
	NDISDMA_BOOL_ st_mapped; /* st is an mmap reservation */
	/* What the first 64 bytes (header, then 48 bytes of object) of an
	 * object a free may take as it is look like, the header's index
	 * aside (nd_pool_line_live), for kinds whose free objects are kept
	 * in their allocation state (packets: header and
	 * NDIS_PACKET_PRIVATE); other pools: their header and a 0xA5
	 * pattern no object holds. Objects start 16 bytes into a 64-byte
	 * line, so this is one cache line of the object. */
	NDISDMA_ALIGNAS_(64) unsigned char live_line[64];
	/* i * stride (run_off[0][i]) and -i * stride (run_off[1][i]) */
	NDISDMA_ALIGNAS_(32) int64_t run_off[2][32];
	/* read-mostly */
	uint64_t id;	    /* unique for the process's lifetime */
	size_t stride;	    /* header + object, cache-line multiple */
	uint32_t cache_cap; /* 0: no per-thread caches */
	uint32_t refill;    /* objects moved per refill / flush */
	const char *kind;
	void *arg; /* on_destroy's argument: the NDIS handle */
	NDISDMA_BOOL_ grow;
	uint32_t slab; /* objects per added slab (growing pools) */

	pthread_mutex_t lock;
	NDISDMA_BOOL_ dying; /* released while objects were out */
	uint64_t outstanding_at_release;
	void **fixed; /* free fixed descriptors */
	uint32_t nfree_fixed, cap_fixed;
	void **ovf; /* free overflow descriptors */
	uint32_t nfree_ovf;
	uint32_t nfixed, noverflow; /* created */
	uint64_t total;		    /* objects created (fixed + overflow) */
	struct nd_slab *slabs;
	struct nd_pcache *caches; /* threads' caches of it (pool lock) */
	size_t cache_bytes;
	void (*on_destroy)(void *arg);
	void (*reset)(void *arg, void *obj);
};

/* The calling thread's context (saved and restored around driver
 * callbacks) and its pool caches, in one thread-local block so a call
 * computes one TLS address. */
struct nd_thread {
	unsigned char irql;	    /* KIRQL */
	struct nd_driver *driver;   /* in DriverEntry / unload / callbacks */
	struct nd_adapter *adapter; /* in an adapter callback */
	int callback;		    /* ND_CB_* while in a callback */
};
struct nd_tls {
	struct nd_thread self;
	struct nd_pcache *pcache[NDISDMA_TL_SLOTS_];
};
/* The block, initial-exec TLS: one %fs-relative access from the library
 * and from a driver (the library's nd_tl is an alias). */
extern __thread struct nd_tls ndisdma_tls_
    __attribute__((tls_model("initial-exec")));

/* The start of a pool handle (NdisAllocatePacketPool and friends): the
 * library's struct nd_dpool begins with these fields (src/ndis/descr.h,
 * a union with struct nd_dpool_head). */
#define NDISDMA_DPOOL_HEAD_FIELDS_                                             \
	uint32_t magic; /* NDISDMA_DP_* / ND_DP_*; 0 once released */          \
	uint32_t type;	/* the kind, kept until destroyed */                   \
	struct nd_pool *pool;                                                  \
	unsigned slot; /* pool->slot, at hand with pool */
struct nd_dpool_head {
	NDISDMA_DPOOL_HEAD_FIELDS_
};

/* Pool handles live in one region the library reserves at load and never
 * unmaps: a handle is type-stable after its pool is freed (its magic
 * then reads 0) and a handle outside the region, or not at a slot's
 * start, is no handle at all. */
#define NDISDMA_DPOOL_REGION_ (16u << 20) /* bytes reserved */
#define NDISDMA_DPOOL_SLOT_ 512u	  /* bytes per handle */
struct ndisdma_pool_abi_ {
	uintptr_t dpool_base; /* the region's start */
};
extern struct ndisdma_pool_abi_ ndisdma_pool_abi_v2;

/* True when h is a slot of the handle region: one subtraction and one
 * mask, then its magic may be read (0 once freed). */
#define NDISDMA_DPOOL_IN_(h)                                                   \
	((((uintptr_t)(h)-ndisdma_pool_abi_v2.dpool_base) &                    \
	  ~(uintptr_t)((NDISDMA_DPOOL_REGION_ - 1u) &                          \
		       ~(NDISDMA_DPOOL_SLOT_ - 1u))) == 0)
/* The handle h when it is a live pool of kind `magic`, else NULL; never
 * reads outside the region. */
#define NDISDMA_DPOOL_OK_(h, m)                                                \
	((NDISDMA_DPOOL_IN_(h) &&                                              \
	  ((const struct nd_dpool_head *)(const void *)(h))->magic == (m))     \
	     ? (const struct nd_dpool_head *)(const void *)(h)                 \
	     : (const struct nd_dpool_head *)0)

/* ---- the fast path, written once ---- */

/* The 16 bytes before a pointer a driver passes may be read as a header:
 * 16-byte aligned and at least 16 bytes into its page (no object starts
 * in a page's first 16 bytes), so the read stays in the pointer's own
 * page. */
static inline NDISDMA_INLINE_ int nd_hdr_readable(const void *obj)
{
	uintptr_t a = (uintptr_t)obj;
	return (((a & 4095u) - NDISDMA_POOL_HDR_) & 0x100fu) == 0;
}

/* The header in front of object o. Pointer arithmetic, not an integer
 * subtraction: the compiler then knows o is not NULL (a pop's caller
 * tests what it got) and drops that test on the fast path. */
static inline NDISDMA_INLINE_ struct nd_pool_hdr *nd_pool_hdr_raw(const void *o)
{
	return (struct nd_pool_hdr *)(uintptr_t)((const struct nd_pool_hdr *)o -
						 1);
}

/* Enter the owner side of a cache (the asymmetric Dekker handshake of
 * src/core/pool.h): announce busy, then read the steal flag. True when
 * the cache may be used, in which case nd_pcache_leave must follow. */
static inline NDISDMA_INLINE_ int nd_pcache_enter(struct nd_pcache *c)
{
	if (NDISDMA_SEQ_CST_ || NDISDMA_UNLIKELY_(c->full_fence)) {
		NDISDMA_ST_(&c->busy, 1u, __ATOMIC_SEQ_CST);
	} else {
		NDISDMA_ST_(&c->busy, 1u, NDISDMA_RLX_);
		/* the thief's membarrier(2) supplies the store-load fence */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	}
	if (NDISDMA_UNLIKELY_(NDISDMA_LD_(&c->steal, __ATOMIC_SEQ_CST))) {
		NDISDMA_ST_(&c->busy, 0u, __ATOMIC_RELEASE);
		return 0;
	}
	return 1;
}

static inline NDISDMA_INLINE_ void nd_pcache_leave(struct nd_pcache *c)
{
	NDISDMA_ST_(&c->busy, 0u, __ATOMIC_RELEASE);
}

/* The calling thread's cache of p in `slot` (p's slot), entered; NULL
 * (nothing to leave) when there is none or a thief is at work. */
static inline NDISDMA_INLINE_ struct nd_pcache *
nd_pcache_take(struct nd_tls *t, const struct nd_pool *p, unsigned slot)
{
	struct nd_pcache *c = t->pcache[slot];
	if (NDISDMA_LIKELY_(c != 0) &&
	    NDISDMA_LIKELY_(NDISDMA_LD_(&c->owner, NDISDMA_RLX_) == p) &&
	    NDISDMA_LIKELY_(nd_pcache_enter(c)))
		return c;
	return 0;
}

/* The cache pop: one object off the caller's cache of p (in `slot`),
 * marked LIVE; NULL (nothing done) when the cache is missing, being
 * stolen, or empty. The state array is loaded before the cache is
 * entered (entering is a compiler barrier). */
static inline NDISDMA_INLINE_ void *
nd_pcache_pop(struct nd_tls *t, const struct nd_pool *p, unsigned slot)
{
	NDISDMA_ATOMIC_(uint8_t) *st = p->st;
	struct nd_pcache *c = nd_pcache_take(t, p, slot);
	if (NDISDMA_LIKELY_(c != 0)) {
		uint32_t n = NDISDMA_LD_(&c->count, NDISDMA_RLX_);
		NDISDMA_ASSERT_(n <= c->cap);
		if (NDISDMA_LIKELY_(n != 0)) {
			void *o = c->objs[n - 1];
			NDISDMA_ST_(&c->count, n - 1, NDISDMA_RLX_);
			nd_pcache_leave(c);
			NDISDMA_ST_(&st[nd_pool_hdr_raw(o)->index],
				    (uint8_t)NDISDMA_ST_LIVE_, NDISDMA_RLX_);
			return o;
		}
		nd_pcache_leave(c);
	}
	return 0;
}

/* The cache push: obj, whose state byte st (of p) the caller found
 * exactly LIVE and which is in its free state, onto the caller's cache
 * of p (in `slot`), marked FREE; 0 (nothing done) when the cache is
 * missing, being stolen, or full. st is computed before the cache is
 * entered. */
static inline NDISDMA_INLINE_ int
nd_pcache_push(struct nd_tls *t, const struct nd_pool *p, unsigned slot,
	       NDISDMA_ATOMIC_(uint8_t) * st, void *obj)
{
	struct nd_pcache *c = nd_pcache_take(t, p, slot);
	if (NDISDMA_UNLIKELY_(c == 0))
		return 0;
	uint32_t n = NDISDMA_LD_(&c->count, NDISDMA_RLX_);
	if (NDISDMA_UNLIKELY_(n >= c->cap)) {
		nd_pcache_leave(c);
		return 0;
	}
	NDISDMA_ASSERT_(nd_pool_hdr_raw(obj)->cookie ==
			NDISDMA_COOKIE_AT_(nd_pool_hdr_raw(obj)));
	NDISDMA_ST_(st, (uint8_t)NDISDMA_ST_FREE_, NDISDMA_RLX_);
	c->objs[n] = obj;
	c->run_bot = NDISDMA_RUN_NONE_;
	NDISDMA_ST_(&c->count, n + 1, NDISDMA_RLX_);
	nd_pcache_leave(c);
	return 1;
}

/* Set n state bytes from st[lo] to v (no other thread writes them: the
 * objects are in the caller's cache, or were just checked there). Under
 * ThreadSanitizer byte by byte with atomic stores, as they are read. */
static inline NDISDMA_INLINE_ void
nd_st_fill(NDISDMA_ATOMIC_(uint8_t) * st, uint32_t lo, unsigned n, uint8_t v)
{
#if NDISDMA_SEQ_CST_
	for (unsigned i = 0; i < n; i++)
		NDISDMA_ST_(&st[lo + i], v, NDISDMA_RLX_);
#else
	memset((void *)(uintptr_t)(st + lo), v, n);
#endif
}

/* The lowest state index of slots [a, a + n) of c's checked batch. */
static inline NDISDMA_INLINE_ uint32_t
nd_pcache_run_lo(const struct nd_pcache *c, uint32_t a, unsigned n)
{
	return c->run_desc ? c->run_base - (a + n - 1) : c->run_base + a;
}

/* Taking a checked batch: when the top n (n >= 1) of the `have` objects
 * of the entered cache c lie in its checked batch, copy them to objs,
 * mark them LIVE, take them off the cache and return true; else false,
 * nothing done (never when there is no batch: run_bot is then above
 * any count). The cache stays entered either way. */
static inline NDISDMA_INLINE_ int
nd_pcache_take_run(struct nd_pcache *c, NDISDMA_ATOMIC_(uint8_t) * st,
		   uint32_t have, void **objs, unsigned n)
{
	if (have < n + c->run_bot)
		return 0;
	NDISDMA_ASSERT_(c->run_bot <= have && have <= c->run_hi &&
			c->run_hi <= c->cap);
	uint32_t a = have - n;
	memcpy(objs, &c->objs[a], n * sizeof(void *));
	NDISDMA_ST_(&c->count, a, NDISDMA_RLX_);
	nd_st_fill(st, nd_pcache_run_lo(c, a, n), n, (uint8_t)NDISDMA_ST_LIVE_);
	return 1;
}

/* The packet line compare: the 64 bytes from header h (header, then 48
 * bytes of object) against p's template line, the header's index masked
 * out, then the state byte exactly LIVE. The state byte when all holds,
 * else NULL. The caller checked the cookie, so p is a pool's. */
typedef uint64_t nd_v2 __attribute__((vector_size(16), may_alias));
static inline NDISDMA_INLINE_ NDISDMA_ATOMIC_(uint8_t) *
    nd_pool_line_live(const struct nd_pool_hdr *h, const struct nd_pool *p)
{
	const nd_v2 *l =
	    (const nd_v2 *)__builtin_assume_aligned((const void *)h, 64);
	const nd_v2 *tp = (const nd_v2 *)__builtin_assume_aligned(
	    (const void *)p->live_line, 64);
	const nd_v2 m = {0, ~0ull}; /* the cookie and index aside */
	nd_v2 x = (((l[0] ^ tp[0]) & m) | (l[1] ^ tp[1])) |
		  ((l[2] ^ tp[2]) | (l[3] ^ tp[3]));
	if ((x[0] | x[1]) != 0 || h->index >= p->st_cap ||
	    NDISDMA_LD_(&p->st[h->index], NDISDMA_RLX_) != NDISDMA_ST_LIVE_)
		return 0;
	return &p->st[h->index];
}

#ifdef __cplusplus
}
#endif

#endif
