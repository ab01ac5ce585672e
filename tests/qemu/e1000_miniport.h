/* SPDX-License-Identifier: MIT */
/*
 * e1000_miniport.h - a minimal miniport for the Intel 82540EM (QEMU's
 * `-device e1000`), written against <ndis.h> and the native device-access
 * API. Descriptor rings and packet buffers are NDIS shared memory; the
 * device reaches them at the logical addresses NdisMAllocateSharedMemory
 * returned (IOVAs on vfio, physical addresses on uio).
 *
 * Register and descriptor facts cite the "PCI/PCI-X Family of Gigabit
 * Ethernet Controllers Software Developer's Manual" (8254x SDM, Intel
 * 317453): sections 3.2.3 / 3.3.3 (descriptors), 13 (registers), 14
 * (initialisation).
 */
#ifndef E1000_MINIPORT_H
#define E1000_MINIPORT_H

#include <assert.h>
#include <ndis.h>
#include <ndisdma/ndisdma.h>
#include <stdint.h>

#define E1000_NDESC 16 /* per ring: 256 bytes, a multiple of 128 (13.4.x) */
#define E1000_BIG (3u << 20)
#define E1000_BUFSZ 2048 /* RCTL.BSIZE = 00b: 2048 bytes (13.4.22) */

/* Legacy transmit descriptor (SDM 3.3.3). */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
static_assert(sizeof(struct e1000_tx_desc) == 16, "SDM 3.3.3");

/* Receive descriptor (SDM 3.2.3). */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
static_assert(sizeof(struct e1000_rx_desc) == 16, "SDM 3.2.3");

struct e1000_block {
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG length;
};

struct e1000_nic {
	NDIS_HANDLE handle;
	volatile UCHAR *regs; /* BAR 0 */
	size_t regs_len;
	unsigned char mac[6];
	struct e1000_block tx_ring, rx_ring;
	struct e1000_block tx_buf[E1000_NDESC], rx_buf[E1000_NDESC];
	/* E1000_BIG bytes, more than one 2 MiB hugepage, or va NULL when
	 * the bus could not give it (uio without consecutive hugepages). */
	struct e1000_block big;
	unsigned tx_tail, rx_next;
	unsigned long interrupts, frames_sent, frames_received;
};

/* DriverEntry of the NDIS 5.1 miniport. */
NTSTATUS e1000_driver_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path);

/* Transmit one frame (copied into the next TX buffer) and wait, up to
 * timeout_ms, until the NIC reports the descriptor done. Returns 0,
 * -EINVAL (length), -ETIMEDOUT. */
int e1000_send(struct e1000_nic *nic, const void *frame, size_t len,
	       int timeout_ms);

/* Transmit `len` bytes from device address `addr` as they are (for the
 * DMA-isolation check: an address the driver never got). Same returns. */
int e1000_send_raw(struct e1000_nic *nic, uint64_t addr, size_t len,
		   int timeout_ms);

/* Wait up to timeout_ms for a receive interrupt (ICR.RXT0) and copy the
 * next received frame into buf. Returns its length, 0 on timeout, or a
 * negative errno. */
int e1000_receive(struct e1000_nic *nic, void *buf, size_t cap, int timeout_ms);

#endif
