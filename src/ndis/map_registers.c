/* SPDX-License-Identifier: MIT */
/*
 * map_registers.c - busmaster mappings of arbitrary buffers through map
 * registers (Microsoft: NdisMAllocateMapRegisters and the map-register
 * model of NDIS 5): NdisMStartBufferPhysicalMapping,
 * NdisMCompleteBufferPhysicalMapping, NdisQueryMapRegisterCount,
 * NdisGetBufferPhysicalArraySize. NdisMAllocateMapRegisters and
 * NdisMFreeMapRegisters are in dma_register.c. Checks the documented
 * rules, then calls core (mapping.c).
 */
#include "../core/core.h"
#include "../core/mapping.h"
#include <errno.h>

/* The register a call names, or NULL after reporting mapreg.index. */
static struct nd_mapreg *reg_of(struct nd_adapter *ad, ULONG index,
				const char *fn, const void *site)
{
	struct nd_mapregs *r = ad->mapping;
	if (!r) {
		nd_report(ND_RULE_MAPREG_INDEX, ad, index, 0, site,
			  "%s: no map registers are allocated "
			  "(NdisMAllocateMapRegisters)",
			  fn);
		return NULL;
	}
	if (index >= r->count) {
		nd_report(ND_RULE_MAPREG_INDEX, ad, index, 0, site,
			  "%s: map register %u; the adapter has %u (0..%u)", fn,
			  index, r->count, r->count - 1);
		return NULL;
	}
	return &r->reg[index];
}

VOID NdisMStartBufferPhysicalMapping(NDIS_HANDLE h, PNDIS_BUFFER Buffer,
				     ULONG PhysicalMapRegister,
				     BOOLEAN WriteToDevice,
				     PNDIS_PHYSICAL_ADDRESS_UNIT units,
				     PUINT ArraySize)
{
	static const char fn[] = "NdisMStartBufferPhysicalMapping";
	const void *site = ND_SITE();
	UINT cap = ArraySize ? *ArraySize : 0;
	if (ArraySize)
		*ArraySize = 0;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, fn, site);
	if (!ad)
		return;
	if (!ArraySize) {
		nd_report(ND_RULE_MAPREG_ARRAY_TOO_SMALL, ad, 0, 0, site,
			  "%s with a NULL ArraySize", fn);
		return;
	}
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		return;
	struct nd_mapreg *g = reg_of(ad, PhysicalMapRegister, fn, site);
	if (!g)
		return;
	if (!Buffer || MmGetMdlByteCount(Buffer) == 0) {
		nd_report(ND_RULE_MAPREG_ZERO_LENGTH, ad, 0, 0, site,
			  "%s of %s on register %u", fn,
			  Buffer ? "a zero-length buffer" : "a NULL buffer",
			  PhysicalMapRegister);
		return;
	}
	struct nd_mapregs *r = ad->mapping;
	void *va = MmGetMdlVirtualAddress(Buffer);
	ULONG len = MmGetMdlByteCount(Buffer);
	if ((uintptr_t)va + len - 1 < (uintptr_t)va) {
		nd_report(ND_RULE_MDL_WRAPS, ad, (uintptr_t)va, len, site,
			  "%s: the buffer at %p of %u bytes runs past the end "
			  "of the address space",
			  fn, va, len);
		return;
	}
	if (len > r->max_buffer) {
		nd_report(ND_RULE_MAPREG_TOO_LONG, ad, (uintptr_t)va, len, site,
			  "%s: the buffer has %u bytes; MaximumBufferSize "
			  "was %u",
			  fn, len, r->max_buffer);
		return;
	}
	if (!units) {
		nd_report(ND_RULE_MAPREG_ARRAY_TOO_SMALL, ad, (uintptr_t)va,
			  len, site, "%s with a NULL PhysicalAddressArray", fn);
		return;
	}
	pthread_mutex_lock(&r->lock);
	if (g->busy) {
		char where[128];
		nd_site_name(g->site, where, sizeof(where));
		pthread_mutex_unlock(&r->lock);
		nd_report(ND_RULE_MAPREG_BUSY, ad, (uintptr_t)va, len, site,
			  "%s: register %u still maps buffer %p (started at "
			  "%s); complete it first",
			  fn, PhysicalMapRegister, (void *)g->mdl, where);
		return;
	}
	g->map.capsegs = cap < r->pages ? cap : r->pages;
	int rc = nd_map_range(ad, &g->map, va, len, WriteToDevice != FALSE,
			      nd_adapter_dma_limit(ad), r->max_buffer);
	g->map.capsegs = r->pages;
	if (rc) {
		pthread_mutex_unlock(&r->lock);
		if (rc == -ENOSPC)
			nd_report(ND_RULE_MAPREG_ARRAY_TOO_SMALL, ad,
				  (uintptr_t)va, len, site,
				  "%s: *ArraySize %u, the mapping needs %u "
				  "units (NdisGetBufferPhysicalArraySize)",
				  fn, cap, g->map.nsegs);
		return;
	}
	for (unsigned i = 0; i < g->map.nsegs; i++) {
		units[i].PhysicalAddress.QuadPart =
		    (LONGLONG)g->map.segs[i].iova;
		units[i].Length = (UINT)g->map.segs[i].len;
	}
	*ArraySize = g->map.nsegs;
	g->busy = true;
	g->mdl = Buffer;
	g->site = site;
	r->active++;
	pthread_mutex_unlock(&r->lock);
}

VOID NdisMCompleteBufferPhysicalMapping(NDIS_HANDLE h, PNDIS_BUFFER Buffer,
					ULONG PhysicalMapRegister)
{
	static const char fn[] = "NdisMCompleteBufferPhysicalMapping";
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, fn, site);
	if (!ad)
		return;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		return;
	struct nd_mapreg *g = reg_of(ad, PhysicalMapRegister, fn, site);
	if (!g)
		return;
	struct nd_mapregs *r = ad->mapping;
	pthread_mutex_lock(&r->lock);
	if (!g->busy || g->mdl != Buffer || !Buffer ||
	    MmGetMdlVirtualAddress(Buffer) != g->map.host ||
	    MmGetMdlByteCount(Buffer) != g->map.len) {
		bool busy = g->busy;
		PNDIS_BUFFER held = g->mdl;
		pthread_mutex_unlock(&r->lock);
		if (!busy)
			nd_report(ND_RULE_MAPREG_COMPLETE_WRONG, ad,
				  (uintptr_t)Buffer, 0, site,
				  "%s: register %u maps nothing", fn,
				  PhysicalMapRegister);
		else
			nd_report(ND_RULE_MAPREG_COMPLETE_WRONG, ad,
				  (uintptr_t)Buffer, 0, site,
				  "%s: register %u maps buffer %p, not %p "
				  "(or the buffer's address or length changed "
				  "since the mapping)",
				  fn, PhysicalMapRegister, (void *)held,
				  (void *)Buffer);
		return;
	}
	nd_unmap_range(ad, &g->map);
	g->busy = false;
	g->mdl = NULL;
	r->active--;
	pthread_mutex_unlock(&r->lock);
}

NDIS_STATUS NdisQueryMapRegisterCount(NDIS_INTERFACE_TYPE BusType,
				      PUINT MapRegisterCount)
{
	(void)BusType;
	if (!MapRegisterCount)
		return NDIS_STATUS_INVALID_PARAMETER;
	*MapRegisterCount = NDIS_MAX_MAP_REGISTERS;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisGetBufferPhysicalArraySize(PNDIS_BUFFER Buffer, PUINT ArraySize)
{
	if (!ArraySize)
		return;
	if (!Buffer || MmGetMdlByteCount(Buffer) == 0) {
		*ArraySize = 0;
		return;
	}
	*ArraySize = ADDRESS_AND_SIZE_TO_SPAN_PAGES(
	    MmGetMdlVirtualAddress(Buffer), MmGetMdlByteCount(Buffer));
}
