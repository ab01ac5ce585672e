/* SPDX-License-Identifier: MIT */
/*
 * e1000_miniport.c - the 82540EM miniport of the QEMU test (see
 * e1000_miniport.h). NDIS 5.1: NdisMSetAttributesEx (bus master),
 * NdisMAllocateMapRegisters, then rings and buffers from
 * NdisMAllocateSharedMemory; registers through the native API's BAR 0.
 */
#include "e1000_miniport.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define E1000_TAG 0x30303045u /* 'E000' */

/* Register offsets (SDM table 13-2). */
enum {
	REG_CTRL = 0x0000,   /* 13.4.1 Device Control */
	REG_STATUS = 0x0008, /* 13.4.2 Device Status */
	REG_ICR = 0x00C0,    /* 13.4.17 Interrupt Cause Read (clears) */
	REG_IMS = 0x00D0,    /* 13.4.20 Interrupt Mask Set */
	REG_IMC = 0x00D8,    /* 13.4.21 Interrupt Mask Clear */
	REG_RCTL = 0x0100,   /* 13.4.22 Receive Control */
	REG_TCTL = 0x0400,   /* 13.4.33 Transmit Control */
	REG_TIPG = 0x0410,   /* 13.4.34 Transmit IPG */
	REG_RDBAL = 0x2800,  /* 13.4.25 */
	REG_RDBAH = 0x2804,  /* 13.4.26 */
	REG_RDLEN = 0x2808,  /* 13.4.27 */
	REG_RDH = 0x2810,    /* 13.4.28 */
	REG_RDT = 0x2818,    /* 13.4.29 */
	REG_RDTR = 0x2820,   /* 13.4.30 Receive Delay Timer */
	REG_TDBAL = 0x3800,  /* 13.4.38 */
	REG_TDBAH = 0x3804,  /* 13.4.39 */
	REG_TDLEN = 0x3808,  /* 13.4.40 */
	REG_TDH = 0x3810,    /* 13.4.41 */
	REG_TDT = 0x3818,    /* 13.4.42 */
	REG_MTA = 0x5200,    /* 13.4.47 Multicast Table Array, 128 x 32 */
	REG_RAL0 = 0x5400,   /* 13.4.48 Receive Address Low */
	REG_RAH0 = 0x5404,   /* 13.4.49 Receive Address High */
};

#define CTRL_ASDE (1u << 5) /* auto-speed detection */
#define CTRL_SLU (1u << 6)  /* set link up */
#define CTRL_RST (1u << 26) /* device reset, self-clearing */
#define STATUS_LU (1u << 1) /* link up */
#define ICR_TXDW (1u << 0)
#define ICR_LSC (1u << 2)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO (1u << 6)
#define ICR_RXT0 (1u << 7) /* receiver timer interrupt */
#define RCTL_EN (1u << 1)
#define RCTL_UPE (1u << 3)    /* unicast promiscuous */
#define RCTL_MPE (1u << 4)    /* multicast promiscuous */
#define RCTL_BAM (1u << 15)   /* accept broadcast */
#define RCTL_SECRC (1u << 26) /* strip Ethernet CRC */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3) /* pad short packets */
#define TCTL_CT(x) ((uint32_t)(x) << 4)
#define TCTL_COLD(x) ((uint32_t)(x) << 12)
#define TXD_CMD_EOP 0x01  /* 3.3.3.1: end of packet */
#define TXD_CMD_IFCS 0x02 /* insert FCS */
#define TXD_CMD_RS 0x08	  /* report status */
#define TXD_STAT_DD 0x01  /* descriptor done */
#define RXD_STAT_DD 0x01  /* 3.2.3.1 */
#define RXD_STAT_EOP 0x02

static ULONG rd32(struct e1000_nic *nic, unsigned reg)
{
	ULONG v;
	NdisReadRegisterUlong((PULONG)(nic->regs + reg), &v);
	return v;
}

static void wr32(struct e1000_nic *nic, unsigned reg, ULONG v)
{
	NdisWriteRegisterUlong((PULONG)(nic->regs + reg), v);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static BOOLEAN block_alloc(struct e1000_nic *nic, struct e1000_block *b,
			   ULONG len)
{
	b->length = len;
	NdisMAllocateSharedMemory(nic->handle, len, TRUE, &b->va, &b->pa);
	if (!b->va)
		return FALSE;
	NdisZeroMemory(b->va, len);
	return TRUE;
}

static void block_free(struct e1000_nic *nic, struct e1000_block *b)
{
	if (b->va)
		NdisMFreeSharedMemory(nic->handle, b->length, TRUE, b->va,
				      b->pa);
	b->va = NULL;
}

static void release_all(struct e1000_nic *nic)
{
	for (int i = 0; i < E1000_NDESC; i++) {
		block_free(nic, &nic->tx_buf[i]);
		block_free(nic, &nic->rx_buf[i]);
	}
	block_free(nic, &nic->tx_ring);
	block_free(nic, &nic->rx_ring);
	block_free(nic, &nic->big);
	NdisMFreeMapRegisters(nic->handle);
}

/* SDM 14.3-14.5: reset, link, receive and transmit setup. */
static NDIS_STATUS hw_init(struct e1000_nic *nic)
{
	wr32(nic, REG_IMC, 0xFFFFFFFFu); /* 14.3: mask all first */
	wr32(nic, REG_CTRL, rd32(nic, REG_CTRL) | CTRL_RST);
	sleep_ms(2); /* 13.4.1: RST self-clears within 1 us + EEPROM */
	for (int i = 0; i < 100 && (rd32(nic, REG_CTRL) & CTRL_RST); i++)
		sleep_ms(1);
	wr32(nic, REG_IMC, 0xFFFFFFFFu);
	(void)rd32(nic, REG_ICR);
	wr32(nic, REG_CTRL, rd32(nic, REG_CTRL) | CTRL_SLU | CTRL_ASDE);
	for (int i = 0; i < 500 && !(rd32(nic, REG_STATUS) & STATUS_LU); i++)
		sleep_ms(2);

	/* The MAC address the EEPROM loaded into RAL0/RAH0 (13.4.48). */
	ULONG ral = rd32(nic, REG_RAL0), rah = rd32(nic, REG_RAH0);
	for (int i = 0; i < 4; i++)
		nic->mac[i] = (unsigned char)(ral >> (8 * i));
	nic->mac[4] = (unsigned char)rah;
	nic->mac[5] = (unsigned char)(rah >> 8);
	for (int i = 0; i < 128; i++) /* 14.4: clear the MTA */
		wr32(nic, REG_MTA + 4 * i, 0);

	/* 14.4 receive: ring, head/tail, then RCTL. */
	struct e1000_rx_desc *rd = nic->rx_ring.va;
	for (int i = 0; i < E1000_NDESC; i++)
		rd[i].addr = (uint64_t)nic->rx_buf[i].pa.QuadPart;
	uint64_t rb = (uint64_t)nic->rx_ring.pa.QuadPart;
	wr32(nic, REG_RDBAL, (ULONG)rb);
	wr32(nic, REG_RDBAH, (ULONG)(rb >> 32));
	wr32(nic, REG_RDLEN, nic->rx_ring.length);
	wr32(nic, REG_RDH, 0);
	wr32(nic, REG_RDT, E1000_NDESC - 1);
	wr32(nic, REG_RDTR, 0); /* interrupt at once (13.4.30) */
	wr32(nic, REG_RCTL,
	     RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM | RCTL_SECRC);

	/* 14.5 transmit. */
	uint64_t tb = (uint64_t)nic->tx_ring.pa.QuadPart;
	wr32(nic, REG_TDBAL, (ULONG)tb);
	wr32(nic, REG_TDBAH, (ULONG)(tb >> 32));
	wr32(nic, REG_TDLEN, nic->tx_ring.length);
	wr32(nic, REG_TDH, 0);
	wr32(nic, REG_TDT, 0);
	wr32(nic, REG_TIPG, 10 | (8u << 10) | (6u << 20)); /* 13.4.34 */
	wr32(nic, REG_TCTL,
	     TCTL_EN | TCTL_PSP | TCTL_CT(0x0F) | TCTL_COLD(0x40));

	/* 14.3: unmask what we handle: receive timer, overrun, link. */
	wr32(nic, REG_IMS, ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC);
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS e1000_initialize(PNDIS_STATUS open_error, PUINT medium,
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
	struct e1000_nic *nic;
	if (NdisAllocateMemoryWithTag((PVOID *)&nic, sizeof(*nic), E1000_TAG) !=
	    NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(nic, sizeof(*nic));
	nic->handle = handle;
	NdisMSetAttributesEx(handle, nic, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER |
				 NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);
	NDIS_STATUS st = NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_64BITS,
						   E1000_NDESC, E1000_BUFSZ);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail_nic;

	/* The miniport handle is the native adapter object too. */
	void *bar;
	size_t barlen;
	if (ndisdma_adapter_bar((ndisdma_adapter *)handle, 0, &bar, &barlen) ||
	    barlen < 0x10000) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		NdisMFreeMapRegisters(handle);
		goto fail_nic;
	}
	nic->regs = bar;
	nic->regs_len = barlen;

	st = NDIS_STATUS_RESOURCES;
	if (!block_alloc(nic, &nic->tx_ring,
			 E1000_NDESC * sizeof(struct e1000_tx_desc)) ||
	    !block_alloc(nic, &nic->rx_ring,
			 E1000_NDESC * sizeof(struct e1000_rx_desc)))
		goto fail_mem;
	for (i = 0; i < E1000_NDESC; i++)
		if (!block_alloc(nic, &nic->tx_buf[i], E1000_BUFSZ) ||
		    !block_alloc(nic, &nic->rx_buf[i], E1000_BUFSZ))
			goto fail_mem;
	/* Optional: a block larger than a hugepage (the test checks it is
	 * contiguous in device space). NDIS 5 allows synchronous shared
	 * memory only here, in MiniportInitialize. */
	if (!block_alloc(nic, &nic->big, E1000_BIG))
		nic->big.va = NULL;
	/* SDM 3.2.4/3.3.4: ring bases 16-byte aligned. */
	if ((nic->tx_ring.pa.QuadPart | nic->rx_ring.pa.QuadPart) & 15)
		goto fail_mem;
	st = hw_init(nic);
	if (st == NDIS_STATUS_SUCCESS)
		return st;
fail_mem:
	release_all(nic);
fail_nic:
	NdisFreeMemory(nic, sizeof(*nic), 0);
	return st;
}

static VOID e1000_halt(NDIS_HANDLE ctx)
{
	struct e1000_nic *nic = ctx;
	wr32(nic, REG_IMC, 0xFFFFFFFFu);
	wr32(nic, REG_RCTL, 0);
	wr32(nic, REG_TCTL, 0);
	wr32(nic, REG_CTRL, rd32(nic, REG_CTRL) | CTRL_RST);
	sleep_ms(2);
	release_all(nic);
	NdisFreeMemory(nic, sizeof(*nic), 0);
}

NTSTATUS e1000_driver_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, obj, path, NULL);
	if (!wrapper)
		return STATUS_UNSUCCESSFUL;
	NDIS_MINIPORT_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = e1000_initialize;
	c.HaltHandler = e1000_halt;
	if (NdisMRegisterMiniport(wrapper, &c, sizeof(c)) !=
	    NDIS_STATUS_SUCCESS) {
		NdisTerminateWrapper(wrapper, NULL);
		return STATUS_UNSUCCESSFUL;
	}
	return STATUS_SUCCESS;
}

int e1000_send_raw(struct e1000_nic *nic, uint64_t addr, size_t len,
		   int timeout_ms)
{
	if (len == 0 || len > 16288)
		return -EINVAL;
	unsigned i = nic->tx_tail;
	volatile struct e1000_tx_desc *td =
	    &((struct e1000_tx_desc *)nic->tx_ring.va)[i];
	td->addr = addr;
	td->length = (uint16_t)len;
	td->cso = 0;
	td->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	td->status = 0;
	td->css = 0;
	td->special = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* descriptor before TDT */
	nic->tx_tail = (i + 1) % E1000_NDESC;
	wr32(nic, REG_TDT, nic->tx_tail); /* 3.4: the doorbell */
	double end = now_ms() + timeout_ms;
	while (!(td->status & TXD_STAT_DD)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(1);
	}
	nic->frames_sent++;
	return 0;
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len,
	       int timeout_ms)
{
	if (len == 0 || len > E1000_BUFSZ)
		return -EINVAL;
	struct e1000_block *b = &nic->tx_buf[nic->tx_tail];
	memcpy(b->va, frame, len);
	return e1000_send_raw(nic, (uint64_t)b->pa.QuadPart, len, timeout_ms);
}

int e1000_receive(struct e1000_nic *nic, void *buf, size_t cap, int timeout_ms)
{
	ndisdma_adapter *ad = (ndisdma_adapter *)nic->handle;
	double end = now_ms() + timeout_ms;
	for (;;) {
		unsigned i = nic->rx_next;
		volatile struct e1000_rx_desc *rd =
		    &((struct e1000_rx_desc *)nic->rx_ring.va)[i];
		if (rd->status & RXD_STAT_DD) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			size_t len = rd->length;
			if (len > cap)
				len = cap;
			memcpy(buf, nic->rx_buf[i].va, len);
			rd->status = 0;
			nic->rx_next = (i + 1) % E1000_NDESC;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			wr32(nic, REG_RDT, i); /* give the buffer back */
			nic->frames_received++;
			return (int)len;
		}
		int left = (int)(end - now_ms());
		if (left <= 0)
			return 0;
		int rc = ndisdma_adapter_irq_wait(ad, left);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			nic->interrupts++;
			(void)rd32(nic, REG_ICR); /* clears the causes */
			rc = ndisdma_adapter_irq_unmask(ad);
			if (rc < 0)
				return rc;
		}
	}
}
