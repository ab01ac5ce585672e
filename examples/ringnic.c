/* SPDX-License-Identifier: MIT */
/*
 * ringnic.c - the example busmaster miniport (driver side). Written against
 * <ndis.h> only, as a Windows miniport would be. The NDIS 5.1 flavour is
 * hosted (interrupts, sends, indications, OIDs) when its device model is
 * there; both flavours share the rings and buffers in shared memory.
 */
#include "ringnic.h"

#include <string.h>

#define RINGNIC_TAG 0x4e474e52u /* 'RNGN' */
#define RINGNIC_SPEED 10000000u /* OID_GEN_LINK_SPEED: 1 Gb/s in 100 b/s */

static unsigned next_bugs;

void ringnic_set_bugs(unsigned bugs)
{
	next_bugs = bugs;
}

/* ---------------- memory ---------------- */

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

/* ---------------- registers ---------------- */

static ULONG rd(struct ringnic *nic, ULONG reg)
{
	ULONG v;
	NdisReadRegisterUlong((PULONG)(nic->bar + reg), &v);
	return v;
}

static void wr(struct ringnic *nic, ULONG reg, ULONG v)
{
	NdisWriteRegisterUlong((PULONG)(nic->bar + reg), v);
}

/* Tell the NIC: the TX tail (doorbell) / the RX tail (buffers given). */
static void tx_doorbell(struct ringnic *nic)
{
	if (nic->bar)
		wr(nic, RN_TDT, nic->tx_next);
	else
		nic->regs.tdt = nic->tx_next;
}

static void rx_give(struct ringnic *nic, unsigned gap)
{
	if (nic->bar)
		wr(nic, RN_RDT, gap);
	else
		nic->regs.rdt = gap;
}

static unsigned tx_head(struct ringnic *nic)
{
	return nic->bar ? rd(nic, RN_TDH) : nic->regs.tdh;
}

/* ---------------- set-up and tear-down ---------------- */

/* Wait (up to 5 s) for the async allocations still pending: a failing
 * MiniportInitialize must not free the blocks their completions fill. */
static void async_wait(struct ringnic *nic)
{
	for (int ms = 0; ms < 5000; ms++) {
		NdisAcquireSpinLock(&nic->lock);
		unsigned left =
		    nic->async_issued - nic->async_done - nic->async_failed;
		NdisReleaseSpinLock(&nic->lock);
		if (!left)
			return;
		NdisMSleep(1000);
	}
}

static void release_all(struct ringnic *nic)
{
	async_wait(nic);
	for (int i = 0; i < RINGNIC_RING; i++) {
		if (nic->rx_nbl[i])
			NdisFreeNetBufferList(nic->rx_nbl[i]);
		nic->rx_nbl[i] = NULL;
		if (nic->tx_sgl[i] && nic->tx_nbl[i])
			NdisMFreeNetBufferSGList(
			    nic->dma, nic->tx_sgl[i],
			    NET_BUFFER_LIST_FIRST_NB(nic->tx_nbl[i]));
		nic->tx_sgl[i] = NULL;
		if (nic->tx_nbl[i])
			NdisFreeNetBufferList(nic->tx_nbl[i]);
		nic->tx_nbl[i] = NULL;
		if (nic->rx_pkt[i]) {
			PNDIS_BUFFER b;
			NdisUnchainBufferAtFront(nic->rx_pkt[i], &b);
			if (b)
				NdisFreeBuffer(b);
			NdisFreePacket(nic->rx_pkt[i]);
			nic->rx_pkt[i] = NULL;
		}
	}
	if (nic->nbl_pool)
		NdisFreeNetBufferListPool(nic->nbl_pool);
	if (nic->buf_pool)
		NdisFreeBufferPool(nic->buf_pool);
	if (nic->pkt_pool)
		NdisFreePacketPool(nic->pkt_pool);
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
	struct ringnic_rx_desc *rdsc = nic->rx_ring.va;
	memset(td, 0, nic->tx_ring.length);
	memset(rdsc, 0, nic->rx_ring.length);
	for (int i = 0; i < RINGNIC_RING; i++)
		rdsc[i].buffer_addr = device_address(nic, nic->rx_buf[i].pa);
	NdisFlushBuffer(&nic->tx_ring.mdl, TRUE);
	NdisFlushBuffer(&nic->rx_ring.mdl, TRUE);
	nic->rx_gap = RINGNIC_RING - 1;
	if (nic->bar) {
		uint64_t t = device_address(nic, nic->tx_ring.pa);
		uint64_t r = device_address(nic, nic->rx_ring.pa);
		wr(nic, RN_TDBAL, (ULONG)t);
		wr(nic, RN_TDBAH, (ULONG)(t >> 32));
		wr(nic, RN_TDLEN, nic->tx_ring.length);
		wr(nic, RN_TDH, 0);
		wr(nic, RN_TDT, 0);
		wr(nic, RN_RDBAL, (ULONG)r);
		wr(nic, RN_RDBAH, (ULONG)(r >> 32));
		wr(nic, RN_RDLEN, nic->rx_ring.length);
		wr(nic, RN_RDH, 0);
		wr(nic, RN_RDT, nic->rx_gap);
	} else {
		nic->regs.tdba = device_address(nic, nic->tx_ring.pa);
		nic->regs.rdba = device_address(nic, nic->rx_ring.pa);
		nic->regs.tdlen = nic->tx_ring.length;
		nic->regs.rdlen = nic->rx_ring.length;
		nic->regs.rdt = nic->rx_gap;
	}

	/* More receive buffers, asynchronously, as a driver does when load
	 * grows (NdisMAllocateSharedMemory's remarks). */
	for (int i = 0; i < RINGNIC_ASYNC_BUFS; i++) {
		NDIS_STATUS st =
		    nic->dma
			? NdisMAllocateSharedMemoryAsyncEx(
			      nic->dma, RINGNIC_BUF, TRUE, &nic->async_buf[i])
			: NdisMAllocateSharedMemoryAsync(nic->handle,
							 RINGNIC_BUF, TRUE,
							 &nic->async_buf[i]);
		if (st != NDIS_STATUS_PENDING)
			goto fail;
		NdisAcquireSpinLock(&nic->lock);
		nic->async_issued++;
		NdisReleaseSpinLock(&nic->lock);
	}
	return NDIS_STATUS_SUCCESS;
fail:
	return NDIS_STATUS_RESOURCES;
}

/* ---------------- NDIS 5.1: hosted ---------------- */

/* The receive side's packets: one per RX buffer, from the miniport's own
 * packet pool; the buffer descriptor is allocated per frame (its length
 * is the frame's). MiniportReserved[0] holds the RX index. */
static NDIS_STATUS setup_rx_packets(struct ringnic *nic)
{
	NDIS_STATUS st;
	NdisAllocatePacketPool(&st, &nic->pkt_pool, RINGNIC_RING,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	NdisAllocateBufferPool(&st, &nic->buf_pool, RINGNIC_RING);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	for (int i = 0; i < RINGNIC_RING; i++) {
		NdisAllocatePacket(&st, &nic->rx_pkt[i], nic->pkt_pool);
		if (st != NDIS_STATUS_SUCCESS)
			return st;
		nic->rx_pkt[i]->MiniportReserved[0] = (UCHAR)i;
		NDIS_SET_PACKET_HEADER_SIZE(nic->rx_pkt[i], 14);
	}
	return NDIS_STATUS_SUCCESS;
}

/* Find the BAR and interrupt; map the registers. SUCCESS with nic->bar
 * NULL when the device has no registers (no model: driven by hand). */
static NDIS_STATUS find_device(struct ringnic *nic, NDIS_HANDLE config,
			       UINT *vector, UINT *level)
{
	union {
		NDIS_RESOURCE_LIST list;
		UCHAR raw[sizeof(NDIS_RESOURCE_LIST) +
			  8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
	} res;
	UINT size = sizeof(res);
	NDIS_STATUS st;
	NdisMQueryAdapterResources(&st, config, &res.list, &size);
	if (st != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_SUCCESS;
	NDIS_PHYSICAL_ADDRESS bar = {.QuadPart = 0};
	ULONG bar_len = 0;
	BOOLEAN have_irq = FALSE;
	for (ULONG i = 0; i < res.list.Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR d =
		    &res.list.PartialDescriptors[i];
		if (d->Type == CmResourceTypeMemory && !bar_len) {
			bar = d->u.Memory.Start;
			bar_len = d->u.Memory.Length;
		} else if (d->Type == CmResourceTypeInterrupt) {
			*vector = d->u.Interrupt.Vector;
			*level = d->u.Interrupt.Level;
			have_irq = TRUE;
		}
	}
	if (bar_len < RN_BAR_SIZE || !have_irq)
		return NDIS_STATUS_SUCCESS; /* not our device model */
	st = NdisMMapIoSpace((PVOID *)&nic->bar, nic->handle, bar, RN_BAR_SIZE);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	nic->bar_len = RN_BAR_SIZE;
	ULONG lo = rd(nic, RN_RAL), hi = rd(nic, RN_RAH);
	for (int i = 0; i < 4; i++)
		nic->mac[i] = (UCHAR)(lo >> (8 * i));
	nic->mac[4] = (UCHAR)hi;
	nic->mac[5] = (UCHAR)(hi >> 8);
	nic->link_up = (rd(nic, RN_STATUS) & RN_STATUS_LU) != 0;
	return NDIS_STATUS_SUCCESS;
}

static VOID ringnic5_shutdown(PVOID ctx)
{
	struct ringnic *nic = ctx;
	if (nic->bar) { /* stop DMA and interrupts: the machine goes down */
		wr(nic, RN_IMC, ~0u);
		wr(nic, RN_CTRL, 0);
	}
}

static void release5(struct ringnic *nic)
{
	if (nic->bar) {
		wr(nic, RN_IMC, ~0u);
		wr(nic, RN_CTRL, 0);
	}
	if (nic->intr_registered)
		NdisMDeregisterInterrupt(&nic->intr);
	if (nic->shutdown_registered)
		NdisMDeregisterAdapterShutdownHandler(nic->handle);
	release_all(nic);
	if (nic->bar)
		NdisMUnmapIoSpace(nic->handle, nic->bar, nic->bar_len);
	nic->bar = NULL;
}

static NDIS_STATUS ringnic5_initialize(PNDIS_STATUS open_error, PUINT medium,
				       PNDIS_MEDIUM media, UINT nmedia,
				       NDIS_HANDLE handle, NDIS_HANDLE config)
{
	(void)open_error;
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
	nic->link_up = TRUE;
	nic->lookahead = RINGNIC_MAX_FRAME - 14;
	/* serialized: NDIS never runs two of its handlers at once, so the
	 * send path and the DPC share the rings without a lock */
	NdisMSetAttributesEx(handle, nic, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	UINT vector = 0, level = 0;
	NDIS_STATUS st = find_device(nic, config, &vector, &level);
	if (st != NDIS_STATUS_SUCCESS) {
		NdisFreeMemory(nic, sizeof(*nic), 0);
		return st;
	}
	st = NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_64BITS, 8,
				       RINGNIC_BUF);
	if (st != NDIS_STATUS_SUCCESS) {
		if (nic->bar)
			NdisMUnmapIoSpace(handle, nic->bar, nic->bar_len);
		NdisFreeMemory(nic, sizeof(*nic), 0);
		return st;
	}
	st = setup_memory(nic);
	if (st == NDIS_STATUS_SUCCESS && nic->bar)
		st = setup_rx_packets(nic);
	if (st == NDIS_STATUS_SUCCESS && nic->bar) {
		st = NdisMRegisterInterrupt(&nic->intr, handle, vector, level,
					    TRUE, TRUE,
					    NdisInterruptLevelSensitive);
		nic->intr_registered = st == NDIS_STATUS_SUCCESS;
	}
	if (st != NDIS_STATUS_SUCCESS) {
		release5(nic);
		NdisFreeMemory(nic, sizeof(*nic), 0);
		return st;
	}
	if (nic->bar) {
		NdisMRegisterAdapterShutdownHandler(handle, nic,
						    ringnic5_shutdown);
		nic->shutdown_registered = TRUE;
		wr(nic, RN_CTRL, RN_CTRL_EN);
		wr(nic, RN_IMS, RN_INT_TXDW | RN_INT_RXT0 | RN_INT_LSC);
	}
	return NDIS_STATUS_SUCCESS;
}

static VOID ringnic5_halt(NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	release5(nic);
	NdisFreeMemory(nic, sizeof(*nic), 0);
}

/* The NIC's interrupt: recognise it by ICR (reading it clears the causes
 * and lowers the line) and leave the work to the DPC. DIRQL. */
static VOID ringnic5_isr(PBOOLEAN recognized, PBOOLEAN queue_dpc,
			 NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	ULONG icr = rd(nic, RN_ICR);
	*recognized = icr != 0;
	*queue_dpc = icr != 0;
	if (icr)
		__atomic_or_fetch(&nic->causes, icr, __ATOMIC_SEQ_CST);
}

static VOID ringnic5_disable_interrupt(NDIS_HANDLE ctx)
{
	wr((struct ringnic *)ctx, RN_IMC, ~0u);
}

static VOID ringnic5_enable_interrupt(NDIS_HANDLE ctx)
{
	wr((struct ringnic *)ctx, RN_IMS,
	   RN_INT_TXDW | RN_INT_RXT0 | RN_INT_LSC);
}

/* TX descriptors the NIC has written back: their packets are done. */
static void tx_clean(struct ringnic *nic)
{
	unsigned head = tx_head(nic);
	BOOLEAN freed = FALSE;
	NdisMUpdateSharedMemory(nic->handle, nic->tx_ring.length,
				nic->tx_ring.va, nic->tx_ring.pa);
	while (nic->tx_clean != head) {
		unsigned i = nic->tx_clean;
		PNDIS_PACKET p = nic->tx_pkt[i];
		nic->tx_pkt[i] = NULL;
		if (p)
			NdisMSendComplete(nic->handle, p, NDIS_STATUS_SUCCESS);
		nic->tx_clean = (i + 1) % RINGNIC_RING;
		freed = TRUE;
	}
	if (freed && nic->tx_waiting) {
		nic->tx_waiting = FALSE;
		NdisMSendResourcesAvailable(nic->handle);
	}
}

/* Give RX descriptors back to the NIC in ring order, as far as they have
 * come back from the host. */
static void rx_refill(struct ringnic *nic)
{
	unsigned next = (nic->rx_gap + 1) % RINGNIC_RING;
	BOOLEAN moved = FALSE;
	while (nic->rx_returned[next] && next != nic->rx_next) {
		nic->rx_returned[next] = FALSE;
		nic->rx_gap = next;
		next = (next + 1) % RINGNIC_RING;
		moved = TRUE;
	}
	if (moved)
		rx_give(nic, nic->rx_gap);
}

static void rx_done(struct ringnic *nic, unsigned i)
{
	struct ringnic_rx_desc *rdsc =
	    &((struct ringnic_rx_desc *)nic->rx_ring.va)[i];
	PNDIS_BUFFER b;
	NdisUnchainBufferAtFront(nic->rx_pkt[i], &b);
	if (b)
		NdisFreeBuffer(b);
	/* the descriptor's cache line also holds ones the NIC may have
	 * written since: read them in before writing the line back */
	NdisMUpdateSharedMemory(nic->handle, nic->rx_ring.length,
				nic->rx_ring.va, nic->rx_ring.pa);
	rdsc->status = 0;
	NdisFlushBuffer(&nic->rx_ring.mdl, TRUE);
	nic->rx_returned[i] = TRUE;
}

/* Frames the NIC wrote: indicate them, in packets of the miniport's pool.
 * When few buffers are left, the last ones go up with
 * NDIS_STATUS_RESOURCES (the host copies them at once). */
static void rx_indicate(struct ringnic *nic)
{
	PNDIS_PACKET up[RINGNIC_RING];
	unsigned idx[RINGNIC_RING], n = 0;
	NdisMUpdateSharedMemory(nic->handle, nic->rx_ring.length,
				nic->rx_ring.va, nic->rx_ring.pa);
	for (;;) {
		unsigned i = nic->rx_next;
		struct ringnic_rx_desc *rdsc =
		    &((struct ringnic_rx_desc *)nic->rx_ring.va)[i];
		if (!(rdsc->status & RINGNIC_DESC_DD) || n == RINGNIC_RING)
			break;
		ULONG len = rdsc->length;
		NdisMUpdateSharedMemory(nic->handle, len, nic->rx_buf[i].va,
					nic->rx_buf[i].pa);
		NDIS_STATUS st;
		PNDIS_BUFFER b;
		NdisAllocateBuffer(&st, &b, nic->buf_pool, nic->rx_buf[i].va,
				   len);
		if (st != NDIS_STATUS_SUCCESS)
			break;
		NdisChainBufferAtFront(nic->rx_pkt[i], b);
		/* how many buffers the NIC still has after these */
		unsigned owned =
		    (nic->rx_gap + RINGNIC_RING - i) % RINGNIC_RING;
		NDIS_SET_PACKET_STATUS(nic->rx_pkt[i],
				       owned < 4 ? NDIS_STATUS_RESOURCES
						 : NDIS_STATUS_SUCCESS);
		up[n] = nic->rx_pkt[i];
		idx[n++] = i;
		nic->rx_next = (i + 1) % RINGNIC_RING;
		nic->frames_received++;
	}
	if (!n)
		return;
	NdisMIndicateReceivePacket(nic->handle, up, n);
	for (unsigned k = 0; k < n; k++) {
		/* PENDING: the host keeps it until MiniportReturnPacket */
		if (NDIS_GET_PACKET_STATUS(up[k]) != NDIS_STATUS_PENDING) {
			rx_done(nic, idx[k]);
			nic->rx_copied++;
		}
	}
	nic->rx_indicated += n;
	rx_refill(nic);
}

static VOID ringnic5_return_packet(NDIS_HANDLE ctx, PNDIS_PACKET p)
{
	struct ringnic *nic = ctx;
	rx_done(nic, p->MiniportReserved[0]);
	rx_refill(nic);
}

static VOID ringnic5_handle_interrupt(NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	ULONG causes = __atomic_exchange_n(&nic->causes, 0, __ATOMIC_SEQ_CST);
	if (causes & RN_INT_LSC) {
		BOOLEAN up = (rd(nic, RN_STATUS) & RN_STATUS_LU) != 0;
		if (up != nic->link_up) {
			nic->link_up = up;
			NdisMIndicateStatus(nic->handle,
					    up ? NDIS_STATUS_MEDIA_CONNECT
					       : NDIS_STATUS_MEDIA_DISCONNECT,
					    NULL, 0);
			NdisMIndicateStatusComplete(nic->handle);
		}
	}
	tx_clean(nic);
	rx_indicate(nic);
}

/* Copy one packet into TX buffer i and queue it. */
static void tx_queue(struct ringnic *nic, PNDIS_PACKET p)
{
	unsigned i = nic->tx_next;
	UINT total = 0, off = 0;
	PNDIS_BUFFER b;
	NdisQueryPacket(p, NULL, NULL, &b, &total);
	for (; b; NdisGetNextBuffer(b, &b)) {
		PVOID va;
		UINT len;
		NdisQueryBufferSafe(b, &va, &len, NormalPoolPriority);
		if (!va || off + len > RINGNIC_BUF)
			break;
		NdisMoveMemory((PUCHAR)nic->tx_buf[i].va + off, va, len);
		off += len;
	}
	if (!(nic->bugs & RINGNIC_BUG_NO_TX_FLUSH))
		NdisFlushBuffer(&nic->tx_buf[i].mdl, TRUE);
	struct ringnic_tx_desc *td =
	    &((struct ringnic_tx_desc *)nic->tx_ring.va)[i];
	td->buffer_addr = device_address(nic, nic->tx_buf[i].pa);
	td->length = (uint16_t)off;
	td->cmd = RINGNIC_TXD_CMD_EOP | RINGNIC_TXD_CMD_RS;
	td->status = 0;
	NdisFlushBuffer(&nic->tx_ring.mdl, TRUE);
	nic->tx_pkt[i] = p;
	nic->tx_next = (i + 1) % RINGNIC_RING;
	nic->frames_sent++;
}

/* A serialized miniport's send: each packet gets its status. The frame is
 * copied, so a packet could complete at once; ringnic completes it when
 * the NIC wrote its descriptor back (the DPC), as a zero-copy NIC must. */
static VOID ringnic5_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET pkts, UINT n)
{
	struct ringnic *nic = ctx;
	BOOLEAN queued = FALSE;
	for (UINT k = 0; k < n; k++) {
		UINT total;
		NdisQueryPacket(pkts[k], NULL, NULL, NULL, &total);
		if (total < 14 || total > RINGNIC_MAX_FRAME) {
			NDIS_SET_PACKET_STATUS(pkts[k],
					       NDIS_STATUS_INVALID_PACKET);
			continue;
		}
		if ((nic->tx_next + 1) % RINGNIC_RING == nic->tx_clean) {
			/* ring full: the host keeps this one and the rest */
			nic->tx_waiting = TRUE;
			for (; k < n; k++)
				NDIS_SET_PACKET_STATUS(pkts[k],
						       NDIS_STATUS_RESOURCES);
			break;
		}
		tx_queue(nic, pkts[k]);
		queued = TRUE;
		NDIS_SET_PACKET_STATUS(pkts[k], NDIS_STATUS_PENDING);
	}
	if (queued)
		tx_doorbell(nic);
}

static const NDIS_OID supported[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
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
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
};

static NDIS_STATUS ringnic5_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
				  ULONG len, PULONG written, PULONG needed)
{
	struct ringnic *nic = ctx;
	ULONG v = 0;
	const void *src = &v;
	ULONG n = sizeof(v);
	static const char desc[] = "ndisdma ringnic example NIC";
	switch (oid) {
	case OID_GEN_SUPPORTED_LIST:
		src = supported;
		n = sizeof(supported);
		break;
	case OID_GEN_HARDWARE_STATUS:
		v = 0; /* NdisHardwareStatusReady */
		break;
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		v = NdisMedium802_3;
		break;
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		v = RINGNIC_MAX_FRAME - 14;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
		v = RINGNIC_MAX_FRAME;
		break;
	case OID_GEN_LINK_SPEED:
		v = RINGNIC_SPEED;
		break;
	case OID_GEN_VENDOR_ID:
		v = 0x00524e; /* the MAC's OUI bytes */
		break;
	case OID_GEN_VENDOR_DESCRIPTION:
		src = desc;
		n = sizeof(desc);
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		v = nic->filter;
		break;
	case OID_GEN_CURRENT_LOOKAHEAD:
		v = nic->lookahead;
		break;
	case OID_GEN_DRIVER_VERSION:
		v = 0x0501;
		n = 2;
		break;
	case OID_GEN_MAC_OPTIONS:
		v = 0x1 | 0x2 | 0x8; /* COPY_LOOKAHEAD_DATA |
					RECEIVE_SERIALIZED | NO_LOOPBACK */
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		v = nic->link_up ? NdisMediaStateConnected
				 : NdisMediaStateDisconnected;
		break;
	case OID_GEN_MAXIMUM_SEND_PACKETS:
		v = RINGNIC_RING - 1;
		break;
	case OID_GEN_XMIT_OK:
		v = (ULONG)nic->frames_sent;
		break;
	case OID_GEN_RCV_OK:
		v = (ULONG)nic->frames_received;
		break;
	case OID_GEN_XMIT_ERROR:
	case OID_GEN_RCV_ERROR:
	case OID_GEN_RCV_NO_BUFFER:
		v = 0;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
	case OID_802_3_CURRENT_ADDRESS:
		src = nic->mac;
		n = 6;
		break;
	case OID_802_3_MULTICAST_LIST:
		n = 0;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		v = 32;
		break;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (len < n) {
		*needed = n;
		return NDIS_STATUS_INVALID_LENGTH;
	}
	NdisMoveMemory(buf, src, n);
	*written = n;
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS ringnic5_set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf,
				ULONG len, PULONG read, PULONG needed)
{
	struct ringnic *nic = ctx;
	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
	case OID_GEN_CURRENT_LOOKAHEAD:
		if (len != 4) {
			*needed = 4;
			return NDIS_STATUS_INVALID_LENGTH;
		}
		if (oid == OID_GEN_CURRENT_PACKET_FILTER)
			NdisMoveMemory(&nic->filter, buf, 4);
		else
			NdisMoveMemory(&nic->lookahead, buf, 4);
		*read = 4;
		return NDIS_STATUS_SUCCESS;
	case OID_802_3_MULTICAST_LIST:
		if (len % 6 || len > 32 * 6)
			return len % 6 ? NDIS_STATUS_INVALID_LENGTH
				       : NDIS_STATUS_MULTICAST_FULL;
		*read = len; /* the loopback NIC does not filter */
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_NOT_SUPPORTED;
	}
}

static BOOLEAN ringnic5_check_for_hang(NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	/* hung: a send is at the NIC and the NIC was switched off */
	return nic->bar && nic->tx_clean != nic->tx_next &&
	       !(rd(nic, RN_CTRL) & RN_CTRL_EN);
}

static NDIS_STATUS ringnic5_reset(PBOOLEAN addressing, NDIS_HANDLE ctx)
{
	struct ringnic *nic = ctx;
	*addressing = FALSE;
	if (nic->bar) { /* on again, interrupts too */
		wr(nic, RN_IMS, RN_INT_TXDW | RN_INT_RXT0 | RN_INT_LSC);
		wr(nic, RN_CTRL, RN_CTRL_EN);
	}
	return NDIS_STATUS_SUCCESS;
}

/* ---------------- NDIS 6.20 ---------------- */

/* ProcessSGList of a send: the descriptor gets the list's one element. */
static VOID ringnic6_process_sg_list(PDEVICE_OBJECT dev, PVOID reserved,
				     PSCATTER_GATHER_LIST sg, PVOID ctx)
{
	(void)dev;
	(void)reserved;
	struct ringnic *nic = ctx;
	unsigned i = nic->tx_next;
	struct ringnic_tx_desc *td =
	    &((struct ringnic_tx_desc *)nic->tx_ring.va)[i];
	nic->tx_sgl[i] = sg;
	td->buffer_addr = device_address(nic, sg->Elements[0].Address);
	td->length = (uint16_t)sg->Elements[0].Length;
}

static NDIS_STATUS setup_nbls(struct ringnic *nic)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	NdisZeroMemory(&p, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.fAllocateNetBuffer = TRUE;
	p.PoolTag = RINGNIC_TAG;
	nic->nbl_pool = NdisAllocateNetBufferListPool(nic->handle, &p);
	if (!nic->nbl_pool)
		return NDIS_STATUS_RESOURCES;
	/* one list per receive buffer, describing it whole */
	for (int i = 0; i < RINGNIC_RING; i++) {
		nic->rx_nbl[i] = NdisAllocateNetBufferAndNetBufferList(
		    nic->nbl_pool, 0, 0, &nic->rx_buf[i].mdl, 0, RINGNIC_BUF);
		if (!nic->rx_nbl[i])
			return NDIS_STATUS_RESOURCES;
	}
	return NDIS_STATUS_SUCCESS;
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
	if (st == NDIS_STATUS_SUCCESS)
		st = setup_nbls(nic);
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
	c.ISRHandler = ringnic5_isr;
	c.HandleInterruptHandler = ringnic5_handle_interrupt;
	c.DisableInterruptHandler = ringnic5_disable_interrupt;
	c.EnableInterruptHandler = ringnic5_enable_interrupt;
	c.SendPacketsHandler = ringnic5_send_packets;
	c.ReturnPacketHandler = ringnic5_return_packet;
	c.QueryInformationHandler = ringnic5_query;
	c.SetInformationHandler = ringnic5_set;
	c.CheckForHangHandler = ringnic5_check_for_hang;
	c.ResetHandler = ringnic5_reset;
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

/* ---------------- driven by hand (no device model) ---------------- */

/* NDIS 6: sends the NIC finished give their lists and NBLs back. */
static void tx_reap6(struct ringnic *nic)
{
	unsigned head = nic->regs.tdh;
	while (nic->tx_clean != head) {
		unsigned i = nic->tx_clean;
		if (nic->tx_nbl[i]) {
			NdisMFreeNetBufferSGList(
			    nic->dma, nic->tx_sgl[i],
			    NET_BUFFER_LIST_FIRST_NB(nic->tx_nbl[i]));
			NdisFreeNetBufferList(nic->tx_nbl[i]);
			nic->tx_nbl[i] = NULL;
			nic->tx_sgl[i] = NULL;
		}
		nic->tx_clean = (i + 1) % RINGNIC_RING;
	}
}

NDIS_STATUS ringnic_send(struct ringnic *nic, const void *frame, ULONG len)
{
	if (len == 0 || len > RINGNIC_BUF)
		return NDIS_STATUS_INVALID_LENGTH;
	if (nic->ndis_version == 6)
		tx_reap6(nic);
	else
		nic->tx_clean = nic->regs.tdh;
	unsigned i = nic->tx_next;
	struct ringnic_tx_desc *td =
	    &((struct ringnic_tx_desc *)nic->tx_ring.va)[i];
	if (((i + 1) % RINGNIC_RING) == nic->tx_clean)
		return NDIS_STATUS_RESOURCES;
	memcpy(nic->tx_buf[i].va, frame, len);
	if (!(nic->bugs & RINGNIC_BUG_NO_TX_FLUSH))
		NdisFlushBuffer(&nic->tx_buf[i].mdl, TRUE);
	if (nic->ndis_version == 6) {
		/* a NET_BUFFER_LIST on the TX buffer, and its list */
		PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
		    nic->nbl_pool, 0, 0, &nic->tx_buf[i].mdl, 0, len);
		if (!nbl)
			return NDIS_STATUS_RESOURCES;
		nic->tx_nbl[i] = nbl;
		NDIS_STATUS st = NdisMAllocateNetBufferSGList(
		    nic->dma, NET_BUFFER_LIST_FIRST_NB(nbl), nic,
		    NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0);
		if (st != NDIS_STATUS_SUCCESS) {
			NdisFreeNetBufferList(nbl);
			nic->tx_nbl[i] = NULL;
			return NDIS_STATUS_RESOURCES;
		}
	} else {
		td->buffer_addr = device_address(nic, nic->tx_buf[i].pa);
		td->length = (uint16_t)len;
	}
	td->cmd = RINGNIC_TXD_CMD_EOP | RINGNIC_TXD_CMD_RS;
	td->status = 0;
	NdisFlushBuffer(&nic->tx_ring.mdl, TRUE);
	nic->tx_next = (i + 1) % RINGNIC_RING;
	tx_doorbell(nic);
	nic->frames_sent++;
	return NDIS_STATUS_SUCCESS;
}

ULONG ringnic_receive(struct ringnic *nic, void *out, ULONG cap)
{
	unsigned i = nic->rx_next;
	struct ringnic_rx_desc *rdsc =
	    &((struct ringnic_rx_desc *)nic->rx_ring.va)[i];
	NdisMUpdateSharedMemory(nic->handle, nic->rx_ring.length,
				nic->rx_ring.va, nic->rx_ring.pa);
	if (!(rdsc->status & RINGNIC_DESC_DD))
		return 0;
	ULONG len = rdsc->length;
	NdisMUpdateSharedMemory(nic->handle, len, nic->rx_buf[i].va,
				nic->rx_buf[i].pa);
	if (len > cap)
		len = cap;
	if (nic->ndis_version == 6) {
		/* read the frame through the buffer's NET_BUFFER */
		PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nic->rx_nbl[i]);
		NET_BUFFER_DATA_LENGTH(nb) = len;
		PVOID p = NdisGetDataBuffer(nb, len, out, 1, 0);
		if (p && p != out)
			memcpy(out, p, len);
		NET_BUFFER_DATA_LENGTH(nb) = RINGNIC_BUF;
	} else {
		memcpy(out, nic->rx_buf[i].va, len);
	}
	rdsc->status = 0;
	NdisFlushBuffer(&nic->rx_ring.mdl, TRUE);
	nic->rx_next = (i + 1) % RINGNIC_RING;
	nic->rx_gap = i;
	rx_give(nic, i); /* give the buffer back to the NIC */
	nic->frames_received++;
	return len;
}
