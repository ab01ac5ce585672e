/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/pool_abi.h - what the inline fast paths of the public headers
 * (NdisAllocatePacket, NdisFreePacket, NdisAllocateBuffer and
 * NdisFreeBuffer in <ndisdma/ndis/packet.h>, the packet marks, the
 * packet and buffer bulk calls in <ndisdma/bulk_inline.h>) see of
 * the library's descriptor pools: the 16-byte header in front of every
 * descriptor, the start of a pool, a thread's cache of a pool and the
 * thread-local block that finds it.
 *
 * This is ABI: a driver compiled against one version of these headers
 * must run with the same version of the library. The library pins every
 * offset here against its own structures (_Static_assert in
 * src/core/pool.c, src/core/thread.c and src/ndis/packets.c). Nothing
 * here is for drivers to use directly; the names end in an underscore.
 *
 * The fast paths do the same checks as the library's own functions and
 * call those functions for everything else (reports, refills, a pool
 * being destroyed or its caches stolen), so defining NDISDMA_NO_INLINE
 * before including <ndis.h> changes speed only, never behaviour.
 */
#ifndef NDISDMA_POOL_ABI_H
#define NDISDMA_POOL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDISDMA_POOL_COOKIE_ 0x4e44504fu
/* The cookie of the header at address h: bound to the address, so a
 * byte copy of a descriptor placed anywhere else (a driver's copy of a
 * live packet) carries a cookie that does not match where it lies. */
#define NDISDMA_COOKIE_AT_(h)                                                   \
	(NDISDMA_POOL_COOKIE_ ^ (uint32_t)((uintptr_t)(h) >> 6))
#define NDISDMA_TL_SLOTS_ 32u
/* state byte values (the library's ND_ST_*) */
#define NDISDMA_ST_FREE_ 0x40u
#define NDISDMA_ST_LIVE_ 0x80u
/* run_bot of a cache without a checked batch (the library's ND_RUN_NONE) */
#define NDISDMA_RUN_NONE_ 0x7FFFFFFFu
/* pool handle magic of a packet pool and of a buffer pool */
#define NDISDMA_DP_PACKET_ 0x4e445050u
#define NDISDMA_DP_BUFFER_ 0x4e444250u
/* page-frame entries a buffer descriptor holds in place */
#define NDISDMA_MDL_INLINE_PFNS_ 16u

/* NDISDMA_NO_ASAN_: a fast path that reads the 16 bytes in front of a
 * pointer the driver passes before it knows the pointer is a
 * descriptor (no AddressSanitizer check there; GCC 12 then cannot
 * inline always_inline helpers into it, so under AddressSanitizer
 * NDISDMA_INLINE_ is a plain inline). */
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
#ifdef NDISDMA_ASAN_
#define NDISDMA_NO_ASAN_ __attribute__((no_sanitize_address))
#define NDISDMA_INLINE_
#else
#define NDISDMA_NO_ASAN_ __attribute__((always_inline))
#define NDISDMA_INLINE_ __attribute__((always_inline))
#endif

/* The start of a pool (struct nd_pool): the state array (one byte per
 * descriptor index) and its size, the pool's cache slot, its kind, and
 * the first 64 bytes (header, then 48 bytes) of a descriptor as a free
 * may take it (the header's index masked out). */
struct ndisdma_pool_ {
	unsigned char *st;
	uint32_t st_cap;
	uint32_t slot;
	uint32_t tag; /* the kind's handle magic (NDISDMA_DP_*_) */
	unsigned char priv_[44];
	unsigned char live_line[64];
};

/* In front of every descriptor: written when its slab is made. */
struct ndisdma_obj_hdr_ {
	uint32_t cookie, index;
	struct ndisdma_pool_ *pool;
};

/* A thread's cache of one pool (struct nd_pcache). The owner thread
 * marks itself busy, then checks that no other thread is stealing the
 * cache (the asymmetric handshake of src/core/pool.h). */
struct ndisdma_pcache_ {
	uint32_t busy, steal, count, cap;
	struct ndisdma_pool_ *owner; /* NULL once the pool is gone */
	uint32_t full_fence;         /* the owner's store is seq_cst */
	/* a checked batch: slots objs[run_bot .. run_hi) hold descriptors
	 * with state indices run_base + s (run_desc 0) or run_base - s for
	 * slot s, FREE below count; any push but the library's checked bulk
	 * free sets run_bot to NDISDMA_RUN_NONE_ */
	uint32_t run_bot, run_hi, run_base, run_desc;
	uint32_t priv0_;
	void *priv_[4];
	void *objs[] __attribute__((aligned(32)));
};

/* The calling thread's block (struct nd_tls): its IRQL and its caches,
 * indexed by the pool's slot. */
struct ndisdma_tls_ {
	unsigned char irql;
	void *ctx_[3];
	struct ndisdma_pcache_ *pcache[NDISDMA_TL_SLOTS_];
};
extern __thread struct ndisdma_tls_ ndisdma_tls_
	__attribute__((tls_model("initial-exec")));

/* A packet or buffer pool handle (struct nd_dpool). */
struct ndisdma_dpool_ {
	uint32_t magic, type_;
	struct ndisdma_pool_ *pool;
	uint32_t slot;
};

/* Pool handles live in one region the library reserves at load and never
 * unmaps: a handle is type-stable after its pool is freed (its magic
 * then reads 0) and a handle outside the region, or not at a slot's
 * start, is no handle at all. The versioned name is the ABI guard:
 * every inline fast path references it, so a driver built against
 * another version of these headers fails to link instead of reading
 * the library's structures wrongly. */
#define NDISDMA_DPOOL_REGION_ (16u << 20) /* bytes reserved */
#define NDISDMA_DPOOL_SLOT_ 512u          /* bytes per handle */
struct ndisdma_pool_abi_ {
	uintptr_t dpool_base; /* the region's start */
};
extern struct ndisdma_pool_abi_ ndisdma_pool_abi_v2;

/* True when h is a slot of the handle region: one subtraction and one
 * mask, then its magic may be read (0 once freed). */
#define NDISDMA_DPOOL_IN_(h)                                                    \
	((((uintptr_t)(h) - ndisdma_pool_abi_v2.dpool_base) &                  \
	  ~(uintptr_t)((NDISDMA_DPOOL_REGION_ - 1u) &                          \
		       ~(NDISDMA_DPOOL_SLOT_ - 1u))) == 0)
/* The handle h when it is a live pool of kind `magic` (NDISDMA_DP_*_),
 * else NULL; never reads outside the region. */
#define NDISDMA_DPOOL_OK_(h, magic)                                             \
	((NDISDMA_DPOOL_IN_(h) &&                                              \
	  ((const struct ndisdma_dpool_ *)(const void *)(h))->magic == (magic)) \
		 ? (const struct ndisdma_dpool_ *)(const void *)(h)            \
		 : (const struct ndisdma_dpool_ *)0)

/* The thread's cache of pool in `slot`, entered; NULL (nothing to leave)
 * when it has none or another thread is taking it. */
static inline NDISDMA_INLINE_ struct ndisdma_pcache_ *
ndisdma_pcache_take_(struct ndisdma_tls_ *t, const struct ndisdma_pool_ *pool,
		     uint32_t slot)
{
	struct ndisdma_pcache_ *c = t->pcache[slot];
	if (__builtin_expect(c == 0, 0) ||
	    __builtin_expect(__atomic_load_n(&c->owner, __ATOMIC_RELAXED) !=
				     pool,
			     0))
		return 0;
	if (__builtin_expect(c->full_fence != 0, 0)) {
		__atomic_store_n(&c->busy, 1u, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&c->busy, 1u, __ATOMIC_RELAXED);
		/* the stealing thread's membarrier(2) is the fence */
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	}
	if (__builtin_expect(__atomic_load_n(&c->steal, __ATOMIC_SEQ_CST) != 0,
			     0)) {
		__atomic_store_n(&c->busy, 0u, __ATOMIC_RELEASE);
		return 0;
	}
	return c;
}

static inline NDISDMA_INLINE_ void
ndisdma_pcache_leave_(struct ndisdma_pcache_ *c)
{
	__atomic_store_n(&c->busy, 0u, __ATOMIC_RELEASE);
}

/* Pop one descriptor off the calling thread's cache of the pool of dp
 * and mark it LIVE; NULL (nothing done) when the cache is missing,
 * being taken, or empty. */
static inline NDISDMA_INLINE_ void *
ndisdma_pcache_pop1_(struct ndisdma_tls_ *t, const struct ndisdma_dpool_ *dp)
{
	struct ndisdma_pool_ *pool = dp->pool;
	unsigned char *st = pool->st;
	struct ndisdma_pcache_ *c = ndisdma_pcache_take_(t, pool, dp->slot);
	if (__builtin_expect(c == 0, 0))
		return 0;
	uint32_t n = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	if (__builtin_expect(n == 0, 0)) {
		ndisdma_pcache_leave_(c);
		return 0;
	}
	void *o = c->objs[n - 1];
	__atomic_store_n(&c->count, n - 1, __ATOMIC_RELAXED);
	ndisdma_pcache_leave_(c);
	__atomic_store_n(&st[((const struct ndisdma_obj_hdr_ *)o)[-1].index],
			 (unsigned char)NDISDMA_ST_LIVE_, __ATOMIC_RELAXED);
	return o;
}

/* Push obj, whose state byte st (of pool) the caller found exactly LIVE,
 * onto the calling thread's cache of pool and mark it FREE; 0 (nothing
 * done) when the cache is missing, being taken, or full. */
static inline NDISDMA_INLINE_ int
ndisdma_pcache_push1_(struct ndisdma_pool_ *pool, unsigned char *st,
		      void *obj)
{
	struct ndisdma_pcache_ *c =
		ndisdma_pcache_take_(&ndisdma_tls_, pool, pool->slot);
	if (__builtin_expect(c == 0, 0))
		return 0;
	uint32_t n = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
	if (__builtin_expect(n >= c->cap, 0)) {
		ndisdma_pcache_leave_(c);
		return 0;
	}
	__atomic_store_n(st, (unsigned char)NDISDMA_ST_FREE_,
			 __ATOMIC_RELAXED);
	c->objs[n] = obj;
	c->run_bot = NDISDMA_RUN_NONE_;
	__atomic_store_n(&c->count, n + 1, __ATOMIC_RELAXED);
	ndisdma_pcache_leave_(c);
	return 1;
}

#ifdef __cplusplus
}
#endif

#endif
