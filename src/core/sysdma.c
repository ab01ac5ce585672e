/* SPDX-License-Identifier: MIT */
/*
 * sysdma.c - the system DMA controller model: live channel handles and an
 * 8237-style channel per NdisMRegisterDmaChannel (base address and count
 * programmed from a mapping, the count running down as the device moves
 * bytes, single or demand mode, auto-initialize at terminal count, mask).
 * The device side is ndisdma_sim_dma_channel_transfer; every byte the
 * controller moves goes through the bus's IOMMU like any device access.
 */
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nd_sysdma **live;
static size_t nlive, caplive;

int sysdma_add(struct nd_sysdma *d)
{
	int rc = 0;
	pthread_mutex_lock(&reg_lock);
	if (nlive == caplive) {
		size_t cap = caplive ? caplive * 2 : 8;
		struct nd_sysdma **n = realloc(live, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		live = n;
		caplive = cap;
	}
	live[nlive++] = d;
out:
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

void sysdma_del(struct nd_sysdma *d)
{
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < nlive; i++)
		if (live[i] == d) {
			live[i] = live[--nlive];
			break;
		}
	if (!nlive) {
		free(live);
		live = NULL;
		caplive = 0;
	}
	pthread_mutex_unlock(&reg_lock);
}

struct nd_sysdma *sysdma_lookup(NDIS_HANDLE h, const char *fn,
				const void *site)
{
	struct nd_sysdma *found = NULL;
	pthread_mutex_lock(&reg_lock);
	for (size_t i = 0; i < nlive; i++)
		if ((void *)live[i] == h)
			found = live[i];
	pthread_mutex_unlock(&reg_lock);
	if (!found && fn)
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a DMA handle from "
			  "NdisMRegisterDmaChannel",
			  fn, h);
	return found;
}

void sysdma_program(struct nd_sysdma *d)
{
	d->count = d->length;
	d->pos = 0;
	d->moved = 0;
	d->cycles = 0;
	d->tcs = 0;
	d->masked = false;
}

/* The channel registered on `channel` of the adapter behind sim. */
static struct nd_sysdma *channel_of(ndisdma_sim *sim, unsigned channel,
				    struct nd_adapter **adp)
{
	struct nd_adapter *ad = nd_adapter_lookup(sim, NULL, NULL);
	if (!ad || !ad->bus->ops->dev_read)
		return NULL;
	*adp = ad;
	struct nd_sysdma *d = ad->sysdma;
	if (!d || d->desc.DmaChannel != channel)
		return NULL;
	return d;
}

/* Device address of byte `pos` of the mapping. */
static uint64_t addr_at(const struct nd_sysdma *d, uint64_t pos,
			size_t *run)
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
	struct nd_adapter *ad = NULL;
	if (!sim || (!buf && nbytes))
		return -EINVAL;
	struct nd_sysdma *d = channel_of(sim, channel, &ad);
	if (!d)
		return ad ? -ENODEV : -EINVAL;
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
		int rc = nd_device_access(sim, a, p + done, want,
					  !d->to_device, site);
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
	struct nd_adapter *ad = NULL;
	if (!sim || !out)
		return -EINVAL;
	struct nd_sysdma *d = channel_of(sim, channel, &ad);
	if (!d)
		return ad ? -ENODEV : -EINVAL;
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
