/* SPDX-License-Identifier: MIT */
/*
 * sg_lists.c - scatter-gather lists: NdisMAllocateNetBufferSGList and
 * NdisMFreeNetBufferSGList (NDIS 6), and the host's NDIS 5 per-packet
 * lists (ndisdma_packet_sg_build / ndisdma_packet_sg_free, placed in
 * NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo)).
 * Checks the documented rules, then calls core (sg_lists.c).
 */
#include "../core/core.h"
#include "../core/mapping.h"

#include <errno.h>

/* The DMA registration a handle names, held (the caller puts it), or
 * NULL after reporting: an
 * adapter handle (a common slip) is "sg.no-registration" when the
 * adapter has no NdisMRegisterScatterGatherDma, anything else (the
 * adapter handle of one that has) "sgdma.bad-handle". */
static struct nd_sgdma *dma_of(NDIS_HANDLE h, const char *fn, const void *site)
{
	struct nd_sgdma *s = nd_sgdma_lookup(h, NULL, NULL);
	if (s)
		return s;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (ad && ad->sgdma) {
		nd_report(ND_RULE_SGDMA_BAD_HANDLE, ad, (uintptr_t)h, 0, site,
			  "%s with the miniport adapter handle; pass the DMA "
			  "handle NdisMRegisterScatterGatherDma returned",
			  fn);
		return NULL;
	}
	if (ad) {
		nd_report(ND_RULE_SG_NO_REGISTRATION, ad, 0, 0, site,
			  "%s on an adapter without "
			  "NdisMRegisterScatterGatherDma",
			  fn);
		return NULL;
	}
	return nd_sgdma_lookup(h, fn, site);
}

NDIS_STATUS NdisMAllocateNetBufferSGList(NDIS_HANDLE h, PNET_BUFFER nb,
					 PVOID Context, ULONG Flags, PVOID buf,
					 ULONG bufsize)
{
	static const char fn[] = "NdisMAllocateNetBufferSGList";
	const void *site = ND_SITE();
	struct nd_sgdma *s ND_SGDMA_AUTOPUT = dma_of(h, fn, site);
	if (!s)
		return NDIS_STATUS_FAILURE;
	struct nd_adapter *ad = s->ad;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		return NDIS_STATUS_FAILURE;
	if (!s->desc.ProcessSGListHandler) {
		nd_report(ND_RULE_SG_NO_HANDLER, ad, 0, 0, site,
			  "%s: NdisMRegisterScatterGatherDma was given no "
			  "ProcessSGListHandler",
			  fn);
		return NDIS_STATUS_FAILURE;
	}
	if (!nb) {
		nd_report(ND_RULE_SG_BAD_PARAMS, ad, 0, 0, site,
			  "%s with a NULL NET_BUFFER", fn);
		return NDIS_STATUS_FAILURE;
	}
	/* ndis.sys has no length check: a longer list comes from a
	 * lookaside list (here our own storage), an empty one has no
	 * elements. */
	ULONG len = NET_BUFFER_DATA_LENGTH(nb);
	ULONG max = s->desc.MaximumPhysicalMapping;
	if (max && len > max &&
	    nd_report(ND_RULE_SG_TOO_LONG, ad, (uintptr_t)nb, len, site,
		      "%s: NET_BUFFER %p has %u bytes; "
		      "MaximumPhysicalMapping is %u",
		      fn, (void *)nb, len, max))
		return NDIS_STATUS_FAILURE;
	if (len == 0 &&
	    nd_report(ND_RULE_SG_EMPTY, ad, (uintptr_t)nb, 0, site,
		      "%s: NET_BUFFER %p has DataLength 0", fn, (void *)nb))
		return NDIS_STATUS_FAILURE;
	struct nd_sg_req rq = {
	    .mdl = NET_BUFFER_CURRENT_MDL(nb),
	    .offset = NET_BUFFER_CURRENT_MDL_OFFSET(nb),
	    .length = len,
	    .to_device = (Flags & NDIS_SG_LIST_WRITE_TO_DEVICE) != 0,
	    .buf = buf,
	    .bufsize = buf ? bufsize : 0,
	    .owner = nb,
	    .site = site,
	};
	if (nd_sg_measure(&rq, NULL, NULL)) {
		nd_report(ND_RULE_SG_BAD_PARAMS, ad, (uintptr_t)nb, len, site,
			  "%s: NET_BUFFER %p: DataLength %u at CurrentMdl %p "
			  "+ CurrentMdlOffset %u runs past the "
			  "MDL chain",
			  fn, (void *)nb, len, (void *)rq.mdl, rq.offset);
		return NDIS_STATUS_FAILURE;
	}
	if (buf && nd_sg_is_live(ad, buf)) {
		if (nd_report(ND_RULE_SG_BUFFER_LIVE, ad, (uintptr_t)buf,
			      bufsize, site,
			      "%s: ScatterGatherListBuffer %p still holds a "
			      "list not freed with NdisMFreeNetBufferSGList",
			      fn, buf))
			return NDIS_STATUS_FAILURE;
		rq.buf = NULL; /* the old list stays live (it leaks on
				  Windows); the new one in our storage */
		rq.bufsize = 0;
	}
	SCATTER_GATHER_LIST *l;
	if (nd_sg_build(ad, &rq, &l))
		return NDIS_STATUS_RESOURCES;
	/* Delivered before we return, at DISPATCH_LEVEL, as NDIS may. */
	struct nd_cb_save cb;
	nd_cb_enter(&cb, ad->drv, ad, ND_CB_ASYNC, DISPATCH_LEVEL);
	s->desc.ProcessSGListHandler(NULL, NULL, l, Context);
	nd_cb_leave(&cb);
	return NDIS_STATUS_SUCCESS;
}

VOID NdisMFreeNetBufferSGList(NDIS_HANDLE h, PSCATTER_GATHER_LIST l,
			      PNET_BUFFER nb)
{
	static const char fn[] = "NdisMFreeNetBufferSGList";
	const void *site = ND_SITE();
	struct nd_sgdma *s ND_SGDMA_AUTOPUT = dma_of(h, fn, site);
	if (!s)
		return;
	struct nd_adapter *ad = s->ad;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		return;
	const void *held = NULL;
	int rc = nd_sg_free(ad, l, nb, &held);
	if (rc == -ENOENT)
		nd_report(ND_RULE_SG_DOUBLE_FREE, ad, (uintptr_t)l, 0, site,
			  "%s: %p is no live scatter-gather list (freed "
			  "already, or never delivered)",
			  fn, (void *)l);
	else if (rc == -EXDEV)
		nd_report(ND_RULE_SG_FREE_WRONG_BUFFER, ad, (uintptr_t)l, 0,
			  site,
			  "%s: list %p was built for %p, not NET_BUFFER %p; it "
			  "stays allocated",
			  fn, (void *)l, held, (void *)nb);
}

/* ---------------- NDIS 5: the host's per-packet lists ---------------- */

int ndisdma_packet_sg_build(ndisdma_adapter *h, struct _NDIS_PACKET *p,
			    int write_to_device)
{
	static const char fn[] = "ndisdma_packet_sg_build";
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (!ad || !p)
		return -EINVAL;
	if (!ad->sg5) {
		nd_report(ND_RULE_SG_NO_REGISTRATION, ad, (uintptr_t)p, 0, site,
			  "%s: the miniport did not call "
			  "NdisMInitializeScatterGatherDma",
			  fn);
		return -ENOTSUP;
	}
	PVOID *slot =
	    &NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
	if (*slot && nd_sg_is_live(ad, *slot))
		return -EBUSY;
	uint64_t total = 0;
	for (PNDIS_BUFFER b = p->Private.Head; b; b = b->Next)
		total += MmGetMdlByteCount(b);
	if (total == 0 || total > 0xFFFFFFFFu)
		return -EINVAL;
	/* no length check in NDIS either (the HAL builds the list) */
	if (ad->sg5_max_mapping && total > ad->sg5_max_mapping &&
	    nd_report(ND_RULE_SG_TOO_LONG, ad, (uintptr_t)p, total, site,
		      "%s: packet %p has %llu bytes; "
		      "MaximumPhysicalMapping is %u",
		      fn, (void *)p, (unsigned long long)total,
		      ad->sg5_max_mapping))
		return -EMSGSIZE;
	struct nd_sg_req rq = {
	    .mdl = p->Private.Head,
	    .offset = 0,
	    .length = (ULONG)total,
	    .to_device = write_to_device != 0,
	    .owner = p,
	    .ndis5 = true,
	    .site = site,
	};
	SCATTER_GATHER_LIST *l;
	int rc = nd_sg_build(ad, &rq, &l);
	if (rc)
		return rc;
	*slot = l;
	return 0;
}

int ndisdma_packet_sg_free(ndisdma_adapter *h, struct _NDIS_PACKET *p)
{
	static const char fn[] = "ndisdma_packet_sg_free";
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (!ad || !p)
		return -EINVAL;
	PVOID *slot =
	    &NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
	const void *held = NULL;
	int rc = nd_sg_free(ad, *slot, p, &held);
	if (rc == -ENOENT) {
		nd_report(ND_RULE_SG_DOUBLE_FREE, ad, (uintptr_t)*slot, 0, site,
			  "%s: packet %p carries no live scatter-gather list "
			  "(%p: freed already, or never built)",
			  fn, (void *)p, *slot);
		return rc;
	}
	if (rc == -EXDEV) {
		nd_report(ND_RULE_SG_FREE_WRONG_BUFFER, ad, (uintptr_t)*slot, 0,
			  site,
			  "%s: the list %p in packet %p's "
			  "ScatterGatherListPacketInfo was built for packet "
			  "%p; it stays allocated",
			  fn, *slot, (void *)p, held);
		return rc;
	}
	*slot = NULL;
	return 0;
}
