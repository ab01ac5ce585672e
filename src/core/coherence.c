/* SPDX-License-Identifier: MIT */
/*
 * coherence.c - NdisFlushBuffer / KeFlushIoBuffers / NdisMUpdateSharedMemory
 * in terms of the bus: a barrier on a coherent bus; on a non-coherent one
 * (sim:coherent=no) a write-back or an invalidate of whole cache lines of
 * the shared-memory block concerned, so that a driver that forgets one
 * sees wrong data on x86 exactly as it would on a non-coherent machine.
 */
#include "core.h"

static bool modelled(struct nd_adapter *ad)
{
	return nd_adapter_noncoherent(ad);
}

struct by_va {
	const void *va;
	struct shm_block *b;
};

static bool owns_va(struct nd_handle *h, void *ctx)
{
	struct by_va *q = ctx;
	struct nd_adapter *ad = nd_container_of(h, struct nd_adapter, h);
	if (atomic_load(&ad->state) == AD_DEAD)
		return false;
	q->b = nd_shm_find(ad, q->va, 1);
	return q->b != NULL;
}

struct nd_adapter *nd_adapter_for_va(const void *va, struct shm_block **b)
{
	struct by_va q = {va, NULL};
	struct nd_handle *h = nd_handle_find(ND_H_ADAPTER, owns_va, &q);
	*b = q.b;
	return h ? nd_container_of(h, struct nd_adapter, h) : NULL;
}

void nd_flush(struct nd_adapter *ad, const void *va, size_t len,
	      bool device_writes, const void *site)
{
	nd_cpu_barrier();
	if (!nd_noncoherent_adapters() || !va || !len)
		return;
	struct shm_block *b = NULL;
	struct nd_adapter *held ND_ADAPTER_AUTOPUT = NULL;
	if (ad)
		b = nd_shm_find(ad, va, 1);
	else
		ad = held = nd_adapter_for_va(va, &b);
	if (!ad || !b || !modelled(ad))
		return; /* not shared memory of a modelled adapter */
	size_t off = (size_t)((const char *)va - (const char *)b->va);
	if (len > b->length - off)
		len = b->length - off;
	ULONG line = nd_cache_line();
	if (device_writes &&
	    (((uintptr_t)va | (uintptr_t)((const char *)va + len)) &
	     (line - 1)) &&
	    off + len != b->length)
		nd_report(ND_RULE_COHERENCE_UNALIGNED, ad, b->iova + off, len,
			  site,
			  "a buffer the device will write is not aligned to "
			  "the %u-byte cache line: the lines it shares with "
			  "other data can tear",
			  line);
	ad->bus->ops->sync(ad->bus, b->iova + off, len, BUS_SYNC_FOR_DEVICE);
}

void nd_invalidate(struct nd_adapter *ad, struct shm_block *b, const void *va,
		   size_t len)
{
	nd_cpu_barrier();
	if (!modelled(ad))
		return;
	size_t off = (size_t)((const char *)va - (const char *)b->va);
	ad->bus->ops->sync(ad->bus, b->iova + off, len, BUS_SYNC_FOR_CPU);
}
