/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/dma.h - DMA registration and shared memory: the calls a
 * busmaster miniport makes so that it and its NIC share memory (Microsoft:
 * NdisMAllocateSharedMemory, NdisMAllocateMapRegisters), and the coherence
 * calls around them. Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_DMA_H
#define NDISDMA_NDIS_DMA_H

#include "miniport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- scatter/gather lists ---- */
typedef struct _SCATTER_GATHER_ELEMENT {
	PHYSICAL_ADDRESS Address;
	ULONG Length;
	ULONG_PTR Reserved;
} SCATTER_GATHER_ELEMENT, *PSCATTER_GATHER_ELEMENT;

typedef struct _SCATTER_GATHER_LIST {
	ULONG NumberOfElements;
	ULONG_PTR Reserved;
	SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST, *PSCATTER_GATHER_LIST;

/* ---- NDIS 5: map registers / scatter-gather as DMA registration ---- */
typedef enum _NDIS_DMA_SIZE {
	NDIS_DMA_24BITS = 0,
	NDIS_DMA_32BITS = 1,
	NDIS_DMA_64BITS = 2
} NDIS_DMA_SIZE;

/* The documented ceiling on BaseMapRegistersNeeded. */
#define NDIS_MAX_MAP_REGISTERS 64

/* From MiniportInitialize of a busmaster adapter: reserve map registers
 * and declare the adapter's address width (DmaSize). Returns
 * NDIS_STATUS_SUCCESS; NDIS_STATUS_NOT_SUPPORTED (not a busmaster: call
 * NdisMSetAttributesEx with NDIS_ATTRIBUTE_BUS_MASTER first);
 * NDIS_STATUS_INVALID_PARAMETER (DmaSize not 24/32/64,
 * BaseMapRegistersNeeded 0 or over NDIS_MAX_MAP_REGISTERS,
 * MaximumBufferSize 0, unknown handle); NDIS_STATUS_FAILURE (outside
 * MiniportInitialize, IRQL above PASSIVE, or registered twice);
 * NDIS_STATUS_RESOURCES (out of memory). Every failure but RESOURCES is
 * also reported with a rule id. */
NDIS_STATUS NdisMAllocateMapRegisters(NDIS_HANDLE MiniportAdapterHandle,
				      UINT DmaChannel, NDIS_DMA_SIZE DmaSize,
				      ULONG BaseMapRegistersNeeded,
				      ULONG MaximumBufferSize);
/* From MiniportInitialize (after a later failure) or MiniportHalt: give
 * back the registers. Outside those, or without registers, the call is
 * reported (rule "mapreg.free-context" / "mapreg.free-none") and
 * ignored. */
VOID NdisMFreeMapRegisters(NDIS_HANDLE MiniportAdapterHandle);

/* NDIS 5.1 scatter-gather DMA registration, from MiniportInitialize of a
 * busmaster: Dma64BitAddresses declares the width (else 32 bits).
 * Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_NOT_SUPPORTED (not a
 * busmaster), NDIS_STATUS_FAILURE (outside MiniportInitialize, wrong
 * IRQL, twice), NDIS_STATUS_INVALID_PARAMETER (unknown handle,
 * MaximumPhysicalMapping 0), NDIS_STATUS_RESOURCES. */
NDIS_STATUS NdisMInitializeScatterGatherDma(NDIS_HANDLE MiniportAdapterHandle,
					    BOOLEAN Dma64BitAddresses,
					    ULONG MaximumPhysicalMapping);

/* ---- NDIS 6: scatter-gather DMA registration ---- */
/* MiniportProcessSGList: a role type and its pointer type, as the WDK
 * declares them. */
typedef VOID(MINIPORT_PROCESS_SG_LIST)(PDEVICE_OBJECT pDO, PVOID Reserved,
				       PSCATTER_GATHER_LIST pSGL,
				       PVOID Context);
typedef MINIPORT_PROCESS_SG_LIST *MINIPORT_PROCESS_SG_LIST_HANDLER;
/* MiniportSharedMemoryAllocateComplete: the result of
 * NdisMAllocateSharedMemoryAsyncEx; same contract as
 * MiniportAllocateComplete (first argument: the adapter context). */
typedef VOID(MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE)(
    NDIS_HANDLE MiniportAdapterContext, PVOID VirtualAddress,
    PNDIS_PHYSICAL_ADDRESS PhysicalAddress, ULONG Length, PVOID Context);
typedef MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE
    *MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER;

typedef struct _NDIS_SG_DMA_DESCRIPTION {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	ULONG MaximumPhysicalMapping;
	MINIPORT_PROCESS_SG_LIST_HANDLER ProcessSGListHandler;
	MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER
	SharedMemAllocateCompleteHandler;
	ULONG ScatterGatherListSize;
} NDIS_SG_DMA_DESCRIPTION, *PNDIS_SG_DMA_DESCRIPTION;

#define NDIS_SG_DMA_DESCRIPTION_REVISION_1 1
#define NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1                              \
	(offsetof(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize) +            \
	 sizeof(ULONG))
#define NDIS_SG_DMA_64_BIT_ADDRESS 0x00000001

/* From MiniportInitializeEx of a busmaster adapter. Validates the header
 * (type NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION, revision 1, size at least
 * NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1), honours
 * NDIS_SG_DMA_64_BIT_ADDRESS (else 32-bit addresses), requires
 * ProcessSGListHandler, writes ScatterGatherListSize (the bytes a list
 * for MaximumPhysicalMapping needs) and returns the DMA handle.
 * Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_NOT_SUPPORTED (not a
 * busmaster), NDIS_STATUS_INVALID_PARAMETER (bad header or fields,
 * unknown handle, NULL out-pointer), NDIS_STATUS_FAILURE (outside
 * MiniportInitializeEx, wrong IRQL, registered twice),
 * NDIS_STATUS_RESOURCES. */
NDIS_STATUS
NdisMRegisterScatterGatherDma(NDIS_HANDLE MiniportAdapterHandle,
			      PNDIS_SG_DMA_DESCRIPTION DmaDescription,
			      PNDIS_HANDLE MiniportDmaHandle);
/* From MiniportHaltEx (or InitializeEx unwinding). An unknown handle is
 * reported (rule "sgdma.bad-handle") and ignored. */
VOID NdisMDeregisterScatterGatherDma(NDIS_HANDLE MiniportDmaHandle);

/* ---- shared memory ---- */

/* Allocate Length bytes that both the driver (at *VirtualAddress) and the
 * NIC (at *PhysicalAddress, a device/logical address) reach. The block is
 * aligned to NdisMGetDmaAlignment, contiguous in device address space,
 * and below the adapter's address width. PASSIVE_LEVEL, from
 * MiniportInitialize(Ex) only, after DMA registration.
 * On failure *VirtualAddress is NULL and *PhysicalAddress 0: Length 0,
 * over the adapter's shared-memory limit or out of memory (the driver may
 * retry smaller); misuse (wrong context or IRQL, no DMA registration, not
 * a busmaster, unknown handle) is also reported with a rule id. */
VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
			       BOOLEAN Cached, PVOID *VirtualAddress,
			       PNDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* NDIS 5 asynchronous allocation, at IRQL <= DISPATCH_LEVEL, for a
 * busmaster whose characteristics have an AllocateCompleteHandler.
 * Returns NDIS_STATUS_PENDING: the handler runs later on a work thread
 * (DISPATCH_LEVEL) with the adapter context, the block (or NULL / 0 on
 * failure), Length and Context. Returns NDIS_STATUS_FAILURE without
 * calling the handler when the request cannot be queued: no handler,
 * not a busmaster, Length 0, unknown handle, IRQL above DISPATCH, the
 * adapter halting, out of memory (misuse is reported). */
NDIS_STATUS NdisMAllocateSharedMemoryAsync(NDIS_HANDLE MiniportAdapterHandle,
					   ULONG Length, BOOLEAN Cached,
					   PVOID Context);

/* NDIS 6 asynchronous allocation on the DMA handle from
 * NdisMRegisterScatterGatherDma; completes through its
 * SharedMemAllocateCompleteHandler. Same results as
 * NdisMAllocateSharedMemoryAsync (FAILURE also for a DMA handle without
 * a completion handler). */
NDIS_STATUS NdisMAllocateSharedMemoryAsyncEx(NDIS_HANDLE MiniportDmaHandle,
					     ULONG Length, BOOLEAN Cached,
					     PVOID Context);

/* Free a block. Length, Cached, VirtualAddress and PhysicalAddress must
 * all equal the allocation's; a block is freed whole. A mismatch in any
 * of the four, a subrange, a second free, or memory never allocated is
 * reported with its rule id and the block is left allocated (halt
 * reclaims it). */
VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
			   BOOLEAN Cached, PVOID VirtualAddress,
			   NDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* Make what the device wrote into [VirtualAddress, +Length) of a shared
 * block visible to the CPU (invalidate). Must lie inside one block of
 * this adapter; otherwise reported (rule "shm.update-range") and
 * ignored. */
VOID NdisMUpdateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
			     PVOID VirtualAddress,
			     NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* The function behind the WDK's NdisMUpdateSharedMemory macro: the same
 * call (its reports name NdisUpdateSharedMemory). */
VOID NdisUpdateSharedMemory(NDIS_HANDLE NdisAdapterHandle, ULONG Length,
			    PVOID VirtualAddress,
			    NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* The alignment, in bytes, that keeps data shared between processors in
 * cache lines of its own (the largest data cache line; 64 when the
 * system does not say). Cannot fail. */
ULONG NdisGetSharedDataAlignment(VOID);

/* Write back (WriteToDevice) or prepare for a device write the cache
 * lines of the memory the buffer describes. NULL is reported (rule
 * "flush.null") and ignored. At most DISPATCH_LEVEL. */
VOID NdisFlushBuffer(PNDIS_BUFFER Buffer, BOOLEAN WriteToDevice);
/* The same for an MDL: ReadOperation TRUE means the device writes into
 * memory (a read from the device). */
VOID KeFlushIoBuffers(PMDL Mdl, BOOLEAN ReadOperation, BOOLEAN DmaOperation);

/* The alignment (the data cache line size) buffers in shared memory
 * should have. PASSIVE_LEVEL, after DMA registration; on misuse it is
 * reported and the alignment is still returned. */
ULONG NdisMGetDmaAlignment(NDIS_HANDLE MiniportAdapterHandle);

/* The number of processors online. Cannot fail. */
CCHAR NdisSystemProcessorCount(VOID);

#ifdef __cplusplus
}
#endif
#endif
