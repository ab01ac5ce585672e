/* SPDX-License-Identifier: MIT */
/*
 * net_buffers.c - NDIS 6 NET_BUFFER pools: NdisAllocateNetBufferPool,
 * NdisAllocateNetBuffer, NdisAllocateNetBufferMdlAndData,
 * NdisFreeNetBuffer, NdisFreeNetBufferPool.
 *
 * A descriptor is a NET_BUFFER; in a pool with a DataSize it is followed
 * by an MDL (with its page-frame entries) and DataSize bytes of data,
 * cache-line aligned: NET_BUFFER, MDL and data in one allocation.
 */
#include "nb_data.h"

#include <stdlib.h>

NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
				      PNET_BUFFER_POOL_PARAMETERS Parameters)
{
	const void *site = ND_SITE();
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateNetBufferPool", NULL,
			     site))
		return NULL;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(NdisHandle, NULL, NULL);
	if (!ad && !nd_driver_is_live(NdisHandle)) {
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)NdisHandle,
			  0, site,
			  "NdisAllocateNetBufferPool: %p is neither an adapter "
			  "nor a driver handle",
			  NdisHandle);
		return NULL;
	}
	PNET_BUFFER_POOL_PARAMETERS p = Parameters;
	if (!p || p->Header.Type != NDIS_OBJECT_TYPE_DEFAULT ||
	    p->Header.Revision < NET_BUFFER_POOL_PARAMETERS_REVISION_1 ||
	    p->Header.Size <
		NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, ad, 0, 0, site,
			  "NdisAllocateNetBufferPool: Parameters %s",
			  !p ? "NULL"
			     : "header not NDIS_OBJECT_TYPE_DEFAULT, revision "
			       "1, size of revision 1");
		return NULL;
	}
	nd_data_size_note(p->DataSize, ad, "NdisAllocateNetBufferPool", site);
	size_t size = sizeof(NET_BUFFER), mdl_off = 0, data_off = 0;
	if (p->DataSize)
		size = nd_data_layout(sizeof(NET_BUFFER), p->DataSize, &mdl_off,
				      &data_off);
	uint32_t n = nd_slab_objs(size);
	struct nd_dpool *dp =
	    nd_dpool_create(ND_DP_NB, "NET_BUFFER pool", size, n, 0, true, ad,
			    site, NULL, NULL, NULL);
	if (!dp)
		return NULL;
	dp->data_size = p->DataSize;
	dp->mdl_offset = mdl_off;
	dp->data_offset = data_off;
	return dp;
}

VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp = nd_dpool_lookup(PoolHandle, ND_DP_NB,
					      "NdisFreeNetBufferPool", site);
	if (dp)
		nd_dpool_release(dp, "NdisFreeNetBufferPool", site);
}

/* The pool of an allocation, or NULL (reported). */
static struct nd_dpool *nb_pool(NDIS_HANDLE h, bool with_data, const char *fn,
				const void *site)
{
	struct nd_dpool *dp = nd_dpool_fast(h, ND_DP_NB);
	if (__builtin_expect(!dp || nd_self()->irql > DISPATCH_LEVEL, 0)) {
		if (nd_dpool_irql_ok(fn, site))
			nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h,
				  0, site,
				  "%s: %p is not a live NET_BUFFER pool", fn,
				  h);
		return NULL;
	}
	if (__builtin_expect((dp->data_size != 0) != with_data, 0)) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, dp->ad, (uintptr_t)h, 0,
			  site,
			  with_data ? "%s: the pool was created with DataSize 0"
				    : "%s: the pool has a DataSize; its "
				      "NET_BUFFERs come from "
				      "NdisAllocateNetBufferMdlAndData",
			  fn);
		return NULL;
	}
	return dp;
}

static inline PNET_BUFFER nb_get(struct nd_dpool *dp)
{
	PNET_BUFFER nb = nd_pool_get_at(dp->pool, dp->slot);
	if (__builtin_expect(nb != NULL, 1)) {
		_Static_assert(sizeof(*nb) % 16 == 0,
			       "zeroed in 16-byte stores");
		ND_ZERO16(nb, sizeof(*nb));
		nb->NdisPoolHandle = dp;
	}
	return nb;
}

PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain,
				  ULONG DataOffset, SIZE_T DataLength)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp =
	    nb_pool(PoolHandle, false, "NdisAllocateNetBuffer", site);
	if (!dp)
		return NULL;
	/* ndis.sys does not validate the range (a later read past the
	 * chain is nb.data-range) */
	if (!nd_nb_range_ok(MdlChain, DataOffset, DataLength) &&
	    nd_report(ND_RULE_NB_ALLOC_RANGE, dp->ad, (uintptr_t)MdlChain,
		      DataLength, site,
		      "NdisAllocateNetBuffer: DataOffset %lu + DataLength "
		      "%llu %s",
		      (unsigned long)DataOffset, (unsigned long long)DataLength,
		      MdlChain ? "is past the end of the MDL chain"
			       : "must be 0 + 0 without an MDL chain"))
		return NULL;
	PNET_BUFFER nb = nb_get(dp);
	if (nb)
		nb_set_data(nb, MdlChain, DataOffset, DataLength);
	return nb;
}

PNET_BUFFER NdisAllocateNetBufferMdlAndData(NDIS_HANDLE PoolHandle)
{
	struct nd_dpool *dp = nb_pool(
	    PoolHandle, true, "NdisAllocateNetBufferMdlAndData", ND_SITE());
	if (!dp)
		return NULL;
	PNET_BUFFER nb = nb_get(dp);
	if (nb)
		nb_set_own_data(nb, dp, nb);
	return nb;
}

static void __attribute__((noinline))
nb_free_slow(PNET_BUFFER nb, struct nd_pool_hdr *h, const void *site)
{
	const char *fn = "NdisFreeNetBuffer";
	if (!h) {
		/* the NET_BUFFER of a NET_BUFFER_LIST has no header of its
		 * own: its NdisPoolHandle names a live list pool */
		struct nd_dpool *lp =
		    nb ? nd_dpool_lookup(nb->NdisPoolHandle, ND_DP_NBL, NULL,
					 NULL)
		       : NULL;
		if (lp) {
			nd_report(ND_RULE_POOL_CROSS_FREE, lp->ad,
				  (uintptr_t)nb, 0, site,
				  "%s of %p, the NET_BUFFER of a "
				  "NET_BUFFER_LIST (it goes with its list); "
				  "not freed",
				  fn, (void *)nb);
			return;
		}
		nd_pool_put_slow(NULL, nb, site); /* pool.free-unknown */
		return;
	}
	struct nd_dpool *own = h->pool->arg;
	if (own->type != ND_DP_NB) {
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nb, 0,
			  site, "%s of %p, a descriptor of a %s; not freed", fn,
			  (void *)nb, h->pool->kind);
		return;
	}
	if (!nd_pool_is_live(h)) {
		nd_pool_put(h->pool, nb, site); /* pool.double-free */
		return;
	}
	if (nb->NdisPoolHandle != own)
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)nb, 0,
			  site,
			  "%s: NdisPoolHandle of %p names %p, not the pool %p "
			  "it came from; it goes back there",
			  fn, (void *)nb, nb->NdisPoolHandle, (void *)own);
	nd_nb_drop_retreat_mdls(nb, own->ad, fn, site);
	nd_pool_put(h->pool, nb, site);
}

VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer)
{
	PNET_BUFFER nb = NetBuffer;
	struct nd_pool_hdr *h = nd_pool_hdr_of(nb);
	if (__builtin_expect(h && nb->NdisPoolHandle == h->pool->arg &&
				 ((struct nd_dpool *)h->pool->arg)->type ==
				     ND_DP_NB &&
				 !nb->NdisReserved[0] && nd_pool_is_live(h),
			     1)) {
		nd_pool_put_h(h->pool, h, nb, ND_SITE());
		return;
	}
	nb_free_slow(nb, h, ND_SITE());
}
