/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/system_dma.h - system ("slave") DMA for subordinate NICs
 * (Microsoft: NdisMRegisterDmaChannel): the miniport claims a channel of the
 * system DMA controller, programs it for one transfer of a buffer at a time,
 * and reads how many bytes are left. On sim the controller is an 8237-style
 * model (8 channels, a count that runs down, single/demand mode,
 * auto-initialize) that ndisdma_sim_dma_channel_transfer drives. Included by
 * <ndis.h>.
 */
#ifndef NDISDMA_NDIS_SYSTEM_DMA_H
#define NDISDMA_NDIS_SYSTEM_DMA_H

#include "dma.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum _DMA_WIDTH {
	Width8Bits = 0,
	Width16Bits = 1,
	Width32Bits = 2,
	Width64Bits = 3,
	WidthNoWrap = 4,
	MaximumDmaWidth = 5
} DMA_WIDTH,
    *PDMA_WIDTH;

typedef enum _DMA_SPEED {
	Compatible = 0,
	TypeA = 1,
	TypeB = 2,
	TypeC = 3,
	TypeF = 4,
	MaximumDmaSpeed = 5
} DMA_SPEED,
    *PDMA_SPEED;

/* Zero it, then fill: DemandMode (else single mode), AutoInitialize,
 * DmaChannelSpecified (TRUE: DmaChannel is the channel), DmaWidth
 * (Width8Bits/16Bits/32Bits), DmaSpeed (Compatible, TypeA-C), DmaPort
 * (must be 0: MCA is gone), DmaChannel. */
typedef struct _NDIS_DMA_DESCRIPTION {
	BOOLEAN DemandMode;
	BOOLEAN AutoInitialize;
	BOOLEAN DmaChannelSpecified;
	DMA_WIDTH DmaWidth;
	DMA_SPEED DmaSpeed;
	ULONG DmaPort;
	ULONG DmaChannel;
} NDIS_DMA_DESCRIPTION, *PNDIS_DMA_DESCRIPTION;

/* The simulated controller's channels. */
#define NDIS_SYSTEM_DMA_CHANNELS 8

/* From MiniportInitialize(Ex): claim channel DmaDescription->DmaChannel
 * (the DmaChannel argument is ignored, as documented) for transfers of at
 * most MaximumLength bytes, with 32 address lines (Dma32BitAddresses) or
 * 24. Allowed without the busmaster attribute; afterwards the adapter may
 * also allocate shared memory. Returns NDIS_STATUS_SUCCESS and
 * *MiniportDmaHandle; NDIS_STATUS_INVALID_PARAMETER (NULL pointer,
 * unknown handle, channel not specified or over 7, DmaWidth, DmaSpeed,
 * DmaPort not 0, MaximumLength 0: rule "dma.bad-params");
 * NDIS_STATUS_FAILURE (outside initialize "dma.register-context", IRQL,
 * a channel already registered "dma.register-twice");
 * NDIS_STATUS_RESOURCES. */
NDIS_STATUS NdisMRegisterDmaChannel(PNDIS_HANDLE MiniportDmaHandle,
				    NDIS_HANDLE MiniportAdapterHandle,
				    UINT DmaChannel, BOOLEAN Dma32BitAddresses,
				    PNDIS_DMA_DESCRIPTION DmaDescription,
				    ULONG MaximumLength);

/* Program the channel for Length bytes of Buffer starting at Offset;
 * WriteToDevice TRUE moves memory to the device. The bytes are mapped for
 * the controller (bounced when the bus cannot reach them below the
 * channel's width). At most DISPATCH_LEVEL. *Status: NDIS_STATUS_SUCCESS;
 * NDIS_STATUS_FAILURE for a transfer already set up
 * ("sysdma.setup-twice"), Length over MaximumLength ("sysdma.too-long"),
 * Length 0 or a range outside the buffer ("sysdma.range"), an unknown
 * handle ("handle.unknown"); NDIS_STATUS_RESOURCES out of bounce or
 * address space. */
VOID NdisMSetupDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle,
			   PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
			   BOOLEAN WriteToDevice);

/* End the transfer set up with the same arguments: the channel is masked,
 * a bounced device-to-memory transfer is copied back. *Status
 * NDIS_STATUS_SUCCESS; NDIS_STATUS_FAILURE without a setup
 * ("sysdma.complete-no-setup") or with arguments that differ from it
 * ("sysdma.complete-mismatch"; the transfer stays set up). */
VOID NdisMCompleteDmaTransfer(PNDIS_STATUS Status,
			      NDIS_HANDLE MiniportDmaHandle,
			      PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
			      BOOLEAN WriteToDevice);

/* The controller's count: bytes of the current transfer not yet moved
 * (0 with no transfer set up or an unknown handle, which is reported). */
ULONG NdisMReadDmaCounter(NDIS_HANDLE MiniportDmaHandle);

/* From MiniportHalt(Ex) (or initialize unwinding): release the channel.
 * A transfer still set up is ended. An unknown handle is reported
 * ("handle.unknown") and ignored. */
VOID NdisMDeregisterDmaChannel(NDIS_HANDLE MiniportDmaHandle);

#ifdef __cplusplus
}
#endif
#endif
