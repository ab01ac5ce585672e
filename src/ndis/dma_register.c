/* SPDX-License-Identifier: MIT */
/*
 * dma_register.c - how a busmaster miniport declares its DMA before it may
 * allocate shared memory: NdisMAllocateMapRegisters and
 * NdisMInitializeScatterGatherDma (NDIS 5), NdisMRegisterScatterGatherDma
 * (NDIS 6), and NdisMGetDmaAlignment.
 */
#include "../core/core.h"
#include "../core/mapping.h"

#include <stdlib.h>
#include <string.h>

/* The checks every registration shares. Returns NDIS_STATUS_SUCCESS or the
 * documented failure, after reporting it. ndis.sys checks neither the
 * context nor a second registration (the new one replaces the old). */
static NDIS_STATUS precheck(struct nd_adapter *ad, const char *fn,
			    bool registered, const void *site)
{
	if (!nd_irql_at_most(PASSIVE_LEVEL, fn, ad, site))
		return NDIS_STATUS_FAILURE;
	if (!nd_in_init(ad) &&
	    nd_report(ND_RULE_DMA_REGISTER_CONTEXT, ad, 0, 0, site,
		      "%s outside MiniportInitialize(Ex)", fn))
		return NDIS_STATUS_FAILURE;
	if (!ad->busmaster) {
		nd_report(ND_RULE_DMA_NOT_BUSMASTER, ad, 0, 0, site,
			  "%s: the adapter's attributes do not declare a "
			  "busmaster",
			  fn);
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (registered &&
	    nd_report(ND_RULE_DMA_REGISTER_TWICE, ad, 0, 0, site,
		      "%s: already registered on this adapter", fn))
		return NDIS_STATUS_FAILURE;
	return NDIS_STATUS_SUCCESS;
}

NDIS_STATUS NdisMAllocateMapRegisters(NDIS_HANDLE h, UINT DmaChannel,
				      NDIS_DMA_SIZE DmaSize, ULONG count,
				      ULONG MaximumBufferSize)
{
	(void)DmaChannel;
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMAllocateMapRegisters", site);
	if (!ad)
		return NDIS_STATUS_INVALID_PARAMETER;
	/* ndis.sys: a non-busmaster gets SUCCESS and nothing allocated; the
	 * count is stored as a USHORT (0 allowed, no cap of 64); an unknown
	 * DmaSize is neither 32- nor 64-bit (24-bit addresses here). */
	if (!ad->busmaster) {
		if (nd_report(ND_RULE_MAPREG_NOT_BUSMASTER, ad, 0, 0, site,
			      "NdisMAllocateMapRegisters: the adapter's "
			      "attributes do not declare a busmaster"))
			return NDIS_STATUS_NOT_SUPPORTED;
		return NDIS_STATUS_SUCCESS;
	}
	NDIS_STATUS st =
	    precheck(ad, "NdisMAllocateMapRegisters", ad->mapregs, site);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	unsigned bits;
	switch (DmaSize) {
	case NDIS_DMA_24BITS:
		bits = 24;
		break;
	case NDIS_DMA_32BITS:
		bits = 32;
		break;
	case NDIS_DMA_64BITS:
		bits = 64;
		break;
	default:
		bits = 0;
		break;
	}
	if ((!bits || count == 0 || count > NDIS_MAX_MAP_REGISTERS) &&
	    nd_report(ND_RULE_DMA_PARAMS_IGNORED, ad, 0, MaximumBufferSize,
		      site,
		      "NdisMAllocateMapRegisters(DmaSize=%d, "
		      "BaseMapRegistersNeeded=%u): DmaSize 24/32/64 bits and "
		      "1..%d registers are documented",
		      (int)DmaSize, count, NDIS_MAX_MAP_REGISTERS))
		return NDIS_STATUS_INVALID_PARAMETER;
	if (!bits)
		bits = 24;
	count &= 0xFFFF;
	if (MaximumBufferSize == 0) {
		nd_report(ND_RULE_DMA_BAD_PARAMS, ad, 0, 0, site,
			  "NdisMAllocateMapRegisters with MaximumBufferSize 0");
		return NDIS_STATUS_INVALID_PARAMETER;
	}
	if (ad->mapregs) { /* registered again: the new set replaces it */
		struct nd_mapregs *r = ad->mapping;
		pthread_mutex_lock(&r->lock);
		unsigned active = r->active;
		pthread_mutex_unlock(&r->lock);
		if (active)
			return NDIS_STATUS_RESOURCES;
		nd_mapregs_destroy(ad);
		ad->mapregs = false;
		ad->mapreg_count = 0;
	}
	if (nd_fault_inject(NDISDMA_FAULT_MAPREG) ||
	    nd_mapregs_create(ad, count, MaximumBufferSize))
		return NDIS_STATUS_RESOURCES;
	ad->dma_bits = bits;
	ad->mapregs = true;
	ad->mapreg_count = count;
	ad->mapreg_max_buffer = MaximumBufferSize;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisMFreeMapRegisters(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMFreeMapRegisters", site);
	if (!ad)
		return;
	if (!nd_irql_at_most(PASSIVE_LEVEL, "NdisMFreeMapRegisters", ad, site))
		return;
	if (!nd_in_init_or_halt(ad)) {
		nd_report(ND_RULE_MAPREG_FREE_CONTEXT, ad, 0, 0, site,
			  "NdisMFreeMapRegisters outside MiniportInitialize / "
			  "MiniportHalt");
		return;
	}
	if (!ad->mapregs) {
		nd_report(ND_RULE_MAPREG_FREE_NONE, ad, 0, 0, site,
			  "no map registers are allocated");
		return;
	}
	struct nd_mapregs *r = ad->mapping;
	pthread_mutex_lock(&r->lock);
	unsigned active = r->active;
	pthread_mutex_unlock(&r->lock);
	if (active) {
		nd_report(ND_RULE_MAPREG_FREE_BUSY, ad, 0, active, site,
			  "NdisMFreeMapRegisters with %u buffer mapping(s) not "
			  "completed; the registers stay allocated",
			  active);
		return;
	}
	nd_mapregs_destroy(ad);
	ad->mapregs = false;
	ad->mapreg_count = 0;
}

NDIS_STATUS NdisMInitializeScatterGatherDma(NDIS_HANDLE h, BOOLEAN dma64,
					    ULONG MaximumPhysicalMapping)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMInitializeScatterGatherDma", site);
	if (!ad)
		return NDIS_STATUS_INVALID_PARAMETER;
	/* ndis.sys: no check of MaximumPhysicalMapping, of map registers
	 * allocated before, or of a second call */
	NDIS_STATUS st =
	    precheck(ad, "NdisMInitializeScatterGatherDma", ad->sg5, site);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	if (MaximumPhysicalMapping == 0 &&
	    nd_report(ND_RULE_DMA_PARAMS_IGNORED, ad, 0, 0, site,
		      "NdisMInitializeScatterGatherDma with "
		      "MaximumPhysicalMapping 0"))
		return NDIS_STATUS_INVALID_PARAMETER;
	ad->dma_bits = dma64 ? 64 : 32;
	ad->sg5 = true;
	ad->sg5_max_mapping = MaximumPhysicalMapping;
	return NDIS_STATUS_SUCCESS;
}

/* Free a registration: no new lookups, wait for the calls that hold it,
 * then free. Halt (reclaim) and NdisMDeregisterScatterGatherDma. */
static void sgdma_reclaim(struct nd_res *r)
{
	struct nd_sgdma *s = nd_container_of(r, struct nd_sgdma, res);
	nd_handle_unpublish(&s->h);
	nd_handle_drain(&s->h);
	if (s->ad->sgdma == s) /* not replaced by a second registration */
		s->ad->sgdma = NULL;
	s->magic = 0;
	free(s);
}

static const struct nd_res_ops sgdma_ops = {
    .name = "scatter-gather DMA registration "
	    "(NdisMRegisterScatterGatherDma)",
    .reclaim = sgdma_reclaim,
};

NDIS_STATUS NdisMRegisterScatterGatherDma(NDIS_HANDLE h,
					  PNDIS_SG_DMA_DESCRIPTION d,
					  PNDIS_HANDLE out)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMRegisterScatterGatherDma", site);
	if (!ad || !d || !out)
		return NDIS_STATUS_INVALID_PARAMETER;
	*out = NULL;
	NDIS_STATUS st = precheck(ad, "NdisMRegisterScatterGatherDma",
				  ad->sgdma != NULL, site);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	/* ndis.sys accepts revision 2 (NDIS 6.85, PdoOverride), checks Flags
	 * only for NDIS 6.50+ drivers and allows the low bits there
	 * (NDIS_SG_DMA_64_BIT_ADDRESS, NDIS_SG_DMA_V3_HAL_API), and takes a
	 * NULL ProcessSGListHandler (checked in
	 * NdisMAllocateNetBufferSGList). */
	ULONG known = NDIS_SG_DMA_64_BIT_ADDRESS | 0x2u;
	bool flags_bad = ad->drv->ndis_major == 6 &&
			 ad->drv->ndis_minor >= 50 && (d->Flags & ~known);
	if (d->Header.Type != NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION ||
	    d->Header.Revision < NDIS_SG_DMA_DESCRIPTION_REVISION_1 ||
	    d->Header.Size < NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 ||
	    flags_bad) {
		nd_report(ND_RULE_DMA_BAD_PARAMS, ad, 0, d->Header.Size, site,
			  "NDIS_SG_DMA_DESCRIPTION: type 0x%x revision %u "
			  "size %u flags 0x%x (want type 0x%x, revision >= 1, "
			  "size >= %zu, flags within 0x%x)",
			  d->Header.Type, d->Header.Revision, d->Header.Size,
			  d->Flags, NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION,
			  (size_t)NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1,
			  known);
		return NDIS_STATUS_INVALID_PARAMETER;
	}
	struct nd_sgdma *s = calloc(1, sizeof(*s));
	if (!s)
		return NDIS_STATUS_RESOURCES;
	if (ad->sgdma) { /* registered again: the new one replaces it */
		struct nd_sgdma *old = ad->sgdma;
		nd_adapter_untrack(ad, &old->res);
		sgdma_reclaim(&old->res);
	}
	s->magic = ND_SGDMA_MAGIC;
	s->ad = ad;
	memcpy(&s->desc, d, NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1);
	/* A list for the largest mapping: one element per page it can
	 * touch, plus one for a start inside a page. */
	ULONG max =
	    d->MaximumPhysicalMapping ? d->MaximumPhysicalMapping : 0xFFFFFFFFu;
	uint64_t elems = ((uint64_t)max + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	uint64_t bytes = sizeof(SCATTER_GATHER_LIST) +
			 elems * sizeof(SCATTER_GATHER_ELEMENT);
	d->ScatterGatherListSize =
	    bytes > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)bytes;
	s->desc.ScatterGatherListSize = d->ScatterGatherListSize;
	if (nd_handle_publish(&s->h, ND_H_SGDMA, s, ND_H_NONE, NULL)) {
		free(s);
		return NDIS_STATUS_RESOURCES;
	}
	ad->dma_bits = (d->Flags & NDIS_SG_DMA_64_BIT_ADDRESS) ? 64 : 32;
	ad->sgdma = s;
	nd_adapter_track(ad, &s->res, &sgdma_ops, site);
	*out = (NDIS_HANDLE)s;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterScatterGatherDma(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_sgdma *s =
	    nd_sgdma_lookup(h, "NdisMDeregisterScatterGatherDma", site);
	if (!s)
		return;
	if (!nd_irql_at_most(PASSIVE_LEVEL, "NdisMDeregisterScatterGatherDma",
			     s->ad, site)) {
		nd_sgdma_put(s);
		return;
	}
	/* one deregistration wins; a racing one returns here */
	bool won = nd_handle_unpublish(&s->h);
	nd_sgdma_put(s);
	if (!won)
		return;
	nd_adapter_untrack(s->ad, &s->res);
	sgdma_reclaim(&s->res);
}

ULONG NdisMGetDmaAlignment(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMGetDmaAlignment", site);
	if (ad) {
		nd_irql_at_most(PASSIVE_LEVEL, "NdisMGetDmaAlignment", ad,
				site);
		if (!ad->mapregs && !ad->sg5 && !ad->sgdma && !ad->sysdma)
			nd_report(ND_RULE_SHM_NO_DMA, ad, 0, 0, site,
				  "NdisMGetDmaAlignment before DMA "
				  "registration");
	}
	return nd_cache_line();
}
