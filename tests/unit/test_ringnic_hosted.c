/* SPDX-License-Identifier: MIT */
/* The example miniport hosted end to end on its device model: frames sent
 * by the host come back through the NIC's DMA, interrupt, DPC and receive
 * indication, byte for byte, on several simulated configurations, with no
 * leak and no report; OIDs through the native API; a link change reaches
 * the host; a NIC switched off (the shutdown handler) is found hung by
 * MiniportCheckForHang, reset, and carries traffic again. */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "ringnic.h"

static struct {
	pthread_mutex_t lock;
	unsigned frames, bad;
	int32_t status;
	unsigned statuses;
} rx = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void frame_of(unsigned char *f, size_t len, unsigned seq)
{
	memset(f, 0xFF, 6);
	memset(f + 6, 0x02, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	memcpy(f + 14, &seq, 4);
	for (size_t i = 18; i < len; i++)
		f[i] = (unsigned char)(i + seq * 13);
}

static void on_rx(void *ctx, const void *f, size_t len)
{
	(void)ctx;
	unsigned seq;
	unsigned char want[1514];
	int ok = len >= 18 && len <= sizeof(want);
	if (ok) {
		memcpy(&seq, (const unsigned char *)f + 14, 4);
		frame_of(want, len, seq);
		ok = !memcmp(want, f, len);
	}
	pthread_mutex_lock(&rx.lock);
	rx.frames++;
	rx.bad += !ok;
	pthread_mutex_unlock(&rx.lock);
}

static void on_status(void *ctx, int32_t st, const void *b, size_t l)
{
	(void)ctx, (void)b, (void)l;
	pthread_mutex_lock(&rx.lock);
	rx.status = st;
	rx.statuses++;
	pthread_mutex_unlock(&rx.lock);
}

static unsigned get(unsigned *v)
{
	pthread_mutex_lock(&rx.lock);
	unsigned n = *v;
	pthread_mutex_unlock(&rx.lock);
	return n;
}

static int wait_for(unsigned *v, unsigned want)
{
	for (int i = 0; i < 3000; i++) {
		if (get(v) >= want)
			return 1;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return 0;
}

static ndisdma_driver *drv;
static ndisdma_adapter *ad;

static void start(const char *uri)
{
	rx.frames = rx.bad = rx.statuses = 0;
	assert_int_equal(
	    ndisdma_driver_load(ringnic5_driver_entry, "rn-h", &drv), 0);
	assert_int_equal(ringnic_use_model(drv), 0);
	assert_int_equal(ndisdma_adapter_start(drv, uri, &ad), 0);
	assert_int_equal(ndisdma_adapter_on_receive(ad, on_rx, NULL), 0);
	assert_int_equal(ndisdma_adapter_on_status(ad, on_status, NULL), 0);
}

static int stop(void)
{
	int n = ndisdma_adapter_halt(ad);
	ndisdma_driver_unload(drv);
	return n;
}

static unsigned send_many(unsigned n, unsigned seq0)
{
	unsigned sent = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned char f[1514];
		size_t len = 60 + ((seq0 + k) * 211) % (sizeof(f) - 59);
		frame_of(f, len, seq0 + k);
		int rc, tries = 0;
		while ((rc = ndisdma_adapter_send(ad, f, len)) == -ENOBUFS &&
		       tries++ < 2000)
			nanosleep(&(struct timespec){0, 100000}, NULL);
		assert_int_equal(rc, 0);
		sent++;
	}
	return sent;
}

static void traffic_everywhere(void **state)
{
	(void)state;
	const char *uris[] = {"sim", "sim:dma-bits=32", "sim:coherent=no",
			      "sim:iommu=no,dma-bits=32"};
	unsigned long before = ndisdma_verifier_count(NULL);
	for (size_t u = 0; u < sizeof(uris) / sizeof(uris[0]); u++) {
		print_message("%s\n", uris[u]);
		start(uris[u]);
		unsigned sent = send_many(300, 0);
		assert_true(wait_for(&rx.frames, sent));
		assert_int_equal(get(&rx.bad), 0);
		struct ndisdma_counters c;
		assert_int_equal(ndisdma_adapter_counters(ad, &c), 0);
		assert_int_equal(c.tx_frames, sent);
		assert_int_equal(c.rx_frames, sent);
		struct ringnic_model_stats ms;
		assert_int_equal(ringnic_model_stats(ad, &ms), 0);
		assert_int_equal(ms.tx_frames, sent);
		assert_int_equal(ms.dma_faults, 0);
		assert_int_equal(stop(), 0);
	}
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

static void oids(void **state)
{
	(void)state;
	start("sim");
	struct ndisdma_link l;
	assert_int_equal(ndisdma_adapter_link(ad, &l), 0);
	assert_int_equal(l.current_mac[0], 0x02);
	assert_int_equal(l.current_mac[1], 0x52);
	assert_int_equal(l.max_total, 1514);
	assert_int_equal(l.packet_filter, NDIS_PACKET_TYPE_DIRECTED |
					      NDIS_PACKET_TYPE_BROADCAST |
					      NDIS_PACKET_TYPE_MULTICAST);
	NDIS_OID list[64];
	size_t w;
	assert_int_equal(ndisdma_adapter_query(ad, OID_GEN_SUPPORTED_LIST, list,
					       sizeof(list), &w),
			 0);
	assert_true(w >= 20 * sizeof(NDIS_OID));
	ULONG filter;
	assert_int_equal(ndisdma_adapter_query(ad,
					       OID_GEN_CURRENT_PACKET_FILTER,
					       &filter, sizeof(filter), &w),
			 0);
	assert_int_equal(filter, l.packet_filter);
	UCHAR mc[12] = {0x01, 0, 0x5e, 0, 0, 1, 0x01, 0, 0x5e, 0, 0, 2};
	assert_int_equal(
	    ndisdma_adapter_set(ad, OID_802_3_MULTICAST_LIST, mc, sizeof(mc)),
	    0);
	assert_int_equal(
	    ndisdma_adapter_set(ad, OID_802_3_MULTICAST_LIST, mc, 5),
	    -EMSGSIZE);
	UCHAR mac[6];
	assert_int_equal(
	    ndisdma_adapter_query(ad, OID_802_3_CURRENT_ADDRESS, mac, 2, &w),
	    -EMSGSIZE);
	assert_int_equal(w, 6);
	assert_int_equal(ndisdma_adapter_last_status(ad),
			 NDIS_STATUS_INVALID_LENGTH);
	assert_int_equal(stop(), 0);
}

static void link_changes(void **state)
{
	(void)state;
	start("sim");
	assert_int_equal(ringnic_model_set_link(ad, 0), 0);
	assert_true(wait_for(&rx.statuses, 1));
	assert_int_equal(rx.status, NDIS_STATUS_MEDIA_DISCONNECT);
	struct ndisdma_link l;
	ndisdma_adapter_link(ad, &l);
	assert_int_equal(l.up, 0);
	ULONG st;
	assert_int_equal(ndisdma_adapter_query(ad, OID_GEN_MEDIA_CONNECT_STATUS,
					       &st, sizeof(st), NULL),
			 0);
	assert_int_equal(st, NdisMediaStateDisconnected);
	assert_int_equal(ringnic_model_set_link(ad, 1), 0);
	assert_true(wait_for(&rx.statuses, 2));
	assert_int_equal(rx.status, NDIS_STATUS_MEDIA_CONNECT);
	assert_int_equal(stop(), 0);
}

/* the shutdown handler switches the NIC off; a send then stays at the
 * NIC, check-for-hang says so, the host resets, traffic flows again */
static void hang_and_reset(void **state)
{
	(void)state;
	setenv("NDISDMA_CHECK_FOR_HANG_MS", "20", 1);
	start("sim");
	unsetenv("NDISDMA_CHECK_FOR_HANG_MS");
	assert_int_equal(ndisdma_adapter_shutdown(ad), 0);
	send_many(3, 1000);
	struct ndisdma_counters c;
	for (int i = 0; i < 3000; i++) {
		ndisdma_adapter_counters(ad, &c);
		if (c.resets)
			break;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	assert_true(c.hangs >= 1);
	assert_int_equal(c.resets, 1);
	/* the reset switched it on: what waited goes, and new frames too */
	send_many(5, 2000);
	assert_true(wait_for(&rx.frames, 8));
	assert_int_equal(get(&rx.bad), 0);
	assert_int_equal(stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

int main(void)
{
	ndisdma_verifier_set_output(stderr);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(traffic_everywhere),
	    cmocka_unit_test(oids),
	    cmocka_unit_test(link_changes),
	    cmocka_unit_test(hang_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
