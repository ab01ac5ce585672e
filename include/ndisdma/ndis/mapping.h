/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/mapping.h - map registers (NDIS 5; Microsoft:
 * NdisMStartBufferPhysicalMapping): a busmaster
 * miniport that knows only the virtual address of a buffer asks NDIS for
 * the device ("logical") addresses of the buffer's bytes, hands them to
 * its NIC, and gives the mapping back when the transfer is done.
 * NdisMAllocateMapRegisters / NdisMFreeMapRegisters are in dma.h.
 * Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_MAPPING_H
#define NDISDMA_NDIS_MAPPING_H

#include "dma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One device-address range of a mapped buffer. */
typedef struct _NDIS_PHYSICAL_ADDRESS_UNIT {
	NDIS_PHYSICAL_ADDRESS PhysicalAddress;
	UINT Length;
} NDIS_PHYSICAL_ADDRESS_UNIT, *PNDIS_PHYSICAL_ADDRESS_UNIT;

/* Map the bytes one buffer descriptor describes (Buffer itself, not the
 * chain behind it) for a busmaster transfer on map register
 * PhysicalMapRegister (0 .. BaseMapRegistersNeeded-1). At most
 * DISPATCH_LEVEL.
 *
 * *ArraySize is in/out: on entry the number of elements
 * PhysicalAddressArray holds (size it with NdisGetBufferPhysicalArraySize),
 * on return the number of units written. The units cover the buffer's
 * bytes in order; each is contiguous in device space (the bus splits at
 * page boundaries where it needs to) and lies below the adapter's width
 * (DmaSize). A buffer inside a shared-memory block is one unit at the
 * block's address. When the bus cannot give the buffer an address the
 * adapter reaches (sim:iommu=no with a 24/32-bit adapter), the bytes go
 * through a bounce area in shared memory: copied in at this call, copied
 * back at NdisMCompleteBufferPhysicalMapping; one unit.
 * WriteToDevice TRUE: the device may only read the mapping (on sim a
 * device write into it faults, rule "device.perm").
 *
 * Fails with *ArraySize = 0 and nothing mapped: an index out of range
 * ("mapreg.index"), a register already in use ("mapreg.busy"), a
 * zero-length buffer ("mapreg.zero-length"), a buffer longer than
 * MaximumBufferSize ("mapreg.too-long"), an array too small
 * ("mapreg.array-too-small"), an unknown handle or IRQL above DISPATCH
 * (reported); out of bounce space or device address space (not a misuse:
 * not reported, counted in ndisdma_stats.bounce_failures). */
VOID NdisMStartBufferPhysicalMapping(
    NDIS_HANDLE MiniportAdapterHandle, PNDIS_BUFFER Buffer,
    ULONG PhysicalMapRegister, BOOLEAN WriteToDevice,
    PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray, PUINT ArraySize);

/* Give back the mapping that NdisMStartBufferPhysicalMapping made of
 * Buffer on PhysicalMapRegister; a bounced device-write mapping is copied
 * back into the buffer here. At most DISPATCH_LEVEL. A register that is
 * not in use or holds another buffer is reported ("mapreg.complete-wrong",
 * or "mapreg.index" out of range) and nothing changes. */
VOID NdisMCompleteBufferPhysicalMapping(NDIS_HANDLE MiniportAdapterHandle,
					PNDIS_BUFFER Buffer,
					ULONG PhysicalMapRegister);

/* The number of map registers a miniport on BusType may ask for:
 * NDIS_MAX_MAP_REGISTERS. Returns NDIS_STATUS_SUCCESS, or
 * NDIS_STATUS_INVALID_PARAMETER for a NULL MapRegisterCount. PASSIVE. */
NDIS_STATUS NdisQueryMapRegisterCount(NDIS_INTERFACE_TYPE BusType,
				      PUINT MapRegisterCount);

/* The number of pages the buffer's bytes span (0 for a zero-length
 * buffer): how many units NdisMStartBufferPhysicalMapping can return for
 * it. A NULL Buffer gives 0. Cannot fail. */
VOID NdisGetBufferPhysicalArraySize(PNDIS_BUFFER Buffer, PUINT ArraySize);

#ifdef __cplusplus
}
#endif
#endif
