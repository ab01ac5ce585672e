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
 * Also NdisAllocateNetBufferListContext / NdisFreeNetBufferListContext.
 */
#include "nb_data.h"

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
	    (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT) ||
	    (p->DataSize && !p->fAllocateNetBuffer)) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, ad, 0, 0, site,
			  "NdisAllocateNetBufferListPool: Parameters %s",
			  !p ? "NULL"
			  : (p->ContextSize % MEMORY_ALLOCATION_ALIGNMENT)
				  ? "ContextSize not a multiple of "
				    "MEMORY_ALLOCATION_ALIGNMENT"
			  : (p->DataSize && !p->fAllocateNetBuffer)
				  ? "DataSize set without fAllocateNetBuffer"
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
	size_t mdl_off = 0, data_off = 0;
	if (p->DataSize)
		size = nd_data_layout(size, p->DataSize, &mdl_off, &data_off);
	/* about 1 MiB per slab for large descriptors, 256 for small ones */
	size_t per = ((size_t)1 << 20) / size;
	uint32_t n = per > 256 ? 256 : per < 4 ? 4 : (uint32_t)per;
	struct nd_dpool *dp = dpool_create(ND_DP_NBL, "NET_BUFFER_LIST pool",
					   size, n, 0, true, ad, site, NULL,
					   NULL, NULL);
	if (!dp)
		return NULL;
	dp->data_size = p->DataSize;
	dp->mdl_offset = mdl_off;
	dp->data_offset = data_off;
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
		if (dp->data_size)
			nb_set_own_data(nb, dp, nbl);
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

/* with_nb: NdisAllocateNetBufferAndNetBufferList (a pool with
 * NET_BUFFERs and no DataSize, and a chain range that fits); else the
 * pool's fAllocateNetBuffer decides. */
static PNET_BUFFER_LIST nbl_alloc(NDIS_HANDLE h, USHORT ctx, USHORT backfill,
				  bool with_nb, PMDL chain, ULONG off,
				  SIZE_T len, const char *fn, const void *site)
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
	if (with_nb) {
		if (__builtin_expect(!dp->alloc_nb || dp->data_size, 0)) {
			nd_report(ND_RULE_POOL_BAD_PARAMS, dp->ad,
				  (uintptr_t)h, 0, site,
				  "%s: the pool was created %s", fn,
				  !dp->alloc_nb ? "without fAllocateNetBuffer"
						: "with a DataSize (use "
						  "NdisAllocateNetBufferList)");
			return NULL;
		}
		if (__builtin_expect(!nb_range_ok(chain, off, len), 0)) {
			nd_report(ND_RULE_NB_DATA_RANGE, dp->ad,
				  (uintptr_t)chain, len, site,
				  "%s: DataOffset %lu + DataLength %llu %s", fn,
				  (unsigned long)off, (unsigned long long)len,
				  chain ? "is past the end of the MDL chain"
					: "must be 0 + 0 without an MDL chain");
			return NULL;
		}
	}
	PNET_BUFFER_LIST nbl = nd_pool_get_at(dp->pool, dp->slot);
	if (__builtin_expect(!nbl, 0))
		return NULL;
	if (__builtin_expect(!nbl_init(dp, nbl, dp->alloc_nb, ctx, backfill),
			     0)) {
		nd_pool_put(dp->pool, nbl, site);
		return NULL;
	}
	return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
					   USHORT ContextSize,
					   USHORT ContextBackFill)
{
	return nbl_alloc(PoolHandle, ContextSize, ContextBackFill, false, NULL,
			 0, 0, "NdisAllocateNetBufferList", ND_SITE());
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
	NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill,
	PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength)
{
	PNET_BUFFER_LIST nbl = nbl_alloc(
		PoolHandle, ContextSize, ContextBackFill, true, MdlChain,
		DataOffset, DataLength, "NdisAllocateNetBufferAndNetBufferList",
		ND_SITE());
	if (!nbl)
		return NULL;
	nb_set_data(nbl->FirstNetBuffer, MdlChain, DataOffset, DataLength);
	return nbl;
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
		nb_drop_retreat_mdls(
			(PNET_BUFFER)((char *)nbl + dp->nb_offset), dp->ad,
			"NdisFreeNetBufferList", site);
	nbl->NdisReserved[1] = NULL;
	free(nbl->NdisReserved[0]);
	nbl->NdisReserved[0] = NULL;
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
	if (!nd_pool_is_live(h)) {
		nd_pool_put(h->pool, nbl, site); /* pool.double-free */
		return;
	}
	nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nbl, 0, site,
		  "NdisFreeNetBufferList: NdisPoolHandle of %p names %p, not "
		  "the pool %p it came from; it goes back there",
		  (void *)nbl, nbl->NdisPoolHandle, (void *)own);
	nbl_free_extras(own, nbl, site);
	nd_pool_put(h->pool, nbl, site);
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
	PNET_BUFFER_LIST nbl = NetBufferList;
	struct nd_pool_hdr *h = nd_pool_hdr_of(nbl);
	if (__builtin_expect(h && nbl->NdisPoolHandle == h->pool->arg &&
				     nd_pool_is_live(h),
			     1)) {
		if (__builtin_expect(((uintptr_t)nbl->NdisReserved[0] |
				      (uintptr_t)nbl->NdisReserved[1]) != 0,
				     0))
			nbl_free_extras(h->pool->arg, nbl, ND_SITE());
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
		if (h && nd_pool_is_live(h) &&
		    ((uintptr_t)nbls[i]->NdisReserved[0] |
		     (uintptr_t)nbls[i]->NdisReserved[1]))
			nbl_free_extras(h->pool->arg, nbls[i], ND_SITE());
	}
	return (int)nd_pool_put_bulk(dp->pool, (void **)nbls, n, ND_SITE());
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
	if (!dpool_irql_ok(fn, site))
		return NDIS_STATUS_FAILURE;
	PNET_BUFFER_LIST nbl = NetBufferList;
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
	PNET_BUFFER_LIST_CONTEXT n =
		aligned_alloc(16, sizeof(*n) + A16(total));
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
	if (!dpool_irql_ok(fn, site))
		return;
	PNET_BUFFER_LIST nbl = NetBufferList;
	PNET_BUFFER_LIST_CONTEXT c = nbl ? nbl->Context : NULL;
	if (!ContextSize && nbl)
		return;
	if (!c || ContextSize > c->Size - c->Offset) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, (uintptr_t)nbl,
			  ContextSize, site,
			  "%s: %s; nothing changed", fn,
			  !nbl ? "NetBufferList is NULL"
			       : "releasing more context than the current "
				 "NET_BUFFER_LIST_CONTEXT holds");
		return;
	}
	c->Offset += ContextSize;
	if (c->Offset == c->Size &&
	    ((uintptr_t)nbl->NdisReserved[1] & ND_NBL_CTX_PUSHED)) {
		struct nd_dpool *dp = nbl->NdisPoolHandle;
		if (!ctx_is_base(dp, nbl, c)) {
			nbl->Context = c->Next;
			free(c);
		}
	}
}
