/* SPDX-License-Identifier: MIT */
/*
 * shared_memory.c - memory a miniport shares with its busmaster NIC
 * (Microsoft: NdisMAllocateSharedMemory): NdisMAllocateSharedMemory(Async)(Ex),
 * NdisMFreeSharedMemory, NdisMUpdateSharedMemory, NdisFlushBuffer and
 * KeFlushIoBuffers, NdisSystemProcessorCount. Checks the documented rules,
 * then calls core.
 */
#include "../core/core.h"

#include <unistd.h>

static bool dma_registered(struct nd_adapter *ad)
{
	return ad->mapregs || ad->sg5 || ad->sgdma || ad->sysdma;
}

/* The rules an allocation (sync or async) shares. */
static bool alloc_allowed(struct nd_adapter *ad, ULONG length, const char *fn,
			  const void *site)
{
	/* A subordinate NIC with a system DMA channel may allocate shared
	 * memory too (Microsoft: "Shared memory" in the NDIS DMA overview). */
	if (!ad->busmaster && !ad->sysdma) {
		nd_report(ND_RULE_DMA_NOT_BUSMASTER, ad, 0, length, site,
			  "%s: the adapter is not a busmaster (attributes "
			  "without the bus-master flag)",
			  fn);
		return false;
	}
	if (!dma_registered(ad)) {
		nd_report(ND_RULE_SHM_NO_DMA, ad, 0, length, site,
			  "%s before NdisMAllocateMapRegisters / "
			  "NdisMInitializeScatterGatherDma / "
			  "NdisMRegisterScatterGatherDma / "
			  "NdisMRegisterDmaChannel",
			  fn);
		return false;
	}
	/* ndis.sys rounds the length up and allocates. */
	if (length == 0 && nd_report(ND_RULE_SHM_ZERO_LENGTH, ad, 0, 0, site,
				     "%s with Length 0", fn))
		return false;
	return true;
}

VOID NdisMAllocateSharedMemory(NDIS_HANDLE h, ULONG Length, BOOLEAN Cached,
			       PVOID *VirtualAddress,
			       PNDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
	const void *site = ND_SITE();
	if (VirtualAddress)
		*VirtualAddress = NULL;
	if (PhysicalAddress)
		PhysicalAddress->QuadPart = 0;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMAllocateSharedMemory", site);
	if (!ad || !VirtualAddress || !PhysicalAddress)
		return;
	if (!nd_irql_at_most(PASSIVE_LEVEL, "NdisMAllocateSharedMemory", ad,
			     site))
		return;
	/* ndis.sys checks only the IRQL and the DMA registration: lazy
	 * allocation in restart, an OID handler or a work item works. The
	 * NDIS 5.1 reference page confines it to MiniportInitialize. */
	if (!nd_in_init(ad) && ad->drv->ndis_major < 6 &&
	    nd_report(ND_RULE_SHM_ALLOC_CONTEXT, ad, 0, Length, site,
		      "NdisMAllocateSharedMemory outside MiniportInitialize "
		      "(NDIS 5); use NdisMAllocateSharedMemoryAsync"))
		return;
	if (!alloc_allowed(ad, Length, "NdisMAllocateSharedMemory", site))
		return;
	void *va;
	uint64_t iova;
	if (nd_shm_alloc(ad, Length ? Length : 1, Cached, site,
			 NDISDMA_FAULT_SHM, &va, &iova))
		return;
	*VirtualAddress = va;
	PhysicalAddress->QuadPart = (LONGLONG)iova;
}

NDIS_STATUS NdisMAllocateSharedMemoryAsync(NDIS_HANDLE h, ULONG Length,
					   BOOLEAN Cached, PVOID Context)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMAllocateSharedMemoryAsync", site);
	if (!ad)
		return NDIS_STATUS_FAILURE;
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisMAllocateSharedMemoryAsync",
			     ad, site))
		return NDIS_STATUS_FAILURE;
	W_ALLOCATE_COMPLETE_HANDLER handler =
	    ad->drv->ndis_major < 6 ? ad->drv->chars5.AllocateCompleteHandler
				    : NULL;
	if (!handler) {
		nd_report(ND_RULE_SHM_ASYNC_NO_HANDLER, ad, 0, Length, site,
			  "NdisMAllocateSharedMemoryAsync: %s",
			  ad->drv->ndis_major >= 6
			      ? "an NDIS 6 miniport uses "
				"NdisMAllocateSharedMemoryAsyncEx"
			      : "the characteristics have no "
				"AllocateCompleteHandler");
		return NDIS_STATUS_FAILURE;
	}
	if (!alloc_allowed(ad, Length, "NdisMAllocateSharedMemoryAsync", site))
		return NDIS_STATUS_FAILURE;
	return nd_async_submit(ad, Length ? Length : 1, Cached, Context,
			       handler, site);
}

NDIS_STATUS NdisMAllocateSharedMemoryAsyncEx(NDIS_HANDLE dma, ULONG Length,
					     BOOLEAN Cached, PVOID Context)
{
	const void *site = ND_SITE();
	struct nd_sgdma *s ND_SGDMA_AUTOPUT =
	    nd_sgdma_lookup(dma, "NdisMAllocateSharedMemoryAsyncEx", site);
	if (!s)
		return NDIS_STATUS_FAILURE;
	struct nd_adapter *ad = s->ad;
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisMAllocateSharedMemoryAsyncEx",
			     ad, site))
		return NDIS_STATUS_FAILURE;
	if (!s->desc.SharedMemAllocateCompleteHandler) {
		nd_report(ND_RULE_SHM_ASYNC_NO_HANDLER, ad, 0, Length, site,
			  "NdisMAllocateSharedMemoryAsyncEx: the "
			  "NDIS_SG_DMA_DESCRIPTION had no "
			  "SharedMemAllocateCompleteHandler");
		return NDIS_STATUS_FAILURE;
	}
	if (!alloc_allowed(ad, Length, "NdisMAllocateSharedMemoryAsyncEx",
			   site))
		return NDIS_STATUS_FAILURE;
	return nd_async_submit(ad, Length ? Length : 1, Cached, Context,
			       s->desc.SharedMemAllocateCompleteHandler, site);
}

VOID NdisMFreeSharedMemory(NDIS_HANDLE h, ULONG Length, BOOLEAN Cached,
			   PVOID VirtualAddress,
			   NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMFreeSharedMemory", site);
	if (!ad)
		return;
	/* NDIS 6 documents IRQL <= DISPATCH_LEVEL (NDIS 5: PASSIVE_LEVEL);
	 * above PASSIVE ndis.sys queues the free on a work item. */
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisMFreeSharedMemory", ad, site))
		return;
	uint64_t iova = (uint64_t)PhysicalAddress.QuadPart;
	if (nd_self()->irql == PASSIVE_LEVEL) {
		nd_shm_free(ad, Length, Cached, VirtualAddress, iova, site);
		return;
	}
	if (ad->drv->ndis_major < 6 &&
	    nd_report(ND_RULE_SHM_FREE_IRQL, ad, (uintptr_t)VirtualAddress,
		      Length, site,
		      "NdisMFreeSharedMemory at DISPATCH_LEVEL from an NDIS 5 "
		      "miniport (PASSIVE_LEVEL only); the free is deferred"))
		return;
	nd_async_free_deferred(ad, Length, Cached, VirtualAddress, iova, site);
}

static void update_shared_memory(NDIS_HANDLE h, ULONG Length, PVOID va,
				 NDIS_PHYSICAL_ADDRESS pa, const char *fn,
				 const void *site)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, fn, site);
	if (!ad)
		return;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site))
		return;
	struct shm_block *b = nd_shm_find(ad, va, Length);
	if (!b || b->iova + (uint64_t)((char *)va - (char *)b->va) !=
		      (uint64_t)pa.QuadPart) {
		nd_report(ND_RULE_SHM_UPDATE_RANGE, ad, (uint64_t)pa.QuadPart,
			  Length, site,
			  b ? "the physical address does not correspond to "
			      "the virtual address"
			    : "the range is not inside one shared-memory "
			      "block of this adapter");
		return;
	}
	nd_invalidate(ad, b, va, Length);
}

VOID NdisMUpdateSharedMemory(NDIS_HANDLE h, ULONG Length, PVOID va,
			     NDIS_PHYSICAL_ADDRESS pa)
{
	update_shared_memory(h, Length, va, pa, "NdisMUpdateSharedMemory",
			     ND_SITE());
}

VOID NdisUpdateSharedMemory(NDIS_HANDLE h, ULONG Length, PVOID va,
			    NDIS_PHYSICAL_ADDRESS pa)
{
	update_shared_memory(h, Length, va, pa, "NdisUpdateSharedMemory",
			     ND_SITE());
}

ULONG NdisGetSharedDataAlignment(VOID)
{
	long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
	long l2 = sysconf(_SC_LEVEL2_CACHE_LINESIZE);
	if (l2 > line)
		line = l2;
	return line > 0 ? (ULONG)line : 64u;
}

VOID KeFlushIoBuffers(PMDL Mdl, BOOLEAN ReadOperation, BOOLEAN DmaOperation)
{
	(void)ReadOperation;
	(void)DmaOperation;
	const void *site = ND_SITE();
	if (!Mdl) {
		nd_report(ND_RULE_FLUSH_NULL, NULL, 0, 0, site,
			  "KeFlushIoBuffers with a NULL MDL");
		return;
	}
	nd_irql_at_most(DISPATCH_LEVEL, "KeFlushIoBuffers", NULL, site);
	if (DmaOperation)
		nd_flush(NULL, MmGetMdlVirtualAddress(Mdl),
			 MmGetMdlByteCount(Mdl), ReadOperation, site);
	else
		nd_cpu_barrier();
}

VOID NdisFlushBuffer(PNDIS_BUFFER Buffer, BOOLEAN WriteToDevice)
{
	const void *site = ND_SITE();
	if (!Buffer) {
		nd_report(ND_RULE_FLUSH_NULL, NULL, 0, 0, site,
			  "NdisFlushBuffer with a NULL buffer");
		return;
	}
	nd_irql_at_most(DISPATCH_LEVEL, "NdisFlushBuffer", NULL, site);
	nd_flush(NULL, MmGetMdlVirtualAddress(Buffer),
		 MmGetMdlByteCount(Buffer), !WriteToDevice, site);
}

CCHAR NdisSystemProcessorCount(VOID)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return (CCHAR)(n > 127 ? 127 : n);
}

void MmBuildMdlForNonPagedPool(PMDL m)
{
	if (!m)
		return;
	m->MappedSystemVa = (char *)m->StartVa + m->ByteOffset;
	m->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}
