/* SPDX-License-Identifier: MIT */
/* Sends through a hosted NDIS 5.1 miniport (ndisdma_adapter_send ->
 * MiniportSendPackets / MiniportSend -> NdisMSendComplete): the frame's
 * bytes in one buffer that never crosses a page, FIFO reuse of the host's
 * buffers, deserialized and serialized miniports with SUCCESS, PENDING and
 * RESOURCES (kept until NdisMSendResourcesAvailable), synchronous
 * completion, the per-packet scatter-gather list the host builds and
 * frees, halt waiting for sends, and the send rules (send.complete-twice,
 * send.complete-unknown, send.never-completed, send.read-after-complete,
 * irql.too-high). */
#include "dp_miniport.h"

static int setup(void **state)
{
	(void)state;
	dpm_reset();
	ndisdma_verifier_reset_counts();
	ndisdma_verifier_set_output(NULL);
	return 0;
}

static void send_frame(size_t len, unsigned seed)
{
	unsigned char f[4096];
	dpm_frame(f, len, seed);
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, len), 0);
}

static void deserialized_send_packets(void **state)
{
	(void)state;
	dpm_start("sim");
	for (unsigned i = 0; i < 3; i++)
		send_frame(60 + i * 500, i);
	assert_int_equal(dpm.nsent, 3);
	assert_int_equal(dpm.send_irql, DISPATCH_LEVEL);
	for (unsigned i = 0; i < 3; i++) {
		UINT len;
		const unsigned char *b = dpm_bytes(dpm.sent[i], &len);
		unsigned char want[4096];
		dpm_frame(want, 60 + i * 500, i);
		assert_int_equal(len, 60 + i * 500);
		assert_memory_equal(b, want, len);
	}
	struct ndisdma_counters c;
	assert_int_equal(ndisdma_adapter_counters(dpm.ad, &c), 0);
	assert_int_equal(c.tx_pending, 3);
	assert_int_equal(dpm_complete(3, NDIS_STATUS_SUCCESS), 3);
	assert_int_equal(ndisdma_adapter_counters(dpm.ad, &c), 0);
	assert_int_equal(c.tx_pending, 0);
	assert_int_equal(c.tx_frames, 3);
	assert_int_equal(c.tx_bytes, 60 + 560 + 1060);
	dpm_complete(0, 0);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

/* a frame up to the maximum total size never crosses a page, and a
 * completed buffer goes to the back of the line (FIFO) */
static void buffers_one_page_fifo(void **state)
{
	(void)state;
	dpm_start("sim");
	const unsigned char *first = NULL;
	for (unsigned i = 0; i < 40; i++) {
		size_t len = 14 + (i * 173) % 1501;
		send_frame(len, i);
		UINT l;
		const unsigned char *b = dpm_bytes(dpm.sent[0], &l);
		assert_int_equal(l, len);
		assert_true(((uintptr_t)b & 4095) + l <= 4096);
		if (i == 0)
			first = b;
		else
			assert_ptr_not_equal(b, first); /* not LIFO */
		PNDIS_BUFFER buf;
		NdisQueryPacket(dpm.sent[0], NULL, NULL, &buf, NULL);
		assert_non_null(buf);
		assert_null(buf->Next);
		dpm_complete(1, NDIS_STATUS_SUCCESS);
	}
	assert_int_equal(dpm_stop(), 0);
}

static void serialized_statuses(void **state)
{
	(void)state;
	dpm.serialized = 1;
	dpm.send_status = NDIS_STATUS_SUCCESS;
	dpm_start("sim");
	send_frame(100, 1); /* completed by its status */
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_frames, 1);
	assert_int_equal(c.tx_pending, 0);
	dpm.send_status = NDIS_STATUS_FAILURE;
	send_frame(100, 2);
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_errors, 1);
	dpm.send_status = NDIS_STATUS_PENDING;
	send_frame(100, 3);
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_pending, 1);
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	dpm.complete_inline = 1; /* NdisMSendComplete inside the call */
	send_frame(100, 4);
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_frames, 3);
	assert_int_equal(c.tx_pending, 0);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

/* RESOURCES: the host keeps the packet (and those after it) until
 * NdisMSendResourcesAvailable, then sends them again in order */
static void serialized_resources(void **state)
{
	(void)state;
	dpm.serialized = 1;
	dpm.use_send = 1;
	dpm_start("sim");
	dpm.resources_once = 1;
	send_frame(200, 1);
	send_frame(300, 2);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_queued, 2);
	assert_int_equal(c.tx_resources, 1);
	assert_int_equal(dpm.nsent, 0);
	NdisMSendResourcesAvailable(dpm.handle);
	assert_true(dpm_wait(&dpm.nsent, 2));
	UINT l;
	dpm_bytes(dpm.sent[0], &l);
	assert_int_equal(l, 200);
	dpm_bytes(dpm.sent[1], &l);
	assert_int_equal(l, 300);
	dpm_complete(2, NDIS_STATUS_SUCCESS);
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_frames, 2);
	assert_int_equal(dpm_stop(), 0);
}

/* MiniportSendPackets gets batches up to OID_GEN_MAXIMUM_SEND_PACKETS */
static void send_packets_batches(void **state)
{
	(void)state;
	dpm.serialized = 1;
	dpm_start("sim");
	dpm.resources_once = 1;
	for (unsigned i = 0; i < 20; i++)
		send_frame(64, i);
	NdisMSendResourcesAvailable(dpm.handle);
	assert_true(dpm_wait(&dpm.nsent, 20));
	assert_true(dpm.max_batch > 1 && dpm.max_batch <= 8);
	for (unsigned i = 0; i < 20; i++) {
		UINT l;
		const unsigned char *b = dpm_bytes(dpm.sent[i], &l);
		assert_int_equal(b[0], (unsigned char)i); /* in order */
	}
	dpm_complete(20, NDIS_STATUS_SUCCESS);
	assert_int_equal(dpm_stop(), 0);
}

static void bad_sends(void **state)
{
	(void)state;
	dpm_start("sim");
	unsigned char f[2000] = {0};
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, 13), -EINVAL);
	assert_int_equal(ndisdma_adapter_send(dpm.ad, NULL, 60), -EINVAL);
	assert_int_equal(ndisdma_adapter_send(NULL, f, 60), -EINVAL);
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, 1515), -EMSGSIZE);
	int rc = 0;
	unsigned n = 0;
	while ((rc = ndisdma_adapter_send(dpm.ad, f, 60)) == 0)
		n++;
	assert_int_equal(rc, -ENOBUFS);
	assert_true(n >= 64);
	dpm_complete(n, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, 60), 0);
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	assert_int_equal(dpm_stop(), 0);
}

static void complete_twice_and_unknown(void **state)
{
	(void)state;
	dpm_start("sim");
	send_frame(60, 0);
	PNDIS_PACKET p = dpm.sent[0];
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	NdisMSendComplete(dpm.handle, p, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("send.complete-twice"), 1);
	NDIS_PACKET fake;
	memset(&fake, 0, sizeof(fake));
	NdisMSendComplete(dpm.handle, &fake, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("send.complete-unknown"), 1);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_frames, 1);
	assert_int_equal(dpm_stop(), 0);
}

static void never_completed(void **state)
{
	(void)state;
	setenv("NDISDMA_SEND_WAIT_MS", "50", 1);
	dpm_start("sim");
	send_frame(60, 0);
	send_frame(61, 1);
	dpm_stop();
	unsetenv("NDISDMA_SEND_WAIT_MS");
	assert_int_equal(ndisdma_verifier_count("send.never-completed"), 2);
	assert_int_equal(ndisdma_verifier_count("halt.leak-sglist"), 0);
}

/* halt waits for a send the NIC completes a little later */
static void *late_completer(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){0, 50000000}, NULL);
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	return NULL;
}

static void halt_waits_for_sends(void **state)
{
	(void)state;
	dpm_start("sim");
	send_frame(60, 0);
	pthread_t t;
	pthread_create(&t, NULL, late_completer, NULL);
	assert_int_equal(dpm_stop(), 0);
	pthread_join(t, NULL);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

/* NdisMInitializeScatterGatherDma: the host builds the packet's list
 * (one element for a frame in one page), the device reads the frame
 * through it; the list is freed at completion, and a device read after
 * that is named and still returns the frame (FIFO reuse) */
static void sg_list_and_late_read(void **state)
{
	(void)state;
	dpm.sg = 1;
	dpm_start("sim");
	send_frame(1514, 9);
	PNDIS_PACKET p = dpm.sent[0];
	PSCATTER_GATHER_LIST l =
	    NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
	assert_non_null(l);
	assert_int_equal(l->NumberOfElements, 1);
	assert_int_equal(l->Elements[0].Length, 1514);
	uint64_t a = (uint64_t)l->Elements[0].Address.QuadPart;
	unsigned char got[1514], want[1514];
	dpm_frame(want, sizeof(want), 9);
	ndisdma_sim *sim = ndisdma_adapter_sim(dpm.ad);
	assert_int_equal(ndisdma_sim_dma_read(sim, a, got, sizeof(got)), 0);
	assert_memory_equal(got, want, sizeof(got));
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	assert_null(
	    NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo));
	memset(got, 0, sizeof(got));
	assert_int_equal(ndisdma_sim_dma_read(sim, a, got, sizeof(got)), 0);
	assert_memory_equal(got, want, sizeof(got));
	assert_int_equal(ndisdma_verifier_count("send.read-after-complete"), 1);
	assert_int_equal(ndisdma_verifier_count("device.stale"), 0);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count("halt.leak-sglist"), 0);
}

static void irql_too_high(void **state)
{
	(void)state;
	dpm_start("sim");
	send_frame(60, 0);
	KIRQL old;
	KeRaiseIrql(HIGH_LEVEL, &old);
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	KeLowerIrql(old);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 1);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.tx_frames, 1); /* completed as Windows would */
	assert_int_equal(dpm_stop(), 0);
}

/* a frame sent from inside the miniport's context (here the receive
 * callback of a loopback indication made inside MiniportSendPackets) is
 * delivered later from the DPC thread, never re-entering the miniport */
static unsigned replies, echoed;

static void on_rx_send(void *ctx, const void *f, size_t len)
{
	(void)ctx;
	__atomic_add_fetch(&echoed, 1, __ATOMIC_SEQ_CST);
	if (replies < 5) {
		replies++;
		assert_int_equal(ndisdma_adapter_send(dpm.ad, f, len), 0);
	}
}

static void send_from_callback(void **state)
{
	(void)state;
	dpm.loopback = 1;
	replies = echoed = 0;
	dpm_start("sim");
	ndisdma_adapter_on_receive(dpm.ad, on_rx_send, NULL);
	send_frame(60, 3);
	assert_true(dpm_wait(&echoed, 6));
	assert_int_equal(dpm.send_reentered, 0);
	assert_int_equal(dpm_stop(), 0);
	struct ndisdma_counters c;
	(void)c;
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(deserialized_send_packets, setup),
	    cmocka_unit_test_setup(buffers_one_page_fifo, setup),
	    cmocka_unit_test_setup(serialized_statuses, setup),
	    cmocka_unit_test_setup(serialized_resources, setup),
	    cmocka_unit_test_setup(send_packets_batches, setup),
	    cmocka_unit_test_setup(bad_sends, setup),
	    cmocka_unit_test_setup(complete_twice_and_unknown, setup),
	    cmocka_unit_test_setup(never_completed, setup),
	    cmocka_unit_test_setup(halt_waits_for_sends, setup),
	    cmocka_unit_test_setup(sg_list_and_late_read, setup),
	    cmocka_unit_test_setup(irql_too_high, setup),
	    cmocka_unit_test_setup(send_from_callback, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
