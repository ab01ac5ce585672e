/* SPDX-License-Identifier: MIT */
/*
 * memory.c - general memory (Microsoft: NdisAllocateMemoryWithTag):
 * NdisAllocateMemory(WithTag) (Priority) and the frees, checked and counted per
 * tag by core.
 */
#include "../core/core.h"

#define TAG_NDIS 0x5349444eu /* 'NDIS' as NdisAllocateMemory's tag */

NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length,
				      ULONG Tag)
{
	const void *site = ND_SITE();
	if (!VirtualAddress)
		return NDIS_STATUS_FAILURE;
	*VirtualAddress = NULL;
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateMemoryWithTag", NULL,
			     site))
		return NDIS_STATUS_FAILURE;
	/* No NDIS check of Length: the pool allocator returns a block. */
	if (Length == 0 && nd_report(ND_RULE_MEM_ZERO_LENGTH, NULL, 0, 0, site,
				     "NdisAllocateMemoryWithTag with Length 0"))
		return NDIS_STATUS_FAILURE;
	*VirtualAddress =
	    nd_mem_alloc(Length ? Length : 1, 0, Tag, MEM_TAGGED, NULL, site);
	return *VirtualAddress ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length,
					ULONG Tag, EX_POOL_PRIORITY Priority)
{
	(void)Priority;
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(NdisHandle, NULL, NULL);
	/* ndis.sys does not use the handle; the memory belongs to the
	 * adapter or driver in context (nd_mem_alloc). */
	if (!ad && !nd_driver_is_live(NdisHandle) &&
	    nd_report(ND_RULE_MEM_BAD_HANDLE, NULL, (uintptr_t)NdisHandle,
		      Length, site,
		      "NdisAllocateMemoryWithTagPriority: not an adapter or "
		      "driver handle"))
		return NULL;
	if (!nd_irql_at_most(DISPATCH_LEVEL,
			     "NdisAllocateMemoryWithTagPriority", ad, site))
		return NULL;
	if (Length == 0 &&
	    nd_report(ND_RULE_MEM_ZERO_LENGTH, ad, 0, 0, site,
		      "NdisAllocateMemoryWithTagPriority with Length 0"))
		return NULL;
	return nd_mem_alloc(Length ? Length : 1, 0, Tag, MEM_TAG_PRIORITY, ad,
			    site);
}

NDIS_STATUS NdisAllocateMemory(PVOID *VirtualAddress, UINT Length,
			       UINT MemoryFlags, NDIS_PHYSICAL_ADDRESS Highest)
{
	const void *site = ND_SITE();
	if (!VirtualAddress)
		return NDIS_STATUS_FAILURE;
	*VirtualAddress = NULL;
	/* ndis.sys: a known bit wins (CONTIGUOUS before NONCACHED), unknown
	 * bits are ignored, HighestAcceptableAddress is used only with
	 * CONTIGUOUS, and Length is not checked (the allocator decides). */
	UINT known = MemoryFlags &
		     (UINT)(NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED);
	if (!nd_irql_at_most(known ? PASSIVE_LEVEL : DISPATCH_LEVEL,
			     "NdisAllocateMemory", NULL, site))
		return NDIS_STATUS_FAILURE;
	if (Length == 0 && nd_report(ND_RULE_MEM_ZERO_LENGTH, NULL, 0, 0, site,
				     "NdisAllocateMemory with Length 0"))
		return NDIS_STATUS_FAILURE;
	if (MemoryFlags != known &&
	    nd_report(ND_RULE_MEM_FLAGS_UNKNOWN, NULL, 0, Length, site,
		      "NdisAllocateMemory with MemoryFlags 0x%x (unknown "
		      "bits 0x%x)",
		      MemoryFlags, MemoryFlags & ~known))
		return NDIS_STATUS_FAILURE;
	if ((known & NDIS_MEMORY_CONTIGUOUS) && Highest.QuadPart != -1 &&
	    (uint64_t)Highest.QuadPart < 0xFFFFFFFFull &&
	    nd_report(ND_RULE_MEM_HIGHEST_ADDRESS, NULL,
		      (uint64_t)Highest.QuadPart, Length, site,
		      "a user-space process cannot place contiguous memory "
		      "below 0x%llx; memory a device reaches comes from "
		      "NdisMAllocateSharedMemory",
		      (unsigned long long)Highest.QuadPart + 1))
		return NDIS_STATUS_FAILURE;
	*VirtualAddress = nd_mem_alloc(Length ? Length : 1, known, TAG_NDIS,
				       MEM_PLAIN, NULL, site);
	return *VirtualAddress ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags)
{
	const void *site = ND_SITE();
	/* Length and flags are checked for NdisAllocateMemory's memory; the
	 * WithTag family is freed with Length and flags 0 by many drivers,
	 * as NDIS allows. */
	nd_mem_free(VirtualAddress, Length, MemoryFlags, 0, MEM_PLAIN,
		    !(MemoryFlags == 0 && Length == 0), site);
}

VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress,
				   ULONG Tag)
{
	(void)NdisHandle;
	nd_mem_free(VirtualAddress, 0, 0, Tag, MEM_TAG_PRIORITY, false,
		    ND_SITE());
}
