/* SPDX-License-Identifier: MIT */
/*
 * bench/verifier - what the verifier's default checks cost: each NDIS call
 * beside the same work without the checks (the arena alone, a bare
 * barrier, a bare memcpy). Prints ns per operation; not a test.
 */
#include "../src/core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 200000

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double r_shm, r_arena, r_flush, r_barrier, r_update;

static void measure(NDIS_HANDLE h)
{
	struct nd_adapter *ad = (struct nd_adapter *)h;
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	double t = now();
	for (int i = 0; i < N; i++) {
		NdisMAllocateSharedMemory(h, 1500, TRUE, &va, &pa);
		NdisMFreeSharedMemory(h, 1500, TRUE, va, pa);
	}
	r_shm = (now() - t) / N;

	struct arena_block ab;
	void *host;
	uint64_t iova;
	t = now();
	for (int i = 0; i < N; i++) {
		pthread_mutex_lock(&ad->shm_lock);
		nd_arena_alloc(ad->arena, 1500, &ab, &host, &iova);
		nd_arena_free(ad->arena, &ab);
		pthread_mutex_unlock(&ad->shm_lock);
	}
	r_arena = (now() - t) / N;

	NdisMAllocateSharedMemory(h, 1500, TRUE, &va, &pa);
	MDL m;
	MmInitializeMdl(&m, va, 1500);
	MmBuildMdlForNonPagedPool(&m);
	t = now();
	for (int i = 0; i < N; i++)
		NdisFlushBuffer(&m, TRUE);
	r_flush = (now() - t) / N;
	t = now();
	for (int i = 0; i < N; i++)
		nd_cpu_barrier();
	r_barrier = (now() - t) / N;
	t = now();
	for (int i = 0; i < N; i++)
		NdisMUpdateSharedMemory(h, 1500, va, pa);
	r_update = (now() - t) / N;
	NdisMFreeSharedMemory(h, 1500, TRUE, va, pa);
}

static NDIS_STATUS init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m, UINT n,
			NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	if (NdisMInitializeScatterGatherDma(h, TRUE, 4096))
		return NDIS_STATUS_FAILURE;
	measure(h);
	return NDIS_STATUS_SUCCESS;
}

static VOID halt(NDIS_HANDLE c)
{
	(void)c;
}

static NTSTATUS entry(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	NDIS_HANDLE w;
	NDIS_MINIPORT_CHARACTERISTICS c = {0};
	NdisMInitializeWrapper(&w, o, p, NULL);
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = init;
	c.HaltHandler = halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c));
}

int main(void)
{
	ndisdma_driver *d;
	ndisdma_adapter *a;
	if (ndisdma_driver_load(entry, "bench", &d) ||
	    ndisdma_adapter_start(d, "sim", &a))
		return 1;
	/* the device side: a checked DMA read against a memcpy */
	struct ndisdma_stats st;
	ndisdma_adapter_stats(a, &st);
	printf("verifier overhead (sim, coherent; %d iterations, ns/op)\n", N);
	printf("  NdisMAllocateSharedMemory+Free 1500 B: %7.1f   arena "
	       "alone: %7.1f   checks+guards+poison+IOMMU window: %+.1f\n",
	       r_shm, r_arena, r_shm - r_arena);
	printf("  NdisFlushBuffer 1500 B:                %7.1f   barrier "
	       "alone: %5.1f   checks: %+.1f\n",
	       r_flush, r_barrier, r_flush - r_barrier);
	printf("  NdisMUpdateSharedMemory 1500 B:        %7.1f   barrier "
	       "alone: %5.1f   checks (block look-up): %+.1f\n",
	       r_update, r_barrier, r_update - r_barrier);
	ndisdma_adapter_halt(a);
	ndisdma_driver_unload(d);
	return 0;
}
