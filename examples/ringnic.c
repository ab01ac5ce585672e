/* SPDX-License-Identifier: MIT */
/*
 * ringnic.c - the example busmaster miniport (driver side). Written against
 * <ndis.h> only, as a Windows miniport would be: NDIS 5.1 and NDIS 6
 * flavours share everything but registration.
 */
#include "ringnic.h"

#include <string.h>

#define RINGNIC_TAG 0x4e474e52u /* 'RNGN' */

static unsigned next_bugs;

void ringnic_set_bugs(unsigned bugs)
{
	next_bugs = bugs;
}

static BOOLEAN block_alloc(struct ringnic *nic, struct ringnic_block *b,
			   ULONG len)
{
	b->length = len;
	b->cached = TRUE;
	NdisMAllocateSharedMemory(nic->handle, len, b->cached, &b->va, &b->pa);
	if (!b->va)
		return FALSE;
	MmInitializeMdl(&b->mdl, b->va, len > PAGE_SIZE ? PAGE_SIZE : len);
	MmBuildMdlForNonPagedPool(&b->mdl);
	return TRUE;
}

static void block_free(struct ringnic *nic, struct ringnic_block *b)
{
	if (!b->va)
		return;
	NdisMFreeSharedMemory(nic->handle, b->length, b->cached, b->va, b->pa);
	b->va = NULL;
}

static uint64_t device_address(const struct ringnic *nic,
			       NDIS_PHYSICAL_ADDRESS pa)
{
	if (nic->bugs & RINGNIC_BUG_TRUNCATE_ADDRESS)
		return pa.LowPart; /* the classic 32-bit driver bug */
	return (uint64_t)pa.QuadPart;
}

static void release_all(struct ringnic *nic)
{
	for (int i = 0; i < RINGNIC_RING; i++) {
		if (i != 0 || !(nic->bugs & RINGNIC_BUG_LEAK_TX_BUFFER))
			block_free(nic, &nic->tx_buf[i]);
		block_free(nic, &nic->rx_buf[i]);
	}
	for (int i = 0; i < RINGNIC_ASYNC_BUFS; i++)
		block_free(nic, &nic->async_buf[i]);
	block_free(nic, &nic->tx_ring);
	block_free(nic, &nic->rx_ring);
	if (nic->dma)
		NdisMDeregisterScatterGatherDma(nic->dma);
	else if (nic->ndis_version == 5)
		NdisMFreeMapRegisters(nic->handle);
	NdisFreeSpinLock(&nic->lock);
}

/* Called with the adapter context, as NDIS does (not the handle). */
static VOID ringnic_allocate_complete(NDIS_HANDLE ctx, PVOID va,
				      PNDIS_PHYSICAL_ADDRESS pa, ULONG len,
				      PVOID context)
{
	struct ringnic *nic = ctx;
	struct ringnic_block *b = context;
	NdisAcquireSpinLock(&nic->lock);
	if (va) {
		b->va = va;
		b->pa = *pa;
		b->length = len;
		b->cached = TRUE; /* as requested; the free must match */
		nic->async_done++;
	} else {
		nic->async_failed++;
	}
	NdisReleaseSpinLock(&nic->lock);
}

/* Rings, buffers and async buffers; DMA is registered already. */
static NDIS_STATUS setup_memory(struct ringnic *nic)
{
	nic->alignment = NdisMGetDmaAlignment(nic->handle);
	NdisAllocateSpinLock(&nic->lock);
	if (!block_alloc(nic, &nic->tx_ring,
			 RINGNIC_RING * sizeof(struct ringnic_tx_desc)) ||
	    !block_alloc(nic, &nic->rx_ring,
			 RINGNIC_RING * sizeof(struct ringnic_rx_desc)))
		goto fail;
	for (int i = 0; i < RINGNIC_RING; i++)
		if (!block_alloc(nic, &nic->tx_buf[i], RINGNIC_BUF) ||
		    !block_alloc(nic, &nic->rx_buf[i], RINGNIC_BUF))
			goto fail;

	struct ringnic_tx_desc *td = nic->tx_ring.va;
	struct ringnic_rx_desc *rd = nic->rx_ring.va;
	memset(td, 0, nic->tx_ring.length);
	memset(rd, 0, nic->rx_ring.length);
	for (int i = 0; i < RINGNIC_RING; i++)
		rd[i].buffer_addr = device_address(nic, nic->rx_buf[i].pa);
	NdisFlushBuffer(&nic->tx_ring.mdl, TRUE);
	NdisFlushBuffer(&nic->rx_ring.mdl, TRUE);
	nic->regs.tdba = device_address(nic, nic->tx_ring.pa);
	nic->regs.rdba = device_address(nic, nic->rx_ring.pa);
	nic->regs.tdlen = nic->tx_ring.length;
	nic->regs.rdlen = nic->rx_ring.length;
	nic->regs.rdt = RINGNIC_RING - 1;

	/* More receive buffers, asynchronously, as a driver does when load
	 * grows (seed 003). */
	for (int i = 0; i < RINGNIC_ASYNC_BUFS; i++) {
		NDIS_STATUS st =
			nic->dma ? NdisMAllocateSharedMemoryAsyncEx(
					   nic->dma, RINGNIC_BUF, TRUE,
					   &nic->async_buf[i])
				 : NdisMAllocateSharedMemoryAsync(
					   nic->handle, RINGNIC_BUF, TRUE,
					   &nic->async_buf[i]);
		if (st != NDIS_STATUS_PENDING)
			goto fail;
	}
	return NDIS_STATUS_SUCCESS;
fail:
	return NDIS_STATUS_RESOURCES;
}

static NDIS_STATUS ringnic5_initialize(PNDIS_STATUS open_error, PUINT medium,
				       PNDIS_MEDIUM media, UINT nmedia,
				       NDIS_HANDLE handle, NDIS_HANDLE config)
{
	(void)open_error;
	(void)config;
	UINT i;
	for (i = 0; i < nmedia && media[i] != NdisMedium802_3; i++)
		;
	if (i == nmedia)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*medium = i;
	struct ringnic *nic;
	if (NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(*nic),
				      RINGNIC_TAG) != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(nic, sizeof(*nic));
	nic->handle = handle;
	nic->ndis_version = 5;
	nic->bugs = next_bugs;
	NdisMSetAttributesEx(handle, nic, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER |
				     NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);
	NDIS_STATUS st = NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_64BITS,
						   8, RINGNIC_BUF);
	if (st != NDIS_STATUS_SUCCESS) {
		NdisFreeMemory(nic, sizeof(*nic), 0);
		return st;
	}
	st = setup_memory(nic);
	if (st != NDIS_STATUS_SUCCESS) {
		release_all(nic);
		NdisFreeMemory(nic, sizeof(*nic), 0);
	}
	return st;
}

static VOID ringnic5_halt(NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	release_all(nic);
	NdisFreeMemory(nic, sizeof(*nic), 0);
}

static VOID ringnic6_process_sg_list(PDEVICE_OBJECT dev, PVOID reserved,
				     PSCATTER_GATHER_LIST sg, PVOID ctx)
{
	(void)dev;
	(void)reserved;
	(void)sg;
	(void)ctx;
}

static NDIS_STATUS ringnic6_initialize(NDIS_HANDLE handle,
				       NDIS_HANDLE driver_context,
				       PNDIS_MINIPORT_INIT_PARAMETERS params)
{
	(void)driver_context;
	(void)params;
	struct ringnic *nic = NdisAllocateMemoryWithTagPriority(
		handle, sizeof(*nic), RINGNIC_TAG, NormalPoolPriority);
	if (!nic)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(nic, sizeof(*nic));
	nic->handle = handle;
	nic->ndis_version = 6;
	nic->bugs = next_bugs;

	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg;
	NdisZeroMemory(&reg, sizeof(reg));
	reg.Header.Type =
		NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	reg.Header.Revision =
		NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	reg.Header.Size = sizeof(reg);
	reg.MiniportAdapterContext = nic;
	reg.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
			     NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	reg.InterfaceType = NdisInterfacePci;
	NDIS_STATUS st = NdisMSetMiniportAttributes(
		handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&reg);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_mem;

	NDIS_SG_DMA_DESCRIPTION dma;
	NdisZeroMemory(&dma, sizeof(dma));
	dma.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	dma.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	dma.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	dma.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
	dma.MaximumPhysicalMapping = RINGNIC_BUF;
	dma.ProcessSGListHandler = ringnic6_process_sg_list;
	dma.SharedMemAllocateCompleteHandler = ringnic_allocate_complete;
	st = NdisMRegisterScatterGatherDma(handle, &dma, &nic->dma);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_mem;
	st = setup_memory(nic);
	if (st != NDIS_STATUS_SUCCESS) {
		release_all(nic);
		goto fail_mem;
	}
	return NDIS_STATUS_SUCCESS;
fail_mem:
	NdisFreeMemoryWithTagPriority(handle, nic, RINGNIC_TAG);
	return st;
}

static VOID ringnic6_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
	(void)action;
	struct ringnic *nic = ctx;
	NDIS_HANDLE handle = nic->handle;
	release_all(nic);
	NdisFreeMemoryWithTagPriority(handle, nic, RINGNIC_TAG);
}

static VOID ringnic6_unload(PDRIVER_OBJECT obj)
{
	(void)obj;
}

static NDIS_HANDLE ringnic6_driver_handle;

NTSTATUS ringnic5_driver_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, obj, path, NULL);
	if (!wrapper)
		return STATUS_UNSUCCESSFUL;
	NDIS_MINIPORT_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = ringnic5_initialize;
	c.HaltHandler = ringnic5_halt;
	c.AllocateCompleteHandler = ringnic_allocate_complete;
	NDIS_STATUS st = NdisMRegisterMiniport(wrapper, &c, sizeof(c));
	if (st != NDIS_STATUS_SUCCESS) {
		NdisTerminateWrapper(wrapper, NULL);
		return STATUS_UNSUCCESSFUL;
	}
	return STATUS_SUCCESS;
}

NTSTATUS ringnic6_driver_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = 6;
	c.MinorNdisVersion = 20;
	c.InitializeHandlerEx = ringnic6_initialize;
	c.HaltHandlerEx = ringnic6_halt;
	c.UnloadHandler = ringnic6_unload;
	NDIS_STATUS st = NdisMRegisterMiniportDriver(obj, path, NULL, &c,
						     &ringnic6_driver_handle);
	return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

NDIS_STATUS ringnic_send(struct ringnic *nic, const void *frame, ULONG len)
{
	if (len == 0 || len > RINGNIC_BUF)
		return NDIS_STATUS_INVALID_LENGTH;
	unsigned i = nic->tx_next;
	struct ringnic_tx_desc *td = &((struct ringnic_tx_desc *)
					       nic->tx_ring.va)[i];
	if (((i + 1) % RINGNIC_RING) == nic->regs.tdh)
		return NDIS_STATUS_RESOURCES;
	memcpy(nic->tx_buf[i].va, frame, len);
	if (!(nic->bugs & RINGNIC_BUG_NO_TX_FLUSH))
		NdisFlushBuffer(&nic->tx_buf[i].mdl, TRUE);
	td->buffer_addr = device_address(nic, nic->tx_buf[i].pa);
	td->length = (uint16_t)len;
	td->cmd = RINGNIC_TXD_CMD_EOP | RINGNIC_TXD_CMD_RS;
	td->status = 0;
	NdisFlushBuffer(&nic->tx_ring.mdl, TRUE);
	nic->tx_next = (i + 1) % RINGNIC_RING;
	nic->regs.tdt = nic->tx_next; /* the doorbell */
	nic->frames_sent++;
	return NDIS_STATUS_SUCCESS;
}

ULONG ringnic_receive(struct ringnic *nic, void *out, ULONG cap)
{
	unsigned i = nic->rx_next;
	struct ringnic_rx_desc *rd = &((struct ringnic_rx_desc *)
					       nic->rx_ring.va)[i];
	NdisMUpdateSharedMemory(nic->handle, nic->rx_ring.length,
				nic->rx_ring.va, nic->rx_ring.pa);
	if (!(rd->status & RINGNIC_DESC_DD))
		return 0;
	ULONG len = rd->length;
	NdisMUpdateSharedMemory(nic->handle, len, nic->rx_buf[i].va,
				nic->rx_buf[i].pa);
	if (len > cap)
		len = cap;
	memcpy(out, nic->rx_buf[i].va, len);
	rd->status = 0;
	NdisFlushBuffer(&nic->rx_ring.mdl, TRUE);
	nic->rx_next = (i + 1) % RINGNIC_RING;
	nic->regs.rdt = i; /* give the buffer back to the NIC */
	nic->frames_received++;
	return len;
}
