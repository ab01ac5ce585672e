/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - the cost of one NdisMStartBufferPhysicalMapping +
 * NdisMCompleteBufferPhysicalMapping per buffer on the simulated bus:
 * a buffer inside shared memory (the bus already maps it), an arbitrary
 * buffer (mapped into the sim IOMMU), and a bounced one (sim:iommu=no with
 * a 32-bit adapter), at 64 and 1514 bytes, beside a plain memcpy of the
 * same size. Prints figures; it is not a test.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static NDIS_DMA_SIZE width;
static PVOID shm_va;
static NDIS_PHYSICAL_ADDRESS shm_pa;
static NDIS_HANDLE handle;
static int ctx;

static NDIS_STATUS init5(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m, UINT n,
			 NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	handle = h;
	NdisMSetAttributesEx(h, &ctx, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	if (NdisMAllocateMapRegisters(h, 0, width, 2, 2048))
		return NDIS_STATUS_RESOURCES;
	NdisMAllocateSharedMemory(h, 4096, TRUE, &shm_va, &shm_pa);
	return shm_va ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static VOID halt5(NDIS_HANDLE c)
{
	(void)c;
	NdisMFreeSharedMemory(handle, 4096, TRUE, shm_va, shm_pa);
	NdisMFreeMapRegisters(handle);
}

static NTSTATUS entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = init5;
	c.HaltHandler = halt5;
	return NdisMRegisterMiniport(w, &c, sizeof(c)) == NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

#define ITER 200000

/* ns per map+complete of `len` bytes at va (WriteToDevice TRUE). */
static double time_map(void *va, ULONG len)
{
	struct {
		MDL m;
		PFN_NUMBER pfn[4];
	} b;
	MmInitializeMdl(&b.m, va, len);
	MmBuildMdlForNonPagedPool(&b.m);
	NDIS_PHYSICAL_ADDRESS_UNIT u[4];
	double t0 = now_ns();
	for (int i = 0; i < ITER; i++) {
		UINT n = 4;
		NdisMStartBufferPhysicalMapping(handle, &b.m, 0, TRUE, u, &n);
		if (n == 0) {
			fprintf(stderr, "mapping failed\n");
			exit(1);
		}
		NdisMCompleteBufferPhysicalMapping(handle, &b.m, 0);
	}
	return (now_ns() - t0) / ITER;
}

static double time_memcpy(size_t len)
{
	static unsigned char src[4096], dst[4096];
	volatile unsigned char sink = 0;
	double t0 = now_ns();
	for (int i = 0; i < ITER; i++) {
		src[i & 63] = (unsigned char)i;
		memcpy(dst, src, len);
		__asm__ __volatile__("" ::"r"(dst) : "memory");
		sink ^= dst[len - 1];
	}
	(void)sink;
	return (now_ns() - t0) / ITER;
}

static int run(const char *label, const char *uri, NDIS_DMA_SIZE w, int use_shm)
{
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	width = w;
	if (ndisdma_driver_load(entry, "bench", &drv))
		return 1;
	if (ndisdma_adapter_start(drv, uri, &ad)) {
		fprintf(stderr, "%s: %s\n", uri, ndisdma_last_error());
		return 1;
	}
	unsigned char *heap = aligned_alloc(4096, 8192);
	static const ULONG sizes[] = {64, 1514};
	for (int i = 0; i < 2; i++) {
		void *va = use_shm ? (char *)shm_va + 64 : (char *)heap + 100;
		double ns = time_map(va, sizes[i]);
		printf("%-34s %5u B  %8.1f ns/buffer   memcpy %6.1f ns\n",
		       label, sizes[i], ns, time_memcpy(sizes[i]));
	}
	struct ndisdma_stats st;
	ndisdma_adapter_stats(ad, &st);
	printf("%-34s maps %llu, bounced %llu\n", "",
	       (unsigned long long)st.maps, (unsigned long long)st.bounce_maps);
	free(heap);
	int leaks = ndisdma_adapter_halt(ad);
	ndisdma_driver_unload(drv);
	return leaks != 0;
}

int main(void)
{
	printf("map+complete per buffer, %d iterations each, sim bus\n", ITER);
	int rc = 0;
	rc |= run("in shared memory (sim)", "sim", NDIS_DMA_64BITS, 1);
	rc |= run("arbitrary buffer (sim IOMMU)", "sim", NDIS_DMA_64BITS, 0);
	rc |= run("bounced (sim:iommu=no, 32-bit)", "sim:iommu=no,dma-bits=32",
		  NDIS_DMA_32BITS, 0);
	return rc;
}
