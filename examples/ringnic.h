/* SPDX-License-Identifier: MIT */
/*
 * ringnic.h - "ringnic", the example busmaster miniport, and the simulated
 * NIC it drives. The driver keeps e1000-style TX and RX descriptor rings
 * and packet buffers in shared memory; the device model (ringnic_device.c)
 * plays the NIC: it reads the rings through the simulated IOMMU, "sends"
 * each frame by looping it back into the next RX buffer, and writes the
 * descriptors back, exactly as a busmaster NIC's DMA would.
 */
#ifndef NDISDMA_EXAMPLE_RINGNIC_H
#define NDISDMA_EXAMPLE_RINGNIC_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#define RINGNIC_RING 16     /* descriptors per ring */
#define RINGNIC_BUF 2048    /* bytes per packet buffer */
#define RINGNIC_ASYNC_BUFS 4 /* extra RX buffers from async allocation */

/* e1000 legacy descriptors (82540EM manual, 3.2.3 and 3.3.3). */
struct ringnic_tx_desc {
	uint64_t buffer_addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
struct ringnic_rx_desc {
	uint64_t buffer_addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
_Static_assert(sizeof(struct ringnic_tx_desc) == 16, "TX descriptor layout");
_Static_assert(sizeof(struct ringnic_rx_desc) == 16, "RX descriptor layout");

#define RINGNIC_TXD_CMD_EOP 0x01
#define RINGNIC_TXD_CMD_RS 0x08
#define RINGNIC_DESC_DD 0x01 /* descriptor done */
#define RINGNIC_RXD_EOP 0x02

/* The NIC's registers as the driver programs them (ring bases, lengths,
 * head and tail), the way MMIO would carry them on real hardware. */
struct ringnic_regs {
	_Atomic uint64_t tdba, rdba;
	_Atomic uint32_t tdlen, rdlen;
	_Atomic uint32_t tdh, tdt, rdh, rdt;
};

struct ringnic_block {
	void *va;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG length;
	BOOLEAN cached;
	MDL mdl; /* describes the block for NdisFlushBuffer */
	PFN_NUMBER pfn[2];
};

/* Deliberate bugs the example can be told to have, so that tests show
 * what ndisdma catches. */
enum {
	RINGNIC_BUG_NONE = 0,
	RINGNIC_BUG_TRUNCATE_ADDRESS = 1, /* writes only the low 32 bits */
	RINGNIC_BUG_LEAK_TX_BUFFER = 2,   /* halt forgets one buffer */
	RINGNIC_BUG_NO_TX_FLUSH = 4,      /* sends without flushing the
					     frame out of the cache */
};

struct ringnic {
	NDIS_HANDLE handle;   /* the miniport adapter handle */
	NDIS_HANDLE dma;      /* NDIS 6 DMA handle */
	int ndis_version;
	unsigned bugs;
	ULONG alignment;
	struct ringnic_regs regs;
	struct ringnic_block tx_ring, rx_ring;
	struct ringnic_block tx_buf[RINGNIC_RING], rx_buf[RINGNIC_RING];
	NDIS_SPIN_LOCK lock; /* guards the async blocks */
	struct ringnic_block async_buf[RINGNIC_ASYNC_BUFS];
	unsigned async_done, async_failed;
	unsigned tx_next, rx_next;
	unsigned long frames_sent, frames_received;
};

/* DriverEntry of the NDIS 5.1 and NDIS 6 flavours. */
NTSTATUS ringnic5_driver_entry(PDRIVER_OBJECT, PUNICODE_STRING);
NTSTATUS ringnic6_driver_entry(PDRIVER_OBJECT, PUNICODE_STRING);

/* Bugs the next adapter started will have (RINGNIC_BUG_*). */
void ringnic_set_bugs(unsigned bugs);

/* Driver side: queue one frame for transmission. Returns
 * NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES (ring full) or
 * NDIS_STATUS_INVALID_LENGTH. */
NDIS_STATUS ringnic_send(struct ringnic *nic, const void *frame, ULONG len);
/* Driver side: take the next received frame. Returns its length, or 0
 * when none is ready. */
ULONG ringnic_receive(struct ringnic *nic, void *out, ULONG cap);

/* Device side (the simulated NIC): process every TX descriptor the driver
 * queued, looping each frame back into the next RX buffer. Returns the
 * number of frames moved, or a negative errno when a DMA faulted. */
int ringnic_device_loopback(struct ringnic *nic, ndisdma_sim *sim);

#endif
