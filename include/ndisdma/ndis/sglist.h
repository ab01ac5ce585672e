/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/sglist.h - NDIS 6 scatter-gather lists (Microsoft:
 * NdisMAllocateNetBufferSGList): a
 * busmaster miniport that registered with NdisMRegisterScatterGatherDma
 * asks for the device addresses of a NET_BUFFER's data and frees them
 * after the transfer. (NDIS 5 per-packet lists are built by the host:
 * ndisdma_packet_sg_build in <ndisdma/ndisdma.h>.) Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_SGLIST_H
#define NDISDMA_NDIS_SGLIST_H

#include "dma.h"
#include "nbl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of NdisMAllocateNetBufferSGList: the transfer goes from the
 * NET_BUFFER to the device (a send). Clear: from the device. */
#define NDIS_SG_LIST_WRITE_TO_DEVICE 0x000000001

/* Build the scatter-gather list of NetBuffer's data: DataLength bytes
 * starting CurrentMdlOffset bytes into CurrentMdl (the first element
 * begins at the data, not at the MDL's start), following the MDL chain
 * and skipping zero-length MDLs. Elements are the device segments of
 * the data in order: one per page each MDL's bytes touch on sim (the
 * bus splits at pages), one for bytes inside a shared-memory block, one
 * for an MDL's bytes that bounce (sim:iommu=no with a 32-bit
 * registration); every address lies below the registration's width.
 * With NDIS_SG_LIST_WRITE_TO_DEVICE the device may only read the
 * elements (a device write is reported "device.perm"); without it,
 * bounced bytes the device wrote are copied back at
 * NdisMFreeNetBufferSGList. The device reaches exactly the listed bytes.
 *
 * The list is written into ScatterGatherListBuffer when it is not NULL,
 * pointer-aligned and ScatterGatherListBufferSize holds the list
 * (NdisMRegisterScatterGatherDma's ScatterGatherListSize holds any list
 * of MaximumPhysicalMapping bytes in one MDL); otherwise into storage
 * of ours, freed by NdisMFreeNetBufferSGList.
 *
 * The result is delivered synchronously: the ProcessSGListHandler of the
 * registration is called, at DISPATCH_LEVEL on the calling thread,
 * before this function returns, with DeviceObject and Reserved NULL, the
 * list, and Context. At IRQL <= DISPATCH_LEVEL.
 *
 * Returns NDIS_STATUS_SUCCESS (the handler has run);
 * NDIS_STATUS_RESOURCES (out of memory, device address space or bounce
 * space: not a misuse, not reported); NDIS_STATUS_FAILURE for misuse,
 * reported: a handle no NdisMRegisterScatterGatherDma returned
 * ("sgdma.bad-handle", or "sg.no-registration" for an adapter handle),
 * IRQL above DISPATCH ("irql.too-high"), DataLength over the
 * registration's MaximumPhysicalMapping ("sg.too-long"), a NULL
 * NetBuffer, DataLength 0, an MDL chain shorter than CurrentMdlOffset +
 * DataLength or a ScatterGatherListBuffer that holds a live list
 * ("sg.bad-params"). On failure the handler is not called and nothing
 * stays mapped. */
NDIS_STATUS NdisMAllocateNetBufferSGList(NDIS_HANDLE NdisMiniportDmaHandle,
					 PNET_BUFFER NetBuffer, PVOID Context,
					 ULONG Flags,
					 PVOID ScatterGatherListBuffer OPTIONAL,
					 ULONG ScatterGatherListBufferSize);

/* Free a list NdisMAllocateNetBufferSGList delivered for NetBuffer:
 * close the device's view of the data, copy bounced device writes back
 * into the NET_BUFFER's memory, free our storage (the driver may reuse
 * its ScatterGatherListBuffer after this returns). At IRQL <=
 * DISPATCH_LEVEL. A list already freed or never delivered
 * ("sg.double-free"), another NET_BUFFER than the list's
 * ("sg.free-wrong-buffer": the list stays allocated, halt reclaims it),
 * an unknown handle or IRQL above DISPATCH is reported and changes
 * nothing. */
VOID NdisMFreeNetBufferSGList(NDIS_HANDLE NdisMiniportDmaHandle,
			      PSCATTER_GATHER_LIST pSGL, PNET_BUFFER NetBuffer);

#if !defined(__cplusplus)
_Static_assert(sizeof(void *) != 8 || sizeof(SCATTER_GATHER_ELEMENT) == 24,
	       "SCATTER_GATHER_ELEMENT is 0x18 bytes on x64");
_Static_assert(sizeof(void *) != 8 || sizeof(SCATTER_GATHER_LIST) == 16,
	       "SCATTER_GATHER_LIST header is 0x10 bytes on x64");
#endif

#ifdef __cplusplus
}
#endif
#endif
