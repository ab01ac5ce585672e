/* SPDX-License-Identifier: MIT */
/*
 * system_dma.c - system ("slave") DMA for subordinate NICs (Microsoft:
 * NdisMRegisterDmaChannel):
 * NdisMRegisterDmaChannel, NdisMSetupDmaTransfer, NdisMCompleteDmaTransfer,
 * NdisMReadDmaCounter, NdisMDeregisterDmaChannel. Checks the documented
 * rules; the channel model and the mapping are in core (system_dma.c,
 * mapping.c).
 */
#include "../core/core.h"
#include "../core/mapping.h"

#include <stdlib.h>
#include <string.h>

/* Free a channel: no new lookups, wait for the calls holding it (the
 * caller holds no reference), undo its mapping, free. */
static void sysdma_free(struct nd_sysdma *d)
{
	struct nd_adapter *ad = d->ad;
	nd_sysdma_del(d);
	pthread_mutex_lock(&ad->res_lock);
	if (ad->sysdma == d) /* not replaced by a second registration */
		ad->sysdma = NULL;
	pthread_mutex_unlock(&ad->res_lock);
	pthread_mutex_lock(&d->lock);
	if (d->active) {
		nd_unmap_discard(ad, &d->map);
		d->active = false;
	}
	pthread_mutex_unlock(&d->lock);
	nd_bounce_release(ad, &d->bounce);
	d->magic = 0;
	pthread_mutex_destroy(&d->lock);
	free(d->segs);
	free(d);
}

static void sysdma_reclaim(struct nd_res *r)
{
	sysdma_free(
	    (struct nd_sysdma *)((char *)r - offsetof(struct nd_sysdma, res)));
}

static const struct nd_res_ops sysdma_ops = {
    .name = "system DMA channel (NdisMRegisterDmaChannel)",
    .reclaim = sysdma_reclaim,
};

NDIS_STATUS NdisMRegisterDmaChannel(PNDIS_HANDLE out, NDIS_HANDLE h,
				    UINT DmaChannel, BOOLEAN dma32,
				    PNDIS_DMA_DESCRIPTION desc,
				    ULONG MaximumLength)
{
	static const char fn[] = "NdisMRegisterDmaChannel";
	const void *site = ND_SITE();
	if (out)
		*out = NULL;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, fn, site);
	if (!ad || !out || !desc)
		return NDIS_STATUS_INVALID_PARAMETER;
	if (!nd_irql_at_most(PASSIVE_LEVEL, fn, ad, site))
		return NDIS_STATUS_FAILURE;
	/* ndis.sys makes no NDIS-level check: it uses the DmaChannel
	 * argument and hands the rest to the HAL. A channel the controller
	 * lacks and a zero length are refused (the HAL fails them). */
	if (!nd_in_init(ad) &&
	    nd_report(ND_RULE_DMA_REGISTER_CONTEXT, ad, 0, 0, site,
		      "%s outside MiniportInitialize(Ex)", fn))
		return NDIS_STATUS_FAILURE;
	if (ad->sysdma && nd_report(ND_RULE_DMA_REGISTER_TWICE, ad, 0, 0, site,
				    "%s: channel %u is already registered", fn,
				    ad->sysdma->desc.DmaChannel))
		return NDIS_STATUS_FAILURE;
	NDIS_DMA_DESCRIPTION dd = *desc;
	if (!dd.DmaChannelSpecified)
		dd.DmaChannel = DmaChannel;
	if ((!desc->DmaChannelSpecified ||
	     (desc->DmaWidth != Width8Bits && desc->DmaWidth != Width16Bits &&
	      desc->DmaWidth != Width32Bits) ||
	     (unsigned)desc->DmaSpeed > (unsigned)TypeC ||
	     desc->DmaPort != 0) &&
	    nd_report(ND_RULE_DMA_PARAMS_IGNORED, ad, 0, MaximumLength, site,
		      "%s: DmaChannelSpecified %d, DmaWidth %d, DmaSpeed %d, "
		      "DmaPort %u (want a specified channel, Width8/16/32Bits, "
		      "Compatible..TypeC, DmaPort 0)",
		      fn, desc->DmaChannelSpecified, (int)desc->DmaWidth,
		      (int)desc->DmaSpeed, desc->DmaPort))
		return NDIS_STATUS_INVALID_PARAMETER;
	if (dd.DmaChannel >= NDIS_SYSTEM_DMA_CHANNELS || MaximumLength == 0) {
		nd_report(ND_RULE_DMA_BAD_PARAMS, ad, 0, MaximumLength, site,
			  "%s: DmaChannel %u, MaximumLength %u (want a "
			  "channel 0..%d, a non-zero length)",
			  fn, dd.DmaChannel, MaximumLength,
			  NDIS_SYSTEM_DMA_CHANNELS - 1);
		return NDIS_STATUS_INVALID_PARAMETER;
	}
	desc = &dd;
	struct nd_sysdma *d = calloc(1, sizeof(*d));
	if (!d)
		return NDIS_STATUS_RESOURCES;
	d->capsegs =
	    (unsigned)(((uint64_t)MaximumLength + PAGE_SIZE - 1) / PAGE_SIZE) +
	    1;
	d->segs = calloc(d->capsegs, sizeof(*d->segs));
	if (!d->segs) {
		free(d->segs);
		free(d);
		return NDIS_STATUS_RESOURCES;
	}
	d->magic = ND_SYSDMA_MAGIC;
	d->ad = ad;
	d->desc = *desc;
	d->max_length = MaximumLength;
	d->bits = dma32 ? 32 : 24;
	d->unit = desc->DmaWidth == Width8Bits	  ? 1
		  : desc->DmaWidth == Width16Bits ? 2
						  : 4;
	d->map.segs = d->segs;
	d->map.capsegs = d->capsegs;
	d->map.bounce = &d->bounce;
	pthread_mutex_init(&d->lock, NULL);
	if (nd_sysdma_add(d)) { /* published once complete */
		pthread_mutex_destroy(&d->lock);
		free(d->segs);
		free(d);
		return NDIS_STATUS_RESOURCES;
	}
	if (!ad->dma_bits)
		ad->dma_bits = d->bits;
	pthread_mutex_lock(&ad->res_lock);
	ad->sysdma = d;
	pthread_mutex_unlock(&ad->res_lock);
	nd_adapter_track(ad, &d->res, &sysdma_ops, site);
	*out = (NDIS_HANDLE)d;
	return NDIS_STATUS_SUCCESS;
}

static uint64_t channel_limit(struct nd_sysdma *d)
{
	uint64_t lim = (1ull << d->bits) - 1;
	uint64_t ad_lim = nd_adapter_dma_limit(d->ad);
	return ad_lim < lim ? ad_lim : lim;
}

VOID NdisMSetupDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE h,
			   PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
			   BOOLEAN WriteToDevice)
{
	static const char fn[] = "NdisMSetupDmaTransfer";
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	struct nd_sysdma *d ND_SYSDMA_AUTOPUT = nd_sysdma_lookup(h, fn, site);
	if (!d)
		goto out;
	struct nd_adapter *ad = d->ad;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		goto out;
	if (Length > d->max_length) {
		nd_report(ND_RULE_SYSDMA_TOO_LONG, ad, Offset, Length, site,
			  "%s of %u bytes; MaximumLength was %u", fn, Length,
			  d->max_length);
		goto out;
	}
	if (!Buffer || Length == 0 ||
	    (uint64_t)Offset + Length > MmGetMdlByteCount(Buffer)) {
		nd_report(ND_RULE_SYSDMA_RANGE, ad, Offset, Length, site,
			  "%s: Offset %u + Length %u %s", fn, Offset, Length,
			  !Buffer	? "of a NULL buffer"
			  : Length == 0 ? "(a zero-length transfer)"
					: "is past the buffer's ByteCount");
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	if (d->active) {
		pthread_mutex_unlock(&d->lock);
		nd_report(ND_RULE_SYSDMA_SETUP_TWICE, ad, Offset, Length, site,
			  "%s: channel %u already has a transfer set up "
			  "(NdisMCompleteDmaTransfer first)",
			  fn, d->desc.DmaChannel);
		goto out;
	}
	char *va = (char *)MmGetMdlVirtualAddress(Buffer) + Offset;
	int rc = nd_map_range(ad, &d->map, va, Length, WriteToDevice != FALSE,
			      channel_limit(d), d->max_length);
	if (rc) {
		pthread_mutex_unlock(&d->lock);
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	d->active = true;
	d->mdl = Buffer;
	d->offset = Offset;
	d->length = Length;
	d->to_device = WriteToDevice != FALSE;
	nd_sysdma_program(d);
	pthread_mutex_unlock(&d->lock);
	st = NDIS_STATUS_SUCCESS;
out:
	if (Status)
		*Status = st;
}

VOID NdisMCompleteDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE h,
			      PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
			      BOOLEAN WriteToDevice)
{
	static const char fn[] = "NdisMCompleteDmaTransfer";
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	struct nd_sysdma *d ND_SYSDMA_AUTOPUT = nd_sysdma_lookup(h, fn, site);
	if (!d)
		goto out;
	struct nd_adapter *ad = d->ad;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		goto out;
	pthread_mutex_lock(&d->lock);
	if (!d->active) {
		pthread_mutex_unlock(&d->lock);
		nd_report(ND_RULE_SYSDMA_COMPLETE_NO_SETUP, ad, Offset, Length,
			  site, "%s: no transfer is set up on channel %u", fn,
			  d->desc.DmaChannel);
		goto out;
	}
	if (d->mdl != Buffer || d->offset != Offset || d->length != Length ||
	    d->to_device != (WriteToDevice != FALSE)) {
		pthread_mutex_unlock(&d->lock);
		nd_report(ND_RULE_SYSDMA_COMPLETE_MISMATCH, ad, Offset, Length,
			  site,
			  "%s(buffer %p, Offset %u, Length %u, WriteToDevice "
			  "%d): the setup was (%p, %u, %u, %d)",
			  fn, (void *)Buffer, Offset, Length, WriteToDevice,
			  (void *)d->mdl, d->offset, d->length, d->to_device);
		goto out;
	}
	nd_unmap_range(ad, &d->map);
	d->active = false;
	d->masked = true;
	d->mdl = NULL;
	pthread_mutex_unlock(&d->lock);
	st = NDIS_STATUS_SUCCESS;
out:
	if (Status)
		*Status = st;
}

ULONG NdisMReadDmaCounter(NDIS_HANDLE h)
{
	struct nd_sysdma *d ND_SYSDMA_AUTOPUT =
	    nd_sysdma_lookup(h, "NdisMReadDmaCounter", ND_SITE());
	if (!d)
		return 0;
	pthread_mutex_lock(&d->lock);
	ULONG n = d->active ? d->count : 0;
	pthread_mutex_unlock(&d->lock);
	return n;
}

VOID NdisMDeregisterDmaChannel(NDIS_HANDLE h)
{
	static const char fn[] = "NdisMDeregisterDmaChannel";
	const void *site = ND_SITE();
	struct nd_sysdma *d = nd_sysdma_lookup(h, fn, site);
	if (!d)
		return;
	if (!nd_irql_at_most(PASSIVE_LEVEL, fn, d->ad, site)) {
		nd_sysdma_put(d);
		return;
	}
	/* one deregistration wins; a racing one returns here */
	bool won = nd_handle_unpublish(&d->h);
	nd_sysdma_put(d);
	if (!won)
		return;
	nd_adapter_untrack(d->ad, &d->res);
	sysdma_free(d);
}
