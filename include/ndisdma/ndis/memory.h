/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/memory.h - general (unshared) memory: NdisAllocateMemory,
 * ...WithTag, ...WithTagPriority and their frees (Microsoft:
 * NdisAllocateMemoryWithTag), counted per tag like a pool monitor. Included by
 * <ndis.h>.
 */
#ifndef NDISDMA_NDIS_MEMORY_H
#define NDISDMA_NDIS_MEMORY_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NDIS_MEMORY_CONTIGUOUS 0x00000001
#define NDIS_MEMORY_NONCACHED 0x00000002

typedef enum _EX_POOL_PRIORITY {
	LowPoolPriority,
	LowPoolPrioritySpecialPoolOverrun = 8,
	LowPoolPrioritySpecialPoolUnderrun = 9,
	NormalPoolPriority = 16,
	NormalPoolPrioritySpecialPoolOverrun = 24,
	NormalPoolPrioritySpecialPoolUnderrun = 25,
	HighPoolPriority = 32,
	HighPoolPrioritySpecialPoolOverrun = 40,
	HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

/* Allocate Length bytes of resident memory counted under Tag. Returns
 * NDIS_STATUS_SUCCESS and *VirtualAddress (16-byte aligned, contents
 * undefined), or NDIS_STATUS_FAILURE with *VirtualAddress NULL (Length
 * 0, out of memory, an injected failure). At most DISPATCH_LEVEL. */
NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length,
				      ULONG Tag);

/* NDIS 6 form: NdisHandle is an adapter or driver handle the memory is
 * accounted to. Returns the memory or NULL (as above, or an unknown
 * handle, reported). */
PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length,
					ULONG Tag, EX_POOL_PRIORITY Priority);

/* NDIS 5: MemoryFlags 0, NDIS_MEMORY_CONTIGUOUS and/or
 * NDIS_MEMORY_NONCACHED. Contiguous memory is one page-aligned virtually
 * contiguous, locked mapping. HighestAcceptableAddress must be -1 (no
 * limit) or a positive address; a user-space process cannot choose the
 * physical pages behind general memory, so a limit below 4 GiB is
 * refused with NDIS_STATUS_FAILURE and reported (rule
 * "mem.highest-address"): memory a device must reach comes from
 * NdisMAllocateSharedMemory. Returns NDIS_STATUS_SUCCESS or
 * NDIS_STATUS_FAILURE (*VirtualAddress NULL). */
NDIS_STATUS NdisAllocateMemory(PVOID *VirtualAddress, UINT Length,
			       UINT MemoryFlags,
			       NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress);

/* Free memory from NdisAllocateMemory(WithTag). Length and MemoryFlags
 * must match the allocation (WithTag memory: flags 0). A mismatch, a
 * double free or an unknown pointer is reported with its rule id and
 * nothing is freed. */
VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);

/* Free memory from NdisAllocateMemoryWithTagPriority; Tag must match.
 * Misuse is reported and nothing is freed. */
VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress,
				   ULONG Tag);

#ifdef __cplusplus
}
#endif
#endif
