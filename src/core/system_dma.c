/* SPDX-License-Identifier: MIT */
/*
 * system_dma.c - the system DMA controller model: live channel handles and an
 * 8237-style channel per NdisMRegisterDmaChannel (base address and count
 * programmed from a mapping, the count running down as the device moves
 * bytes, single or demand mode, auto-initialize at terminal count, mask).
 * The device side is ndisdma_sim_dma_channel_transfer; every byte the
 * controller moves goes through the bus's IOMMU like any device access.
 */
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>

int nd_sysdma_add(struct nd_sysdma *d)
{
	return nd_handle_publish(&d->h, ND_H_SYSDMA, d, ND_H_NONE, NULL);
}

bool nd_sysdma_del(struct nd_sysdma *d)
{
	if (!nd_handle_unpublish(&d->h))
		return false;
	nd_handle_drain(&d->h);
	return true;
}

struct nd_sysdma *nd_sysdma_lookup(NDIS_HANDLE h, const char *fn,
				   const void *site)
{
	struct nd_handle *p = nd_handle_get(h, ND_H_SYSDMA);
	if (!p && fn)
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a DMA handle from "
			  "NdisMRegisterDmaChannel",
			  fn, h);
	return p ? nd_container_of(p, struct nd_sysdma, h) : NULL;
}

void nd_sysdma_program(struct nd_sysdma *d)
{
	d->count = d->length;
	d->pos = 0;
	d->moved = 0;
	d->cycles = 0;
	d->tcs = 0;
	d->masked = false;
}

/* The channel registered on `channel` of the adapter behind sim, held
 * (nd_sysdma_put); NULL when none. *found: the sim handle names a live
 * simulated adapter. */
static struct nd_sysdma *channel_of(ndisdma_sim *sim, unsigned channel,
				    bool *found)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(sim, NULL, NULL);
	*found = ad && ad->bus->ops->dev_read;
	if (!*found)
		return NULL;
	pthread_mutex_lock(&ad->res_lock);
	struct nd_sysdma *d = ad->sysdma;
	struct nd_handle *p = d ? nd_handle_get(d, ND_H_SYSDMA) : NULL;
	pthread_mutex_unlock(&ad->res_lock);
	if (p && d->desc.DmaChannel != channel) {
		nd_sysdma_put(d);
		p = NULL;
	}
	return p ? d : NULL;
}

/* Device address of byte `pos` of the mapping. */
static uint64_t addr_at(const struct nd_sysdma *d, uint64_t pos, size_t *run)
{
	for (unsigned i = 0; i < d->map.nsegs; i++) {
		if (pos < d->map.segs[i].len) {
			*run = d->map.segs[i].len - (size_t)pos;
			return d->map.segs[i].iova + pos;
		}
		pos -= d->map.segs[i].len;
	}
	*run = 0;
	return 0;
}

int ndisdma_sim_dma_channel_transfer(ndisdma_sim *sim, unsigned channel,
				     void *buf, size_t nbytes)
{
	const void *site = ND_SITE();
	bool found = false;
	if (!sim || (!buf && nbytes))
		return -EINVAL;
	struct nd_sysdma *d ND_SYSDMA_AUTOPUT =
	    channel_of(sim, channel, &found);
	if (!d)
		return found ? -ENODEV : -EINVAL;
	pthread_mutex_lock(&d->lock);
	if (!d->active) {
		pthread_mutex_unlock(&d->lock);
		return -EAGAIN;
	}
	size_t done = 0;
	unsigned char *p = buf;
	nbytes -= nbytes % d->unit;
	while (done < nbytes && !d->masked) {
		size_t want = nbytes - done;
		if (want > d->count)
			want = d->count;
		size_t run;
		uint64_t a = addr_at(d, d->pos, &run);
		if (want > run)
			want = run;
		int rc = nd_device_access(sim, a, p + done, want, !d->to_device,
					  site);
		if (rc) {
			pthread_mutex_unlock(&d->lock);
			return rc;
		}
		done += want;
		d->pos += want;
		d->count -= (uint32_t)want;
		d->moved += want;
		if (!d->desc.DemandMode)
			d->cycles += want / d->unit;
		if (d->count == 0) {
			d->tcs++;
			if (d->desc.AutoInitialize) {
				d->count = d->length;
				d->pos = 0;
			} else {
				d->masked = true;
			}
		}
	}
	if (d->desc.DemandMode && done)
		d->cycles++;
	pthread_mutex_unlock(&d->lock);
	return (int)(done > INT32_MAX ? INT32_MAX : done);
}

int ndisdma_sim_dma_channel_status(ndisdma_sim *sim, unsigned channel,
				   struct ndisdma_sim_dma_channel *out)
{
	bool found = false;
	if (!sim || !out)
		return -EINVAL;
	struct nd_sysdma *d ND_SYSDMA_AUTOPUT =
	    channel_of(sim, channel, &found);
	if (!d)
		return found ? -ENODEV : -EINVAL;
	pthread_mutex_lock(&d->lock);
	*out = (struct ndisdma_sim_dma_channel){
	    .programmed = d->active,
	    .masked = !d->active || d->masked,
	    .to_device = d->active && d->to_device,
	    .demand = d->desc.DemandMode != 0,
	    .autoinit = d->desc.AutoInitialize != 0,
	    .length = d->active ? d->length : 0,
	    .count = d->active ? d->count : 0,
	    .moved = d->moved,
	    .bus_cycles = d->cycles,
	    .terminal_counts = d->tcs,
	};
	pthread_mutex_unlock(&d->lock);
	return 0;
}
