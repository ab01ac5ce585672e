/* SPDX-License-Identifier: MIT */
/*
 * nbl.c - NDIS 6 NET_BUFFER_LIST pools: NdisAllocateNetBufferListPool,
 * NdisAllocateNetBufferList, NdisAllocateNetBufferAndNetBufferList,
 * NdisFreeNetBufferList, NdisFreeNetBufferListPool, and the native bulk
 * API for NET_BUFFER_LISTs.
 *
 * A descriptor is a NET_BUFFER_LIST, then (fAllocateNetBuffer) its
 * NET_BUFFER, then a NET_BUFFER_LIST_CONTEXT with the pool's ContextSize
 * bytes of data. A larger context comes from the heap; NdisReserved[0]
 * remembers it for the free.
 */
#include "descr.h"

#include <errno.h>
#include <stdlib.h>

#define A16(x) (((x) + 15) & ~(size_t)15)

NDIS_HANDLE NdisAllocateNetBufferListPool(
	NDIS_HANDLE NdisHandle, PNET_BUFFER_LIST_POOL_PARAMETERS Parameters)
{
	const void *site = ND_SITE();
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateNetBufferListPool",
			     NULL, site))
		return NULL;
	struct nd_adapter *ad = nd_adapter_lookup(NdisHandle, NULL, NULL);
	if (!ad && !nd_driver_from_handle(NdisHandle)) {
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)NdisHandle,
			  0, site,
			  "NdisAllocateNetBufferListPool: %p is neither an "
			  "adapter nor a driver handle",
			  NdisHandle);
		return NULL;
	}
	PNET_BUFFER_LIST_POOL_PARAMETERS p = Parameters;
	if (!p || p->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
	    p->Header.Revision < NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
	    p->Header.Size <
		    NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ||
	    (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT)) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, ad, 0, 0, site,
			  "NdisAllocateNetBufferListPool: Parameters %s",
			  !p ? "NULL"
			  : (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT)
				  ? "ContextSize not a multiple of "
				    "MEMORY_ALLOCATION_ALIGNMENT"
				  : "header not NDIS_OBJECT_TYPE_DEFAULT, "
				    "revision 1, size of revision 1");
		return NULL;
	}
	size_t nb_off = A16(sizeof(NET_BUFFER_LIST));
	size_t ctx_off = nb_off + (p->fAllocateNetBuffer ? A16(sizeof(NET_BUFFER))
							  : 0);
	size_t size = ctx_off + (p->ContextSize ? sizeof(NET_BUFFER_LIST_CONTEXT) +
							  p->ContextSize
						: 0);
	struct nd_dpool *dp = dpool_create(ND_DP_NBL, "NET_BUFFER_LIST pool",
					   size, 256, 0, true, ad, site, NULL,
					   NULL, NULL);
	if (!dp)
		return NULL;
	dp->alloc_nb = p->fAllocateNetBuffer != FALSE;
	dp->ctx_size = p->ContextSize;
	dp->nb_offset = nb_off;
	dp->ctx_offset = ctx_off;
	dp->params = *p;
	return dp;
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp = dpool_lookup(PoolHandle, ND_DP_NBL,
					   "NdisFreeNetBufferListPool", site);
	if (dp)
		dpool_release(dp, "NdisFreeNetBufferListPool", site);
}

/* Zero the NET_BUFFER_LIST (and its NET_BUFFER) and attach a context.
 * Returns false when a heap context cannot be had. */
static inline bool nbl_init(struct nd_dpool *dp, PNET_BUFFER_LIST nbl,
			    bool with_nb, USHORT ctx, USHORT backfill)
{
	_Static_assert(sizeof(*nbl) % 16 == 0 && sizeof(NET_BUFFER) % 16 == 0,
		       "zeroed in 16-byte stores");
	ND_ZERO16(nbl, sizeof(*nbl));
	nbl->NdisPoolHandle = dp;
	if (with_nb) {
		PNET_BUFFER nb = (PNET_BUFFER)((char *)nbl + dp->nb_offset);
		ND_ZERO16(nb, sizeof(*nb));
		nb->NdisPoolHandle = dp;
		nbl->FirstNetBuffer = nb;
	}
	uint32_t want = (uint32_t)ctx + backfill;
	if (!want)
		return true;
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

static PNET_BUFFER_LIST nbl_alloc(NDIS_HANDLE h, USHORT ctx, USHORT backfill,
				  bool with_nb, const char *fn,
				  const void *site)
{
	struct nd_dpool *dp = dpool_fast(h, ND_DP_NBL);
	if (__builtin_expect(!dp || nd_self()->irql > DISPATCH_LEVEL, 0)) {
		if (dpool_irql_ok(fn, site))
			nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h,
				  0, site,
				  "%s: %p is not a live NET_BUFFER_LIST pool",
				  fn, h);
		return NULL;
	}
	if (__builtin_expect(with_nb && !dp->alloc_nb, 0)) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, dp->ad, (uintptr_t)h, 0, site,
			  "%s: the pool was created without fAllocateNetBuffer",
			  fn);
		return NULL;
	}
	PNET_BUFFER_LIST nbl = nd_pool_get_at(dp->pool, dp->slot);
	if (__builtin_expect(!nbl, 0))
		return NULL;
	if (__builtin_expect(!nbl_init(dp, nbl, with_nb, ctx, backfill), 0)) {
		nd_pool_put(dp->pool, nbl, site);
		return NULL;
	}
	return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
					   USHORT ContextSize,
					   USHORT ContextBackFill)
{
	return nbl_alloc(PoolHandle, ContextSize, ContextBackFill, false,
			 "NdisAllocateNetBufferList", ND_SITE());
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
	NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill,
	PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength)
{
	PNET_BUFFER_LIST nbl =
		nbl_alloc(PoolHandle, ContextSize, ContextBackFill, true,
			  "NdisAllocateNetBufferAndNetBufferList", ND_SITE());
	if (!nbl)
		return NULL;
	PNET_BUFFER nb = nbl->FirstNetBuffer;
	nb->MdlChain = MdlChain;
	nb->DataOffset = DataOffset;
	nb->stDataLength = DataLength;
	/* locate DataOffset in the chain */
	PMDL m = MdlChain;
	ULONG off = DataOffset;
	while (m && off >= MmGetMdlByteCount(m) && m->Next) {
		off -= MmGetMdlByteCount(m);
		m = m->Next;
	}
	nb->CurrentMdl = m;
	nb->CurrentMdlOffset = off;
	return nbl;
}

static void __attribute__((noinline))
nbl_free_slow(PNET_BUFFER_LIST nbl, struct nd_pool_hdr *h, const void *site)
{
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
	if (atomic_load_explicit(&h->state, memory_order_relaxed) !=
	    ND_OBJ_LIVE) {
		nd_pool_put(h->pool, nbl, site); /* pool.double-free */
		return;
	}
	nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nbl, 0, site,
		  "NdisFreeNetBufferList: NdisPoolHandle of %p names %p, not "
		  "the pool %p it came from; it goes back there",
		  (void *)nbl, nbl->NdisPoolHandle, (void *)own);
	free(nbl->NdisReserved[0]);
	nbl->NdisReserved[0] = NULL;
	nd_pool_put(h->pool, nbl, site);
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
	PNET_BUFFER_LIST nbl = NetBufferList;
	struct nd_pool_hdr *h = nd_pool_hdr_of(nbl);
	if (__builtin_expect(h && nbl->NdisPoolHandle == h->pool->arg &&
				     atomic_load_explicit(&h->state,
							  memory_order_relaxed) ==
					     ND_OBJ_LIVE,
			     1)) {
		if (__builtin_expect(nbl->NdisReserved[0] != NULL, 0)) {
			free(nbl->NdisReserved[0]);
			nbl->NdisReserved[0] = NULL;
		}
		nd_pool_put_h(h->pool, h, nbl, ND_SITE());
		return;
	}
	nbl_free_slow(nbl, h, ND_SITE());
}

/* ---- the native bulk API ---- */

int ndisdma_nbl_alloc_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			   unsigned n)
{
	struct nd_dpool *dp = dpool_fast(pool, ND_DP_NBL);
	if (!dp || !nbls || n > INT32_MAX)
		return -EINVAL;
	if (!n || !nd_pool_get_bulk(dp->pool, (void **)nbls, n))
		return 0;
	for (unsigned i = 0; i < n; i++)
		nbl_init(dp, nbls[i], dp->alloc_nb, 0, 0);
	return (int)n;
}

int ndisdma_nbl_free_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			  unsigned n)
{
	struct nd_dpool *dp = dpool_fast(pool, ND_DP_NBL);
	if (!dp || !nbls || n > INT32_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct nd_pool_hdr *h = nd_pool_hdr_of(nbls[i]);
		if (h && atomic_load_explicit(&h->state,
					      memory_order_relaxed) ==
				 ND_OBJ_LIVE &&
		    nbls[i]->NdisReserved[0]) {
			free(nbls[i]->NdisReserved[0]);
			nbls[i]->NdisReserved[0] = NULL;
		}
	}
	return (int)nd_pool_put_bulk(dp->pool, (void **)nbls, n, ND_SITE());
}
