/* SPDX-License-Identifier: MIT */
/*
 * test_timers.c - NdisMInitializeTimer / NdisMSetTimer /
 * NdisMSetPeriodicTimer / NdisMCancelTimer and NdisInitializeTimer /
 * NdisSetTimer / NdisCancelTimer: callbacks at DISPATCH_LEVEL with their
 * arguments, after the delay, periodic, cancel semantics, the rules
 * (timer.*, halt.leak-timer, irql.too-high), serialized vs deserialized
 * exclusion with the interrupt DPC, halt racing a periodic timer.
 */
#include "rt_miniport.h"

static NDIS_MINIPORT_TIMER mt;
static NDIS_TIMER pt;
static _Atomic int fired, wrong_args, wrong_irql;
static struct timespec t0, t1;

static long elapsed_ms(void)
{
	return (t1.tv_sec - t0.tv_sec) * 1000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

static VOID timer_fn(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
	if ((s1 != &mt && s1 != &pt) || ctx != (PVOID)&fired || s2 || s3)
		atomic_fetch_add(&wrong_args, 1);
	if (KeGetCurrentIrql() != DISPATCH_LEVEL)
		atomic_fetch_add(&wrong_irql, 1);
	if (atomic_load(&fired) == 0)
		clock_gettime(CLOCK_MONOTONIC, &t1);
	atomic_fetch_add(&fired, 1);
}

static void init_timer(NDIS_HANDLE h)
{
	NdisMInitializeTimer(&mt, h, timer_fn, &fired);
}

static int timers_setup(void **state)
{
	rt_setup(state);
	rt.register_irq = 0;
	rt.init = init_timer;
	atomic_store(&fired, 0);
	atomic_store(&wrong_args, 0);
	atomic_store(&wrong_irql, 0);
	memset(&mt, 0, sizeof(mt));
	memset(&pt, 0, sizeof(pt));
	return 0;
}

static void one_shot(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	assert_ptr_equal(mt.MiniportTimerContext, &fired);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	NdisMSetTimer(&mt, 30);
	assert_int_equal(rt_wait_at_least(&fired, 1, 5000), 1);
	assert_true(elapsed_ms() >= 29);
	rt_sleep_ms(60);
	assert_int_equal(atomic_load(&fired), 1); /* once */
	assert_int_equal(atomic_load(&wrong_args), 0);
	assert_int_equal(atomic_load(&wrong_irql), 0);
	BOOLEAN c = TRUE;
	NdisMCancelTimer(&mt, &c);
	assert_false(c); /* not set any more */
	assert_int_equal(rt_stop(), 0);
}

static void reset_replaces_and_cancel(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	NdisMSetTimer(&mt, 20);
	NdisMSetTimer(&mt, 10000); /* replaces the 20 ms expiry */
	rt_sleep_ms(60);
	assert_int_equal(atomic_load(&fired), 0);
	BOOLEAN c = FALSE;
	NdisMCancelTimer(&mt, &c);
	assert_true(c);
	NdisMCancelTimer(&mt, &c);
	assert_false(c);
	assert_int_equal(rt_stop(), 0);
}

static void periodic(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	NdisMSetPeriodicTimer(&mt, 5);
	assert_true(rt_wait_at_least(&fired, 5, 5000) >= 5);
	BOOLEAN c = FALSE;
	NdisMCancelTimer(&mt, &c);
	assert_true(c);
	rt_sleep_ms(10); /* a callback running at the cancel may finish */
	int n = atomic_load(&fired);
	rt_sleep_ms(40);
	assert_int_equal(atomic_load(&fired), n);
	assert_int_equal(atomic_load(&wrong_irql), 0);
	assert_int_equal(rt_stop(), 0);
}

/* NdisInitializeTimer outside any adapter: the process-wide thread. */
static void plain_timer(void **state)
{
	(void)state;
	NdisInitializeTimer(&pt, timer_fn, &fired);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	NdisSetTimer(&pt, 15);
	assert_int_equal(rt_wait_at_least(&fired, 1, 5000), 1);
	assert_true(elapsed_ms() >= 14);
	BOOLEAN c = TRUE;
	NdisCancelTimer(&pt, &c);
	assert_false(c);
	NdisSetTimer(&pt, 10000);
	NdisCancelTimer(&pt, &c);
	assert_true(c);
	assert_int_equal(atomic_load(&wrong_args), 0);
	assert_int_equal(atomic_load(&wrong_irql), 0);
}

static void not_initialized(void **state)
{
	(void)state;
	NDIS_MINIPORT_TIMER never;
	NDIS_TIMER never2;
	memset(&never, 0, sizeof(never));
	memset(&never2, 0, sizeof(never2));
	BOOLEAN c = TRUE;
	assert_int_equal(
	    RT_DELTA("timer.not-initialized", NdisMSetTimer(&never, 1)), 1);
	assert_int_equal(
	    RT_DELTA("timer.not-initialized", NdisMSetPeriodicTimer(&never, 1)),
	    1);
	assert_int_equal(
	    RT_DELTA("timer.not-initialized", NdisMCancelTimer(&never, &c)), 1);
	assert_false(c);
	assert_int_equal(
	    RT_DELTA("timer.not-initialized", NdisSetTimer(&never2, 1)), 1);
	assert_int_equal(
	    RT_DELTA("timer.not-initialized", NdisCancelTimer(&never2, &c)), 1);
	rt_sleep_ms(10);
}

static void init_while_set(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	NdisMSetTimer(&mt, 20);
	assert_int_equal(
	    RT_DELTA("timer.init-while-set",
		     NdisMInitializeTimer(&mt, rt.handle, timer_fn, &fired)),
	    1);
	rt_sleep_ms(50);
	assert_int_equal(atomic_load(&fired), 0); /* cancelled by the re-init */
	assert_int_equal(rt_stop(), 0);
}

static void set_at_dispatch_ok_init_at_dispatch_reported(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(RT_DELTA("irql.too-high", NdisMSetTimer(&mt, 1)), 0);
	assert_int_equal(
	    RT_DELTA("irql.too-high",
		     NdisMInitializeTimer(&mt, rt.handle, timer_fn, &fired)),
	    1);
	KeLowerIrql(old);
	assert_int_equal(rt_stop(), 0);
}

static void leak_at_halt(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	NdisMSetPeriodicTimer(&mt, 1000);
	int n = 0;
	assert_int_equal(RT_DELTA("halt.leak-timer", n = rt_stop()), 1);
	assert_int_equal(n, 1);
	rt_sleep_ms(20);
	assert_int_equal(atomic_load(&fired), 0);
}

/* Halt while a 1 ms periodic timer fires: MiniportHalt cancels it (or
 * halt does for the driver); nothing fires after halt returned. */
static void cancel_in_halt(NDIS_HANDLE h)
{
	(void)h;
	BOOLEAN c;
	NdisMCancelTimer(&mt, &c);
}

static void halt_races_timer(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++) {
		timers_setup(state);
		if (round & 1)
			rt.halt = cancel_in_halt;
		assert_int_equal(rt_start(), 0);
		NdisMSetPeriodicTimer(&mt, 1);
		rt_wait_at_least(&fired, 2, 5000);
		int n = rt_stop();
		assert_int_equal(n, (round & 1) ? 0 : 1);
		int f = atomic_load(&fired);
		rt_sleep_ms(3);
		assert_int_equal(atomic_load(&fired), f);
	}
}

/* Serialized miniport: the timer callback and the interrupt DPC never
 * overlap; deserialized: they may, and do when the DPC waits for the
 * timer. */
static _Atomic int timer_inside;
static VOID exclusive_timer(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
	(void)s1, (void)ctx, (void)s2, (void)s3;
	rt_enter();
	atomic_store(&timer_inside, 1);
	rt_sleep_ms(1);
	atomic_store(&timer_inside, 0);
	atomic_fetch_add(&fired, 1);
	rt_leave();
}

static _Atomic int saw_timer_inside;
static void dpc_waits_for_timer(void)
{
	/* up to 200 ms for the timer to be inside at the same time */
	for (int i = 0; i < 200 && !atomic_load(&saw_timer_inside); i++) {
		if (atomic_load(&timer_inside))
			atomic_store(&saw_timer_inside, 1);
		rt_sleep_ms(1);
	}
}

static void init_exclusive(NDIS_HANDLE h)
{
	NdisMInitializeTimer(&mt, h, exclusive_timer, NULL);
}

static void serialized_vs_deserialized(void **state)
{
	for (int deser = 0; deser < 2; deser++) {
		timers_setup(state);
		atomic_store(&saw_timer_inside, 0);
		rt.attrs = deser ? NDIS_ATTRIBUTE_DESERIALIZE : 0;
		rt.register_irq = 1;
		rt.init = init_exclusive;
		rt.dpc_hook = dpc_waits_for_timer;
		assert_int_equal(rt_start(), 0);
		NdisMSetPeriodicTimer(&mt, 1);
		for (int i = 0; i < 5; i++) {
			int before = atomic_load(&rt.dpc_calls);
			ndisdma_sim_irq_set(rt.sim, 1);
			rt_wait_at_least(&rt.dpc_calls, before + 1, 5000);
		}
		BOOLEAN c;
		NdisMCancelTimer(&mt, &c);
		assert_int_equal(rt_stop(), 0);
		if (deser) {
			assert_true(atomic_load(&saw_timer_inside));
			assert_true(atomic_load(&rt.overlap) > 0);
		} else {
			assert_false(atomic_load(&saw_timer_inside));
			assert_int_equal(atomic_load(&rt.overlap), 0);
		}
		assert_true(atomic_load(&fired) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(one_shot, timers_setup),
	    cmocka_unit_test_setup(reset_replaces_and_cancel, timers_setup),
	    cmocka_unit_test_setup(periodic, timers_setup),
	    cmocka_unit_test_setup(plain_timer, timers_setup),
	    cmocka_unit_test_setup(not_initialized, timers_setup),
	    cmocka_unit_test_setup(init_while_set, timers_setup),
	    cmocka_unit_test_setup(set_at_dispatch_ok_init_at_dispatch_reported,
				   timers_setup),
	    cmocka_unit_test_setup(leak_at_halt, timers_setup),
	    cmocka_unit_test_setup(halt_races_timer, timers_setup),
	    cmocka_unit_test_setup(serialized_vs_deserialized, timers_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
