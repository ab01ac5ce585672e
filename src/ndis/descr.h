/* SPDX-License-Identifier: MIT */
/*
 * descr.h - what packets.c, buffers.c and nbl.c share: the descriptor
 * pool handle NDIS hands out (one struct for packet, buffer, MDL and
 * NET_BUFFER_LIST pools), its registry and its tracking on an adapter.
 */
#ifndef NDISDMA_NDIS_DESCR_H
#define NDISDMA_NDIS_DESCR_H

#include "../core/core.h"
#include "../core/pool.h"

#define ND_DP_PACKET NDISDMA_DP_PACKET_ /* NDPP */
#define ND_DP_BUFFER NDISDMA_DP_BUFFER_ /* NDBP */
#define ND_DP_NBL 0x4e444e50u		/* NDNP */
#define ND_DP_MDL 0x4e444d50u		/* NDMP: NdisAllocateMdl's own pool */
#define ND_DP_NB 0x4e444e42u		/* NDNB: NdisAllocateNetBufferPool */

/* Inline page-frame entries of a buffer descriptor; ranges spanning more
 * pages get a descriptor from the heap (still counted by the pool). */
#define ND_MDL_INLINE_PFNS NDISDMA_MDL_INLINE_PFNS_

/* nd_v2: <ndisdma/internal/pool_engine.h> */

/* true when any bit of v is set */
static inline bool nd_v2_any(nd_v2 v)
{
	return (v[0] | v[1]) != 0;
}

/* OR of the n/16 (a compile-time count) 16-byte vectors at p: zero when
 * all n bytes are. */
#define ND_OR16(p, n)                                                          \
	__extension__({                                                        \
		const nd_v2 *o_ = __builtin_assume_aligned((p), 16);           \
		nd_v2 r_ = o_[0];                                              \
		_Pragma("GCC unroll 64") for (size_t i_ = 1; i_ < (n) / 16;    \
					      i_++) r_ |= o_[i_];              \
		r_;                                                            \
	})

struct nd_dpool {
	/* magic (ND_DP_*; 0 once released), type (kept until destroyed),
	 * pool, slot: the part the inline fast paths read, written once in
	 * <ndisdma/internal/pool_engine.h> */
	union {
		struct nd_dpool_head head;
		struct {
			NDISDMA_DPOOL_HEAD_FIELDS_
		};
	};
	struct nd_adapter *ad; /* owner adapter, or NULL */
	bool tracked;
	struct nd_res res;
	/* packets: what NDIS_PACKET_PRIVATE of a free packet holds (the
	 * fast free compares against it and rewrites it only when the
	 * driver changed something) */
	nd_v2 pkt_private[3];
	USHORT oob_offset; /* NDIS_PACKET -> NDIS_PACKET_OOB_DATA */
	UINT proto_len;	   /* ProtocolReservedLength as asked */
	/* NET_BUFFER_LISTs */
	bool alloc_nb;	   /* fAllocateNetBuffer */
	USHORT ctx_size;   /* preallocated context data bytes */
	size_t nb_offset;  /* NET_BUFFER_LIST -> its NET_BUFFER */
	size_t ctx_offset; /* NET_BUFFER_LIST -> its context */
	NET_BUFFER_LIST_POOL_PARAMETERS params;
	/* NET_BUFFER_LISTs and NET_BUFFERs with data (DataSize != 0): an
	 * MDL and DataSize bytes of data at the end of each descriptor */
	ULONG data_size;
	size_t mdl_offset;  /* descriptor -> its MDL */
	size_t data_offset; /* descriptor -> its data (64-aligned) */
	/* buffer and MDL pools: the heap MDL each descriptor stands for
	 * (a range of more than ND_MDL_INLINE_PFNS pages), by state index;
	 * mapped at the first such MDL, bigs_bytes long */
	void *_Atomic *bigs;
	size_t bigs_bytes;
	/* set with bigs (buffers.c): retires the heap MDLs still out when
	 * the pool is destroyed (a later free of one is a double free) */
	void (*retire_bigs)(struct nd_dpool *dp);
};

/* NET_BUFFER_LIST.NdisReserved[1]: why the free must take its slow path */
#define ND_NBL_CTX_PUSHED 1u /* NdisAllocateNetBufferListContext grew it */
#define ND_NBL_NB_RETREAT 2u /* its NET_BUFFER has retreat MDLs */

/* Lay out an MDL (with page-frame entries for DataSize bytes anywhere in
 * a page) and DataSize bytes of data after `start` bytes of a pool
 * object. Objects sit 16 bytes past a 64-byte boundary (their header),
 * so the data offset is 48 mod 64: the data is cache-line aligned.
 * Returns the object size. */
static inline size_t nd_data_layout(size_t start, ULONG data_size,
				    size_t *mdl_off, size_t *data_off)
{
	size_t span = (size_t)data_size / 4096u + 2u;
	*mdl_off = (start + 15u) & ~(size_t)15u;
	size_t end = *mdl_off + sizeof(MDL) + span * sizeof(PFN_NUMBER);
	*data_off = ((end + ND_POOL_HDR + 63u) & ~(size_t)63u) - ND_POOL_HDR;
	return *data_off + data_size;
}

/* Create the engine pool and the handle; track it on `ad` when not NULL.
 * A growing pool (grow) takes no memory for descriptors until the first
 * allocation, and then nfixed per slab.
 * `setup` (may be NULL) fills the kind's fields of the new handle before
 * the engine makes the first descriptors, which `reset` (may be NULL)
 * puts in their free state (as it does every descriptor the slow paths
 * take back). Returns the handle or NULL (no memory, or bad sizes). */
struct nd_dpool *
nd_dpool_create(uint32_t magic, const char *kind, size_t obj_size,
		uint32_t nfixed, uint32_t noverflow, bool grow,
		struct nd_adapter *ad, const void *site,
		void (*setup)(struct nd_dpool *dp, const void *arg),
		const void *setup_arg, void (*reset)(void *dp, void *obj));
/* A live handle of this kind from the registry, or NULL (reported as
 * pool.bad-handle naming fn). Not for fast paths. */
struct nd_dpool *nd_dpool_lookup(NDIS_HANDLE h, uint32_t magic, const char *fn,
				 const void *site);
/* Release a handle (NdisFree*Pool): reports pool.free-outstanding when
 * descriptors are out. */
void nd_dpool_release(struct nd_dpool *dp, const char *fn, const void *site);

/* The adapter a pool created now belongs to: the adapter whose
 * MiniportInitialize(Ex) the calling thread runs, or NULL. */
struct nd_adapter *nd_dpool_init_adapter(void);

/* The handle h when it names a live pool of kind `magic`, else NULL; a
 * stale handle reads magic 0, a wild one is outside the handle region
 * and not read at all (internal/pool_engine.h). For the fast paths. */
static inline struct nd_dpool *nd_dpool_fast(NDIS_HANDLE h, uint32_t magic)
{
	struct nd_dpool *dp = (struct nd_dpool *)h;
	return (NDISDMA_DPOOL_IN_(dp) && dp->magic == magic) ? dp : NULL;
}

/* IRQL check without a call on the fast path. */
static inline bool nd_dpool_irql_ok(const char *fn, const void *site)
{
	if (__builtin_expect(nd_tl.self.irql <= DISPATCH_LEVEL, 1))
		return true;
	return nd_irql_at_most(DISPATCH_LEVEL, fn, NULL, site);
}

/* Zero n bytes (a compile-time multiple of 16) at a 16-aligned p with
 * plain vector stores: memset of a few hundred bytes becomes `rep stos`,
 * whose start-up alone costs more than a whole allocation. */
#define ND_ZERO16(p, n)                                                        \
	do {                                                                   \
		nd_v2 *v_ = __builtin_assume_aligned((p), 16);                 \
		_Pragma("GCC unroll 64") for (size_t i_ = 0; i_ < (n) / 16;    \
					      i_++)                            \
		{                                                              \
			v_[i_] = (nd_v2){0, 0};                                \
			__asm__("" ::"r"(v_) : "memory");                      \
		}                                                              \
	} while (0)

/* Fill an MDL for [va, va+len) as a buffer pool's descriptor
 * (ndisdma_mdl_fill_ of <ndisdma/ndis/types.h>). */
static inline void mdl_build(PMDL m, void *va, UINT len)
{
	ndisdma_mdl_fill_(m, va, len, ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len));
}

#endif
