/* SPDX-License-Identifier: MIT */
/*
 * timer.c - NdisMInitializeTimer / NdisMSetTimer / NdisMSetPeriodicTimer /
 * NdisMCancelTimer and NdisInitializeTimer / NdisSetTimer /
 * NdisCancelTimer over the host's timer engine (core/host.c), which fires
 * them on the adapter's DPC thread at DISPATCH_LEVEL.
 */
#include "../core/host.h"

#include <errno.h>

static void init_timer(void *storage, struct nd_adapter *ad, bool miniport,
		       PNDIS_TIMER_FUNCTION fn, PVOID ctx, const char *name,
		       const void *site)
{
	struct nd_thread *t = nd_self();
	int rc = nd_timer_init(storage, ad, ad ? ad->drv : t->driver, miniport,
			       fn, ctx, site);
	if (rc == 1)
		nd_report(ND_RULE_TIMER_INIT_WHILE_SET, ad, (uintptr_t)storage,
			  0, site,
			  "%s of timer %p while it is set; it was cancelled "
			  "first",
			  name, storage);
	else if (rc < 0)
		nd_set_error("%s: out of memory; the timer %p will never fire",
			     name, storage);
}

static void set_timer(void *storage, UINT due, UINT period, const char *name,
		      const void *site)
{
	struct nd_adapter *ad = nd_timer_adapter(storage);
	nd_irql_at_most(DISPATCH_LEVEL, name, ad, site);
	if (nd_timer_set(storage, due, period) == -ENOENT)
		nd_report(ND_RULE_TIMER_NOT_INITIALIZED, nd_self()->adapter,
			  (uintptr_t)storage, 0, site,
			  "%s: timer %p was never initialized; ignored", name,
			  storage);
}

static void cancel_timer(void *storage, PBOOLEAN cancelled, const char *name,
			 const void *site)
{
	struct nd_adapter *ad = nd_timer_adapter(storage);
	nd_irql_at_most(DISPATCH_LEVEL, name, ad, site);
	int rc = nd_timer_cancel(storage);
	if (rc == -ENOENT)
		nd_report(ND_RULE_TIMER_NOT_INITIALIZED, nd_self()->adapter,
			  (uintptr_t)storage, 0, site,
			  "%s: timer %p was never initialized", name, storage);
	if (cancelled)
		*cancelled = rc == 1 ? TRUE : FALSE;
}

VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer,
			  NDIS_HANDLE MiniportAdapterHandle,
			  PNDIS_TIMER_FUNCTION TimerFunction,
			  PVOID FunctionContext)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_adapter_lookup(MiniportAdapterHandle,
						  "NdisMInitializeTimer", site);
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMInitializeTimer", ad, site);
	if (!Timer || !TimerFunction) {
		nd_set_error("NdisMInitializeTimer: NULL %s",
			     Timer ? "TimerFunction" : "Timer");
		return;
	}
	init_timer(Timer, ad, true, TimerFunction, FunctionContext,
		   "NdisMInitializeTimer", site);
	Timer->MiniportTimerFunction = TimerFunction;
	Timer->MiniportTimerContext = FunctionContext;
	Timer->Miniport = ad;
	Timer->NextDeferredTimer = NULL;
}

VOID NdisMSetTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsToDelay)
{
	set_timer(Timer, MillisecondsToDelay, 0, "NdisMSetTimer", ND_SITE());
}

VOID NdisMSetPeriodicTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondPeriod)
{
	set_timer(Timer, MillisecondPeriod,
		  MillisecondPeriod ? MillisecondPeriod : 1,
		  "NdisMSetPeriodicTimer", ND_SITE());
}

VOID NdisMCancelTimer(PNDIS_MINIPORT_TIMER Timer, PBOOLEAN TimerCancelled)
{
	cancel_timer(Timer, TimerCancelled, "NdisMCancelTimer", ND_SITE());
}

VOID NdisInitializeTimer(PNDIS_TIMER Timer, PNDIS_TIMER_FUNCTION TimerFunction,
			 PVOID FunctionContext)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_self()->adapter;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisInitializeTimer", ad, site);
	if (!Timer || !TimerFunction) {
		nd_set_error("NdisInitializeTimer: NULL %s",
			     Timer ? "TimerFunction" : "Timer");
		return;
	}
	init_timer(Timer, ad, false, TimerFunction, FunctionContext,
		   "NdisInitializeTimer", site);
}

VOID NdisSetTimer(PNDIS_TIMER Timer, UINT MillisecondsToDelay)
{
	set_timer(Timer, MillisecondsToDelay, 0, "NdisSetTimer", ND_SITE());
}

VOID NdisCancelTimer(PNDIS_TIMER Timer, PBOOLEAN TimerCancelled)
{
	cancel_timer(Timer, TimerCancelled, "NdisCancelTimer", ND_SITE());
}
