/* SPDX-License-Identifier: MIT */
/* OID requests of a hosted NDIS 5.1 miniport: what ndisdma_adapter_start
 * queries and sets (addresses, sizes, link, packet filter directed +
 * broadcast + multicast, lookahead), ndisdma_adapter_query / _set with
 * synchronous and pending completions (NdisMQueryInformationComplete,
 * NdisMSetInformationComplete), errors as errnos with the NDIS_STATUS in
 * ndisdma_adapter_last_status, one request at a time from many threads,
 * a start that fails when the filter is refused, and the rules
 * oid.complete-twice, oid.complete-no-request, irql.too-high. */
#include "dp_miniport.h"
#include "ringnic.h"

static int setup(void **state)
{
	(void)state;
	dpm_reset();
	ndisdma_verifier_reset_counts();
	ndisdma_verifier_set_output(NULL);
	return 0;
}

static void start_sets_filter(void **state)
{
	(void)state;
	dpm_start("sim");
	assert_int_equal(dpm.filter, NDIS_PACKET_TYPE_DIRECTED |
					 NDIS_PACKET_TYPE_BROADCAST |
					 NDIS_PACKET_TYPE_MULTICAST);
	assert_int_equal(dpm.lookahead, 256);
	struct ndisdma_link l;
	assert_int_equal(ndisdma_adapter_link(dpm.ad, &l), 0);
	assert_memory_equal(l.current_mac, dpm_mac, 6);
	assert_memory_equal(l.permanent_mac, dpm_mac, 6);
	assert_int_equal(l.max_total, 1514);
	assert_int_equal(l.max_frame, 1500);
	assert_int_equal(l.speed_bps, 1000000000ull);
	assert_int_equal(l.up, 1);
	assert_int_equal(l.packet_filter, dpm.filter);
	assert_int_equal(dpm.overlap, 0);
	assert_int_equal(dpm_stop(), 0);
}

static void query_and_set(void **state)
{
	(void)state;
	dpm_start("sim");
	UCHAR mac[6];
	size_t w = 99;
	assert_int_equal(ndisdma_adapter_query(dpm.ad,
					       OID_802_3_CURRENT_ADDRESS, mac,
					       sizeof(mac), &w),
			 0);
	assert_int_equal(w, 6);
	assert_memory_equal(mac, dpm_mac, 6);
	ULONG f = NDIS_PACKET_TYPE_PROMISCUOUS;
	assert_int_equal(ndisdma_adapter_set(dpm.ad,
					     OID_GEN_CURRENT_PACKET_FILTER, &f,
					     sizeof(f)),
			 0);
	assert_int_equal(dpm.filter, NDIS_PACKET_TYPE_PROMISCUOUS);
	assert_int_equal(ndisdma_adapter_last_status(dpm.ad),
			 NDIS_STATUS_SUCCESS);
	/* errors */
	ULONG v;
	assert_int_equal(
	    ndisdma_adapter_query(dpm.ad, 0x00FFFFFF, &v, sizeof(v), &w),
	    -EOPNOTSUPP);
	assert_int_equal(ndisdma_adapter_last_status(dpm.ad),
			 NDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(ndisdma_adapter_query(
			     dpm.ad, OID_802_3_CURRENT_ADDRESS, mac, 4, &w),
			 -EMSGSIZE);
	assert_int_equal(w, 6); /* the bytes needed */
	assert_int_equal(ndisdma_adapter_last_status(dpm.ad),
			 NDIS_STATUS_INVALID_LENGTH);
	assert_int_equal(
	    ndisdma_adapter_query(dpm.ad, OID_GEN_LINK_SPEED, NULL, 4, &w),
	    -EINVAL);
	assert_int_equal(
	    ndisdma_adapter_query(NULL, OID_GEN_LINK_SPEED, &v, 4, &w),
	    -EINVAL);
	assert_int_equal(ndisdma_adapter_last_status(NULL),
			 NDIS_STATUS_ADAPTER_NOT_FOUND);
	assert_int_equal(dpm_stop(), 0);
}

/* pending requests: the NIC completes them from another thread */
static void *completer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		if (__atomic_load_n(&dpm.pend_oid, __ATOMIC_SEQ_CST)) {
			NDIS_OID oid = dpm.pend_oid;
			int set = dpm.pend_set;
			__atomic_store_n(&dpm.pend_oid, 0, __ATOMIC_SEQ_CST);
			(void)oid;
			if (set)
				NdisMSetInformationComplete(
				    dpm.handle, NDIS_STATUS_SUCCESS);
			else
				NdisMQueryInformationComplete(
				    dpm.handle, NDIS_STATUS_SUCCESS);
			return NULL;
		}
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return NULL;
}

static void pending_requests(void **state)
{
	(void)state;
	dpm_start("sim");
	dpm.oid_pending = 1;
	pthread_t t;
	pthread_create(&t, NULL, completer, NULL);
	ULONG v = 0;
	size_t w;
	assert_int_equal(ndisdma_adapter_query(dpm.ad, OID_GEN_LINK_SPEED, &v,
					       sizeof(v), &w),
			 0);
	pthread_join(t, NULL);
	assert_int_equal(v, 10000000);
	assert_int_equal(w, 4);
	pthread_create(&t, NULL, completer, NULL);
	ULONG f = NDIS_PACKET_TYPE_DIRECTED;
	assert_int_equal(ndisdma_adapter_set(dpm.ad,
					     OID_GEN_CURRENT_PACKET_FILTER, &f,
					     sizeof(f)),
			 0);
	pthread_join(t, NULL);
	assert_int_equal(dpm.filter, NDIS_PACKET_TYPE_DIRECTED);
	/* a completion now has no request to complete */
	NdisMSetInformationComplete(dpm.handle, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("oid.complete-twice"), 1);
	dpm.oid_pending = 0;
	assert_int_equal(dpm_stop(), 0);
}

static void complete_without_request(void **state)
{
	(void)state;
	dpm.no_query = 1; /* no request is ever made */
	dpm_start("sim");
	NdisMQueryInformationComplete(dpm.handle, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("oid.complete-no-request"), 1);
	ULONG v;
	assert_int_equal(ndisdma_adapter_query(dpm.ad, OID_GEN_LINK_SPEED, &v,
					       sizeof(v), NULL),
			 -EOPNOTSUPP);
	KIRQL old;
	KeRaiseIrql(HIGH_LEVEL, &old);
	NdisMSetInformationComplete(dpm.handle, NDIS_STATUS_SUCCESS);
	KeLowerIrql(old);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 1);
	assert_int_equal(dpm_stop(), 0);
}

/* a handler that completes the request and also returns its status */
static void complete_and_return(void **state)
{
	(void)state;
	dpm_start("sim");
	dpm.complete_and_return = 1;
	ULONG v;
	assert_int_equal(ndisdma_adapter_query(dpm.ad, OID_GEN_LINK_SPEED, &v,
					       sizeof(v), NULL),
			 0);
	assert_int_equal(ndisdma_verifier_count("oid.complete-twice"), 1);
	dpm.complete_and_return = 0;
	assert_int_equal(dpm_stop(), 0);
}

/* many threads: the miniport never sees two requests at once */
static void *querier(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		ULONG v;
		if (ndisdma_adapter_query(dpm.ad, OID_GEN_LINK_SPEED, &v,
					  sizeof(v), NULL))
			return (void *)1;
	}
	return NULL;
}

static void one_at_a_time(void **state)
{
	(void)state;
	dpm_start("sim");
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, querier, NULL);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		assert_null(r);
	}
	assert_int_equal(dpm.overlap, 0);
	assert_int_equal(dpm_stop(), 0);
}

static void filter_refused(void **state)
{
	(void)state;
	dpm.filter_status = NDIS_STATUS_NOT_ACCEPTED;
	assert_int_equal(ndisdma_driver_load(dpm_entry, "dpm", &dpm.drv), 0);
	assert_int_equal(ndisdma_adapter_start(dpm.drv, "sim", &dpm.ad), -EIO);
	assert_non_null(strstr(ndisdma_last_error(), "packet filter"));
	ndisdma_driver_unload(dpm.drv);
}

/* the NDIS 6 data path is not hosted: the frame API says so */
static void ndis6_not_hosted(void **state)
{
	(void)state;
	ndisdma_driver *d;
	ndisdma_adapter *a;
	assert_int_equal(ndisdma_driver_load(ringnic6_driver_entry, "rn6", &d),
			 0);
	assert_int_equal(ndisdma_adapter_start(d, "sim", &a), 0);
	unsigned char f[60] = {0};
	ULONG v;
	assert_int_equal(ndisdma_adapter_send(a, f, sizeof(f)), -EOPNOTSUPP);
	assert_int_equal(
	    ndisdma_adapter_query(a, OID_GEN_LINK_SPEED, &v, sizeof(v), NULL),
	    -EOPNOTSUPP);
	assert_int_equal(ndisdma_adapter_miniport_reset(a), -EOPNOTSUPP);
	assert_int_equal(ndisdma_adapter_halt(a), 0);
	ndisdma_driver_unload(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(start_sets_filter, setup),
	    cmocka_unit_test_setup(query_and_set, setup),
	    cmocka_unit_test_setup(pending_requests, setup),
	    cmocka_unit_test_setup(complete_without_request, setup),
	    cmocka_unit_test_setup(complete_and_return, setup),
	    cmocka_unit_test_setup(one_at_a_time, setup),
	    cmocka_unit_test_setup(filter_refused, setup),
	    cmocka_unit_test_setup(ndis6_not_hosted, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
