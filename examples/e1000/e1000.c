/* SPDX-License-Identifier: MIT */
/*
 * e1000.c - an NDIS 5.1 miniport for the Intel 82540EM (QEMU's
 * `-device e1000`), written only against <ndis.h>, as a Windows miniport
 * is: build it as a shared object and load it with `ndisdma run` or
 * `ndisdma vm` (see the README).
 *
 * What it does, in NDIS terms:
 * - serialized miniport, bus master; resources from
 *   NdisMQueryAdapterResources; PCI IDs and the command register through
 *   NdisRead/WritePciSlotInformation; parameters (TransmitBuffers,
 *   ReceiveBuffers, NetworkAddress) through NdisReadConfiguration and
 *   NdisReadNetworkAddress;
 * - registers: the memory BAR mapped with NdisMMapIoSpace; the I/O BAR
 *   registered with NdisMRegisterIoPortRange and used through its
 *   IOADDR/IODATA window for the reset and the EEPROM read of the MAC
 *   address when the window works (QEMU's e1000 does not implement it: its
 *   I/O BAR reads 0, and the driver then says so and uses the memory BAR);
 * - descriptor rings and packet buffers in shared memory
 *   (NdisMAllocateMapRegisters, NdisMAllocateSharedMemory); transmit
 *   copies each packet into its slot's buffer, completes with
 *   NdisMSendComplete when the NIC reports the descriptor done;
 * - receive indicates NDIS_PACKETs built on the receive buffers with
 *   NdisMIndicateReceivePacket (NDIS_STATUS_RESOURCES when the ring runs
 *   low) and re-arms each buffer when MiniportReturnPacket gives it back;
 * - interrupt: NdisMRegisterInterrupt; the ISR reads ICR and masks, the
 *   DPC (HandleInterrupt) takes the causes with
 *   NdisMSynchronizeWithInterrupt, reaps, indicates, and unmasks;
 * - link changes indicated with NdisMIndicateStatus(MEDIA_CONNECT /
 *   MEDIA_DISCONNECT); OIDs for addresses, frame size, link speed, media
 *   state, packet filter, lookahead, multicast list and statistics;
 * - CheckForHang, Reset, a shutdown handler, and a halt that undoes
 *   everything.
 */
#include "e1000_hw.h"

#define E1000_TAG 'k0Ee'
#define E1000_MAX_DESC 256
#define E1000_DEFAULT_DESC 64
#define E1000_MIN_DESC 16
#define E1000_MCAST_MAX 32
#define E1000_FRAME_MAX 1514 /* header + 1500, no FCS */
#define E1000_HEADER 14
#define E1000_TX_BUFSZ 2048

/* Receive slot states. */
enum rx_state { RX_HW, RX_UP, RX_FREE };

typedef struct _E1000_BLOCK {
	PVOID Va;
	NDIS_PHYSICAL_ADDRESS Pa;
	ULONG Length;
} E1000_BLOCK;

typedef struct _E1000_ADAPTER {
	NDIS_HANDLE Handle;
	/* hardware access */
	PUCHAR Regs; /* memory BAR, mapped */
	NDIS_PHYSICAL_ADDRESS RegsPa;
	ULONG RegsLength;
	ULONG IoBase, IoLength; /* I/O BAR as the bus gave it */
	PVOID IoPort;		/* what NdisMRegisterIoPortRange returned */
	BOOLEAN IoWindowWorks;
	BOOLEAN MapRegisters, IoRegistered, InterruptRegistered;
	BOOLEAN ShutdownRegistered;
	NDIS_MINIPORT_INTERRUPT Interrupt;
	UINT InterruptLevel, InterruptVector;
	ULONG PendingCauses; /* ICR bits the ISR saw, for the DPC */
	/* addresses and filters */
	UCHAR PermanentAddress[6], CurrentAddress[6];
	ULONG PacketFilter, Lookahead;
	UCHAR Multicast[E1000_MCAST_MAX][6];
	ULONG MulticastCount;
	/* link */
	BOOLEAN LinkUp;
	ULONG LinkSpeed; /* units of 100 bit/s */
	/* rings */
	ULONG NumTx, NumRx;
	E1000_BLOCK TxRing, RxRing, TxBufs, RxBufs;
	PNDIS_PACKET TxPacket[E1000_MAX_DESC];
	ULONG TxNext, TxClean, TxInUse;
	BOOLEAN TxRefused; /* RESOURCES returned: NdisMSendResourcesAvailable */
	NDIS_HANDLE PacketPool, BufferPool;
	PNDIS_PACKET RxPacket[E1000_MAX_DESC];
	PNDIS_BUFFER RxBuffer[E1000_MAX_DESC];
	UCHAR RxState[E1000_MAX_DESC];
	ULONG RxNext, RxTail, RxUp;
	/* watchdog */
	ULONG HangTicks, LastTxClean;
	/* statistics */
	ULONGLONG TxOk, RxOk, TxErr, RxErr, RxNoBuffer, RxCrc, RxAlign;
	ULONGLONG OneCollision, MoreCollisions;
	ULONGLONG TxBytes, RxBytes;
} E1000_ADAPTER, *PE1000_ADAPTER;

/* ---------------- register access ---------------- */

static ULONG rd32(PE1000_ADAPTER a, ULONG reg)
{
	ULONG v;
	NdisReadRegisterUlong((PULONG)(a->Regs + reg), &v);
	return v;
}

static VOID wr32(PE1000_ADAPTER a, ULONG reg, ULONG v)
{
	NdisWriteRegisterUlong((PULONG)(a->Regs + reg), v);
}

/* Through the I/O BAR's window (13.3). */
static ULONG io_rd32(PE1000_ADAPTER a, ULONG reg)
{
	ULONG v;
	NdisRawWritePortUlong((ULONG_PTR)a->IoPort + E1000_IOADDR, reg);
	NdisRawReadPortUlong((ULONG_PTR)a->IoPort + E1000_IODATA, &v);
	return v;
}

static VOID io_wr32(PE1000_ADAPTER a, ULONG reg, ULONG v)
{
	NdisRawWritePortUlong((ULONG_PTR)a->IoPort + E1000_IOADDR, reg);
	NdisRawWritePortUlong((ULONG_PTR)a->IoPort + E1000_IODATA, v);
}

/* The window is used when a register read through it matches the
 * memory BAR (STATUS is never 0 on a working 8254x). */
static VOID probe_io_window(PE1000_ADAPTER a)
{
	a->IoWindowWorks = FALSE;
	if (!a->IoRegistered)
		return;
	ULONG viaMem = rd32(a, E1000_STATUS);
	ULONG viaIo = io_rd32(a, E1000_STATUS);
	a->IoWindowWorks = viaMem != 0 && viaIo == viaMem;
	DbgPrint("e1000: I/O window at port 0x%lx: STATUS 0x%08lx through "
		 "IOADDR/IODATA, 0x%08lx through the memory BAR: %s\n",
		 (unsigned long)a->IoBase, (unsigned long)viaIo,
		 (unsigned long)viaMem,
		 a->IoWindowWorks ? "using the window for reset and EEPROM"
				  : "window not implemented by this device, "
				    "using the memory BAR");
}

/* Registers for the paths that may go through the I/O window. */
static ULONG ctl_rd32(PE1000_ADAPTER a, ULONG reg)
{
	return a->IoWindowWorks ? io_rd32(a, reg) : rd32(a, reg);
}

static VOID ctl_wr32(PE1000_ADAPTER a, ULONG reg, ULONG v)
{
	if (a->IoWindowWorks)
		io_wr32(a, reg, v);
	else
		wr32(a, reg, v);
}

/* One EEPROM word through EERD (13.4.6); FALSE on timeout. */
static BOOLEAN eeprom_read(PE1000_ADAPTER a, ULONG word, PUSHORT out)
{
	ctl_wr32(a, E1000_EERD, E1000_EERD_ADDR(word) | E1000_EERD_START);
	for (int i = 0; i < 1000; i++) {
		ULONG v = ctl_rd32(a, E1000_EERD);
		if (v & E1000_EERD_DONE) {
			*out = E1000_EERD_DATA(v);
			return TRUE;
		}
		NdisStallExecution(5);
	}
	return FALSE;
}

/* ---------------- shared memory ---------------- */

static BOOLEAN block_alloc(PE1000_ADAPTER a, E1000_BLOCK *b, ULONG len)
{
	b->Length = len;
	NdisMAllocateSharedMemory(a->Handle, len, FALSE, &b->Va, &b->Pa);
	if (!b->Va)
		return FALSE;
	NdisZeroMemory(b->Va, len);
	return TRUE;
}

static VOID block_free(PE1000_ADAPTER a, E1000_BLOCK *b)
{
	if (b->Va)
		NdisMFreeSharedMemory(a->Handle, b->Length, FALSE, b->Va,
				      b->Pa);
	b->Va = NULL;
}

static E1000_TX_DESC *tx_desc(PE1000_ADAPTER a, ULONG i)
{
	return &((E1000_TX_DESC *)a->TxRing.Va)[i];
}

static E1000_RX_DESC *rx_desc(PE1000_ADAPTER a, ULONG i)
{
	return &((E1000_RX_DESC *)a->RxRing.Va)[i];
}

static PUCHAR rx_va(PE1000_ADAPTER a, ULONG i)
{
	return (PUCHAR)a->RxBufs.Va + (SIZE_T)i * E1000_RX_BUFSZ;
}

static ULONGLONG rx_pa(PE1000_ADAPTER a, ULONG i)
{
	return (ULONGLONG)a->RxBufs.Pa.QuadPart + (ULONGLONG)i * E1000_RX_BUFSZ;
}

static PUCHAR tx_va(PE1000_ADAPTER a, ULONG i)
{
	return (PUCHAR)a->TxBufs.Va + (SIZE_T)i * E1000_TX_BUFSZ;
}

static ULONGLONG tx_pa(PE1000_ADAPTER a, ULONG i)
{
	return (ULONGLONG)a->TxBufs.Pa.QuadPart + (ULONGLONG)i * E1000_TX_BUFSZ;
}

/* ---------------- hardware setup ---------------- */

static VOID hw_reset(PE1000_ADAPTER a)
{
	wr32(a, E1000_IMC, 0xFFFFFFFFu); /* 14.3: mask before the reset */
	wr32(a, E1000_RCTL, 0);
	wr32(a, E1000_TCTL, 0);
	ctl_wr32(a, E1000_CTRL, ctl_rd32(a, E1000_CTRL) | E1000_CTRL_RST);
	NdisStallExecution(10); /* 13.4.1: RST clears within 1 us */
	for (int i = 0; i < 1000 && (rd32(a, E1000_CTRL) & E1000_CTRL_RST); i++)
		NdisStallExecution(10);
	wr32(a, E1000_IMC, 0xFFFFFFFFu);
	(void)rd32(a, E1000_ICR);
}

static VOID read_link(PE1000_ADAPTER a)
{
	ULONG s = rd32(a, E1000_STATUS);
	a->LinkUp = (s & E1000_STATUS_LU) != 0;
	static const ULONG mbps[4] = {10, 100, 1000, 1000};
	a->LinkSpeed = mbps[E1000_STATUS_SPEED(s)] * 10000;
}

/* 13.4.48/49: the station address in RAL0/RAH0. */
static VOID program_address(PE1000_ADAPTER a)
{
	const UCHAR *m = a->CurrentAddress;
	wr32(a, E1000_RAL0,
	     (ULONG)m[0] | (ULONG)m[1] << 8 | (ULONG)m[2] << 16 |
		 (ULONG)m[3] << 24);
	wr32(a, E1000_RAH0, (ULONG)m[4] | (ULONG)m[5] << 8 | E1000_RAH_AV);
}

/* 13.4.47: with RCTL.MO = 00b the 12-bit hash is bits 47:36 of the
 * destination address; bits 11:5 pick the MTA register, 4:0 the bit. */
static VOID program_multicast(PE1000_ADAPTER a)
{
	ULONG mta[128];
	NdisZeroMemory(mta, sizeof(mta));
	for (ULONG i = 0; i < a->MulticastCount; i++) {
		const UCHAR *m = a->Multicast[i];
		ULONG hash = ((ULONG)m[4] >> 4 | (ULONG)m[5] << 4) & 0xFFF;
		mta[hash >> 5] |= 1u << (hash & 31);
	}
	for (ULONG i = 0; i < 128; i++)
		wr32(a, E1000_MTA + 4 * i, mta[i]);
}

static ULONG rctl_for_filter(ULONG filter)
{
	ULONG r = E1000_RCTL_SECRC; /* 2048-byte buffers: BSIZE 00b */
	if (filter)
		r |= E1000_RCTL_EN;
	if (filter & NDIS_PACKET_TYPE_PROMISCUOUS)
		r |= E1000_RCTL_UPE | E1000_RCTL_MPE;
	if (filter & NDIS_PACKET_TYPE_ALL_MULTICAST)
		r |= E1000_RCTL_MPE;
	if (filter &
	    (NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS))
		r |= E1000_RCTL_BAM;
	return r;
}

/* 14.4 / 14.5: rings, then the units. Interrupts stay masked. `fresh`:
 * the receive ring starts empty (initialize); otherwise (after a reset)
 * the NIC resumes where the driver is, slots up the stack left out. */
static VOID hw_start(PE1000_ADAPTER a, BOOLEAN fresh)
{
	wr32(a, E1000_CTRL,
	     rd32(a, E1000_CTRL) | E1000_CTRL_SLU | E1000_CTRL_ASDE);
	program_address(a);
	program_multicast(a);

	if (fresh) {
		for (ULONG i = 0; i < a->NumRx; i++) {
			E1000_RX_DESC *d = rx_desc(a, i);
			d->Address = rx_pa(a, i);
			d->Status = 0;
			a->RxState[i] = RX_HW;
		}
		/* The NIC owns RDH..RDT-1: all but the last slot. */
		a->RxState[a->NumRx - 1] = RX_FREE;
		a->RxNext = 0;
		a->RxTail = a->NumRx - 1;
	}
	ULONGLONG rb = (ULONGLONG)a->RxRing.Pa.QuadPart;
	wr32(a, E1000_RDBAL, (ULONG)rb);
	wr32(a, E1000_RDBAH, (ULONG)(rb >> 32));
	wr32(a, E1000_RDLEN, a->NumRx * sizeof(E1000_RX_DESC));
	wr32(a, E1000_RDH, a->RxNext);
	wr32(a, E1000_RDT, a->RxTail);
	wr32(a, E1000_RDTR, 0); /* 13.4.30: interrupt at once */
	wr32(a, E1000_RCTL, rctl_for_filter(a->PacketFilter));

	for (ULONG i = 0; i < a->NumTx; i++) {
		E1000_TX_DESC *d = tx_desc(a, i);
		NdisZeroMemory(d, sizeof(*d));
		d->Address = tx_pa(a, i);
	}
	a->TxNext = a->TxClean = a->TxInUse = 0;
	ULONGLONG tb = (ULONGLONG)a->TxRing.Pa.QuadPart;
	wr32(a, E1000_TDBAL, (ULONG)tb);
	wr32(a, E1000_TDBAH, (ULONG)(tb >> 32));
	wr32(a, E1000_TDLEN, a->NumTx * sizeof(E1000_TX_DESC));
	wr32(a, E1000_TDH, 0);
	wr32(a, E1000_TDT, 0);
	wr32(a, E1000_TIDV, 0);
	wr32(a, E1000_TIPG, 10 | (8u << 10) | (6u << 20)); /* 13.4.34 */
	wr32(a, E1000_TCTL,
	     E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT(0x0F) |
		 E1000_TCTL_COLD(0x40));
	read_link(a);
}

#define E1000_IRQ_MASK                                                         \
	(E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXDMT0 | E1000_ICR_RXO |   \
	 E1000_ICR_RXT0)

/* ---------------- interrupt ---------------- */

/* DIRQL: is it ours? Read (and so clear) the causes, mask, queue the DPC. */
static VOID e1000_isr(PBOOLEAN recognized, PBOOLEAN queue_dpc, NDIS_HANDLE ctx)
{
	PE1000_ADAPTER a = ctx;
	ULONG icr = rd32(a, E1000_ICR);
	if (!(icr & E1000_IRQ_MASK)) {
		*recognized = FALSE; /* shared line: someone else's */
		*queue_dpc = FALSE;
		return;
	}
	wr32(a, E1000_IMC, 0xFFFFFFFFu);
	a->PendingCauses |= icr;
	*recognized = TRUE;
	*queue_dpc = TRUE;
}

static VOID e1000_disable_interrupt(NDIS_HANDLE ctx)
{
	wr32((PE1000_ADAPTER)ctx, E1000_IMC, 0xFFFFFFFFu);
}

static VOID e1000_enable_interrupt(NDIS_HANDLE ctx)
{
	wr32((PE1000_ADAPTER)ctx, E1000_IMS, E1000_IRQ_MASK);
}

struct take_causes {
	PE1000_ADAPTER a;
	ULONG causes;
};

/* With the ISR held off: take what it saved. */
static BOOLEAN take_causes(PVOID context)
{
	struct take_causes *t = context;
	t->causes = t->a->PendingCauses;
	t->a->PendingCauses = 0;
	return TRUE;
}

/* ---------------- transmit ---------------- */

/* Complete every packet whose descriptor the NIC has written back. */
static VOID tx_reap(PE1000_ADAPTER a)
{
	while (a->TxInUse) {
		E1000_TX_DESC *d = tx_desc(a, a->TxClean);
		if (!(*(volatile UCHAR *)&d->Status & E1000_TXD_STAT_DD))
			break;
		PNDIS_PACKET p = a->TxPacket[a->TxClean];
		a->TxPacket[a->TxClean] = NULL;
		d->Status = 0;
		a->TxClean = (a->TxClean + 1) % a->NumTx;
		a->TxInUse--;
		a->TxOk++;
		NdisMSendComplete(a->Handle, p, NDIS_STATUS_SUCCESS);
	}
	if (a->TxRefused && a->TxInUse < a->NumTx - 1) {
		a->TxRefused = FALSE;
		NdisMSendResourcesAvailable(a->Handle);
	}
}

/* Copy a packet's buffer chain into dst; its length, or 0 when it does
 * not fit. */
static ULONG copy_packet(PNDIS_PACKET p, PUCHAR dst, ULONG cap)
{
	PNDIS_BUFFER b;
	UINT total, nbufs;
	NdisQueryPacket(p, NULL, &nbufs, &b, &total);
	if (total == 0 || total > cap)
		return 0;
	ULONG off = 0;
	while (b) {
		PVOID va;
		UINT len;
		NdisQueryBufferSafe(b, &va, &len, NormalPagePriority);
		if (!va || off + len > cap)
			return 0;
		NdisMoveMemory(dst + off, va, len);
		off += len;
		NdisGetNextBuffer(b, &b);
	}
	return off;
}

static VOID e1000_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET packets,
			       UINT count)
{
	PE1000_ADAPTER a = ctx;
	BOOLEAN queued = FALSE;
	for (UINT k = 0; k < count; k++) {
		PNDIS_PACKET p = packets[k];
		/* one slot stays empty: TDT == TDH means empty (3.4) */
		if (a->TxInUse >= a->NumTx - 1) {
			NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
			a->TxRefused = TRUE;
			continue;
		}
		ULONG i = a->TxNext;
		ULONG len = copy_packet(p, tx_va(a, i), E1000_FRAME_MAX);
		if (len < E1000_HEADER) {
			a->TxErr++;
			NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_INVALID_PACKET);
			continue;
		}
		E1000_TX_DESC *d = tx_desc(a, i);
		d->Address = tx_pa(a, i);
		d->Length = (USHORT)len;
		d->Cso = 0;
		d->Cmd =
		    E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
		d->Status = 0;
		d->Css = 0;
		d->Special = 0;
		a->TxPacket[i] = p;
		a->TxNext = (i + 1) % a->NumTx;
		a->TxInUse++;
		a->TxBytes += len;
		NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_PENDING);
		queued = TRUE;
	}
	if (queued) {
		KeMemoryBarrier(); /* descriptors before the doorbell */
		wr32(a, E1000_TDT, a->TxNext);
	}
}

/* ---------------- receive ---------------- */

/* Give the NIC every slot from RxTail on that is free again, in order.
 * The NIC owns RDH..RDT-1 and takes RDT == RDH for an empty ring, so it
 * never gets more than NumRx - 1 slots: one free slot stays with us. */
static VOID rx_refill(PE1000_ADAPTER a)
{
	BOOLEAN moved = FALSE;
	while (a->RxState[a->RxTail] == RX_FREE &&
	       (a->RxTail + a->NumRx - a->RxNext) % a->NumRx < a->NumRx - 1) {
		ULONG i = a->RxTail;
		E1000_RX_DESC *d = rx_desc(a, i);
		d->Address = rx_pa(a, i);
		d->Status = 0;
		d->Errors = 0;
		a->RxState[i] = RX_HW;
		a->RxTail = (i + 1) % a->NumRx;
		moved = TRUE;
	}
	if (moved) {
		KeMemoryBarrier();
		wr32(a, E1000_RDT, a->RxTail);
	}
}

static ULONG rx_hw_owned(PE1000_ADAPTER a)
{
	ULONG n = 0;
	for (ULONG i = 0; i < a->NumRx; i++)
		n += a->RxState[i] == RX_HW;
	return n;
}

static VOID rx_process(PE1000_ADAPTER a)
{
	PNDIS_PACKET batch[E1000_MAX_DESC];
	ULONG slot[E1000_MAX_DESC];
	UINT n = 0;
	ULONG low = a->NumRx / 4;
	ULONG owned = rx_hw_owned(a);
	while (n < a->NumRx) {
		ULONG i = a->RxNext;
		if (a->RxState[i] != RX_HW)
			break;
		E1000_RX_DESC *d = rx_desc(a, i);
		if (!(*(volatile UCHAR *)&d->Status & E1000_RXD_STAT_DD))
			break;
		KeMemoryBarrier(); /* status before the data */
		a->RxNext = (i + 1) % a->NumRx;
		owned--;
		ULONG len = d->Length;
		if (!(d->Status & E1000_RXD_STAT_EOP) || d->Errors ||
		    len < E1000_HEADER || len > E1000_RX_BUFSZ) {
			a->RxErr++;
			a->RxState[i] = RX_FREE;
			continue;
		}
		NDIS_PHYSICAL_ADDRESS pa;
		pa.QuadPart = (LONGLONG)rx_pa(a, i);
		NdisMUpdateSharedMemory(a->Handle, len, rx_va(a, i), pa);
		PNDIS_PACKET p = a->RxPacket[i];
		NdisAdjustBufferLength(a->RxBuffer[i], len);
		NdisRecalculatePacketCounts(p);
		NDIS_SET_PACKET_HEADER_SIZE(p, E1000_HEADER);
		/* Running low: the host copies at once and the slot is ours
		 * again when the indication returns. */
		NDIS_SET_PACKET_STATUS(p, owned < low ? NDIS_STATUS_RESOURCES
						      : NDIS_STATUS_SUCCESS);
		a->RxState[i] = RX_UP;
		a->RxUp++;
		a->RxOk++;
		a->RxBytes += len;
		batch[n] = p;
		slot[n] = i;
		n++;
	}
	if (n) {
		NdisMIndicateReceivePacket(a->Handle, batch, n);
		for (UINT k = 0; k < n; k++)
			if (NDIS_GET_PACKET_STATUS(batch[k]) ==
				NDIS_STATUS_RESOURCES &&
			    a->RxState[slot[k]] == RX_UP) {
				ULONG i = slot[k];
				NdisAdjustBufferLength(a->RxBuffer[i],
						       E1000_RX_BUFSZ);
				a->RxState[i] = RX_FREE;
				a->RxUp--;
			}
	}
	rx_refill(a);
}

static VOID e1000_return_packet(NDIS_HANDLE ctx, PNDIS_PACKET p)
{
	PE1000_ADAPTER a = ctx;
	ULONG i = *(ULONG *)p->MiniportReserved;
	if (i >= a->NumRx || a->RxPacket[i] != p || a->RxState[i] != RX_UP)
		return;
	NdisAdjustBufferLength(a->RxBuffer[i], E1000_RX_BUFSZ);
	a->RxState[i] = RX_FREE;
	a->RxUp--;
	rx_refill(a);
}

/* ---------------- link ---------------- */

static VOID link_changed(PE1000_ADAPTER a)
{
	BOOLEAN was = a->LinkUp;
	read_link(a);
	if (was == a->LinkUp)
		return;
	NdisMIndicateStatus(a->Handle,
			    a->LinkUp ? NDIS_STATUS_MEDIA_CONNECT
				      : NDIS_STATUS_MEDIA_DISCONNECT,
			    NULL, 0);
	NdisMIndicateStatusComplete(a->Handle);
}

/* DISPATCH_LEVEL, serialized with the other handlers. */
static VOID e1000_handle_interrupt(NDIS_HANDLE ctx)
{
	PE1000_ADAPTER a = ctx;
	struct take_causes t = {a, 0};
	NdisMSynchronizeWithInterrupt(&a->Interrupt, take_causes, &t);
	if (t.causes & E1000_ICR_LSC)
		link_changed(a);
	if (t.causes & E1000_ICR_RXO)
		a->RxNoBuffer++;
	rx_process(a);
	tx_reap(a);
	wr32(a, E1000_IMS, E1000_IRQ_MASK); /* unmask */
}

/* ---------------- statistics ---------------- */

/* The NIC's counters clear when read (13.7): add them up. */
static VOID stats_update(PE1000_ADAPTER a)
{
	a->RxCrc += rd32(a, E1000_CRCERRS);
	a->RxAlign += rd32(a, E1000_ALGNERRC);
	a->RxErr += rd32(a, E1000_RXERRC);
	a->RxNoBuffer += rd32(a, E1000_MPC) + rd32(a, E1000_RNBC);
	a->OneCollision += rd32(a, E1000_SCC);
	a->MoreCollisions += rd32(a, E1000_MCC);
	a->TxErr += rd32(a, E1000_ECOL) + rd32(a, E1000_LATECOL);
}

/* ---------------- OIDs ---------------- */

static const NDIS_OID e1000_oids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_PHYSICAL_MEDIUM,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_RCV_CRC_ERROR,
    OID_GEN_DIRECTED_BYTES_XMIT,
    OID_GEN_DIRECTED_BYTES_RCV,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_802_3_RCV_ERROR_ALIGNMENT,
    OID_802_3_XMIT_ONE_COLLISION,
    OID_802_3_XMIT_MORE_COLLISIONS,
};

static const char e1000_description[] = "ndisdma example e1000 (82540EM)";

static NDIS_STATUS e1000_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
			       ULONG buflen, PULONG written, PULONG needed)
{
	PE1000_ADAPTER a = ctx;
	ULONG u = 0;
	ULONGLONG u64 = 0;
	USHORT u16;
	NDIS_MEDIUM medium = NdisMedium802_3;
	const void *src = &u;
	ULONG len = sizeof(ULONG);
	BOOLEAN counter = FALSE;

	switch (oid) {
	case OID_GEN_SUPPORTED_LIST:
		src = e1000_oids;
		len = sizeof(e1000_oids);
		break;
	case OID_GEN_HARDWARE_STATUS:
		u = NdisHardwareStatusReady;
		break;
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		src = &medium;
		len = sizeof(medium);
		break;
	case OID_GEN_PHYSICAL_MEDIUM:
		u = NdisPhysicalMediumUnspecified;
		break;
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		u = E1000_FRAME_MAX - E1000_HEADER;
		break;
	case OID_GEN_CURRENT_LOOKAHEAD:
		u = a->Lookahead;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
		u = E1000_FRAME_MAX;
		break;
	case OID_GEN_LINK_SPEED:
		read_link(a);
		u = a->LinkSpeed;
		break;
	case OID_GEN_TRANSMIT_BUFFER_SPACE:
		u = a->NumTx * E1000_TX_BUFSZ;
		break;
	case OID_GEN_RECEIVE_BUFFER_SPACE:
		u = a->NumRx * E1000_RX_BUFSZ;
		break;
	case OID_GEN_VENDOR_ID:
		/* the IEEE OUI of the address, then a board byte */
		u = (ULONG)a->PermanentAddress[0] |
		    (ULONG)a->PermanentAddress[1] << 8 |
		    (ULONG)a->PermanentAddress[2] << 16;
		break;
	case OID_GEN_VENDOR_DESCRIPTION:
		src = e1000_description;
		len = sizeof(e1000_description);
		break;
	case OID_GEN_VENDOR_DRIVER_VERSION:
		u = 0x00010000; /* 1.0 */
		break;
	case OID_GEN_DRIVER_VERSION:
		u16 = (5 << 8) | 1; /* NDIS 5.1 */
		src = &u16;
		len = sizeof(u16);
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		u = a->PacketFilter;
		break;
	case OID_GEN_MAC_OPTIONS:
		u = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA |
		    NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
		    NDIS_MAC_OPTION_NO_LOOPBACK;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		read_link(a);
		u = a->LinkUp ? NdisMediaStateConnected
			      : NdisMediaStateDisconnected;
		break;
	case OID_GEN_MAXIMUM_SEND_PACKETS:
		u = a->NumTx - 1;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
		src = a->PermanentAddress;
		len = 6;
		break;
	case OID_802_3_CURRENT_ADDRESS:
		src = a->CurrentAddress;
		len = 6;
		break;
	case OID_802_3_MULTICAST_LIST:
		src = a->Multicast;
		len = a->MulticastCount * 6;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		u = E1000_MCAST_MAX;
		break;
	case OID_GEN_XMIT_OK:
	case OID_GEN_RCV_OK:
	case OID_GEN_XMIT_ERROR:
	case OID_GEN_RCV_ERROR:
	case OID_GEN_RCV_NO_BUFFER:
	case OID_GEN_RCV_CRC_ERROR:
	case OID_GEN_DIRECTED_BYTES_XMIT:
	case OID_GEN_DIRECTED_BYTES_RCV:
	case OID_802_3_RCV_ERROR_ALIGNMENT:
	case OID_802_3_XMIT_ONE_COLLISION:
	case OID_802_3_XMIT_MORE_COLLISIONS:
		stats_update(a);
		counter = TRUE;
		u64 = oid == OID_GEN_XMIT_OK		   ? a->TxOk
		      : oid == OID_GEN_RCV_OK		   ? a->RxOk
		      : oid == OID_GEN_XMIT_ERROR	   ? a->TxErr
		      : oid == OID_GEN_RCV_ERROR	   ? a->RxErr + a->RxCrc
		      : oid == OID_GEN_RCV_NO_BUFFER	   ? a->RxNoBuffer
		      : oid == OID_GEN_RCV_CRC_ERROR	   ? a->RxCrc
		      : oid == OID_GEN_DIRECTED_BYTES_XMIT ? a->TxBytes
		      : oid == OID_GEN_DIRECTED_BYTES_RCV  ? a->RxBytes
		      : oid == OID_802_3_RCV_ERROR_ALIGNMENT ? a->RxAlign
		      : oid == OID_802_3_XMIT_ONE_COLLISION  ? a->OneCollision
							    : a->MoreCollisions;
		break;
	default:
		*written = 0;
		*needed = 0;
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (counter) {
		/* Statistics: 64 bits when there is room, else 32. */
		if (buflen >= sizeof(ULONGLONG)) {
			src = &u64;
			len = sizeof(ULONGLONG);
		} else {
			u = (ULONG)u64;
			src = &u;
			len = sizeof(ULONG);
		}
	}
	if (buflen < len) {
		*written = 0;
		*needed = len;
		return NDIS_STATUS_INVALID_LENGTH;
	}
	if (len)
		NdisMoveMemory(buf, src, len);
	*written = len;
	*needed = 0;
	return NDIS_STATUS_SUCCESS;
}

#define E1000_FILTERS                                                          \
	(NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |              \
	 NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_BROADCAST |         \
	 NDIS_PACKET_TYPE_PROMISCUOUS)

static NDIS_STATUS e1000_set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
			     ULONG buflen, PULONG read, PULONG needed)
{
	PE1000_ADAPTER a = ctx;
	*read = 0;
	*needed = 0;
	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER: {
		if (buflen != sizeof(ULONG)) {
			*needed = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		ULONG f;
		NdisMoveMemory(&f, buf, sizeof(f));
		*read = sizeof(ULONG);
		if (f & ~E1000_FILTERS)
			return NDIS_STATUS_NOT_SUPPORTED;
		a->PacketFilter = f;
		wr32(a, E1000_RCTL, rctl_for_filter(f));
		return NDIS_STATUS_SUCCESS;
	}
	case OID_GEN_CURRENT_LOOKAHEAD: {
		if (buflen != sizeof(ULONG)) {
			*needed = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		ULONG l;
		NdisMoveMemory(&l, buf, sizeof(l));
		*read = sizeof(ULONG);
		if (l > E1000_FRAME_MAX - E1000_HEADER)
			return NDIS_STATUS_INVALID_DATA;
		a->Lookahead = l; /* whole frames are indicated anyway */
		return NDIS_STATUS_SUCCESS;
	}
	case OID_802_3_MULTICAST_LIST:
		if (buflen % 6) {
			*needed = (buflen / 6 + 1) * 6;
			return NDIS_STATUS_INVALID_LENGTH;
		}
		if (buflen / 6 > E1000_MCAST_MAX) {
			*needed = E1000_MCAST_MAX * 6;
			return NDIS_STATUS_MULTICAST_FULL;
		}
		if (buflen)
			NdisMoveMemory(a->Multicast, buf, buflen);
		a->MulticastCount = buflen / 6;
		program_multicast(a);
		*read = buflen;
		return NDIS_STATUS_SUCCESS;
	case OID_GEN_PROTOCOL_OPTIONS:
		if (buflen != sizeof(ULONG)) {
			*needed = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		*read = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

/* ---------------- watchdog, reset, shutdown ---------------- */

/* Hung when sends are outstanding and none completed for 3 ticks. */
static BOOLEAN e1000_check_for_hang(NDIS_HANDLE ctx)
{
	PE1000_ADAPTER a = ctx;
	stats_update(a);
	if (a->TxInUse && a->TxClean == a->LastTxClean) {
		if (++a->HangTicks >= 3) {
			DbgPrint("e1000: transmit stuck (%lu outstanding)\n",
				 (unsigned long)a->TxInUse);
			return TRUE;
		}
	} else {
		a->HangTicks = 0;
	}
	a->LastTxClean = a->TxClean;
	return FALSE;
}

static NDIS_STATUS e1000_reset(PBOOLEAN addressing_reset, NDIS_HANDLE ctx)
{
	PE1000_ADAPTER a = ctx;
	hw_reset(a);
	/* What the NIC still held is lost: fail those sends. */
	while (a->TxInUse) {
		PNDIS_PACKET p = a->TxPacket[a->TxClean];
		a->TxPacket[a->TxClean] = NULL;
		a->TxClean = (a->TxClean + 1) % a->NumTx;
		a->TxInUse--;
		a->TxErr++;
		NdisMSendComplete(a->Handle, p, NDIS_STATUS_FAILURE);
	}
	/* The receive ring keeps its slots: those up the stack stay there
	 * until returned; the NIC resumes at RxNext. */
	hw_start(a, FALSE);
	a->HangTicks = 0;
	e1000_enable_interrupt(a);
	*addressing_reset = TRUE; /* NDIS sets filter and multicast again */
	return NDIS_STATUS_SUCCESS;
}

static VOID e1000_shutdown(PVOID ctx)
{
	PE1000_ADAPTER a = ctx;
	/* The system goes down: quiet the NIC, nothing else. */
	wr32(a, E1000_IMC, 0xFFFFFFFFu);
	wr32(a, E1000_RCTL, 0);
	wr32(a, E1000_TCTL, 0);
	ctl_wr32(a, E1000_CTRL, rd32(a, E1000_CTRL) | E1000_CTRL_RST);
}

/* ---------------- initialize / halt ---------------- */

static VOID release(PE1000_ADAPTER a)
{
	if (a->InterruptRegistered)
		NdisMDeregisterInterrupt(&a->Interrupt);
	a->InterruptRegistered = FALSE;
	if (a->ShutdownRegistered)
		NdisMDeregisterAdapterShutdownHandler(a->Handle);
	a->ShutdownRegistered = FALSE;
	for (ULONG i = 0; i < E1000_MAX_DESC; i++) {
		if (a->RxPacket[i]) {
			PNDIS_BUFFER b;
			NdisUnchainBufferAtFront(a->RxPacket[i], &b);
			NdisFreePacket(a->RxPacket[i]);
			a->RxPacket[i] = NULL;
		}
		if (a->RxBuffer[i])
			NdisFreeBuffer(a->RxBuffer[i]);
		a->RxBuffer[i] = NULL;
	}
	if (a->BufferPool)
		NdisFreeBufferPool(a->BufferPool);
	if (a->PacketPool)
		NdisFreePacketPool(a->PacketPool);
	a->BufferPool = a->PacketPool = NULL;
	block_free(a, &a->TxBufs);
	block_free(a, &a->RxBufs);
	block_free(a, &a->TxRing);
	block_free(a, &a->RxRing);
	if (a->MapRegisters)
		NdisMFreeMapRegisters(a->Handle);
	a->MapRegisters = FALSE;
	if (a->Regs)
		NdisMUnmapIoSpace(a->Handle, a->Regs, a->RegsLength);
	a->Regs = NULL;
	if (a->IoRegistered)
		NdisMDeregisterIoPortRange(a->Handle, a->IoBase, a->IoLength,
					   a->IoPort);
	a->IoRegistered = FALSE;
}

/* The memory BAR, the I/O BAR and the interrupt from the resource list. */
static NDIS_STATUS find_resources(PE1000_ADAPTER a, NDIS_HANDLE wcc)
{
	UCHAR space[sizeof(NDIS_RESOURCE_LIST) +
		    8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	PNDIS_RESOURCE_LIST list = (PNDIS_RESOURCE_LIST)space;
	UINT size = sizeof(space);
	NDIS_STATUS st;
	NdisMQueryAdapterResources(&st, wcc, list, &size);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	BOOLEAN mem = FALSE, irq = FALSE;
	for (ULONG i = 0; i < list->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR d =
		    &list->PartialDescriptors[i];
		switch (d->Type) {
		case CmResourceTypeMemory:
			if (!mem && d->u.Memory.Length >= 0x10000) {
				a->RegsPa = d->u.Memory.Start;
				a->RegsLength = d->u.Memory.Length;
				mem = TRUE;
			}
			break;
		case CmResourceTypePort:
			if (!a->IoLength && d->u.Port.Length >= 8) {
				a->IoBase = d->u.Port.Start.LowPart;
				a->IoLength = d->u.Port.Length;
			}
			break;
		case CmResourceTypeInterrupt:
			if (!irq) {
				a->InterruptLevel = d->u.Interrupt.Level;
				a->InterruptVector = d->u.Interrupt.Vector;
				irq = TRUE;
			}
			break;
		default:
			break;
		}
	}
	if (!mem || !irq) {
		DbgPrint("e1000: resources lack the %s\n",
			 !mem ? "register BAR" : "interrupt");
		return NDIS_STATUS_RESOURCE_CONFLICT;
	}
	return NDIS_STATUS_SUCCESS;
}

/* 82540-family IDs, and bus mastering on (PCI command bit 2). */
static NDIS_STATUS check_pci(PE1000_ADAPTER a)
{
	PCI_COMMON_CONFIG cfg;
	ULONG got = NdisReadPciSlotInformation(a->Handle, 0, 0, &cfg,
					       PCI_COMMON_HDR_LENGTH);
	if (got < PCI_COMMON_HDR_LENGTH)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	BOOLEAN known = FALSE;
	for (ULONG i = 0; i < ARRAYSIZE(e1000_device_ids); i++)
		known |= cfg.VendorID == E1000_VENDOR_INTEL &&
			 cfg.DeviceID == e1000_device_ids[i];
	if (!known) {
		DbgPrint("e1000: PCI %04x:%04x is not an 82540-family NIC\n",
			 cfg.VendorID, cfg.DeviceID);
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	}
	if (!(cfg.Command & PCI_ENABLE_BUS_MASTER)) {
		USHORT cmd = cfg.Command | PCI_ENABLE_BUS_MASTER |
			     PCI_ENABLE_MEMORY_SPACE;
		NdisWritePciSlotInformation(
		    a->Handle, 0, FIELD_OFFSET(PCI_COMMON_CONFIG, Command),
		    &cmd, sizeof(cmd));
	}
	return NDIS_STATUS_SUCCESS;
}

static ULONG read_count(NDIS_HANDLE cfg, PNDIS_STRING name, ULONG def)
{
	NDIS_STATUS st;
	PNDIS_CONFIGURATION_PARAMETER p;
	NdisReadConfiguration(&st, &p, cfg, name, NdisParameterInteger);
	if (st != NDIS_STATUS_SUCCESS)
		return def;
	ULONG v = p->ParameterData.IntegerData;
	if (v < E1000_MIN_DESC)
		v = E1000_MIN_DESC;
	if (v > E1000_MAX_DESC)
		v = E1000_MAX_DESC;
	return v & ~7u; /* ring length: a multiple of 128 bytes (13.4.27) */
}

static NDIS_STATUS read_config(PE1000_ADAPTER a, NDIS_HANDLE wcc)
{
	NDIS_STATUS st;
	NDIS_HANDLE cfg;
	NDIS_STRING tx = NDIS_STRING_CONST("TransmitBuffers");
	NDIS_STRING rx = NDIS_STRING_CONST("ReceiveBuffers");
	a->NumTx = a->NumRx = E1000_DEFAULT_DESC;
	NdisOpenConfiguration(&st, &cfg, wcc);
	if (st != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_SUCCESS; /* defaults */
	a->NumTx = read_count(cfg, &tx, E1000_DEFAULT_DESC);
	a->NumRx = read_count(cfg, &rx, E1000_DEFAULT_DESC);
	PUCHAR na;
	UINT nalen;
	NdisReadNetworkAddress(&st, (PVOID *)&na, &nalen, cfg);
	/* a locally set unicast address overrides the EEPROM's */
	if (st == NDIS_STATUS_SUCCESS && nalen == 6 && !(na[0] & 1) &&
	    (na[0] | na[1] | na[2] | na[3] | na[4] | na[5])) {
		NdisMoveMemory(a->CurrentAddress, na, 6);
	}
	NdisCloseConfiguration(cfg);
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS e1000_initialize(PNDIS_STATUS open_error, PUINT medium,
				    PNDIS_MEDIUM media, UINT nmedia,
				    NDIS_HANDLE handle, NDIS_HANDLE wcc)
{
	*open_error = NDIS_STATUS_SUCCESS;
	UINT m;
	for (m = 0; m < nmedia && media[m] != NdisMedium802_3; m++)
		;
	if (m == nmedia)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*medium = m;

	PE1000_ADAPTER a;
	if (NdisAllocateMemoryWithTag((PVOID *)&a, sizeof(*a), E1000_TAG) !=
	    NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(a, sizeof(*a));
	a->Handle = handle;
	a->PacketFilter = 0; /* nothing until NDIS sets a filter */
	a->Lookahead = E1000_FRAME_MAX - E1000_HEADER;

	NdisMSetAttributesEx(handle, a, 2 /* CheckForHang every 2 s */,
			     NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);
	NDIS_STATUS st = read_config(a, wcc);
	if (st == NDIS_STATUS_SUCCESS)
		st = check_pci(a);
	if (st == NDIS_STATUS_SUCCESS)
		st = find_resources(a, wcc);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail;

	st = NdisMMapIoSpace((PVOID *)&a->Regs, handle, a->RegsPa,
			     a->RegsLength);
	if (st != NDIS_STATUS_SUCCESS) {
		a->Regs = NULL;
		goto fail;
	}
	if (a->IoLength) {
		if (NdisMRegisterIoPortRange(&a->IoPort, handle, a->IoBase,
					     a->IoLength) ==
		    NDIS_STATUS_SUCCESS)
			a->IoRegistered = TRUE;
	}
	probe_io_window(a);
	hw_reset(a);

	/* The permanent address: EEPROM words 0..2 (5.6.1), else RAL0. */
	USHORT w[3];
	if (eeprom_read(a, 0, &w[0]) && eeprom_read(a, 1, &w[1]) &&
	    eeprom_read(a, 2, &w[2])) {
		for (int i = 0; i < 3; i++) {
			a->PermanentAddress[2 * i] = (UCHAR)w[i];
			a->PermanentAddress[2 * i + 1] = (UCHAR)(w[i] >> 8);
		}
	} else {
		ULONG lo = rd32(a, E1000_RAL0), hi = rd32(a, E1000_RAH0);
		for (int i = 0; i < 4; i++)
			a->PermanentAddress[i] = (UCHAR)(lo >> (8 * i));
		a->PermanentAddress[4] = (UCHAR)hi;
		a->PermanentAddress[5] = (UCHAR)(hi >> 8);
	}
	UCHAR zero[6] = {0};
	if (NdisEqualMemory(a->CurrentAddress, zero, 6))
		NdisMoveMemory(a->CurrentAddress, a->PermanentAddress, 6);

	st = NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_64BITS, a->NumTx,
				       E1000_TX_BUFSZ);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail;
	a->MapRegisters = TRUE;
	st = NDIS_STATUS_RESOURCES;
	if (!block_alloc(a, &a->TxRing, a->NumTx * sizeof(E1000_TX_DESC)) ||
	    !block_alloc(a, &a->RxRing, a->NumRx * sizeof(E1000_RX_DESC)) ||
	    !block_alloc(a, &a->TxBufs, a->NumTx * E1000_TX_BUFSZ) ||
	    !block_alloc(a, &a->RxBufs, a->NumRx * E1000_RX_BUFSZ))
		goto fail;
	/* 3.2.4 / 3.3.4: rings 16-byte aligned (NDIS gives more). */
	if ((a->TxRing.Pa.QuadPart | a->RxRing.Pa.QuadPart) & 15)
		goto fail;

	NdisAllocatePacketPool(&st, &a->PacketPool, a->NumRx,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (st != NDIS_STATUS_SUCCESS) {
		a->PacketPool = NULL;
		goto fail;
	}
	NdisAllocateBufferPool(&st, &a->BufferPool, a->NumRx);
	if (st != NDIS_STATUS_SUCCESS) {
		a->BufferPool = NULL;
		goto fail;
	}
	for (ULONG i = 0; i < a->NumRx; i++) {
		NdisAllocatePacket(&st, &a->RxPacket[i], a->PacketPool);
		if (st != NDIS_STATUS_SUCCESS) {
			a->RxPacket[i] = NULL;
			goto fail;
		}
		NdisAllocateBuffer(&st, &a->RxBuffer[i], a->BufferPool,
				   rx_va(a, i), E1000_RX_BUFSZ);
		if (st != NDIS_STATUS_SUCCESS) {
			a->RxBuffer[i] = NULL;
			goto fail;
		}
		NdisChainBufferAtFront(a->RxPacket[i], a->RxBuffer[i]);
		*(ULONG *)a->RxPacket[i]->MiniportReserved = i;
	}

	hw_start(a, TRUE);
	st = NdisMRegisterInterrupt(&a->Interrupt, handle, a->InterruptVector,
				    a->InterruptLevel, TRUE, TRUE,
				    NdisInterruptLevelSensitive);
	if (st != NDIS_STATUS_SUCCESS)
		goto fail;
	a->InterruptRegistered = TRUE;
	NdisMRegisterAdapterShutdownHandler(handle, a, e1000_shutdown);
	a->ShutdownRegistered = TRUE;
	e1000_enable_interrupt(a);
	DbgPrint("e1000: %02x:%02x:%02x:%02x:%02x:%02x, %lu/%lu descriptors, "
		 "link %s\n",
		 a->CurrentAddress[0], a->CurrentAddress[1],
		 a->CurrentAddress[2], a->CurrentAddress[3],
		 a->CurrentAddress[4], a->CurrentAddress[5],
		 (unsigned long)a->NumTx, (unsigned long)a->NumRx,
		 a->LinkUp ? "up" : "down");
	return NDIS_STATUS_SUCCESS;

fail:
	if (a->Regs)
		hw_reset(a);
	release(a);
	NdisFreeMemory(a, sizeof(*a), 0);
	return st == NDIS_STATUS_SUCCESS ? NDIS_STATUS_FAILURE : st;
}

static VOID e1000_halt(NDIS_HANDLE ctx)
{
	PE1000_ADAPTER a = ctx;
	hw_reset(a); /* interrupts masked, units stopped */
	if (a->InterruptRegistered)
		NdisMDeregisterInterrupt(&a->Interrupt);
	a->InterruptRegistered = FALSE;
	/* Sends NDIS still waits for fail now. */
	while (a->TxInUse) {
		PNDIS_PACKET p = a->TxPacket[a->TxClean];
		a->TxPacket[a->TxClean] = NULL;
		a->TxClean = (a->TxClean + 1) % a->NumTx;
		a->TxInUse--;
		NdisMSendComplete(a->Handle, p, NDIS_STATUS_FAILURE);
	}
	release(a);
	NdisFreeMemory(a, sizeof(*a), 0);
}

/* ---------------- DriverEntry ---------------- */

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING path);

NTSTATUS DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING path)
{
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, driver, path, NULL);
	if (!wrapper)
		return STATUS_UNSUCCESSFUL;
	NDIS_MINIPORT_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = e1000_initialize;
	c.HaltHandler = e1000_halt;
	c.QueryInformationHandler = e1000_query;
	c.SetInformationHandler = e1000_set;
	c.SendPacketsHandler = e1000_send_packets;
	c.ReturnPacketHandler = e1000_return_packet;
	c.ISRHandler = e1000_isr;
	c.HandleInterruptHandler = e1000_handle_interrupt;
	c.EnableInterruptHandler = e1000_enable_interrupt;
	c.DisableInterruptHandler = e1000_disable_interrupt;
	c.CheckForHangHandler = e1000_check_for_hang;
	c.ResetHandler = e1000_reset;
	NDIS_STATUS st = NdisMRegisterMiniport(wrapper, &c, sizeof(c));
	if (st != NDIS_STATUS_SUCCESS) {
		NdisTerminateWrapper(wrapper, NULL);
		return STATUS_UNSUCCESSFUL;
	}
	return STATUS_SUCCESS;
}
