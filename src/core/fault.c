/* SPDX-License-Identifier: MIT */
/*
 * fault.c - fault injection: fail the n-th allocation of a kind, or each
 * with a probability from a seeded generator. The sweep harness that uses
 * it on a driver is fault_sweep.c (above the adapter code).
 */
#include "core.h"
#include "../util/options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fault_state {
	_Atomic unsigned long seen, injected;
	_Atomic unsigned long target; /* fail when seen reaches it; 0 = off */
	_Atomic uint64_t threshold;   /* probability as a 64-bit fraction */
	_Atomic uint64_t rng;	      /* xorshift64* state */
};

static struct fault_state faults[NDISDMA_FAULT_KINDS];
static _Atomic bool armed; /* fast path: nothing armed */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void rearm(void)
{
	bool any = false;
	for (int k = 0; k < NDISDMA_FAULT_KINDS; k++)
		any |= atomic_load(&faults[k].target) ||
		       atomic_load(&faults[k].threshold);
	atomic_store(&armed, any);
}

static uint64_t next_random(struct fault_state *f)
{
	uint64_t x = atomic_load(&f->rng), n;
	do {
		n = x ? x : 0x9E3779B97F4A7C15ull;
		n ^= n >> 12;
		n ^= n << 25;
		n ^= n >> 27;
	} while (!atomic_compare_exchange_weak(&f->rng, &x, n));
	return n * 0x2545F4914F6CDD1Dull;
}

/* One kind's decision; counts the allocation. */
static bool decide(struct fault_state *f)
{
	unsigned long n = atomic_fetch_add(&f->seen, 1) + 1;
	unsigned long t = atomic_load(&f->target);
	if (t && n == t) {
		atomic_store(&f->target, 0);
		return true;
	}
	uint64_t th = atomic_load(&f->threshold);
	return th && next_random(f) < th;
}

static int arm_nth(int kind, unsigned long n)
{
	if ((unsigned)kind >= NDISDMA_FAULT_KINDS)
		return -EINVAL;
	struct fault_state *f = &faults[kind];
	atomic_store(&f->target, n ? atomic_load(&f->seen) + n : 0);
	rearm();
	return 0;
}

static int arm_random(int kind, double p, uint64_t seed)
{
	if ((unsigned)kind >= NDISDMA_FAULT_KINDS || !(p >= 0.0 && p <= 1.0))
		return -EINVAL;
	struct fault_state *f = &faults[kind];
	atomic_store(&f->rng, seed ? seed : 1);
	atomic_store(&f->threshold,
		     p >= 1.0 ? UINT64_MAX
			      : (uint64_t)(p * 18446744073709551616.0));
	rearm();
	return 0;
}

static int kind_of(const char *s)
{
	static const char *const names[] = {"shm",  "shm-async", "mapreg",
					    "pool", "mem",	 "any"};
	for (int k = 0; k < NDISDMA_FAULT_KINDS; k++)
		if (!strcmp(s, names[k]))
			return k;
	return -1;
}

/* One NDISDMA_FAULT item: "kind=N" or "kind=p:P[:SEED]". */
static int env_item(void *ctx, const char *key, const char *val)
{
	(void)ctx;
	int k = kind_of(key), rc = -EINVAL;
	char *end;
	if (k >= 0 && !strncmp(val, "p:", 2)) {
		double p = strtod(val + 2, &end);
		uint64_t seed = *end == ':' ? strtoull(end + 1, NULL, 0) : 1;
		rc = arm_random(k, p, seed);
	} else if (k >= 0 && *val) {
		unsigned long n = strtoul(val, &end, 10);
		rc = *end ? -EINVAL : arm_nth(k, n);
	}
	if (rc)
		fprintf(stderr,
			"ndisdma: NDISDMA_FAULT: ignoring '%s=%s' (want kind=N "
			"or kind=p:P[:SEED])\n",
			key, val);
	return 0;
}

static void parse_env(void)
{
	nd_opt_parse(getenv("NDISDMA_FAULT"), env_item, NULL, NULL, 0);
}

static void init_once(void)
{
	pthread_once(&env_once, parse_env);
}

bool nd_fault_inject(int kind)
{
	init_once();
	if (kind < 0 || kind >= NDISDMA_FAULT_ANY)
		return false;
	struct fault_state *f = &faults[kind],
			   *any = &faults[NDISDMA_FAULT_ANY];
	if (!atomic_load(&armed)) {
		atomic_fetch_add(&f->seen, 1);
		atomic_fetch_add(&any->seen, 1);
		return false;
	}
	bool fail = decide(f);
	fail |= decide(any);
	if (fail) {
		atomic_fetch_add(&f->injected, 1);
		atomic_fetch_add(&any->injected, 1);
	}
	rearm();
	return fail;
}

int ndisdma_fault_nth(enum ndisdma_fault_kind kind, unsigned long n)
{
	init_once();
	return arm_nth(kind, n);
}

int ndisdma_fault_random(enum ndisdma_fault_kind kind, double p, uint64_t seed)
{
	init_once();
	return arm_random(kind, p, seed);
}

unsigned long ndisdma_fault_seen(enum ndisdma_fault_kind kind)
{
	return (unsigned)kind < NDISDMA_FAULT_KINDS
		   ? atomic_load(&faults[kind].seen)
		   : 0;
}

unsigned long ndisdma_fault_injected(enum ndisdma_fault_kind kind)
{
	return (unsigned)kind < NDISDMA_FAULT_KINDS
		   ? atomic_load(&faults[kind].injected)
		   : 0;
}

void ndisdma_fault_reset(void)
{
	init_once();
	for (int k = 0; k < NDISDMA_FAULT_KINDS; k++) {
		atomic_store(&faults[k].target, 0);
		atomic_store(&faults[k].threshold, 0);
	}
	rearm();
}
