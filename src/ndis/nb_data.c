/* SPDX-License-Identifier: MIT */
/*
 * nb_data.c - the data-start calls of a NET_BUFFER:
 * NdisRetreatNetBufferDataStart, NdisAdvanceNetBufferDataStart and
 * NdisGetDataBuffer, and the registry of the MDLs a retreat chained in
 * front of a NET_BUFFER (so an advance with FreeMdl, or the free of the
 * NET_BUFFER, knows which MDLs are NDIS's, which the driver's
 * NetAllocateMdl made, and which are the driver's own).
 *
 * A retreat past the backfill uses up the backfill that is left (the
 * chain's first DataOffset bytes become data) and chains one new MDL of
 * DataOffsetDelta - DataOffset + DataBackFill bytes in front, so the data
 * stays contiguous in chain order and nothing is copied. NDIS's own new
 * MDL and its data are one 64-byte aligned heap block (MDL first).
 */
#include "nb_data.h"

#include <stdlib.h>

#define RT_OURS ((void *)(uintptr_t)1)	  /* NDIS's block: free(mdl) */
#define RT_HANDLER ((void *)(uintptr_t)2) /* from NetAllocateMdl */

static pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap rt_map; /* retreat MDL -> RT_OURS / RT_HANDLER */

static void *rt_get(PMDL m, bool del)
{
	if (!m)
		return NULL;
	pthread_mutex_lock(&rt_lock);
	void *v = del ? nd_ptrmap_del(&rt_map, (uintptr_t)m)
		      : nd_ptrmap_get(&rt_map, (uintptr_t)m);
	pthread_mutex_unlock(&rt_lock);
	return v;
}

bool nd_nb_range_ok(PMDL chain, ULONG off, SIZE_T len)
{
	if (!chain)
		return off == 0 && len == 0;
	uint64_t want = (uint64_t)off + len, have = 0;
	if (want < len)
		return false;
	for (PMDL m = chain; m && have < want; m = m->Next)
		have += MmGetMdlByteCount(m);
	return have >= want;
}

static inline char *mdl_va(PMDL m)
{
	return m->MappedSystemVa ? (char *)m->MappedSystemVa
				 : (char *)MmGetMdlVirtualAddress(m);
}

/* Tell the NET_BUFFER_LIST that embeds nb (if any) that its free must
 * look at nb's retreat MDLs. */
static void mark_parent(PNET_BUFFER nb)
{
	struct nd_dpool *dp =
	    nd_dpool_lookup(nb->NdisPoolHandle, ND_DP_NBL, NULL, NULL);
	if (!dp || !dp->alloc_nb)
		return;
	PNET_BUFFER_LIST nbl = (PNET_BUFFER_LIST)((char *)nb - dp->nb_offset);
	struct nd_pool_hdr *h = nd_pool_hdr_of(nbl);
	if (h && h->pool == dp->pool && nbl->NdisPoolHandle == dp)
		nbl->NdisReserved[1] = (PVOID)((uintptr_t)nbl->NdisReserved[1] |
					       ND_NBL_NB_RETREAT);
}

NDIS_STATUS NdisRetreatNetBufferDataStart(
    PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, ULONG DataBackFill,
    NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler)
{
	const void *site = ND_SITE();
	const char *fn = "NdisRetreatNetBufferDataStart";
	if (!nd_dpool_irql_ok(fn, site))
		return NDIS_STATUS_FAILURE;
	PNET_BUFFER nb = NetBuffer;
	if (!nb) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "%s: NetBuffer is NULL", fn);
		return NDIS_STATUS_FAILURE;
	}
	if ((uint64_t)nb->DataLength + DataOffsetDelta > 0xFFFFFFFFu) {
		nd_report(ND_RULE_NB_DATA_RANGE, NULL, (uintptr_t)nb,
			  DataOffsetDelta, site,
			  "%s: DataLength %lu + %lu does not fit in a ULONG",
			  fn, (unsigned long)nb->DataLength,
			  (unsigned long)DataOffsetDelta);
		return NDIS_STATUS_FAILURE;
	}
	if (DataOffsetDelta <= nb->DataOffset) {
		nb->DataOffset -= DataOffsetDelta;
		nb->DataLength += DataOffsetDelta;
		nb_locate(nb->MdlChain, nb->DataOffset, &nb->CurrentMdl,
			  &nb->CurrentMdlOffset);
		return NDIS_STATUS_SUCCESS;
	}
	/* the backfill left is used up; the rest comes in a new MDL */
	ULONG front = DataOffsetDelta - nb->DataOffset;
	if ((uint64_t)front + DataBackFill > 0xFFFFFFFFu) {
		nd_report(ND_RULE_NB_DATA_RANGE, NULL, (uintptr_t)nb,
			  DataOffsetDelta, site,
			  "%s: DataOffsetDelta + DataBackFill does not fit in "
			  "a ULONG",
			  fn);
		return NDIS_STATUS_FAILURE;
	}
	ULONG need = front + DataBackFill;
	PMDL m;
	void *kind;
	if (AllocateMdlHandler) {
		ULONG size = need;
		m = AllocateMdlHandler(&size);
		if (!m)
			return NDIS_STATUS_RESOURCES;
		if (MmGetMdlByteCount(m) < need) {
			nd_report(ND_RULE_NB_RETREAT_MDL, NULL, (uintptr_t)m,
				  MmGetMdlByteCount(m), site,
				  "%s: NetAllocateMdl returned an MDL of %lu "
				  "bytes for %lu; the NET_BUFFER is unchanged "
				  "and the MDL is the driver's",
				  fn, (unsigned long)MmGetMdlByteCount(m),
				  (unsigned long)need);
			return NDIS_STATUS_FAILURE;
		}
		kind = RT_HANDLER;
	} else {
		if (nd_fault_inject(NDISDMA_FAULT_POOL))
			return NDIS_STATUS_RESOURCES;
		size_t span = (size_t)need / PAGE_SIZE + 2;
		size_t head = (sizeof(MDL) + span * sizeof(PFN_NUMBER) + 63) &
			      ~(size_t)63;
		size_t bytes = (head + need + 63) & ~(size_t)63;
		char *blk = aligned_alloc(64, bytes);
		if (!blk)
			return NDIS_STATUS_RESOURCES;
		m = (PMDL)blk;
		mdl_build(m, blk + head, need);
		kind = RT_OURS;
	}
	pthread_mutex_lock(&rt_lock);
	int rc = nd_ptrmap_put(&rt_map, (uintptr_t)m, kind);
	pthread_mutex_unlock(&rt_lock);
	if (rc) {
		if (kind == RT_OURS)
			free(m);
		/* a NetAllocateMdl MDL stays the driver's */
		return NDIS_STATUS_RESOURCES;
	}
	m->Next = nb->MdlChain;
	nb->MdlChain = m;
	nb->DataOffset = MmGetMdlByteCount(m) - front;
	nb->DataLength += DataOffsetDelta;
	nb->CurrentMdl = m;
	nb->CurrentMdlOffset = nb->DataOffset;
	if (nb->NdisReserved[0] != ND_NB_RETREATED) {
		nb->NdisReserved[0] = ND_NB_RETREATED;
		mark_parent(nb);
	}
	return NDIS_STATUS_SUCCESS;
}

VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta,
				   BOOLEAN FreeMdl,
				   NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler)
{
	const void *site = ND_SITE();
	const char *fn = "NdisAdvanceNetBufferDataStart";
	if (!nd_dpool_irql_ok(fn, site))
		return;
	PNET_BUFFER nb = NetBuffer;
	if (!nb) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "%s: NetBuffer is NULL", fn);
		return;
	}
	if (DataOffsetDelta > nb->DataLength ||
	    (uint64_t)nb->DataOffset + DataOffsetDelta > 0xFFFFFFFFu) {
		nd_report(ND_RULE_NB_DATA_RANGE, NULL, (uintptr_t)nb,
			  DataOffsetDelta, site,
			  "%s: advancing %lu bytes past a DataLength of %lu; "
			  "nothing changed",
			  fn, (unsigned long)DataOffsetDelta,
			  (unsigned long)nb->DataLength);
		return;
	}
	nb->DataOffset += DataOffsetDelta;
	nb->DataLength -= DataOffsetDelta;
	if (FreeMdl && nb->NdisReserved[0] == ND_NB_RETREATED) {
		PMDL m;
		while ((m = nb->MdlChain) &&
		       nb->DataOffset >= MmGetMdlByteCount(m)) {
			void *kind = rt_get(m, false);
			if (!kind)
				break; /* the driver's own MDL: never freed */
			if (kind == RT_HANDLER && !FreeMdlHandler) {
				nd_report(
				    ND_RULE_NB_RETREAT_MDL, NULL, (uintptr_t)m,
				    0, site,
				    "%s: FreeMdl without a NetFreeMdl "
				    "handler for MDL %p that NetAllocateMdl "
				    "made; it stays in the chain",
				    fn, (void *)m);
				break;
			}
			rt_get(m, true);
			nb->MdlChain = m->Next;
			nb->DataOffset -= MmGetMdlByteCount(m);
			m->Next = NULL;
			if (kind == RT_OURS)
				free(m);
			else
				FreeMdlHandler(m);
		}
		if (!rt_get(nb->MdlChain, false))
			nb->NdisReserved[0] = NULL;
	}
	nb_locate(nb->MdlChain, nb->DataOffset, &nb->CurrentMdl,
		  &nb->CurrentMdlOffset);
}

void nd_nb_drop_retreat_mdls(PNET_BUFFER nb, struct nd_adapter *ad,
			     const char *fn, const void *site)
{
	if (nb->NdisReserved[0] != ND_NB_RETREATED)
		return;
	unsigned ours = 0, theirs = 0;
	bool data_in_them = false;
	PMDL m;
	while ((m = nb->MdlChain) != NULL) {
		void *kind = rt_get(m, true);
		if (!kind)
			break;
		if (nb->DataOffset < MmGetMdlByteCount(m))
			data_in_them = true;
		nb->DataOffset -= nb->DataOffset < MmGetMdlByteCount(m)
				      ? nb->DataOffset
				      : MmGetMdlByteCount(m);
		nb->MdlChain = m->Next;
		if (kind == RT_OURS) {
			ours++;
			free(m);
		} else {
			theirs++;
			m->Next = NULL;
		}
	}
	nb->NdisReserved[0] = NULL;
	if (theirs || data_in_them)
		nd_report(ND_RULE_NB_RETREAT_MDL, ad, (uintptr_t)nb, 0, site,
			  "%s: NET_BUFFER %p freed with MDLs that "
			  "NdisRetreatNetBufferDataStart chained in front "
			  "(%u of NDIS's, freed; %u from NetAllocateMdl, left "
			  "to the driver); advance with FreeMdl first",
			  fn, (void *)nb, ours, theirs);
}

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
			UINT AlignMultiple, UINT AlignOffset)
{
	const void *site = ND_SITE();
	const char *fn = "NdisGetDataBuffer";
	if (!nd_dpool_irql_ok(fn, site))
		return NULL;
	PNET_BUFFER nb = NetBuffer;
	if (!nb) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "%s: NetBuffer is NULL", fn);
		return NULL;
	}
	/* ndis.sys checks no parameter: contiguous data in place, else a
	 * copy into Storage; a malformed alignment asks for none here */
	bool align_ok = AlignMultiple &&
			!(AlignMultiple & (AlignMultiple - 1)) &&
			AlignOffset < AlignMultiple;
	if (!align_ok &&
	    nd_report(ND_RULE_POOL_PARAM_IGNORED, NULL, (uintptr_t)nb, 0, site,
		      "%s: AlignMultiple %u / AlignOffset %u: want a power of "
		      "two and an offset below it",
		      fn, AlignMultiple, AlignOffset))
		return NULL;
	if (!align_ok)
		AlignMultiple = 1, AlignOffset = 0;
	if (nb->DataLength < BytesNeeded)
		return NULL; /* documented: not enough data */
	uintptr_t mask = AlignMultiple - 1;
	PMDL m;
	ULONG off;
	nb_locate(nb->CurrentMdl, nb->CurrentMdlOffset, &m, &off);
	if (m && off <= MmGetMdlByteCount(m) &&
	    MmGetMdlByteCount(m) - off >= BytesNeeded) {
		char *p = mdl_va(m) + off;
		if (((uintptr_t)p & mask) == AlignOffset)
			return p;
	}
	if (!Storage)
		return NULL;
	if (((uintptr_t)Storage & mask) != AlignOffset &&
	    nd_report(ND_RULE_POOL_PARAM_IGNORED, NULL, (uintptr_t)Storage, 0,
		      site,
		      "%s: Storage %p is not AlignOffset %u past a multiple "
		      "of %u",
		      fn, Storage, AlignOffset, AlignMultiple))
		return NULL;
	char *dst = Storage;
	ULONG left = BytesNeeded;
	while (left) {
		if (!m) {
			nd_report(ND_RULE_NB_DATA_RANGE, NULL, (uintptr_t)nb,
				  BytesNeeded, site,
				  "%s: the MDL chain of NET_BUFFER %p ends "
				  "%lu bytes short of its DataLength",
				  fn, (void *)nb, (unsigned long)left);
			return NULL;
		}
		ULONG n =
		    MmGetMdlByteCount(m) > off ? MmGetMdlByteCount(m) - off : 0;
		if (n > left)
			n = left;
		if (n)
			memcpy(dst, mdl_va(m) + off, n);
		dst += n;
		left -= n;
		off = 0;
		m = m->Next;
	}
	return Storage;
}
