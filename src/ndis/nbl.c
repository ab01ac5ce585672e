/* SPDX-License-Identifier: MIT */
/*
 * nbl.c - NDIS 6 NET_BUFFER_LIST pools: NdisAllocateNetBufferListPool,
 * NdisAllocateNetBufferList, NdisAllocateNetBufferAndNetBufferList,
 * NdisFreeNetBufferList, NdisFreeNetBufferListPool, and the native bulk
 * API for NET_BUFFER_LISTs.
 *
 * A descriptor is a NET_BUFFER_LIST, then (fAllocateNetBuffer) its
 * NET_BUFFER, then a NET_BUFFER_LIST_CONTEXT with the pool's ContextSize
 * bytes of data, then (DataSize != 0) an MDL and DataSize bytes of data
 * for the NET_BUFFER. A larger context comes from the heap;
 * NdisReserved[0] remembers it for the free. NdisReserved[1] flags what
 * else the free must undo (contexts NdisAllocateNetBufferListContext
 * added, retreat MDLs in front of the NET_BUFFER).
 *
 * A free descriptor is kept in its allocation state: the list and its
 * NET_BUFFER zero but for NdisPoolHandle (both) and FirstNetBuffer,
 * and with a DataSize the NET_BUFFER describing its own MDL and data
 * (the MDL built). The pool's reset hook makes new descriptors so, and
 * every free puts the descriptor back so (nbl_restore): the first 64
 * bytes of the list and of its NET_BUFFER (what the allocation and most
 * drivers write: Next, FirstNetBuffer, Context, the data fields) are
 * rewritten; the rest (the list's Scratch, reserved areas, flags,
 * Status, information array; the NET_BUFFER's reserved areas, checksum
 * bias, physical address, SG list) is compared with zero and only the
 * 16- or 32-byte pieces that are not get cleared. An allocation then
 * writes only what its arguments set (a context, the data range).
 *
 * Also NdisAllocateNetBufferListContext / NdisFreeNetBufferListContext.
 */
#include "nb_data.h"

#include <errno.h>
#include <stdlib.h>

#define A16(x) (((x) + 15) & ~(size_t)15)

#define ND_ALWAYS_INLINE_ATTR inline __attribute__((always_inline))

/* where a list's NET_BUFFER lies in its descriptor */
#define NBL_NB_OFF A16(sizeof(NET_BUFFER_LIST))
/* the first NBL_HOT bytes of a list and of its NET_BUFFER are rewritten
 * at every free; the rest is compared with zero */
#define NBL_HOT 64u
#define NBL_COLD (sizeof(NET_BUFFER_LIST) - NBL_HOT)
#define NB_COLD (sizeof(NET_BUFFER) - NBL_HOT)
_Static_assert(NBL_NB_OFF == sizeof(NET_BUFFER_LIST) &&
		   sizeof(NET_BUFFER_LIST) % 32 == 0 &&
		   sizeof(NET_BUFFER) % 16 == 0,
	       "the list's NET_BUFFER follows it; 16- and 32-byte pieces");
_Static_assert(offsetof(NET_BUFFER_LIST, FirstNetBuffer) == 8 &&
		   offsetof(NET_BUFFER_LIST, NdisPoolHandle) == 32 &&
		   offsetof(NET_BUFFER_LIST, NdisReserved) == 48 &&
		   offsetof(NET_BUFFER_LIST, ProtocolReserved) == NBL_HOT,
	       "NET_BUFFER_LIST: what the hot 64 bytes hold");
_Static_assert(offsetof(NET_BUFFER, CurrentMdl) == 8 &&
		   offsetof(NET_BUFFER, stDataLength) == 24 &&
		   offsetof(NET_BUFFER, MdlChain) == 32 &&
		   offsetof(NET_BUFFER, NdisPoolHandle) == 56 &&
		   offsetof(NET_BUFFER, NdisReserved) == NBL_HOT,
	       "NET_BUFFER: what the hot 64 bytes hold");

struct nbl_layout {
	const NET_BUFFER_LIST_POOL_PARAMETERS *p;
	size_t mdl_off, data_off, nb_off, ctx_off;
};

static void nbl_setup(struct nd_dpool *dp, const void *arg)
{
	const struct nbl_layout *l = arg;
	dp->data_size = l->p->DataSize;
	dp->mdl_offset = l->mdl_off;
	dp->data_offset = l->data_off;
	dp->alloc_nb = l->p->fAllocateNetBuffer != FALSE;
	dp->ctx_size = l->p->ContextSize;
	dp->nb_offset = l->nb_off;
	dp->ctx_offset = l->ctx_off;
	dp->params = *l->p;
}

/* The NET_BUFFER of a DataSize pool's list describing its own MDL and
 * data, the MDL rebuilt whole (the driver may have changed it). */
static void __attribute__((noinline))
nbl_put_own_data(struct nd_dpool *dp, char *o)
{
	nd_v2 *w = __builtin_assume_aligned(o + NBL_NB_OFF, 16);
	uint64_t m = (uint64_t)(uintptr_t)(o + dp->mdl_offset);
	mdl_build((PMDL)(uintptr_t)m, o + dp->data_offset, dp->data_size);
	w[0] = (nd_v2){0, m};		  /* Next, CurrentMdl */
	w[1] = (nd_v2){0, dp->data_size}; /* CurrentMdlOffset, DataLength */
	w[2] = (nd_v2){m, 0};		  /* MdlChain, DataOffset, bias */
	w[3] = (nd_v2){0, (uint64_t)(uintptr_t)dp}; /* NdisPoolHandle */
}

/* The first 64 bytes of the list and of its NET_BUFFER as allocated
 * (alloc_nb and data: the pool's, read before the stores). */
ND_ALWAYS_INLINE void nbl_put_hot_as(struct nd_dpool *dp, char *o,
				     bool alloc_nb, bool data)
{
	nd_v2 *v = __builtin_assume_aligned(o, 16);
	uint64_t nb = alloc_nb ? (uint64_t)(uintptr_t)(o + NBL_NB_OFF) : 0;
	v[0] = (nd_v2){0, nb};			    /* Next, FirstNetBuffer */
	v[1] = (nd_v2){0, 0};			    /* Context, Parent */
	v[2] = (nd_v2){(uint64_t)(uintptr_t)dp, 0}; /* NdisPoolHandle */
	v[3] = (nd_v2){0, 0};			    /* NdisReserved */
	if (!nb)
		return;
	if (ND_UNLIKELY(data)) {
		nbl_put_own_data(dp, o);
		return;
	}
	nd_v2 *w = v + NBL_NB_OFF / 16;
	w[0] = (nd_v2){0, 0}; /* Next, CurrentMdl */
	w[1] = (nd_v2){0, 0}; /* CurrentMdlOffset, DataLength */
	w[2] = (nd_v2){0, 0}; /* MdlChain, DataOffset, ChecksumBias */
	w[3] = (nd_v2){0, (uint64_t)(uintptr_t)dp}; /* NdisPoolHandle */
}

ND_ALWAYS_INLINE void nbl_put_hot(struct nd_dpool *dp, char *o)
{
	nbl_put_hot_as(dp, o, dp->alloc_nb, dp->data_size != 0);
}

/* Clear the 16-byte pieces of n bytes at p that are not zero (only
 * those: a piece the driver left alone is not written). */
static void nbl_clear_dirty(char *p, size_t n)
{
	nd_v2 *v = __builtin_assume_aligned(p, 16);
	for (size_t i = 0; i < n / 16; i++)
		if (nd_v2_any(v[i]))
			v[i] = (nd_v2){0, 0};
}

/* Is the rest of the list (and of its NET_BUFFER) zero, as allocated?
 * (16-byte loads: a 32-byte AVX2 version measured the same.) */
ND_ALWAYS_INLINE bool nbl_cold_clean(struct nd_dpool *dp, const char *o)
{
	nd_v2 cold = ND_OR16(o + NBL_HOT, NBL_COLD);
	if (dp->alloc_nb)
		cold |= ND_OR16(o + NBL_NB_OFF + NBL_HOT, NB_COLD);
	return !nd_v2_any(cold);
}

/* Put a list whose extras (heap context, pushed contexts, retreat
 * MDLs) are undone back in its allocation state: the hot bytes
 * rewritten, the pieces of the rest that are not zero cleared. */
static void nbl_restore(struct nd_dpool *dp, void *obj)
{
	char *o = obj;
	nbl_put_hot(dp, o);
	nbl_clear_dirty(o + NBL_HOT, NBL_COLD);
	if (dp->alloc_nb)
		nbl_clear_dirty(o + NBL_NB_OFF + NBL_HOT, NB_COLD);
}

/* The pool's reset hook: a new descriptor, or one a slow path takes
 * back (its extras already undone by the free). */
static void nbl_reset(void *arg, void *obj)
{
	nbl_restore(arg, obj);
}

NDIS_HANDLE
NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
			      PNET_BUFFER_LIST_POOL_PARAMETERS Parameters)
{
	const void *site = ND_SITE();
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateNetBufferListPool",
			     NULL, site))
		return NULL;
	/* ndis.sys only stores the handle (NDIS itself passes NULL), never
	 * checks Header.Size, and wants ContextSize a multiple of 8 */
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(NdisHandle, NULL, NULL);
	if (!ad && !nd_driver_is_live(NdisHandle) &&
	    nd_report(ND_RULE_POOL_PARAM_IGNORED, NULL, (uintptr_t)NdisHandle,
		      0, site,
		      "NdisAllocateNetBufferListPool: %p is neither an "
		      "adapter nor a driver handle",
		      NdisHandle))
		return NULL;
	PNET_BUFFER_LIST_POOL_PARAMETERS p = Parameters;
	if (!p || p->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
	    p->Header.Revision < NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
	    (p->ContextSize % 8) || (p->DataSize && !p->fAllocateNetBuffer)) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, ad, 0, 0, site,
			  "NdisAllocateNetBufferListPool: Parameters %s",
			  !p ? "NULL"
			  : (p->ContextSize % 8)
			      ? "ContextSize not a multiple of 8"
			  : (p->DataSize && !p->fAllocateNetBuffer)
			      ? "DataSize set without fAllocateNetBuffer"
			      : "header not NDIS_OBJECT_TYPE_DEFAULT, "
				"revision 1");
		return NULL;
	}
	if ((p->Header.Size <
		 NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
	     (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT)) &&
	    nd_report(ND_RULE_POOL_PARAM_IGNORED, ad, 0, p->ContextSize, site,
		      "NdisAllocateNetBufferListPool: %s",
		      (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT)
			  ? "ContextSize not a multiple of "
			    "MEMORY_ALLOCATION_ALIGNMENT"
			  : "Header.Size below revision 1's"))
		return NULL;
	/* the pool's context area keeps 16-byte alignment */
	NET_BUFFER_LIST_POOL_PARAMETERS pv = *p;
	pv.ContextSize = (USHORT)A16(pv.ContextSize);
	p = &pv;
	nd_data_size_note(p->DataSize, ad, "NdisAllocateNetBufferListPool",
			  site);
	size_t nb_off = NBL_NB_OFF;
	size_t ctx_off =
	    nb_off + (p->fAllocateNetBuffer ? A16(sizeof(NET_BUFFER)) : 0);
	size_t size =
	    ctx_off + (p->ContextSize
			   ? sizeof(NET_BUFFER_LIST_CONTEXT) + p->ContextSize
			   : 0);
	size_t mdl_off = 0, data_off = 0;
	if (p->DataSize)
		size = nd_data_layout(size, p->DataSize, &mdl_off, &data_off);
	uint32_t n = nd_slab_objs(size);
	/* the layout is in the handle before the first descriptors are
	 * made: the reset hook puts each in its allocation state */
	struct nbl_layout lay = {p, mdl_off, data_off, nb_off, ctx_off};
	return nd_dpool_create(ND_DP_NBL, "NET_BUFFER_LIST pool", size, n, 0,
			       true, ad, site, nbl_setup, &lay, nbl_reset);
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp = nd_dpool_lookup(
	    PoolHandle, ND_DP_NBL, "NdisFreeNetBufferListPool", site);
	if (dp)
		nd_dpool_release(dp, "NdisFreeNetBufferListPool", site);
}

/* Attach a context of ctx bytes with backfill bytes before it (ctx +
 * backfill > 0) to a list in its allocation state. Returns false when a
 * heap context cannot be had (nothing changed). */
static bool __attribute__((noinline))
nbl_attach_ctx(struct nd_dpool *dp, PNET_BUFFER_LIST nbl, USHORT ctx,
	       USHORT backfill)
{
	uint32_t want = (uint32_t)ctx + backfill;
	PNET_BUFFER_LIST_CONTEXT c;
	if (want <= dp->ctx_size) {
		c = (PNET_BUFFER_LIST_CONTEXT)((char *)nbl + dp->ctx_offset);
		c->Size = dp->ctx_size;
	} else {
		size_t sz = A16(want);
		c = aligned_alloc(16, sizeof(*c) + sz);
		if (!c)
			return false;
		c->Size = (USHORT)(sz > 0xFFF0 ? 0xFFF0 : sz);
		nbl->NdisReserved[0] = c;
	}
	c->Next = NULL;
	c->Offset = (USHORT)(c->Size - ctx);
	nbl->Context = c;
	return true;
}

static void __attribute__((noinline, cold))
nbl_alloc_refused(struct nd_dpool *dp, NDIS_HANDLE h, bool with_nb, PMDL chain,
		  ULONG off, SIZE_T len, const char *fn, const void *site)
{
	if (!dp || nd_self()->irql > DISPATCH_LEVEL) {
		if (nd_dpool_irql_ok(fn, site))
			nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h,
				  0, site,
				  "%s: %p is not a live NET_BUFFER_LIST pool",
				  fn, h);
		return;
	}
	nd_report(ND_RULE_POOL_BAD_PARAMS, dp->ad, (uintptr_t)h, 0, site,
		  "%s: the pool was created %s", fn,
		  !dp->alloc_nb ? "without fAllocateNetBuffer"
				: "with a DataSize (use "
				  "NdisAllocateNetBufferList)");
	(void)chain, (void)off, (void)len;
}

/* A range past the chain: ndis.sys does not validate it. True when the
 * call must fail (nd_report). */
static bool __attribute__((noinline, cold))
nbl_range_refused(struct nd_dpool *dp, PMDL chain, ULONG off, SIZE_T len,
		  const char *fn, const void *site)
{
	return nd_report(ND_RULE_NB_ALLOC_RANGE, dp->ad, (uintptr_t)chain, len,
			 site, "%s: DataOffset %lu + DataLength %llu %s", fn,
			 (unsigned long)off, (unsigned long long)len,
			 chain ? "is past the end of the MDL chain"
			       : "must be 0 + 0 without an MDL chain");
}

/* with_nb: NdisAllocateNetBufferAndNetBufferList (a pool with
 * NET_BUFFERs and no DataSize, and a chain range that fits); else the
 * pool's fAllocateNetBuffer decides. The descriptor comes in its
 * allocation state: only the context and the data range are written.
 * Every case; the public functions take the common one inline first. */
static PNET_BUFFER_LIST __attribute__((noinline))
nbl_alloc(NDIS_HANDLE h, USHORT ctx, USHORT backfill, bool with_nb, PMDL chain,
	  ULONG off, SIZE_T len, const void *site)
{
	const char *fn = with_nb ? "NdisAllocateNetBufferAndNetBufferList"
				 : "NdisAllocateNetBufferList";
	struct nd_dpool *dp = nd_dpool_fast(h, ND_DP_NBL);
	if (ND_UNLIKELY(!dp || nd_self()->irql > DISPATCH_LEVEL) ||
	    (with_nb && ND_UNLIKELY(!dp->alloc_nb || dp->data_size))) {
		nbl_alloc_refused(dp, h, with_nb, chain, off, len, fn, site);
		return NULL;
	}
	if (with_nb && ND_UNLIKELY(!nd_nb_range_ok(chain, off, len)) &&
	    nbl_range_refused(dp, chain, off, len, fn, site))
		return NULL;
	PNET_BUFFER_LIST nbl = nd_pool_get_at(dp->pool, dp->slot);
	if (ND_UNLIKELY(!nbl))
		return NULL;
	if ((ctx | backfill) != 0 && !nbl_attach_ctx(dp, nbl, ctx, backfill)) {
		nd_pool_put(dp->pool, nbl, site);
		return NULL;
	}
	if (with_nb)
		nb_set_data((PNET_BUFFER)((char *)nbl + NBL_NB_OFF), chain, off,
			    len);
	return nbl;
}

/* The common allocation without a call: a list pool, IRQL at most
 * DISPATCH_LEVEL, no context, a descriptor in the thread's cache (and
 * for with_nb a pool with NET_BUFFERs and no DataSize and a range that
 * starts in the chain's first MDL and fits in it). NULL when any of
 * that is not so: the caller then calls nbl_alloc, which decides. */
ND_ALWAYS_INLINE PNET_BUFFER_LIST nbl_alloc_fast(NDIS_HANDLE h, USHORT ctx,
						 USHORT backfill, bool with_nb,
						 PMDL chain, ULONG off,
						 SIZE_T len)
{
	struct nd_tls *t = &nd_tl;
	struct nd_dpool *dp = h;
	if (ND_UNLIKELY(!nd_dpool_fast(dp, ND_DP_NBL) ||
			t->self.irql > DISPATCH_LEVEL || (ctx | backfill)))
		return NULL;
	if (with_nb && ND_UNLIKELY(!dp->alloc_nb || dp->data_size || !chain ||
				   off >= MmGetMdlByteCount(chain) ||
				   len > MmGetMdlByteCount(chain) - off))
		return NULL;
	PNET_BUFFER_LIST nbl = nd_pcache_pop(t, dp->pool, dp->slot);
	if (ND_UNLIKELY(!nbl))
		return NULL;
	if (with_nb) {
		PNET_BUFFER nb = (PNET_BUFFER)((char *)nbl + NBL_NB_OFF);
		nb->MdlChain = chain;
		nb->DataOffset = off;
		nb->stDataLength = len;
		nb->CurrentMdl = chain; /* off lies in the first MDL */
		nb->CurrentMdlOffset = off;
	}
	return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
					   USHORT ContextSize,
					   USHORT ContextBackFill)
{
	PNET_BUFFER_LIST nbl = nbl_alloc_fast(
	    PoolHandle, ContextSize, ContextBackFill, false, NULL, 0, 0);
	if (ND_LIKELY(nbl != NULL))
		return nbl;
	return nbl_alloc(PoolHandle, ContextSize, ContextBackFill, false, NULL,
			 0, 0, ND_SITE());
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
    NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill,
    PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength)
{
	PNET_BUFFER_LIST nbl =
	    nbl_alloc_fast(PoolHandle, ContextSize, ContextBackFill, true,
			   MdlChain, DataOffset, DataLength);
	if (ND_LIKELY(nbl != NULL))
		return nbl;
	return nbl_alloc(PoolHandle, ContextSize, ContextBackFill, true,
			 MdlChain, DataOffset, DataLength, ND_SITE());
}

/* Is c the context the list was allocated with (the pool's preallocated
 * one or the heap one in NdisReserved[0])? */
static bool ctx_is_base(struct nd_dpool *dp, PNET_BUFFER_LIST nbl,
			PNET_BUFFER_LIST_CONTEXT c)
{
	return c == nbl->NdisReserved[0] ||
	       (dp && dp->ctx_size &&
		(char *)c == (char *)nbl + dp->ctx_offset);
}

/* Undo what NdisReserved[0] / [1] record before the list goes back. */
static void __attribute__((noinline))
nbl_free_extras(struct nd_dpool *dp, PNET_BUFFER_LIST nbl, const void *site)
{
	uintptr_t fl = (uintptr_t)nbl->NdisReserved[1];
	if (fl & ND_NBL_CTX_PUSHED) {
		PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
		while (c && !ctx_is_base(dp, nbl, c)) {
			PNET_BUFFER_LIST_CONTEXT next = c->Next;
			free(c);
			c = next;
		}
		nbl->Context = c;
	}
	if ((fl & ND_NBL_NB_RETREAT) && dp->alloc_nb)
		nd_nb_drop_retreat_mdls(
		    (PNET_BUFFER)((char *)nbl + dp->nb_offset), dp->ad,
		    "NdisFreeNetBufferList", site);
	nbl->NdisReserved[1] = NULL;
	free(nbl->NdisReserved[0]);
	nbl->NdisReserved[0] = NULL;
}

/* Every free but the fast path's: reports what is wrong; a LIVE list of
 * a list pool has its extras undone, is restored and goes back to the
 * pool it came from. */
static void __attribute__((noinline))
nbl_free_slow(PNET_BUFFER_LIST nbl, const void *site)
{
	struct nd_pool_hdr *h = nd_pool_hdr_of(nbl);
	if (!h) {
		nd_pool_put_slow(NULL, nbl, site); /* pool.free-unknown */
		return;
	}
	struct nd_dpool *own = h->pool->arg;
	if (own->type != ND_DP_NBL) {
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nbl, 0,
			  site,
			  "NdisFreeNetBufferList of %p, a descriptor of a %s; "
			  "not freed",
			  (void *)nbl, h->pool->kind);
		return;
	}
	if (!nd_pool_is_live(h)) {
		nd_pool_put(h->pool, nbl, site); /* pool.double-free */
		return;
	}
	if (nbl->NdisPoolHandle != own)
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nbl, 0,
			  site,
			  "NdisFreeNetBufferList: NdisPoolHandle of %p names "
			  "%p, not the pool %p it came from; it goes back "
			  "there",
			  (void *)nbl, nbl->NdisPoolHandle, (void *)own);
	if (((uintptr_t)nbl->NdisReserved[0] |
	     (uintptr_t)nbl->NdisReserved[1]) != 0)
		nbl_free_extras(own, nbl, site);
	nbl_restore(own, nbl);
	nd_pool_put(h->pool, nbl, site);
}

/* The fast free: a LIVE list of the list pool its NdisPoolHandle names,
 * nothing to undo (no heap or pushed context, no retreat MDL), no
 * DataSize (whose MDL is rebuilt) and no byte past the hot ones changed;
 * put back into the thread's cache.
 * Anything else is a tail call to nbl_free_slow (or, a full cache, to
 * the engine's slow free, which resets the list through the hook). */
#define NBL_FREE_FAST(name, attr, clean)                                       \
	attr static void name(PNET_BUFFER_LIST nbl, const void *site)          \
	{                                                                      \
		struct nd_pool_hdr *h = nd_pool_hdr_of(nbl);                   \
		struct nd_dpool *dp;                                           \
		struct nd_pool *p;                                             \
		_Atomic uint8_t *st;                                           \
		if (ND_UNLIKELY(!h ||                                          \
				(dp = nbl->NdisPoolHandle) !=                  \
				    (p = h->pool)->arg ||                      \
				dp->type != ND_DP_NBL || dp->data_size ||      \
				atomic_load_explicit(st = &p->st[h->index],    \
						     memory_order_relaxed) !=  \
				    ND_ST_LIVE ||                              \
				((uintptr_t)nbl->NdisReserved[0] |             \
				 (uintptr_t)nbl->NdisReserved[1]) != 0 ||      \
				!clean(dp, (const char *)nbl))) {              \
			nbl_free_slow(nbl, site);                              \
			return;                                                \
		}                                                              \
		nbl_put_hot_as(dp, (char *)nbl, dp->alloc_nb, false);          \
		if (ND_LIKELY(nd_pcache_push(&nd_tl, p, dp->slot, st, nbl)))   \
			return;                                                \
		nd_pool_put_slow(p, nbl, site);                                \
	}

NBL_FREE_FAST(nbl_free_fast, ND_ALWAYS_INLINE_ATTR, nbl_cold_clean)

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
	nbl_free_fast(NetBufferList, ND_SITE());
}

/* ---- the native bulk API ---- */

int ndisdma_nbl_alloc_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			   unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_NBL);
	if (!dp || !nbls || n > INT32_MAX)
		return -EINVAL;
	/* free descriptors are in their allocation state already */
	if (!n || !nd_pool_get_bulk(dp->pool, (void **)nbls, n))
		return 0;
	return (int)n;
}

/* The bulk free: each LIVE list of this pool has its extras undone and
 * is restored (hot bytes rewritten; the rest cleared only when the cold
 * check `clean` finds it changed), then the engine takes the batch and
 * reports what is wrong. */
#define NBL_FREE_BULK(name, attr, clean)                                       \
	attr static int name(struct nd_dpool *dp, PNET_BUFFER_LIST *nbls,      \
			     unsigned n, const void *site)                     \
	{                                                                      \
		struct nd_pool *p = dp->pool;                                  \
		for (unsigned i = 0; i < n; i++) {                             \
			PNET_BUFFER_LIST l = nbls[i];                          \
			struct nd_pool_hdr *h = nd_pool_hdr_of(l);             \
			if (ND_UNLIKELY(!h || !nd_pool_is_live(h)))            \
				continue; /* the engine reports it */          \
			bool extras = ((uintptr_t)l->NdisReserved[0] |         \
				       (uintptr_t)l->NdisReserved[1]) != 0;    \
			if (ND_UNLIKELY(h->pool != p)) {                       \
				/* another pool's: the engine's slow path      \
				 * reports it, its reset hook restores it */   \
				struct nd_dpool *own = h->pool->arg;           \
				if (own->type == ND_DP_NBL && extras)          \
					nbl_free_extras(own, l, site);         \
				continue;                                      \
			}                                                      \
			if (ND_UNLIKELY(extras))                               \
				nbl_free_extras(dp, l, site);                  \
			if (ND_LIKELY(clean(dp, (const char *)l)))             \
				nbl_put_hot(dp, (char *)l);                    \
			else                                                   \
				nbl_restore(dp, l);                            \
		}                                                              \
		return (int)nd_pool_put_bulk(p, (void **)nbls, n, site);       \
	}

NBL_FREE_BULK(nbl_free_bulk_all, ND_ALWAYS_INLINE_ATTR, nbl_cold_clean)

int ndisdma_nbl_free_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			  unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_NBL);
	if (!dp || !nbls || n > INT32_MAX)
		return -EINVAL;
	return nbl_free_bulk_all(dp, nbls, n, ND_SITE());
}

/* ---- contexts ---- */

NDIS_STATUS NdisAllocateNetBufferListContext(PNET_BUFFER_LIST NetBufferList,
					     USHORT ContextSize,
					     USHORT ContextBackFill,
					     ULONG PoolTag)
{
	(void)PoolTag;
	const void *site = ND_SITE();
	const char *fn = "NdisAllocateNetBufferListContext";
	if (!nd_dpool_irql_ok(fn, site))
		return NDIS_STATUS_FAILURE;
	PNET_BUFFER_LIST nbl = NetBufferList;
	if (nbl && !ContextSize) /* ndis.sys: success at once */
		return NDIS_STATUS_SUCCESS;
	uint32_t total = (uint32_t)ContextSize + ContextBackFill;
	if (!nbl || (ContextSize % sizeof(void *)) ||
	    (ContextBackFill % sizeof(void *)) || total > 0xFFF0u) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, (uintptr_t)nbl,
			  ContextSize, site, "%s: %s", fn,
			  !nbl ? "NetBufferList is NULL"
			  : total > 0xFFF0u
			      ? "ContextSize + ContextBackFill too large"
			      : "ContextSize and ContextBackFill must be "
				"multiples of sizeof(void *)");
		return NDIS_STATUS_FAILURE;
	}
	PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
	if (c && c->Offset >= ContextSize) {
		c->Offset -= ContextSize;
		return NDIS_STATUS_SUCCESS;
	}
	if (!ContextSize)
		return NDIS_STATUS_SUCCESS;
	if (nd_fault_inject(NDISDMA_FAULT_POOL))
		return NDIS_STATUS_RESOURCES;
	PNET_BUFFER_LIST_CONTEXT n = aligned_alloc(16, sizeof(*n) + A16(total));
	if (!n)
		return NDIS_STATUS_RESOURCES;
	n->Next = c;
	n->Size = (USHORT)total;
	n->Offset = ContextBackFill;
	nbl->Context = n;
	nbl->NdisReserved[1] =
	    (PVOID)((uintptr_t)nbl->NdisReserved[1] | ND_NBL_CTX_PUSHED);
	return NDIS_STATUS_SUCCESS;
}

VOID NdisFreeNetBufferListContext(PNET_BUFFER_LIST NetBufferList,
				  USHORT ContextSize)
{
	const void *site = ND_SITE();
	const char *fn = "NdisFreeNetBufferListContext";
	if (!nd_dpool_irql_ok(fn, site))
		return;
	PNET_BUFFER_LIST nbl = NetBufferList;
	PNET_BUFFER_LIST_CONTEXT c = nbl ? nbl->Context : NULL;
	if (!ContextSize && nbl)
		return;
	if (!c || ContextSize > c->Size - c->Offset) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, (uintptr_t)nbl,
			  ContextSize, site, "%s: %s; nothing changed", fn,
			  !nbl ? "NetBufferList is NULL"
			       : "releasing more context than the current "
				 "NET_BUFFER_LIST_CONTEXT holds");
		return;
	}
	c->Offset += ContextSize;
	if (c->Offset == c->Size &&
	    ((uintptr_t)nbl->NdisReserved[1] & ND_NBL_CTX_PUSHED)) {
		struct nd_dpool *dp =
		    nd_dpool_fast(nbl->NdisPoolHandle, ND_DP_NBL);
		if (!ctx_is_base(dp, nbl, c)) {
			nbl->Context = c->Next;
			free(c);
		}
	}
}
