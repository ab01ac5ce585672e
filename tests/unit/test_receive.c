/* SPDX-License-Identifier: MIT */
/* Receive and status indications of a hosted NDIS 5.1 miniport:
 * NdisMIndicateReceivePacket (SUCCESS: the host keeps the packet, marks it
 * PENDING and gives it back with MiniportReturnPacket from its DPC
 * thread; RESOURCES: copied at once), multi-buffer packets,
 * NdisMEthIndicateReceive with a whole lookahead and with a short one
 * (MiniportTransferData, synchronous and pending with
 * NdisMTransferDataComplete), NdisMIndicateStatus for the link, and the
 * rules recv.packet-held, recv.not-returned, recv.bad-indication,
 * recv.transfer-complete-unknown, irql.too-high. */
#include "dp_miniport.h"

static struct {
	unsigned n;
	size_t len;
	unsigned char last[4096];
	int32_t status;
	unsigned statuses;
} rx;

static void on_rx(void *ctx, const void *f, size_t len)
{
	assert_ptr_equal(ctx, &rx);
	rx.n++;
	rx.len = len;
	memcpy(rx.last, f, len < sizeof(rx.last) ? len : sizeof(rx.last));
}

static void on_status(void *ctx, int32_t st, const void *buf, size_t len)
{
	(void)buf, (void)len;
	assert_ptr_equal(ctx, &rx);
	rx.status = st;
	rx.statuses++;
}

static int setup(void **state)
{
	(void)state;
	dpm_reset();
	memset(&rx, 0, sizeof(rx));
	ndisdma_verifier_reset_counts();
	ndisdma_verifier_set_output(NULL);
	return 0;
}

/* the miniport's receive packets: a pool of 4, a buffer each */
static NDIS_HANDLE ppool, bpool;
static PNDIS_PACKET pk[4];
static PNDIS_BUFFER bf[4], extra;
static unsigned char mem[4][2048];

static void rx_init(NDIS_HANDLE h)
{
	(void)h;
	NDIS_STATUS st;
	NdisAllocatePacketPool(&st, &ppool, 4, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocateBufferPool(&st, &bpool, 8);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	for (int i = 0; i < 4; i++) {
		NdisAllocatePacket(&st, &pk[i], ppool);
		assert_int_equal(st, NDIS_STATUS_SUCCESS);
		NdisAllocateBuffer(&st, &bf[i], bpool, mem[i], 2048);
		assert_int_equal(st, NDIS_STATUS_SUCCESS);
		NdisChainBufferAtFront(pk[i], bf[i]);
	}
	extra = NULL;
}

static void rx_halt(NDIS_HANDLE h)
{
	(void)h;
	for (int i = 0; i < 4; i++) {
		PNDIS_BUFFER b;
		do {
			NdisUnchainBufferAtFront(pk[i], &b);
			if (b)
				NdisFreeBuffer(b);
		} while (b);
		NdisFreePacket(pk[i]);
	}
	NdisFreeBufferPool(bpool);
	NdisFreePacketPool(ppool);
}

/* Put a frame of len bytes into packet i (buffer length adjusted). */
static void fill(int i, size_t len, unsigned seed)
{
	dpm_frame(mem[i], len, seed);
	bf[i]->ByteCount = (ULONG)len; /* NdisAdjustBufferLength */
	NdisRecalculatePacketCounts(pk[i]);
}

static void start(void)
{
	dpm.init = rx_init;
	dpm.halt = rx_halt;
	dpm_start("sim");
	assert_int_equal(ndisdma_adapter_on_receive(dpm.ad, on_rx, &rx), 0);
	assert_int_equal(ndisdma_adapter_on_status(dpm.ad, on_status, &rx), 0);
}

static void indicate_kept_and_returned(void **state)
{
	(void)state;
	start();
	fill(0, 60, 1);
	fill(1, 1514, 2);
	NDIS_SET_PACKET_STATUS(pk[0], NDIS_STATUS_SUCCESS);
	NDIS_SET_PACKET_STATUS(pk[1], NDIS_STATUS_SUCCESS);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	NdisMIndicateReceivePacket(dpm.handle, pk, 2);
	KeLowerIrql(old);
	assert_int_equal(rx.n, 2);
	assert_int_equal(rx.len, 1514);
	unsigned char want[1514];
	dpm_frame(want, 1514, 2);
	assert_memory_equal(rx.last, want, 1514);
	/* kept: the miniport sees PENDING, gets them back later */
	assert_int_equal(NDIS_GET_PACKET_STATUS(pk[0]), NDIS_STATUS_PENDING);
	assert_true(dpm_wait(&dpm.nreturned, 2));
	assert_ptr_equal(dpm.returned[0], pk[0]);
	assert_ptr_equal(dpm.returned[1], pk[1]);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.rx_frames, 2);
	assert_int_equal(c.rx_returned, 2);
	assert_int_equal(c.rx_held, 0);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

static void indicate_resources_copied(void **state)
{
	(void)state;
	start();
	fill(2, 100, 3);
	NDIS_SET_PACKET_STATUS(pk[2], NDIS_STATUS_RESOURCES);
	NdisMIndicateReceivePacket(dpm.handle, &pk[2], 1);
	assert_int_equal(rx.n, 1);
	assert_int_equal(NDIS_GET_PACKET_STATUS(pk[2]), NDIS_STATUS_RESOURCES);
	/* the miniport may reuse it at once: indicate it again */
	fill(2, 120, 4);
	NdisMIndicateReceivePacket(dpm.handle, &pk[2], 1);
	assert_int_equal(rx.n, 2);
	assert_int_equal(rx.len, 120);
	nanosleep(&(struct timespec){0, 20000000}, NULL);
	assert_int_equal(dpm.nreturned, 0);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.rx_copied, 2);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

static void multi_buffer_packet(void **state)
{
	(void)state;
	start();
	static unsigned char tail[500];
	dpm_frame(tail, sizeof(tail), 77);
	fill(3, 100, 5);
	NDIS_STATUS st;
	NdisAllocateBuffer(&st, &extra, bpool, tail, sizeof(tail));
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisChainBufferAtBack(pk[3], extra);
	NDIS_SET_PACKET_STATUS(pk[3], NDIS_STATUS_RESOURCES);
	NdisMIndicateReceivePacket(dpm.handle, &pk[3], 1);
	assert_int_equal(rx.len, 600);
	assert_memory_equal(rx.last, mem[3], 100);
	assert_memory_equal(rx.last + 100, tail, 500);
	assert_int_equal(dpm_stop(), 0);
}

/* a serialized miniport indicating from inside its send handler: the
 * host's return (a serialized DPC) cannot run before the handler ends, so
 * indicating the same packet again is caught every time */
static void indicate_twice(void)
{
	fill(0, 60, 1);
	NDIS_SET_PACKET_STATUS(pk[0], NDIS_STATUS_SUCCESS);
	NdisMIndicateReceivePacket(dpm.handle, pk, 1);
	NDIS_SET_PACKET_STATUS(pk[0], NDIS_STATUS_SUCCESS);
	NdisMIndicateReceivePacket(dpm.handle, pk, 1);
	assert_int_equal(dpm.nreturned, 0);
}

static void indicate_held_packet(void **state)
{
	(void)state;
	dpm.serialized = 1;
	dpm.on_send = indicate_twice;
	start();
	unsigned char f[60] = {0};
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, sizeof(f)), 0);
	assert_int_equal(ndisdma_verifier_count("recv.packet-held"), 1);
	assert_int_equal(rx.n, 1);
	assert_true(dpm_wait(&dpm.nreturned, 1));
	assert_ptr_equal(dpm.returned[0], pk[0]);
	assert_int_equal(dpm_stop(), 0);
}

static void no_return_handler_copies(void **state)
{
	(void)state;
	dpm.no_return = 1;
	start();
	fill(0, 60, 1);
	NDIS_SET_PACKET_STATUS(pk[0], NDIS_STATUS_SUCCESS);
	NdisMIndicateReceivePacket(dpm.handle, pk, 1);
	assert_int_equal(NDIS_GET_PACKET_STATUS(pk[0]), NDIS_STATUS_SUCCESS);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.rx_copied, 1);
	assert_int_equal(c.rx_held, 0);
	assert_int_equal(dpm_stop(), 0);
}

static void indicate_in_halt(NDIS_HANDLE h)
{
	fill(1, 60, 9);
	NDIS_SET_PACKET_STATUS(pk[1], NDIS_STATUS_SUCCESS);
	NdisMIndicateReceivePacket(h, &pk[1], 1);
	rx_halt(h);
}

static void not_returned_at_halt(void **state)
{
	(void)state;
	start();
	dpm.halt = indicate_in_halt;
	dpm_stop();
	assert_int_equal(ndisdma_verifier_count("recv.not-returned"), 1);
}

static void eth_indicate_lookahead(void **state)
{
	(void)state;
	start();
	unsigned char f[1514];
	dpm_frame(f, sizeof(f), 11);
	struct dpm_rx r = {f, sizeof(f)};
	/* whole frame in the lookahead */
	NdisMEthIndicateReceive(dpm.handle, &r, f, 14, f + 14, 1500, 1500);
	NdisMEthIndicateReceiveComplete(dpm.handle);
	assert_int_equal(rx.n, 1);
	assert_int_equal(rx.len, 1514);
	assert_memory_equal(rx.last, f, 1514);
	assert_int_equal(dpm.xfer_calls, 0);
	/* a short lookahead: the rest through MiniportTransferData */
	memset(rx.last, 0, sizeof(rx.last));
	NdisMEthIndicateReceive(dpm.handle, &r, f, 14, f + 14, 128, 1500);
	assert_int_equal(dpm.xfer_calls, 1);
	assert_int_equal(dpm.xfer_off, 128);
	assert_int_equal(dpm.xfer_len, 1500 - 128);
	assert_int_equal(rx.n, 2);
	assert_int_equal(rx.len, 1514);
	assert_memory_equal(rx.last, f, 1514);
	/* pending: delivered at NdisMTransferDataComplete */
	dpm.xfer_status = NDIS_STATUS_PENDING;
	memset(rx.last, 0, sizeof(rx.last));
	NdisMEthIndicateReceive(dpm.handle, &r, f, 14, f + 14, 64, 1500);
	assert_int_equal(rx.n, 2);
	NdisMTransferDataComplete(dpm.handle, dpm.xfer_pkt, NDIS_STATUS_SUCCESS,
				  1500 - 64);
	assert_int_equal(rx.n, 3);
	assert_memory_equal(rx.last, f, 1514);
	/* again: nothing pending for that packet now */
	NdisMTransferDataComplete(dpm.handle, dpm.xfer_pkt, NDIS_STATUS_SUCCESS,
				  10);
	assert_int_equal(
	    ndisdma_verifier_count("recv.transfer-complete-unknown"), 1);
	assert_int_equal(rx.n, 3);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.rx_transfers, 2);
	assert_int_equal(dpm_stop(), 0);
}

static void eth_indicate_bad(void **state)
{
	(void)state;
	start();
	unsigned char f[100] = {0};
	NdisMEthIndicateReceive(dpm.handle, NULL, f, 12, f + 12, 40, 40);
	NdisMEthIndicateReceive(dpm.handle, NULL, f, 14, f + 14, 80, 40);
	assert_int_equal(ndisdma_verifier_count("recv.bad-indication"), 2);
	assert_int_equal(rx.n, 0);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.rx_dropped, 2);
	assert_int_equal(dpm_stop(), 0);
}

static void status_link(void **state)
{
	(void)state;
	start();
	struct ndisdma_link l;
	assert_int_equal(ndisdma_adapter_link(dpm.ad, &l), 0);
	assert_int_equal(l.up, 1);
	NdisMIndicateStatus(dpm.handle, NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
	NdisMIndicateStatusComplete(dpm.handle);
	assert_int_equal(ndisdma_adapter_link(dpm.ad, &l), 0);
	assert_int_equal(l.up, 0);
	assert_int_equal(rx.status, NDIS_STATUS_MEDIA_DISCONNECT);
	NdisMIndicateStatus(dpm.handle, NDIS_STATUS_MEDIA_CONNECT, NULL, 0);
	assert_int_equal(ndisdma_adapter_link(dpm.ad, &l), 0);
	assert_int_equal(l.up, 1);
	assert_int_equal(rx.statuses, 2);
	KIRQL old;
	KeRaiseIrql(HIGH_LEVEL, &old);
	NdisMIndicateStatus(dpm.handle, NDIS_STATUS_MEDIA_CONNECT, NULL, 0);
	KeLowerIrql(old);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 1);
	assert_int_equal(rx.statuses, 3);
	assert_int_equal(dpm_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(indicate_kept_and_returned, setup),
	    cmocka_unit_test_setup(indicate_resources_copied, setup),
	    cmocka_unit_test_setup(multi_buffer_packet, setup),
	    cmocka_unit_test_setup(indicate_held_packet, setup),
	    cmocka_unit_test_setup(no_return_handler_copies, setup),
	    cmocka_unit_test_setup(not_returned_at_halt, setup),
	    cmocka_unit_test_setup(eth_indicate_lookahead, setup),
	    cmocka_unit_test_setup(eth_indicate_bad, setup),
	    cmocka_unit_test_setup(status_link, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
