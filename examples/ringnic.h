/* SPDX-License-Identifier: MIT */
/*
 * ringnic.h - "ringnic", the example busmaster miniport, and the simulated
 * NIC it drives (ringnic_device.c).
 *
 * The NIC keeps e1000-style TX and RX descriptor rings in shared memory and
 * loops every frame it sends back into its receive ring. Its registers
 * (below) are a memory BAR; it raises its level-triggered interrupt for
 * "transmit done", "receive" and "link changed" causes, cleared by reading
 * ICR, as an 8254x does.
 *
 * The NDIS 5.1 flavour is a complete hosted miniport: when the device model
 * is attached (ringnic_use_model) it finds its BAR and interrupt with
 * NdisMQueryAdapterResources, maps the registers (NdisMMapIoSpace), takes
 * its interrupt (NdisMRegisterInterrupt: ISR + HandleInterrupt DPC), is a
 * serialized miniport the host sends to (MiniportSendPackets: the frame is
 * copied into a TX buffer; a full ring answers NDIS_STATUS_RESOURCES,
 * NdisMSendResourcesAvailable follows), indicates receives with packets and
 * buffers of its own NDIS 5 pools (NdisMIndicateReceivePacket,
 * MiniportReturnPacket), answers OIDs and indicates link changes. Without
 * the model (a plain "sim" URI) it keeps its registers in memory and the
 * host drives it by hand: ringnic_send / ringnic_device_loopback /
 * ringnic_receive.
 *
 * The NDIS 6.20 flavour is driven that way only (the NDIS 6 data path is
 * not hosted), but its send and receive paths are those of a real NDIS 6
 * miniport: a NET_BUFFER_LIST pool, NdisMAllocateNetBufferSGList for each
 * send (the descriptor gets the list's address in ProcessSGList), one
 * NET_BUFFER_LIST per receive buffer.
 */
#ifndef NDISDMA_EXAMPLE_RINGNIC_H
#define NDISDMA_EXAMPLE_RINGNIC_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#define RINGNIC_RING 32	     /* descriptors per ring */
#define RINGNIC_BUF 2048     /* bytes per packet buffer */
#define RINGNIC_ASYNC_BUFS 4 /* extra RX buffers from async allocation */
#define RINGNIC_MAX_FRAME 1514

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

/* The registers (BAR 0, 256 bytes of memory space). */
#define RN_CTRL 0x00   /* bit 0: transmit and receive enabled */
#define RN_STATUS 0x04 /* bit 1: link up */
#define RN_ICR 0x08    /* interrupt causes; reading clears them */
#define RN_IMS 0x0C    /* write: enable causes; read: enabled causes */
#define RN_IMC 0x10    /* write: disable causes */
#define RN_TDBAL 0x20
#define RN_TDBAH 0x24
#define RN_TDLEN 0x28
#define RN_TDH 0x2C
#define RN_TDT 0x30 /* the doorbell: the NIC sends up to here */
#define RN_RDBAL 0x40
#define RN_RDBAH 0x44
#define RN_RDLEN 0x48
#define RN_RDH 0x4C
#define RN_RDT 0x50
#define RN_RAL 0x60 /* MAC address bytes 0..3 */
#define RN_RAH 0x64 /* MAC address bytes 4..5 */
#define RN_BAR_SIZE 256

#define RN_CTRL_EN 0x1
#define RN_STATUS_LU 0x2
#define RN_INT_TXDW 0x1 /* a TX descriptor was written back */
#define RN_INT_RXT0 0x2 /* a frame was received */
#define RN_INT_LSC 0x4	/* link status changed */

#define RINGNIC_VENDOR 0x1af4
#define RINGNIC_DEVICE 0x10ff

/* The register file, as the device model holds it (and as the driver
 * holds it itself when no model is attached). */
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
	MDL mdl; /* describes the block for NdisFlushBuffer, NBLs */
	PFN_NUMBER pfn[2];
};

/* Deliberate bugs the example can be told to have, so that tests show
 * what ndisdma catches. */
enum {
	RINGNIC_BUG_NONE = 0,
	RINGNIC_BUG_TRUNCATE_ADDRESS = 1, /* writes only the low 32 bits */
	RINGNIC_BUG_LEAK_TX_BUFFER = 2,	  /* halt forgets one buffer */
	RINGNIC_BUG_NO_TX_FLUSH = 4,	  /* sends without flushing the
					     frame out of the cache */
};

struct ringnic {
	NDIS_HANDLE handle; /* the miniport adapter handle */
	NDIS_HANDLE dma;    /* NDIS 6 DMA handle */
	int ndis_version;
	unsigned bugs;
	ULONG alignment;
	struct ringnic_regs regs; /* without a device model */
	PUCHAR bar;		  /* the mapped registers, or NULL */
	ULONG bar_len;
	NDIS_MINIPORT_INTERRUPT intr;
	BOOLEAN intr_registered;
	ULONG causes; /* ICR read by the ISR, for the DPC */
	UCHAR mac[6];
	ULONG filter, lookahead;
	BOOLEAN link_up;
	struct ringnic_block tx_ring, rx_ring;
	struct ringnic_block tx_buf[RINGNIC_RING], rx_buf[RINGNIC_RING];
	NDIS_SPIN_LOCK lock; /* guards the async blocks */
	struct ringnic_block async_buf[RINGNIC_ASYNC_BUFS];
	unsigned async_done, async_failed;
	unsigned async_issued; /* NDIS_STATUS_PENDING returned */
	unsigned tx_next, tx_clean, rx_next, rx_gap;
	unsigned long frames_sent, frames_received;

	/* NDIS 5 hosted: the host's packets at the NIC, and the receive
	 * packets and buffers of the miniport's own pools */
	PNDIS_PACKET tx_pkt[RINGNIC_RING];
	BOOLEAN tx_waiting; /* answered RESOURCES: owe
			       NdisMSendResourcesAvailable */
	NDIS_HANDLE pkt_pool, buf_pool;
	PNDIS_PACKET rx_pkt[RINGNIC_RING];
	BOOLEAN rx_returned[RINGNIC_RING];
	ULONG rx_indicated, rx_copied;
	BOOLEAN shutdown_registered;

	/* NDIS 6: NET_BUFFER_LIST pool, one list per send in flight and
	 * per receive buffer */
	NDIS_HANDLE nbl_pool;
	PNET_BUFFER_LIST tx_nbl[RINGNIC_RING];
	PSCATTER_GATHER_LIST tx_sgl[RINGNIC_RING];
	PNET_BUFFER_LIST rx_nbl[RINGNIC_RING];
};

/* DriverEntry of the NDIS 5.1 and NDIS 6 flavours. */
NTSTATUS ringnic5_driver_entry(PDRIVER_OBJECT, PUNICODE_STRING);
NTSTATUS ringnic6_driver_entry(PDRIVER_OBJECT, PUNICODE_STRING);

/* Bugs the next adapter started will have (RINGNIC_BUG_*). */
void ringnic_set_bugs(unsigned bugs);

/* Driver side, without the device model: queue one frame for
 * transmission. Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES (ring
 * full) or NDIS_STATUS_INVALID_LENGTH. */
NDIS_STATUS ringnic_send(struct ringnic *nic, const void *frame, ULONG len);
/* Driver side, without the device model: take the next received frame.
 * Returns its length, or 0 when none is ready. */
ULONG ringnic_receive(struct ringnic *nic, void *out, ULONG cap);

/* Device side, without the device model: process every TX descriptor the
 * driver queued, looping each frame back into the next RX buffer. Returns
 * the number of frames moved, or a negative errno when a DMA faulted. */
int ringnic_device_loopback(struct ringnic *nic, ndisdma_sim *sim);

/* ---- the device model (ringnic_device.c) ---- */

/* Attach the ringnic device model to the adapters `drv` starts on sim from
 * now on (ndisdma_driver_set_sim_model): a memory BAR with the registers
 * above, INTA#, MAC 02:52:4e:00:00:NN. Returns 0 or -EINVAL. */
int ringnic_use_model(ndisdma_driver *drv);
/* The model of a running adapter: change the link (raises RN_INT_LSC).
 * Returns 0, or -ENOENT when the adapter has no ringnic model. */
int ringnic_model_set_link(ndisdma_adapter *ad, int up);
/* Frames the model moved, and DMA faults it met (for tests). */
struct ringnic_model_stats {
	unsigned long tx_frames, rx_frames, rx_no_buffer, dma_faults,
	    interrupts;
};
int ringnic_model_stats(ndisdma_adapter *ad, struct ringnic_model_stats *out);

#endif
