/* SPDX-License-Identifier: MIT */
/*
 * test_host.c - the runtime's internal interface (src/core/host.h) that
 * the send / receive / OID code builds on: nd_dpc_queue and nd_work_queue
 * (IRQL, order, the adapter in the thread's context, drained before
 * MiniportHalt, refused once halt began), nd_serial_enter / leave
 * (exclusion for a serialized miniport, recursion, no-op for a
 * deserialized one).
 */
#include "rt_miniport.h"

#include "../../src/core/host.h"

static _Atomic int order_bad, irql_bad, ran;
static int last;

static void dpc_fn(struct nd_adapter *ad, void *arg)
{
	int i = (int)(intptr_t)arg;
	if (KeGetCurrentIrql() != DISPATCH_LEVEL || nd_self()->adapter != ad)
		atomic_fetch_add(&irql_bad, 1);
	if (i != last + 1)
		atomic_fetch_add(&order_bad, 1);
	last = i;
	atomic_fetch_add(&ran, 1);
}

static void work_fn(struct nd_adapter *ad, void *arg)
{
	int i = (int)(intptr_t)arg;
	if (KeGetCurrentIrql() != PASSIVE_LEVEL || nd_self()->adapter != ad)
		atomic_fetch_add(&irql_bad, 1);
	if (i != last + 1)
		atomic_fetch_add(&order_bad, 1);
	last = i;
	atomic_fetch_add(&ran, 1);
}

static int host_setup(void **state)
{
	rt_setup(state);
	rt.register_irq = 0;
	atomic_store(&order_bad, 0);
	atomic_store(&irql_bad, 0);
	atomic_store(&ran, 0);
	last = 0;
	return 0;
}

static void dpc_and_work_queues(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	struct nd_adapter *ad = (struct nd_adapter *)rt.ad;
	for (int i = 1; i <= 100; i++)
		assert_int_equal(nd_dpc_queue(ad, dpc_fn, (void *)(intptr_t)i),
				 0);
	assert_int_equal(rt_wait_at_least(&ran, 100, 5000), 100);
	last = 0;
	atomic_store(&ran, 0);
	for (int i = 1; i <= 100; i++)
		assert_int_equal(
		    nd_work_queue(ad, work_fn, (void *)(intptr_t)i), 0);
	assert_int_equal(rt_wait_at_least(&ran, 100, 5000), 100);
	assert_int_equal(atomic_load(&order_bad), 0);
	assert_int_equal(atomic_load(&irql_bad), 0);
	assert_int_equal(nd_dpc_queue(NULL, dpc_fn, NULL), -EINVAL);
	assert_int_equal(nd_dpc_queue(ad, NULL, NULL), -EINVAL);
	assert_int_equal(rt_stop(), 0);
}

/* Everything queued before halt runs before MiniportHalt; after halt
 * began the queues refuse. */
static _Atomic int halted;
static void slow_dpc(struct nd_adapter *ad, void *arg)
{
	(void)ad, (void)arg;
	rt_sleep_ms(2);
	if (atomic_load(&halted))
		atomic_fetch_add(&order_bad, 1);
	atomic_fetch_add(&ran, 1);
}

static int refused_in_halt;
static void halt_checks(NDIS_HANDLE h)
{
	atomic_store(&halted, 1);
	refused_in_halt = nd_dpc_queue((struct nd_adapter *)h, slow_dpc, NULL);
}

static void drained_before_halt(void **state)
{
	(void)state;
	atomic_store(&halted, 0);
	rt.halt = halt_checks;
	assert_int_equal(rt_start(), 0);
	struct nd_adapter *ad = (struct nd_adapter *)rt.ad;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(nd_dpc_queue(ad, slow_dpc, NULL), 0);
		assert_int_equal(nd_work_queue(ad, slow_dpc, NULL), 0);
	}
	assert_int_equal(rt_stop(), 0);
	assert_int_equal(atomic_load(&ran), 40);
	assert_int_equal(atomic_load(&order_bad), 0);
	assert_int_equal(refused_in_halt, -ESHUTDOWN);
}

/* Serialized: a DPC cannot run while another thread is inside
 * nd_serial_enter; recursive on one thread; deserialized: no exclusion. */
static _Atomic int dpc_ran;
static void mark_dpc(struct nd_adapter *ad, void *arg)
{
	(void)ad, (void)arg;
	atomic_store(&dpc_ran, 1);
}

static void serialization(void **state)
{
	for (int deser = 0; deser < 2; deser++) {
		host_setup(state);
		rt.attrs = deser ? NDIS_ATTRIBUTE_DESERIALIZE : 0;
		atomic_store(&dpc_ran, 0);
		assert_int_equal(rt_start(), 0);
		struct nd_adapter *ad = (struct nd_adapter *)rt.ad;
		assert_int_equal(nd_serialized(ad), !deser);
		nd_serial_enter(ad);
		nd_serial_enter(ad); /* recursive */
		assert_int_equal(nd_serial_mine(ad), !deser);
		assert_int_equal(nd_dpc_queue(ad, mark_dpc, NULL), 0);
		rt_sleep_ms(50);
		assert_int_equal(atomic_load(&dpc_ran), deser);
		nd_serial_leave(ad);
		rt_sleep_ms(20);
		assert_int_equal(atomic_load(&dpc_ran), deser); /* still held */
		nd_serial_leave(ad);
		assert_false(nd_serial_mine(ad));
		assert_int_equal(rt_wait_at_least(&dpc_ran, 1, 5000), 1);
		assert_int_equal(rt_stop(), 0);
	}
}

static void not_a_host_thread(void **state)
{
	(void)state;
	assert_false(nd_host_thread());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(dpc_and_work_queues, host_setup),
	    cmocka_unit_test_setup(drained_before_halt, host_setup),
	    cmocka_unit_test_setup(serialization, host_setup),
	    cmocka_unit_test_setup(not_a_host_thread, host_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
