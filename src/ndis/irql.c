/* SPDX-License-Identifier: MIT */
/*
 * irql.c - KeRaiseIrql / KeLowerIrql and NDIS spin locks over the
 * emulated per-thread IRQL.
 */
#include "../core/core.h"

#include <sched.h>

KIRQL KeGetCurrentIrql(void)
{
	return nd_self()->irql;
}

void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
	struct nd_thread *t = nd_self();
	if (OldIrql)
		*OldIrql = t->irql;
	if (NewIrql < t->irql) {
		nd_report(ND_RULE_IRQL_RAISE_LOWER, t->adapter, NewIrql, 0,
			  ND_SITE(), "KeRaiseIrql to %u from %u", NewIrql,
			  t->irql);
		return;
	}
	t->irql = NewIrql;
}

void KeLowerIrql(KIRQL NewIrql)
{
	struct nd_thread *t = nd_self();
	if (NewIrql > t->irql) {
		nd_report(ND_RULE_IRQL_LOWER_RAISE, t->adapter, NewIrql, 0,
			  ND_SITE(), "KeLowerIrql to %u from %u", NewIrql,
			  t->irql);
		return;
	}
	t->irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
	struct nd_thread *t = nd_self();
	KIRQL old = t->irql;
	if (t->irql < DISPATCH_LEVEL)
		t->irql = DISPATCH_LEVEL;
	return old;
}

void NdisAllocateSpinLock(PNDIS_SPIN_LOCK l)
{
	__atomic_store_n(&l->SpinLock, 0, __ATOMIC_RELAXED);
	l->OldIrql = PASSIVE_LEVEL;
}

void NdisFreeSpinLock(PNDIS_SPIN_LOCK l)
{
	(void)l;
}

void NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK l)
{
	unsigned spins = 0;
	while (__atomic_exchange_n(&l->SpinLock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->SpinLock, __ATOMIC_RELAXED))
			if (++spins % 1024 == 0)
				sched_yield(); /* user space: the holder may
						  be preempted */
	}
}

void NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK l)
{
	__atomic_store_n(&l->SpinLock, 0, __ATOMIC_RELEASE);
}

void NdisAcquireSpinLock(PNDIS_SPIN_LOCK l)
{
	KIRQL old = KeRaiseIrqlToDpcLevel();
	NdisDprAcquireSpinLock(l);
	l->OldIrql = old;
}

void NdisReleaseSpinLock(PNDIS_SPIN_LOCK l)
{
	KIRQL old = l->OldIrql;
	NdisDprReleaseSpinLock(l);
	nd_self()->irql = old;
}
