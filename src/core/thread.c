/* SPDX-License-Identifier: MIT */
/*
 * thread.c - what the library knows about the calling thread: its emulated
 * IRQL and which driver callback it is running; the last error sentence.
 */
#include "core.h"

#include <stdarg.h>
#include <unistd.h>

_Thread_local struct nd_tls nd_tl;
/* the public name of the block, for the inline fast paths */
/* (the same struct nd_tls: <ndisdma/internal/pool_engine.h>) */
extern _Thread_local struct nd_tls ndisdma_tls_
    __attribute__((alias("nd_tl"), visibility("default")));
#define self nd_tl.self
static _Thread_local char last_error[256];

static const char *irql_name(KIRQL l)
{
	switch (l) {
	case PASSIVE_LEVEL:
		return "PASSIVE_LEVEL";
	case APC_LEVEL:
		return "APC_LEVEL";
	case DISPATCH_LEVEL:
		return "DISPATCH_LEVEL";
	default:
		return "DIRQL";
	}
}

bool nd_irql_at_most(KIRQL max, const char *fn, struct nd_adapter *ad,
		     const void *site)
{
	if (self.irql <= max)
		return true;
	nd_report(ND_RULE_IRQL_TOO_HIGH, ad, 0, 0, site,
		  "%s called at %s; its maximum is %s", fn,
		  irql_name(self.irql), irql_name(max));
	return false;
}

void nd_cb_enter(struct nd_cb_save *s, struct nd_driver *drv,
		 struct nd_adapter *ad, int callback, KIRQL irql)
{
	s->saved = self;
	self.driver = drv;
	self.adapter = ad;
	self.callback = callback;
	self.irql = irql;
}

void nd_cb_leave(struct nd_cb_save *s)
{
	self = s->saved;
}

void nd_set_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

const char *ndisdma_last_error(void)
{
	return last_error;
}

void nd_cpu_barrier(void)
{
	static _Thread_local _Atomic int word;
	atomic_fetch_add_explicit(&word, 0, memory_order_seq_cst);
}

ULONG nd_cache_line(void)
{
	static _Atomic ULONG line;
	ULONG l = atomic_load(&line);
	if (l)
		return l;
	long v = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
	l = (v >= 16 && v <= 4096 && !(v & (v - 1))) ? (ULONG)v : 64;
	atomic_store(&line, l);
	return l;
}
