/* SPDX-License-Identifier: MIT */
/*
 * test_interrupts.c - NdisMRegisterInterrupt / NdisMDeregisterInterrupt /
 * NdisMSynchronizeWithInterrupt on the simulated device: ISR at DIRQL,
 * HandleInterrupt as the DPC at DISPATCH_LEVEL, Disable / DPC / Enable
 * for RequestIsr FALSE, the level-triggered line masked until the DPC
 * ran, interrupts raised from other threads, the rules (interrupt.*,
 * halt.leak-interrupt, irql.too-high), halt racing interrupts, halt
 * refused from the DPC.
 */
#include "rt_miniport.h"

/* one interrupt: raise the line and wait for the DPC */
static void raise_and_wait(int n)
{
	int before = atomic_load(&rt.dpc_calls);
	assert_int_equal(ndisdma_sim_irq_set(rt.sim, 1), 0);
	assert_true(rt_wait_at_least(&rt.dpc_calls, before + n, 5000) >=
		    before + n);
}

static void isr_then_dpc(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	assert_int_equal(rt.reg_status, NDIS_STATUS_SUCCESS);
	assert_ptr_equal(rt.intr.Miniport, rt.handle);
	for (int i = 1; i <= 20; i++) {
		raise_and_wait(1);
		assert_int_equal(atomic_load(&rt.isr_calls), i);
	}
	assert_int_equal(atomic_load(&rt.dpc_calls), 20);
	assert_int_equal(atomic_load(&rt.bad_irql), 0);
	/* RequestIsr TRUE: NDIS calls neither Disable nor Enable */
	assert_int_equal(atomic_load(&rt.disable_calls), 0);
	assert_int_equal(atomic_load(&rt.enable_calls), 0);
	assert_int_equal(rt_stop(), 0);
}

/* The line stays asserted after the ISR: it is masked until the DPC ran,
 * then the device interrupts again (level-triggered, as INTx). */
static _Atomic int dpc_gate;
static void gated_dpc(void)
{
	while (!atomic_load(&dpc_gate))
		rt_sleep_ms(1);
}

static void level_masked_until_dpc(void **state)
{
	(void)state;
	rt.isr_keep_level = 2; /* the first two ISR calls leave it high */
	rt.dpc_hook = gated_dpc;
	assert_int_equal(rt_start(), 0);
	assert_int_equal(ndisdma_sim_irq_set(rt.sim, 1), 0);
	assert_int_equal(rt_wait_at_least(&rt.isr_calls, 1, 5000), 1);
	rt_sleep_ms(50); /* masked: no second ISR while the DPC waits */
	assert_int_equal(atomic_load(&rt.isr_calls), 1);
	atomic_store(&dpc_gate, 1);
	/* unmasked after each DPC: still asserted twice, then acked */
	assert_int_equal(rt_wait_at_least(&rt.dpc_calls, 3, 5000), 3);
	rt_sleep_ms(20);
	assert_int_equal(atomic_load(&rt.isr_calls), 3);
	assert_int_equal(atomic_load(&rt.dpc_calls), 3);
	assert_int_equal(rt_stop(), 0);
	atomic_store(&dpc_gate, 0);
}

/* RequestIsr FALSE: DisableInterrupt at DIRQL, then the DPC, then
 * EnableInterrupt; the ISR is never called. */
static void no_isr_disable_dpc_enable(void **state)
{
	(void)state;
	rt.request_isr = FALSE;
	rt.no_isr = 1;
	rt.ack_in_dpc = 1;
	assert_int_equal(rt_start(), 0);
	assert_int_equal(rt.reg_status, NDIS_STATUS_SUCCESS);
	for (int i = 1; i <= 10; i++) {
		raise_and_wait(1);
		assert_int_equal(rt_wait_at_least(&rt.enable_calls, i, 5000),
				 i);
	}
	assert_int_equal(atomic_load(&rt.isr_calls), 0);
	assert_int_equal(atomic_load(&rt.disable_calls), 10);
	assert_int_equal(atomic_load(&rt.order_bad), 0);
	assert_int_equal(atomic_load(&rt.bad_irql), 0);
	assert_int_equal(rt_stop(), 0);
}

/* An ISR that says the interrupt is not its own queues no DPC; the line
 * is unmasked at once. */
static void isr_not_recognized(void **state)
{
	(void)state;
	rt.isr_not_mine = 1;
	assert_int_equal(rt_start(), 0);
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(ndisdma_sim_irq_set(rt.sim, 1), 0);
		assert_int_equal(rt_wait_at_least(&rt.isr_calls, i, 5000), i);
	}
	rt_sleep_ms(20);
	assert_int_equal(atomic_load(&rt.dpc_calls), 0);
	assert_int_equal(rt_stop(), 0);
}

/* Interrupts raised by several device-model threads at once. */
static void *raiser(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		ndisdma_sim_irq_set(rt.sim, 1);
		sched_yield();
	}
	return NULL;
}

static void raised_from_threads(void **state)
{
	(void)state;
	assert_int_equal(rt_start(), 0);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, raiser, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	/* the last assertion is always seen */
	assert_true(rt_wait_at_least(&rt.dpc_calls, 1, 5000) >= 1);
	rt_sleep_ms(20);
	int isr = atomic_load(&rt.isr_calls), dpc = atomic_load(&rt.dpc_calls);
	assert_true(isr >= 1 && isr <= 600);
	assert_int_equal(isr, dpc); /* each ISR queued one DPC that ran */
	assert_int_equal(atomic_load(&rt.bad_irql), 0);
	assert_int_equal(rt_stop(), 0);
}

/* NdisMSynchronizeWithInterrupt: the function runs at DIRQL, excluded
 * from the ISR (a plain counter both update stays exact; TSan checks the
 * exclusion too). */
static long shared_counter;
static _Atomic int sync_irql_bad;
static BOOLEAN sync_fn(PVOID ctx)
{
	if (KeGetCurrentIrql() != DIRQL)
		atomic_fetch_add(&sync_irql_bad, 1);
	shared_counter += (long)(intptr_t)ctx;
	return TRUE;
}

static void counting_isr_hook(void)
{
	shared_counter += 1000000;
}

static void *syncer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++)
		assert_true(
		    NdisMSynchronizeWithInterrupt(&rt.intr, sync_fn, (PVOID)1));
	return NULL;
}

static void synchronize_excludes_isr(void **state)
{
	(void)state;
	rt.isr_hook = counting_isr_hook;
	assert_int_equal(rt_start(), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, syncer, NULL), 0);
	for (int i = 0; i < 100; i++) {
		raise_and_wait(1);
		NdisMSynchronizeWithInterrupt(&rt.intr, sync_fn, (PVOID)1000);
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&rt.isr_calls), 100);
	assert_int_equal(shared_counter, 2000 + 100 * 1000 + 100 * 1000000L);
	assert_int_equal(atomic_load(&sync_irql_bad), 0);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	assert_int_equal(rt_stop(), 0);
	shared_counter = 0;
}

static void synchronize_without_interrupt(void **state)
{
	(void)state;
	rt.register_irq = 0;
	assert_int_equal(rt_start(), 0);
	NDIS_MINIPORT_INTERRUPT never;
	memset(&never, 0, sizeof(never));
	BOOLEAN r = FALSE;
	assert_int_equal(RT_DELTA("interrupt.not-registered",
				  r = NdisMSynchronizeWithInterrupt(
				      &never, sync_fn, (PVOID)5)),
			 1);
	assert_true(r);
	assert_int_equal(shared_counter, 5); /* it ran, at DIRQL */
	assert_int_equal(atomic_load(&sync_irql_bad), 0);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	assert_int_equal(RT_DELTA("interrupt.not-registered",
				  NdisMDeregisterInterrupt(&never)),
			 1);
	assert_int_equal(rt_stop(), 0);
	shared_counter = 0;
}

static NDIS_MINIPORT_INTERRUPT second;
static NDIS_STATUS second_status;
static void register_second(NDIS_HANDLE h)
{
	second_status = NdisMRegisterInterrupt(&second, h, 11, 11, TRUE, FALSE,
					       NdisInterruptLevelSensitive);
}

static void register_twice(void **state)
{
	(void)state;
	rt.init = register_second;
	unsigned long n = RT_DELTA("interrupt.register-twice",
				   assert_int_equal(rt_start(), 0));
	assert_int_equal(n, 1);
	assert_int_equal(second_status, NDIS_STATUS_FAILURE);
	raise_and_wait(1); /* the first one still works */
	assert_int_equal(rt_stop(), 0);
}

static void register_outside_initialize(void **state)
{
	(void)state;
	rt.register_irq = 0;
	assert_int_equal(rt_start(), 0);
	NDIS_STATUS st = 0;
	assert_int_equal(RT_DELTA("interrupt.register-context",
				  st = NdisMRegisterInterrupt(
				      &rt.intr, rt.handle, 11, 11, TRUE, FALSE,
				      NdisInterruptLevelSensitive)),
			 1);
	assert_int_equal(st, NDIS_STATUS_SUCCESS); /* served as Windows */
	raise_and_wait(1);
	NdisMDeregisterInterrupt(&rt.intr);
	assert_int_equal(RT_DELTA("interrupt.not-registered",
				  NdisMDeregisterInterrupt(&rt.intr)),
			 1);
	assert_int_equal(rt_stop(), 0);
}

static void bad_params(void **state)
{
	(void)state;
	/* RequestIsr TRUE without a MiniportISR: refused */
	rt.no_isr = 1;
	unsigned long n =
	    RT_DELTA("interrupt.bad-params", assert_int_equal(rt_start(), 0));
	assert_int_equal(n, 1);
	assert_int_equal(rt.reg_status, NDIS_STATUS_FAILURE);
	assert_int_equal(rt_stop(), 0);

	/* shared without RequestIsr: reported, the ISR is called anyway */
	rt_reset();
	rt.shared = TRUE;
	rt.request_isr = FALSE;
	n = RT_DELTA("interrupt.bad-params", assert_int_equal(rt_start(), 0));
	assert_int_equal(n, 1);
	assert_int_equal(rt.reg_status, NDIS_STATUS_SUCCESS);
	raise_and_wait(1);
	assert_int_equal(atomic_load(&rt.isr_calls), 1);
	assert_int_equal(atomic_load(&rt.disable_calls), 0);
	assert_int_equal(rt_stop(), 0);
}

static void register_at_dispatch(NDIS_HANDLE h)
{
	(void)h;
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	NdisMDeregisterInterrupt(&rt.intr); /* PASSIVE_LEVEL only */
	KeLowerIrql(old);
	rt.keep_irq = 1; /* deregistered already */
}

static void irql_rules(void **state)
{
	(void)state;
	rt.init = register_at_dispatch;
	unsigned long n =
	    RT_DELTA("irql.too-high", assert_int_equal(rt_start(), 0));
	assert_int_equal(n, 1);
	assert_int_equal(rt_stop(), 0);
}

static void leak_at_halt(void **state)
{
	(void)state;
	rt.keep_irq = 1;
	assert_int_equal(rt_start(), 0);
	raise_and_wait(1);
	int n = 0;
	assert_int_equal(RT_DELTA("halt.leak-interrupt", n = rt_stop()), 1);
	assert_int_equal(n, 1);
}

/* Halt while another thread keeps interrupting: MiniportHalt deregisters
 * (or halt does it for the driver); no ISR or DPC runs after halt
 * returned, and no thread touches the freed adapter (ASan, TSan). */
static _Atomic int stop_raising;
static void *storm(void *arg)
{
	ndisdma_sim *sim = arg;
	while (!atomic_load(&stop_raising))
		if (ndisdma_sim_irq_set(sim, 1) == -EINVAL)
			break; /* the adapter is gone */
	return NULL;
}

static void halt_races_interrupts(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++) {
		rt_reset();
		rt.keep_irq = round & 1;
		assert_int_equal(rt_start(), 0);
		atomic_store(&stop_raising, 0);
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, storm, rt.sim), 0);
		rt_wait_at_least(&rt.dpc_calls, 3, 5000);
		int n = rt_stop();
		assert_int_equal(n, round & 1);
		int isr = atomic_load(&rt.isr_calls);
		int dpc = atomic_load(&rt.dpc_calls);
		rt_sleep_ms(2);
		assert_int_equal(atomic_load(&rt.isr_calls), isr);
		assert_int_equal(atomic_load(&rt.dpc_calls), dpc);
		atomic_store(&stop_raising, 1);
		pthread_join(t, NULL);
	}
}

/* ndisdma_adapter_halt from the DPC is refused, not a deadlock. */
static _Atomic int halt_rc;
static void halt_from_dpc(void)
{
	atomic_store(&halt_rc, ndisdma_adapter_halt(rt.ad));
}

static void halt_refused_on_runtime_thread(void **state)
{
	(void)state;
	rt.dpc_hook = halt_from_dpc;
	assert_int_equal(rt_start(), 0);
	raise_and_wait(1);
	assert_int_equal(atomic_load(&halt_rc), -EDEADLK);
	rt.dpc_hook = NULL;
	assert_int_equal(rt_stop(), 0);
}

/* A DPC that deregisters its own interrupt: nothing is called after. */
static void deregister_self(void)
{
	NdisMDeregisterInterrupt(&rt.intr);
	rt.keep_irq = 1;
}

static void deregister_from_dpc(void **state)
{
	(void)state;
	rt.dpc_hook = deregister_self;
	assert_int_equal(rt_start(), 0);
	unsigned long irql = RT_DELTA("irql.too-high", raise_and_wait(1));
	assert_int_equal(irql, 1); /* PASSIVE_LEVEL only, served anyway */
	assert_int_equal(ndisdma_sim_irq_set(rt.sim, 1), 0);
	rt_sleep_ms(20);
	assert_int_equal(atomic_load(&rt.isr_calls), 1);
	assert_int_equal(rt_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(isr_then_dpc, rt_setup),
	    cmocka_unit_test_setup(level_masked_until_dpc, rt_setup),
	    cmocka_unit_test_setup(no_isr_disable_dpc_enable, rt_setup),
	    cmocka_unit_test_setup(isr_not_recognized, rt_setup),
	    cmocka_unit_test_setup(raised_from_threads, rt_setup),
	    cmocka_unit_test_setup(synchronize_excludes_isr, rt_setup),
	    cmocka_unit_test_setup(synchronize_without_interrupt, rt_setup),
	    cmocka_unit_test_setup(register_twice, rt_setup),
	    cmocka_unit_test_setup(register_outside_initialize, rt_setup),
	    cmocka_unit_test_setup(bad_params, rt_setup),
	    cmocka_unit_test_setup(irql_rules, rt_setup),
	    cmocka_unit_test_setup(leak_at_halt, rt_setup),
	    cmocka_unit_test_setup(halt_races_interrupts, rt_setup),
	    cmocka_unit_test_setup(halt_refused_on_runtime_thread, rt_setup),
	    cmocka_unit_test_setup(deregister_from_dpc, rt_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
