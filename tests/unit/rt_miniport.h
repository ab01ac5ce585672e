/* SPDX-License-Identifier: MIT */
/*
 * rt_miniport.h - a scriptable NDIS 5.1 miniport with interrupt handlers
 * for the runtime's tests (interrupts, timers, work items): the test sets
 * hooks, starts it on "sim", raises the simulated device's line with
 * ndisdma_sim_irq_set and watches what the host calls, at which IRQL, in
 * which order.
 */
#ifndef NDISDMA_RT_MINIPORT_H
#define NDISDMA_RT_MINIPORT_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

struct rt_state {
	/* set by the test */
	ULONG attrs;	  /* NdisMSetAttributesEx flags */
	int no_isr;	  /* register no MiniportISR */
	int no_disable;	  /* no Disable/EnableInterrupt handlers */
	int register_irq; /* NdisMRegisterInterrupt in initialize */
	BOOLEAN request_isr, shared;
	int keep_irq;	    /* halt does not deregister */
	int ack_in_dpc;	    /* the DPC (not the ISR) deasserts the line */
	int isr_keep_level; /* ISR calls that leave the line asserted */
	int isr_not_mine;   /* ISR: InterruptRecognized FALSE, no DPC */
	void (*init)(NDIS_HANDLE h);
	void (*halt)(NDIS_HANDLE h);
	void (*dpc_hook)(void);
	void (*isr_hook)(void);
	/* filled in */
	NDIS_HANDLE handle;
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	ndisdma_sim *sim;
	NDIS_MINIPORT_INTERRUPT intr;
	NDIS_STATUS reg_status;
	_Atomic int isr_calls, dpc_calls, disable_calls, enable_calls;
	_Atomic int bad_irql;  /* a handler ran at the wrong IRQL */
	_Atomic int order_bad; /* Disable, DPC, Enable out of order */
	_Atomic int phase;     /* 0 idle, 1 disabled, 2 in DPC */
	_Atomic int inside;    /* handlers running now */
	_Atomic int overlap;   /* two handlers ran at once */
};

static struct rt_state rt;

static void rt_reset(void)
{
	memset(&rt, 0, sizeof(rt));
	rt.register_irq = 1;
	rt.request_isr = TRUE;
}

/* Mark a handler's entry / exit; overlap counts concurrent handlers. */
static void rt_enter(void)
{
	if (atomic_fetch_add(&rt.inside, 1) != 0)
		atomic_fetch_add(&rt.overlap, 1);
}

static void rt_leave(void)
{
	atomic_fetch_sub(&rt.inside, 1);
}

static VOID rt_isr(PBOOLEAN recognized, PBOOLEAN queue, NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &rt);
	if (KeGetCurrentIrql() != DIRQL)
		atomic_fetch_add(&rt.bad_irql, 1);
	int n = atomic_fetch_add(&rt.isr_calls, 1);
	if (rt.isr_hook)
		rt.isr_hook();
	if (rt.isr_not_mine) {
		*recognized = FALSE;
		*queue = FALSE;
		ndisdma_sim_irq_set(rt.sim, 0);
		return;
	}
	*recognized = TRUE;
	*queue = TRUE;
	if (!rt.ack_in_dpc && n >= rt.isr_keep_level)
		ndisdma_sim_irq_set(rt.sim, 0); /* read the cause: deasserts */
}

static VOID rt_disable(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &rt);
	if (KeGetCurrentIrql() != DIRQL)
		atomic_fetch_add(&rt.bad_irql, 1);
	if (atomic_load(&rt.phase) != 0)
		atomic_fetch_add(&rt.order_bad, 1);
	atomic_store(&rt.phase, 1);
	atomic_fetch_add(&rt.disable_calls, 1);
}

static VOID rt_enable(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &rt);
	if (KeGetCurrentIrql() != DIRQL)
		atomic_fetch_add(&rt.bad_irql, 1);
	if (atomic_load(&rt.phase) != 2)
		atomic_fetch_add(&rt.order_bad, 1);
	atomic_store(&rt.phase, 0);
	atomic_fetch_add(&rt.enable_calls, 1);
}

static VOID rt_handle_interrupt(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &rt);
	rt_enter();
	if (KeGetCurrentIrql() != DISPATCH_LEVEL)
		atomic_fetch_add(&rt.bad_irql, 1);
	if (!rt.request_isr && !rt.shared && !rt.no_disable) {
		if (atomic_load(&rt.phase) != 1)
			atomic_fetch_add(&rt.order_bad, 1);
		atomic_store(&rt.phase, 2);
	}
	if (rt.ack_in_dpc)
		ndisdma_sim_irq_set(rt.sim, 0);
	if (rt.dpc_hook)
		rt.dpc_hook();
	atomic_fetch_add(&rt.dpc_calls, 1);
	rt_leave();
}

static NDIS_STATUS rt_initialize(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
				 UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	rt.handle = h;
	NdisMSetAttributesEx(h, &rt, 0, rt.attrs, NdisInterfacePci);
	if (rt.register_irq)
		rt.reg_status = NdisMRegisterInterrupt(
		    &rt.intr, h, 11, 11, rt.request_isr, rt.shared,
		    NdisInterruptLevelSensitive);
	if (rt.init)
		rt.init(h);
	return NDIS_STATUS_SUCCESS;
}

static VOID rt_halt(NDIS_HANDLE ctx)
{
	assert_ptr_equal(ctx, &rt);
	if (rt.halt)
		rt.halt(rt.handle);
	if (rt.register_irq && !rt.keep_irq &&
	    rt.reg_status == NDIS_STATUS_SUCCESS)
		NdisMDeregisterInterrupt(&rt.intr);
}

static NTSTATUS rt_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = rt_initialize;
	c.HaltHandler = rt_halt;
	c.HandleInterruptHandler = rt_handle_interrupt;
	if (!rt.no_isr)
		c.ISRHandler = rt_isr;
	if (!rt.no_disable) {
		c.DisableInterruptHandler = rt_disable;
		c.EnableInterruptHandler = rt_enable;
	}
	return NdisMRegisterMiniport(w, &c, sizeof(c)) == NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static int rt_start(void)
{
	assert_int_equal(ndisdma_driver_load(rt_entry, "rtmp", &rt.drv), 0);
	int rc = ndisdma_adapter_start(rt.drv, "sim", &rt.ad);
	if (rc == 0)
		rt.sim = ndisdma_adapter_sim(rt.ad);
	return rc;
}

static int rt_stop(void)
{
	int n = rt.ad ? ndisdma_adapter_halt(rt.ad) : 0;
	rt.ad = NULL;
	ndisdma_driver_unload(rt.drv);
	rt.drv = NULL;
	return n;
}

/* Wait up to ms for *v >= want; returns the last value seen. */
static int rt_wait_at_least(_Atomic int *v, int want, int ms)
{
	struct timespec ts = {0, 1000000};
	for (int i = 0; i < ms && atomic_load(v) < want; i++)
		nanosleep(&ts, NULL);
	return atomic_load(v);
}

static void rt_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

#define RT_DELTA(id, stmt)                                                     \
	({                                                                     \
		unsigned long before_ = ndisdma_verifier_count(id);            \
		stmt;                                                          \
		ndisdma_verifier_count(id) - before_;                          \
	})

static int rt_setup(void **state)
{
	(void)state;
	rt_reset();
	ndisdma_verifier_set_output(NULL);
	return 0;
}

#endif
