/* SPDX-License-Identifier: MIT */
/*
 * coherence.c - NdisFlushBuffer / KeFlushIoBuffers / NdisMUpdateSharedMemory
 * in terms of the bus: a barrier on a coherent bus; on a non-coherent one
 * (sim:coherent=no) a write-back or an invalidate of whole cache lines of
 * the shared-memory block concerned, so that a driver that forgets one
 * sees wrong data on x86 exactly as it would on a non-coherent machine.
 */
#include "core.h"

static _Atomic int noncoherent;

void nd_coherence_track(struct nd_adapter *ad, int delta)
{
	if (!ad->bus->info.coherent && ad->bus->ops->sync)
		atomic_fetch_add(&noncoherent, delta);
}

static bool modelled(struct nd_adapter *ad)
{
	return !ad->bus->info.coherent && ad->bus->ops->sync;
}

void nd_flush(struct nd_adapter *ad, const void *va, size_t len,
	      bool device_writes, const void *site)
{
	nd_cpu_barrier();
	if (!atomic_load(&noncoherent) || !va || !len)
		return;
	struct shm_block *b = NULL;
	if (ad)
		b = shm_find(ad, va, 1);
	else
		ad = nd_adapter_for_va(va, &b);
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
