/* SPDX-License-Identifier: MIT */
/*
 * test_sync.c - NDIS events (timeouts, wake-ups across threads), work
 * items (PASSIVE_LEVEL, adapter vs process-wide, requeue, leak at halt),
 * NdisStallExecution, NdisMSleep, NdisGetCurrentSystemTime.
 */
#include "rt_miniport.h"

#include <sys/time.h>

static long ms_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	       (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void event_timeout_and_state(void **state)
{
	(void)state;
	NDIS_EVENT e;
	memset(&e, 0xA5, sizeof(e));
	NdisInitializeEvent(&e);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(NdisWaitEvent(&e, 30));
	assert_true(ms_since(&t0) >= 29);
	NdisSetEvent(&e);
	assert_true(NdisWaitEvent(&e, 1));
	assert_true(NdisWaitEvent(&e, 0)); /* stays signaled */
	NdisResetEvent(&e);
	assert_false(NdisWaitEvent(&e, 1));
}

static NDIS_EVENT wake;
static void *setter(void *arg)
{
	(void)arg;
	rt_sleep_ms(20);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old); /* allowed at DISPATCH_LEVEL */
	NdisSetEvent(&wake);
	KeLowerIrql(old);
	return NULL;
}

static void event_wakes_waiters(void **state)
{
	(void)state;
	NdisInitializeEvent(&wake);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, setter, NULL), 0);
	unsigned long n =
	    RT_DELTA("irql.too-high", assert_true(NdisWaitEvent(&wake, 0)));
	assert_int_equal(n, 0);
	pthread_join(t, NULL);
}

static void event_wait_at_dispatch_reported(void **state)
{
	(void)state;
	NDIS_EVENT e;
	NdisInitializeEvent(&e);
	NdisSetEvent(&e);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(RT_DELTA("irql.too-high", NdisWaitEvent(&e, 1)), 1);
	assert_int_equal(RT_DELTA("irql.too-high", NdisMSleep(1)), 1);
	KeLowerIrql(old);
}

/* ---- work items ---- */

static _Atomic int work_runs, work_bad_irql;
static NDIS_EVENT work_done;
static VOID work_fn(PNDIS_WORK_ITEM wi, PVOID ctx)
{
	if (KeGetCurrentIrql() != PASSIVE_LEVEL)
		atomic_fetch_add(&work_bad_irql, 1);
	if (ctx != (PVOID)&work_runs || wi->Context != ctx)
		atomic_fetch_add(&work_bad_irql, 100);
	atomic_fetch_add(&work_runs, 1);
	NdisSetEvent(&work_done);
}

static void work_item_process_wide(void **state)
{
	(void)state;
	NDIS_WORK_ITEM wi;
	NdisInitializeWorkItem(&wi, work_fn, &work_runs);
	NdisInitializeEvent(&work_done);
	atomic_store(&work_runs, 0);
	assert_int_equal(NdisScheduleWorkItem(&wi), NDIS_STATUS_SUCCESS);
	assert_true(NdisWaitEvent(&work_done, 5000));
	assert_int_equal(atomic_load(&work_runs), 1);
	assert_int_equal(atomic_load(&work_bad_irql), 0);
	/* may be scheduled again once it ran */
	NdisResetEvent(&work_done);
	assert_int_equal(NdisScheduleWorkItem(&wi), NDIS_STATUS_SUCCESS);
	assert_true(NdisWaitEvent(&work_done, 5000));
	assert_int_equal(atomic_load(&work_runs), 2);
	NDIS_WORK_ITEM empty;
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(NdisScheduleWorkItem(&empty), NDIS_STATUS_FAILURE);
	assert_int_equal(NdisScheduleWorkItem(NULL), NDIS_STATUS_FAILURE);
}

/* From a DPC (DISPATCH_LEVEL): runs on the adapter's work thread. */
static NDIS_WORK_ITEM dpc_wi;
static NDIS_STATUS dpc_sched, dpc_sched2;
static void schedule_from_dpc(void)
{
	NdisInitializeWorkItem(&dpc_wi, work_fn, &work_runs);
	dpc_sched = NdisScheduleWorkItem(&dpc_wi);
}

static void work_item_from_dpc(void **state)
{
	(void)state;
	NdisInitializeEvent(&work_done);
	atomic_store(&work_runs, 0);
	rt.dpc_hook = schedule_from_dpc;
	assert_int_equal(rt_start(), 0);
	assert_int_equal(ndisdma_sim_irq_set(rt.sim, 1), 0);
	assert_true(NdisWaitEvent(&work_done, 5000));
	assert_int_equal(dpc_sched, NDIS_STATUS_SUCCESS);
	assert_int_equal(atomic_load(&work_runs), 1);
	assert_int_equal(atomic_load(&work_bad_irql), 0);
	assert_int_equal(rt_stop(), 0);
}

/* Requeue while queued, and an item left queued at halt. The adapter's
 * work thread is kept busy by a first item so the others stay queued. */
static NDIS_EVENT gate, busy_started;
static VOID busy_fn(PNDIS_WORK_ITEM wi, PVOID ctx)
{
	(void)wi, (void)ctx;
	NdisSetEvent(&busy_started);
	NdisWaitEvent(&gate, 5000);
}

static NDIS_WORK_ITEM busy_wi, queued_wi;
static void schedule_two(void)
{
	NdisInitializeWorkItem(&busy_wi, busy_fn, NULL);
	NdisInitializeWorkItem(&queued_wi, work_fn, &work_runs);
	NdisScheduleWorkItem(&busy_wi);
	dpc_sched = NdisScheduleWorkItem(&queued_wi);
	dpc_sched2 = NdisScheduleWorkItem(&queued_wi); /* again */
}

static void work_requeued(void **state)
{
	(void)state;
	NdisInitializeEvent(&gate);
	NdisInitializeEvent(&busy_started);
	NdisInitializeEvent(&work_done);
	atomic_store(&work_runs, 0);
	rt.dpc_hook = schedule_two;
	assert_int_equal(rt_start(), 0);
	unsigned long n = RT_DELTA("work.requeued", {
		int before = atomic_load(&rt.dpc_calls);
		ndisdma_sim_irq_set(rt.sim, 1);
		rt_wait_at_least(&rt.dpc_calls, before + 1, 5000);
	});
	assert_int_equal(n, 1);
	assert_int_equal(dpc_sched, NDIS_STATUS_SUCCESS);
	assert_int_equal(dpc_sched2, NDIS_STATUS_SUCCESS);
	assert_true(NdisWaitEvent(&busy_started, 5000));
	rt.dpc_hook = NULL;
	NdisSetEvent(&gate);
	assert_true(NdisWaitEvent(&work_done, 5000));
	rt_sleep_ms(20);
	assert_int_equal(atomic_load(&work_runs), 1); /* ran once */
	assert_int_equal(rt_stop(), 0);
}

/* An item still queued when MiniportHalt returns never runs: the work
 * thread is busy until MiniportHalt opened the gate, and 200 ms more, by
 * when the host has stopped the queue (it joins the thread, then drops
 * what is queued). */
static VOID busy_past_halt(PNDIS_WORK_ITEM wi, PVOID ctx)
{
	(void)wi, (void)ctx;
	NdisSetEvent(&busy_started);
	NdisWaitEvent(&gate, 5000);
	rt_sleep_ms(200);
}

static void schedule_blocking(void)
{
	NdisInitializeWorkItem(&busy_wi, busy_past_halt, NULL);
	NdisInitializeWorkItem(&queued_wi, work_fn, &work_runs);
	NdisScheduleWorkItem(&busy_wi);
	NdisScheduleWorkItem(&queued_wi);
}

static void halt_opens_gate(NDIS_HANDLE h)
{
	(void)h;
	NdisSetEvent(&gate);
}

static void work_leak_at_halt(void **state)
{
	(void)state;
	NdisInitializeEvent(&gate);
	NdisInitializeEvent(&busy_started);
	atomic_store(&work_runs, 0);
	rt.dpc_hook = schedule_blocking;
	rt.halt = halt_opens_gate;
	assert_int_equal(rt_start(), 0);
	int before = atomic_load(&rt.dpc_calls);
	ndisdma_sim_irq_set(rt.sim, 1);
	rt_wait_at_least(&rt.dpc_calls, before + 1, 5000);
	assert_true(NdisWaitEvent(&busy_started, 5000));
	rt.dpc_hook = NULL;
	int leaks = 0;
	assert_int_equal(RT_DELTA("halt.leak-workitem", leaks = rt_stop()), 1);
	assert_int_equal(leaks, 1);
	assert_int_equal(atomic_load(&work_runs), 0);
	/* the item may be scheduled again (its queued mark is gone) */
	NdisInitializeEvent(&work_done);
	assert_int_equal(NdisScheduleWorkItem(&queued_wi), NDIS_STATUS_SUCCESS);
	assert_true(NdisWaitEvent(&work_done, 5000));
}

/* ---- time ---- */

static void stall_and_sleep(void **state)
{
	(void)state;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(RT_DELTA("stall.too-long", NdisStallExecution(50)), 0);
	assert_int_equal(RT_DELTA("stall.too-long", NdisStallExecution(2000)),
			 1);
	assert_true(ms_since(&t0) >= 2);
	KIRQL old;
	KeRaiseIrql(DIRQL, &old); /* stalls are allowed at any IRQL */
	assert_int_equal(RT_DELTA("irql.too-high", NdisStallExecution(10)), 0);
	KeLowerIrql(old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	NdisMSleep(20000);
	assert_true(ms_since(&t0) >= 19);
}

static void system_time(void **state)
{
	(void)state;
	LARGE_INTEGER a, b;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	NdisGetCurrentSystemTime(&a);
	/* 100 ns units since 1601: 11644473600 s before 1970 */
	long long unix_100ns =
	    (long long)tv.tv_sec * 10000000LL + tv.tv_usec * 10LL;
	long long diff = a.QuadPart - 116444736000000000LL - unix_100ns;
	assert_true(diff >= 0 && diff < 10000000LL); /* within a second */
	rt_sleep_ms(5);
	NdisGetCurrentSystemTime(&b);
	assert_true(b.QuadPart - a.QuadPart >= 40000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(event_timeout_and_state, rt_setup),
	    cmocka_unit_test_setup(event_wakes_waiters, rt_setup),
	    cmocka_unit_test_setup(event_wait_at_dispatch_reported, rt_setup),
	    cmocka_unit_test_setup(work_item_process_wide, rt_setup),
	    cmocka_unit_test_setup(work_item_from_dpc, rt_setup),
	    cmocka_unit_test_setup(work_requeued, rt_setup),
	    cmocka_unit_test_setup(work_leak_at_halt, rt_setup),
	    cmocka_unit_test_setup(stall_and_sleep, rt_setup),
	    cmocka_unit_test_setup(system_time, rt_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
