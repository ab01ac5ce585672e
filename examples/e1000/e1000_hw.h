/* SPDX-License-Identifier: MIT */
/*
 * e1000_hw.h - the Intel 8254x facts the example miniport uses: register
 * offsets, bits and descriptor layouts. Section numbers refer to the
 * "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual" (Intel 317453): 3.2 receive, 3.3 transmit, 5 EEPROM, 13
 * registers, 14 initialisation.
 */
#ifndef E1000_HW_H
#define E1000_HW_H

#include <ndis.h>

/* PCI IDs of the 82540EM (QEMU's `-device e1000`) and its close kin. */
#define E1000_VENDOR_INTEL 0x8086
static const USHORT e1000_device_ids[] = {
    0x100E, /* 82540EM desktop */
    0x100F, /* 82545EM copper (QEMU e1000-82545em) */
    0x1015, /* 82540EM LOM */
    0x1016, /* 82540EP LOM */
    0x1017, /* 82540EP LP */
    0x101E, /* 82540EP LP mobile */
    0x1011, /* 82545EM fiber */
};

/* Register offsets (table 13-2). */
enum {
	E1000_CTRL = 0x0000,	 /* 13.4.1 Device Control */
	E1000_STATUS = 0x0008,	 /* 13.4.2 Device Status */
	E1000_EERD = 0x0014,	 /* 13.4.6 EEPROM Read */
	E1000_ICR = 0x00C0,	 /* 13.4.17 Interrupt Cause Read (clears) */
	E1000_ICS = 0x00C8,	 /* 13.4.19 Interrupt Cause Set */
	E1000_IMS = 0x00D0,	 /* 13.4.20 Interrupt Mask Set/Read */
	E1000_IMC = 0x00D8,	 /* 13.4.21 Interrupt Mask Clear */
	E1000_RCTL = 0x0100,	 /* 13.4.22 Receive Control */
	E1000_TCTL = 0x0400,	 /* 13.4.33 Transmit Control */
	E1000_TIPG = 0x0410,	 /* 13.4.34 Transmit IPG */
	E1000_RDBAL = 0x2800,	 /* 13.4.25 */
	E1000_RDBAH = 0x2804,	 /* 13.4.26 */
	E1000_RDLEN = 0x2808,	 /* 13.4.27 */
	E1000_RDH = 0x2810,	 /* 13.4.28 */
	E1000_RDT = 0x2818,	 /* 13.4.29 */
	E1000_RDTR = 0x2820,	 /* 13.4.30 Receive Delay Timer */
	E1000_TDBAL = 0x3800,	 /* 13.4.38 */
	E1000_TDBAH = 0x3804,	 /* 13.4.39 */
	E1000_TDLEN = 0x3808,	 /* 13.4.40 */
	E1000_TDH = 0x3810,	 /* 13.4.41 */
	E1000_TDT = 0x3818,	 /* 13.4.42 */
	E1000_TIDV = 0x3820,	 /* 13.4.43 Transmit Interrupt Delay */
	E1000_CRCERRS = 0x4000,	 /* 13.7.1 CRC errors */
	E1000_ALGNERRC = 0x4004, /* 13.7.2 alignment errors */
	E1000_RXERRC = 0x400C,	 /* 13.7.4 receive errors */
	E1000_MPC = 0x4010,	 /* 13.7.5 missed packets */
	E1000_SCC = 0x4014,	 /* 13.7.6 single collisions */
	E1000_ECOL = 0x4018,	 /* 13.7.7 excessive collisions */
	E1000_MCC = 0x401C,	 /* 13.7.8 multiple collisions */
	E1000_LATECOL = 0x4020,	 /* 13.7.9 late collisions */
	E1000_RNBC = 0x40A0,	 /* 13.7.32 receive no buffers */
	E1000_MTA = 0x5200,	 /* 13.4.47 Multicast Table Array, 128 x 32 */
	E1000_RAL0 = 0x5400,	 /* 13.4.48 Receive Address Low */
	E1000_RAH0 = 0x5404,	 /* 13.4.49 Receive Address High */
};

/* The I/O BAR's indirect window (13.3): write a register's offset to
 * IOADDR, then read or write the register through IODATA. */
#define E1000_IOADDR 0x00
#define E1000_IODATA 0x04

#define E1000_CTRL_FD (1u << 0)	  /* full duplex */
#define E1000_CTRL_ASDE (1u << 5) /* auto-speed detection */
#define E1000_CTRL_SLU (1u << 6)  /* set link up */
#define E1000_CTRL_RST (1u << 26) /* device reset, self-clearing */
#define E1000_STATUS_FD (1u << 0) /* full duplex */
#define E1000_STATUS_LU (1u << 1) /* link up */
#define E1000_STATUS_SPEED(s) (((s) >> 6) & 3u) /* 0: 10, 1: 100, 2/3: 1000 */

/* EERD on the 82540/82545 (13.4.6): start bit 0, done bit 4, word address
 * bits 15:8, data bits 31:16. Words 0..2 hold the MAC address (5.6.1). */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_DONE (1u << 4)
#define E1000_EERD_ADDR(a) ((ULONG)(a) << 8)
#define E1000_EERD_DATA(v) ((USHORT)((v) >> 16))

#define E1000_ICR_TXDW (1u << 0)   /* transmit descriptor written back */
#define E1000_ICR_TXQE (1u << 1)   /* transmit queue empty */
#define E1000_ICR_LSC (1u << 2)	   /* link status change */
#define E1000_ICR_RXDMT0 (1u << 4) /* receive descriptors minimum */
#define E1000_ICR_RXO (1u << 6)	   /* receiver overrun */
#define E1000_ICR_RXT0 (1u << 7)   /* receiver timer */

#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_UPE (1u << 3)    /* unicast promiscuous */
#define E1000_RCTL_MPE (1u << 4)    /* multicast promiscuous */
#define E1000_RCTL_BAM (1u << 15)   /* accept broadcast */
#define E1000_RCTL_SECRC (1u << 26) /* strip Ethernet CRC */
/* RCTL.BSIZE = 00b, BSEX = 0: 2048-byte receive buffers (13.4.22). */
#define E1000_RX_BUFSZ 2048

#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3) /* pad short packets */
#define E1000_TCTL_CT(x) ((ULONG)(x) << 4)
#define E1000_TCTL_COLD(x) ((ULONG)(x) << 12)

#define E1000_RAH_AV (1u << 31) /* address valid */

/* Legacy transmit descriptor (3.3.3). */
typedef struct _E1000_TX_DESC {
	ULONGLONG Address;
	USHORT Length;
	UCHAR Cso;
	UCHAR Cmd;
	UCHAR Status;
	UCHAR Css;
	USHORT Special;
} E1000_TX_DESC;
C_ASSERT(sizeof(E1000_TX_DESC) == 16);
#define E1000_TXD_CMD_EOP 0x01	/* end of packet */
#define E1000_TXD_CMD_IFCS 0x02 /* insert FCS */
#define E1000_TXD_CMD_RS 0x08	/* report status */
#define E1000_TXD_STAT_DD 0x01	/* descriptor done */

/* Receive descriptor (3.2.3). */
typedef struct _E1000_RX_DESC {
	ULONGLONG Address;
	USHORT Length;
	USHORT Checksum;
	UCHAR Status;
	UCHAR Errors;
	USHORT Special;
} E1000_RX_DESC;
C_ASSERT(sizeof(E1000_RX_DESC) == 16);
#define E1000_RXD_STAT_DD 0x01	/* descriptor done */
#define E1000_RXD_STAT_EOP 0x02 /* end of packet */

#endif
