/* SPDX-License-Identifier: MIT */
/*
 * nb_data.h - what nbl.c, net_buffers.c and nb_data.c share about a
 * NET_BUFFER's data: placing DataOffset / DataLength in an MDL chain,
 * pointing a NET_BUFFER at its descriptor's own MDL and data, and the
 * MDLs NdisRetreatNetBufferDataStart chains in front.
 */
#ifndef NDISDMA_NDIS_NB_DATA_H
#define NDISDMA_NDIS_NB_DATA_H

#include "descr.h"

/* NET_BUFFER.NdisReserved[0] once a retreat chained an MDL in front */
#define ND_NB_RETREATED ((PVOID)(uintptr_t)0x4e445254u) /* NDRT */

/* The largest DataSize a pool is expected to be made with: above any
 * jumbo frame or large-send payload a NIC handles. Windows documents no
 * limit and allocates descriptors on demand, so a larger one is reported
 * (pool.bad-params) and accepted; nothing is committed for it until a
 * descriptor is allocated. */
#define ND_DATA_SIZE_MAX (1u << 20)

static inline void nd_data_size_note(ULONG data_size, struct nd_adapter *ad,
				     const char *fn, const void *site)
{
	if (data_size > ND_DATA_SIZE_MAX)
		nd_report(ND_RULE_POOL_BAD_PARAMS, ad, 0, data_size, site,
			  "%s: DataSize %lu is more than any NIC can use "
			  "(accepted, as NDIS does; each descriptor costs as "
			  "much)",
			  fn, (unsigned long)data_size);
}

/* Descriptors per slab of a growing pool of `size`-byte descriptors:
 * about 1 MiB per slab, at most 256, at least 1. */
static inline uint32_t nd_slab_objs(size_t size)
{
	size_t per = ((size_t)1 << 20) / size;
	return per > 256 ? 256 : per < 1 ? 1 : (uint32_t)per;
}

/* True when DataOffset + DataLength fits in the chain (a NULL chain
 * takes 0 and 0). Cannot fail. */
bool nd_nb_range_ok(PMDL chain, ULONG off, SIZE_T len);

/* Walk to the MDL holding byte `off` of the chain (an offset at an MDL's
 * end moves to the next MDL when there is one). */
static inline void nb_locate(PMDL chain, ULONG off, PMDL *mdl, ULONG *moff)
{
	PMDL m = chain;
	while (m && off >= MmGetMdlByteCount(m) && m->Next) {
		off -= MmGetMdlByteCount(m);
		m = m->Next;
	}
	*mdl = m;
	*moff = off;
}

/* Fill MdlChain, DataOffset, DataLength, CurrentMdl(Offset) (the range
 * was checked with nd_nb_range_ok). */
static inline void nb_set_data(PNET_BUFFER nb, PMDL chain, ULONG off,
			       SIZE_T len)
{
	nb->MdlChain = chain;
	nb->DataOffset = off;
	nb->stDataLength = len;
	nb_locate(chain, off, &nb->CurrentMdl, &nb->CurrentMdlOffset);
}

/* Point nb at the MDL and data of the descriptor at obj (pools with a
 * DataSize): DataOffset 0, DataLength DataSize. */
static inline void nb_set_own_data(PNET_BUFFER nb, struct nd_dpool *dp,
				   void *obj)
{
	PMDL m = (PMDL)((char *)obj + dp->mdl_offset);
	mdl_build(m, (char *)obj + dp->data_offset, dp->data_size);
	nb->MdlChain = m;
	nb->CurrentMdl = m;
	nb->CurrentMdlOffset = 0;
	nb->DataOffset = 0;
	nb->stDataLength = dp->data_size;
}

/* A NET_BUFFER is being freed (fn) with retreat MDLs possibly still in
 * front: NDIS's are freed, the driver's (NetAllocateMdl) are left to it;
 * reported as nb.retreat-mdl unless they were all fully advanced
 * past and NDIS's own. Cannot fail. */
void nd_nb_drop_retreat_mdls(PNET_BUFFER nb, struct nd_adapter *ad,
			     const char *fn, const void *site);

#endif
