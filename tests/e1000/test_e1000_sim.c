/* SPDX-License-Identifier: MIT */
/*
 * test_e1000_sim.c - examples/e1000 as a loaded shared object on the
 * simulated bus with the 82540EM model of e1000_model.c: start (resources,
 * PCI config, EEPROM through the I/O window), the OIDs `ndisdma run`
 * asks, frames sent through the host (ndisdma_adapter_send -> SendPackets
 * -> descriptor -> the model's DMA -> loopback -> receive ring ->
 * interrupt -> ISR/DPC -> NdisMIndicateReceivePacket -> callback) byte
 * for byte, frames from the wire, more frames than the rings hold, link
 * down and up indicated, the multicast list, NetworkAddress, a reset, and
 * a halt with nothing leaked and no verifier report.
 */
#include "e1000_model.h"

#include <ndis.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const unsigned char mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

struct rx {
	pthread_mutex_t lock;
	unsigned n;
	unsigned char frame[512][1514];
	size_t len[512];
};
static struct rx rx = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_frame(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&rx.lock);
	if (rx.n < 512 && len <= 1514) {
		memcpy(rx.frame[rx.n], frame, len);
		rx.len[rx.n] = len;
	}
	rx.n++;
	pthread_mutex_unlock(&rx.lock);
}

static unsigned rx_count(void)
{
	pthread_mutex_lock(&rx.lock);
	unsigned n = rx.n;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

static int wait_for(unsigned (*get)(void), unsigned want)
{
	for (int i = 0; i < 1000; i++) {
		if (get() >= want)
			return 0;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	return -1;
}

static size_t frame_make(unsigned char *f, unsigned idx, int bcast)
{
	size_t len = 60 + (idx * 211) % (1514 - 60 + 1);
	if (bcast)
		memset(f, 0xff, 6);
	else
		memcpy(f, mac, 6);
	const unsigned char src[6] = {0x02, 0, 0, 0, 0x11, (unsigned char)idx};
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	for (size_t i = 14; i < len; i++)
		f[i] = (unsigned char)(i * 7 + idx * 13 + (i >> 8));
	return len;
}

static ULONG query_ulong(ndisdma_adapter *ad, uint32_t oid)
{
	ULONG v = 0xDEADBEEF;
	size_t w = 0;
	assert_int_equal(ndisdma_adapter_query(ad, oid, &v, sizeof(v), &w), 0);
	assert_int_equal(w, sizeof(v));
	return v;
}

static struct e1000_model model;
static ndisdma_driver *drv;
static ndisdma_adapter *ad;

static int start(const char *netaddr)
{
	e1000_model_init(&model, mac);
	pthread_mutex_lock(&rx.lock);
	rx.n = 0;
	pthread_mutex_unlock(&rx.lock);
	int rc = ndisdma_driver_load_file(E1000_SO, &drv);
	if (rc)
		return rc;
	rc = ndisdma_driver_set_sim_model(drv, &e1000_sim_model, &model);
	if (!rc && netaddr)
		rc = ndisdma_driver_set_param(drv, "NetworkAddress", netaddr);
	if (!rc)
		rc = ndisdma_driver_set_param(drv, "ReceiveBuffers", "32");
	if (!rc)
		rc = ndisdma_adapter_start(drv, "sim", &ad);
	if (!rc)
		rc = ndisdma_adapter_on_receive(ad, on_frame, NULL);
	return rc;
}

static void stop(void)
{
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	ndisdma_driver_unload(drv);
}

static void test_frames_through_the_miniport(void **state)
{
	(void)state;
	unsigned long reports = ndisdma_verifier_count(NULL);
	int rc = start(NULL);
	if (rc)
		fail_msg("start: %d (%s)", rc, ndisdma_last_error());

	/* what ndisdma run asks */
	unsigned char addr[6];
	size_t w;
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_802_3_CURRENT_ADDRESS, addr, 6, &w),
	    0);
	assert_memory_equal(addr, mac, 6);
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_802_3_PERMANENT_ADDRESS, addr, 6, &w),
	    0);
	assert_memory_equal(addr, mac, 6);
	assert_int_equal(query_ulong(ad, OID_GEN_MAXIMUM_FRAME_SIZE), 1500);
	assert_int_equal(query_ulong(ad, OID_GEN_LINK_SPEED), 10000000);
	assert_int_equal(query_ulong(ad, OID_GEN_MEDIA_CONNECT_STATUS),
			 NdisMediaStateConnected);
	assert_int_equal(
	    query_ulong(ad, OID_GEN_CURRENT_PACKET_FILTER) &
		(NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST),
	    NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
	/* the MAC came from the EEPROM through the I/O BAR's window */
	assert_true(model.eeprom_reads >= 3);
	assert_true(model.io_accesses >= 6);

	/* 200 frames out, each back through the model's loopback; at most 8
	 * in flight (the wire is instant: a burst larger than the receive
	 * ring would overrun it, as on a real NIC) */
	enum { N = 200 };
	unsigned char f[1514];
	for (unsigned i = 0; i < N; i++) {
		size_t len = frame_make(f, i, i & 1);
		if (i >= 8 && wait_for(rx_count, i - 8)) {
			struct ndisdma_counters c;
			ndisdma_adapter_counters(ad, &c);
			fail_msg(
			    "frame %u: only %u came back (model: %lu sent, "
			    "%lu received, %lu missed; TDH %u TDT %u RDH "
			    "%u RDT %u ICR %x IMS %x; host: %llu sent, "
			    "%llu pending, %llu received)",
			    i - 8, rx_count(), model.tx_frames, model.rx_frames,
			    model.rx_missed, model.regs[0x3810 / 4],
			    model.regs[0x3818 / 4], model.regs[0x2810 / 4],
			    model.regs[0x2818 / 4], model.regs[0xC0 / 4],
			    model.regs[0xD0 / 4],
			    (unsigned long long)c.tx_frames,
			    (unsigned long long)c.tx_pending,
			    (unsigned long long)c.rx_frames);
		}
		for (int tries = 0;; tries++) {
			rc = ndisdma_adapter_send(ad, f, len);
			if (rc != -ENOBUFS || tries > 1000)
				break;
			nanosleep(&(struct timespec){0, 1000000}, NULL);
		}
		assert_int_equal(rc, 0);
	}
	if (wait_for(rx_count, N))
		fail_msg("%u of %d frames came back (model: %lu sent, %lu "
			 "received, %lu missed)",
			 rx_count(), N, model.tx_frames, model.rx_frames,
			 model.rx_missed);
	unsigned ok = 0;
	for (unsigned i = 0; i < N; i++) {
		size_t len = frame_make(f, i, i & 1);
		ok += rx.len[i] == len && !memcmp(rx.frame[i], f, len);
	}
	assert_int_equal(ok, N);
	assert_int_equal(model.tx_frames, N);

	/* the host kept indicated packets and gave them back (ReturnPacket) */
	struct ndisdma_counters c;
	assert_int_equal(ndisdma_adapter_counters(ad, &c), 0);
	assert_true(c.rx_returned > 0);
	assert_int_equal(c.tx_errors, 0);

	/* frames from the wire */
	for (unsigned i = 0; i < 20; i++) {
		size_t len = frame_make(f, 1000 + i, 0);
		assert_int_equal(e1000_model_receive(&model, f, len), 0);
	}
	assert_int_equal(wait_for(rx_count, N + 20), 0);

	/* the miniport's statistics */
	ULONGLONG v = 0;
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_GEN_XMIT_OK, &v, sizeof(v), &w), 0);
	assert_int_equal(v, N);
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_GEN_RCV_OK, &v, sizeof(v), &w), 0);
	assert_int_equal(v, N + 20);

	/* link down and up: indicated, and the host's link follows */
	struct ndisdma_link l;
	e1000_model_set_link(&model, 0);
	for (int i = 0; i < 400; i++) {
		ndisdma_adapter_link(ad, &l);
		if (!l.up)
			break;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	assert_int_equal(l.up, 0);
	assert_int_equal(query_ulong(ad, OID_GEN_MEDIA_CONNECT_STATUS),
			 NdisMediaStateDisconnected);
	e1000_model_set_link(&model, 1);
	for (int i = 0; i < 400; i++) {
		ndisdma_adapter_link(ad, &l);
		if (l.up)
			break;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	assert_int_equal(l.up, 1);

	/* multicast list: two fit, 33 do not */
	unsigned char mc[33 * 6];
	memset(mc, 0, sizeof(mc));
	for (int i = 0; i < 33; i++) {
		mc[6 * i] = 0x01;
		mc[6 * i + 5] = (unsigned char)i;
	}
	assert_int_equal(
	    ndisdma_adapter_set(ad, OID_802_3_MULTICAST_LIST, mc, 12), 0);
	assert_true(ndisdma_adapter_set(ad, OID_802_3_MULTICAST_LIST, mc,
					sizeof(mc)) < 0);
	assert_int_equal((uint32_t)ndisdma_adapter_last_status(ad),
			 (uint32_t)NDIS_STATUS_MULTICAST_FULL);

	/* a reset, then frames still flow */
	assert_int_equal(ndisdma_adapter_miniport_reset(ad), 0);
	unsigned before = rx_count();
	size_t len = frame_make(f, 7, 1);
	assert_int_equal(ndisdma_adapter_send(ad, f, len), 0);
	assert_int_equal(wait_for(rx_count, before + 1), 0);

	stop();
	assert_int_equal(ndisdma_verifier_count(NULL) - reports, 0);
}

/* NetworkAddress overrides the EEPROM's address (and reaches RAL0/RAH0). */
static void test_network_address(void **state)
{
	(void)state;
	int rc = start("02-11-22-33-44-55");
	if (rc)
		fail_msg("start: %d (%s)", rc, ndisdma_last_error());
	unsigned char addr[6];
	size_t w;
	const unsigned char want[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_802_3_CURRENT_ADDRESS, addr, 6, &w),
	    0);
	assert_memory_equal(addr, want, 6);
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_802_3_PERMANENT_ADDRESS, addr, 6, &w),
	    0);
	assert_memory_equal(addr, mac, 6);
	assert_int_equal(model.regs[0x5400 / 4], 0x33221102u);
	assert_int_equal(model.regs[0x5404 / 4], 0x80005544u);
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frames_through_the_miniport),
	    cmocka_unit_test(test_network_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
