/* SPDX-License-Identifier: MIT */
/*
 * host.c - the runtime's threads for a hosted miniport: per adapter a DPC
 * thread (deferred calls and timer expiries, at DISPATCH_LEVEL) and a work
 * thread (work items, at PASSIVE_LEVEL), started on first use, stopped
 * and joined by halt; a process-wide pair for timers and work items that
 * name no adapter; the serialization lock of a serialized miniport.
 * Timers fire on a third thread (timer DPCs), so that a deserialized
 * miniport's timer and interrupt DPC can run at once, as on two CPUs.
 */
#include "host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { Q_DPC, Q_WORK, Q_TIMER, Q_COUNT };

struct nd_timer {
	void *storage;
	struct nd_host *h;
	struct nd_driver *drv;
	void (*fn)(PVOID, PVOID, PVOID, PVOID);
	PVOID ctx;
	bool miniport;
	bool set;
	uint64_t due; /* CLOCK_MONOTONIC ns */
	unsigned period_ms;
	const void *site;
	struct nd_timer *next;	   /* h->armed, by due time */
	struct nd_timer *all_next; /* h->all */
};

struct nd_queue {
	struct nd_dpc *head, *tail;
	struct nd_dpc *running;
	pthread_t thread;
	pthread_cond_t cond; /* work for the thread */
	bool started, stop;
};

struct nd_host {
	struct nd_adapter *ad; /* NULL: the process-wide host */
	pthread_mutex_t lock;
	pthread_cond_t idle;	    /* a call finished */
	struct nd_queue q[Q_COUNT]; /* DPC, work, timer threads */
	bool refuse;	   /* halting: nd_dpc_queue / nd_work_queue refuse */
	unsigned external; /* their calls queued or running */
	struct nd_timer *armed, *all;
	/* serialization */
	pthread_mutex_t slock;
	pthread_cond_t scond;
	pthread_t sowner;
	unsigned sdepth;
	struct nd_res res; /* tracked on the adapter: halt stops, reports,
			      frees (host_res_ops) */
};

static _Thread_local struct nd_host *tl_host; /* set on host threads */

/* Timer records by storage address, for every host. */
static pthread_mutex_t timers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap timers_map;

static struct nd_host g_host;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void host_init(struct nd_host *h, struct nd_adapter *ad)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	memset(h, 0, sizeof(*h));
	h->ad = ad;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	for (int i = 0; i < Q_COUNT; i++)
		pthread_cond_init(&h->q[i].cond, &ca);
	pthread_mutex_init(&h->slock, NULL);
	pthread_cond_init(&h->scond, NULL);
	pthread_condattr_destroy(&ca);
}

static void host_free(struct nd_host *h)
{
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	for (int i = 0; i < Q_COUNT; i++)
		pthread_cond_destroy(&h->q[i].cond);
	pthread_mutex_destroy(&h->slock);
	pthread_cond_destroy(&h->scond);
	free(h);
}

static void g_init(void)
{
	host_init(&g_host, NULL);
}

static const struct nd_res_ops host_res_ops;

/* The adapter's host state, created at its first use (tracked on the
 * adapter so that halt stops and frees it); the process-wide host for
 * NULL, or when no memory is left for an adapter's. */
static struct nd_host *host_get(struct nd_adapter *ad)
{
	struct nd_host *h = __atomic_load_n(&ad->host, __ATOMIC_ACQUIRE);
	if (h)
		return h;
	h = malloc(sizeof(*h));
	if (!h)
		return NULL;
	host_init(h, ad);
	struct nd_host *expect = NULL;
	if (!__atomic_compare_exchange_n(&ad->host, &expect, h, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		host_free(h); /* another thread made it first */
		return expect;
	}
	nd_adapter_track(ad, &h->res, &host_res_ops, NULL);
	return h;
}

int nd_host_ensure(struct nd_adapter *ad)
{
	return host_get(ad) ? 0 : -ENOMEM;
}

static struct nd_host *host_of(struct nd_adapter *ad)
{
	struct nd_host *h = ad ? host_get(ad) : NULL;
	if (h)
		return h;
	pthread_once(&g_once, g_init);
	return &g_host;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool nd_host_thread(void)
{
	return tl_host != NULL;
}

void nd_host_mark_thread(struct nd_adapter *ad)
{
	tl_host = host_of(ad);
}

/* ---------------- serialization ---------------- */

bool nd_serialized(const struct nd_adapter *ad)
{
	return !(ad->attr_flags & NDIS_ATTRIBUTE_DESERIALIZE);
}

void nd_serial_enter(struct nd_adapter *ad)
{
	struct nd_host *h = ad ? host_get(ad) : NULL;
	if (!h)
		return; /* no adapter, or no memory for its state */
	pthread_t me = pthread_self();
	pthread_mutex_lock(&h->slock);
	if (h->sdepth && pthread_equal(h->sowner, me)) {
		h->sdepth++;
	} else if (nd_serialized(ad)) {
		while (h->sdepth)
			pthread_cond_wait(&h->scond, &h->slock);
		h->sowner = me;
		h->sdepth = 1;
	}
	pthread_mutex_unlock(&h->slock);
}

bool nd_serial_mine(struct nd_adapter *ad)
{
	struct nd_host *h =
	    ad ? __atomic_load_n(&ad->host, __ATOMIC_ACQUIRE) : NULL;
	if (!h)
		return false;
	pthread_mutex_lock(&h->slock);
	bool mine = h->sdepth && pthread_equal(h->sowner, pthread_self());
	pthread_mutex_unlock(&h->slock);
	return mine;
}

void nd_serial_leave(struct nd_adapter *ad)
{
	struct nd_host *h =
	    ad ? __atomic_load_n(&ad->host, __ATOMIC_ACQUIRE) : NULL;
	if (!h)
		return;
	pthread_mutex_lock(&h->slock);
	if (h->sdepth && pthread_equal(h->sowner, pthread_self()) &&
	    --h->sdepth == 0)
		pthread_cond_signal(&h->scond);
	pthread_mutex_unlock(&h->slock);
}

/* ---------------- the threads ---------------- */

static void run_call(struct nd_host *h, struct nd_dpc *d, int qi)
{
	struct nd_adapter *ad = h->ad;
	struct nd_cb_save s;
	nd_cb_enter(&s, ad ? ad->drv : NULL, ad, d->callback,
		    qi == Q_DPC ? DISPATCH_LEVEL : PASSIVE_LEVEL);
	if (d->serial)
		nd_serial_enter(ad);
	d->fn(ad, d->arg);
	if (d->serial)
		nd_serial_leave(ad);
	nd_cb_leave(&s);
}

/* Fire one expired timer (h->lock held; dropped around the call). */
static void fire_timer(struct nd_host *h, struct nd_timer *t, uint64_t now)
{
	h->armed = t->next;
	t->next = NULL;
	if (t->period_ms) {
		uint64_t p = (uint64_t)t->period_ms * 1000000ull;
		t->due += p;
		if (t->due < now)
			t->due = now + p; /* missed periods are not replayed */
		struct nd_timer **pp = &h->armed;
		while (*pp && (*pp)->due <= t->due)
			pp = &(*pp)->next;
		t->next = *pp;
		*pp = t;
	} else {
		t->set = false;
	}
	void (*fn)(PVOID, PVOID, PVOID, PVOID) = t->fn;
	PVOID ctx = t->ctx, storage = t->storage;
	bool serial = t->miniport;
	struct nd_driver *drv = t->drv;
	pthread_mutex_unlock(&h->lock);

	struct nd_adapter *ad = h->ad;
	struct nd_cb_save s;
	nd_cb_enter(&s, ad ? ad->drv : drv, ad, ND_CB_TIMER, DISPATCH_LEVEL);
	if (serial)
		nd_serial_enter(ad);
	fn(storage, ctx, NULL, NULL);
	if (serial)
		nd_serial_leave(ad);
	nd_cb_leave(&s);

	pthread_mutex_lock(&h->lock);
}

struct thread_arg {
	struct nd_host *h;
	int qi;
};

static void *queue_main(void *p)
{
	struct thread_arg a = *(struct thread_arg *)p;
	free(p);
	struct nd_host *h = a.h;
	struct nd_queue *q = &h->q[a.qi];
	tl_host = h;
	pthread_mutex_lock(&h->lock);
	while (!q->stop) {
		uint64_t now = a.qi == Q_TIMER && h->armed ? mono_ns() : 0;
		if (a.qi == Q_TIMER && h->armed && h->armed->due <= now) {
			fire_timer(h, h->armed, now);
			continue;
		}
		struct nd_dpc *d = q->head;
		if (d) {
			q->head = d->next;
			if (!q->head)
				q->tail = NULL;
			d->next = NULL;
			d->queued = false;
			q->running = d;
			pthread_mutex_unlock(&h->lock);
			run_call(h, d, a.qi);
			pthread_mutex_lock(&h->lock);
			q->running = NULL;
			if (d->external)
				h->external--;
			if (d->owned)
				free(d);
			pthread_cond_broadcast(&h->idle);
			continue;
		}
		if (a.qi == Q_TIMER && h->armed) {
			uint64_t due = h->armed->due;
			struct timespec ts = {
			    .tv_sec = (time_t)(due / 1000000000ull),
			    .tv_nsec = (long)(due % 1000000000ull)};
			pthread_cond_timedwait(&q->cond, &h->lock, &ts);
		} else {
			pthread_cond_wait(&q->cond, &h->lock);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* h->lock held. 0 or -ENOMEM. */
static int ensure_thread(struct nd_host *h, int qi)
{
	struct nd_queue *q = &h->q[qi];
	if (q->started)
		return 0;
	if (q->stop)
		return -ESHUTDOWN;
	struct thread_arg *a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->h = h;
	a->qi = qi;
	if (pthread_create(&q->thread, NULL, queue_main, a)) {
		free(a);
		return -ENOMEM;
	}
	q->started = true;
	return 0;
}

bool nd_host_insert(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread,
		    int *err)
{
	struct nd_host *h = host_of(ad);
	int qi = dpc_thread ? Q_DPC : Q_WORK;
	struct nd_queue *q = &h->q[qi];
	if (err)
		*err = 0;
	pthread_mutex_lock(&h->lock);
	if (d->queued) {
		pthread_mutex_unlock(&h->lock);
		return false;
	}
	/* a stopped queue keeps its calls (halt counts them) */
	int rc = q->stop ? 0 : ensure_thread(h, qi);
	if (rc) {
		pthread_mutex_unlock(&h->lock);
		if (err)
			*err = rc;
		return false;
	}
	d->next = NULL;
	d->queued = true;
	if (q->tail)
		q->tail->next = d;
	else
		q->head = d;
	q->tail = d;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&h->lock);
	return true;
}

/* h->lock held */
static bool unlink_call(struct nd_queue *q, struct nd_dpc *d)
{
	if (!d->queued)
		return false;
	struct nd_dpc *prev = NULL;
	for (struct nd_dpc *c = q->head; c; prev = c, c = c->next)
		if (c == d) {
			if (prev)
				prev->next = c->next;
			else
				q->head = c->next;
			if (q->tail == c)
				q->tail = prev;
			c->next = NULL;
			c->queued = false;
			return true;
		}
	return false;
}

bool nd_host_remove(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread)
{
	struct nd_host *h = host_of(ad);
	pthread_mutex_lock(&h->lock);
	bool was = unlink_call(&h->q[dpc_thread ? Q_DPC : Q_WORK], d);
	pthread_mutex_unlock(&h->lock);
	return was;
}

void nd_host_flush(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread)
{
	struct nd_host *h = host_of(ad);
	struct nd_queue *q = &h->q[dpc_thread ? Q_DPC : Q_WORK];
	pthread_mutex_lock(&h->lock);
	if (!(q->started && pthread_equal(q->thread, pthread_self())))
		while (d->queued || q->running == d)
			pthread_cond_wait(&h->idle, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

static int queue_external(struct nd_adapter *ad,
			  void (*fn)(struct nd_adapter *, void *), void *arg,
			  int qi)
{
	if (!ad || !fn)
		return -EINVAL;
	struct nd_host *h = host_get(ad);
	if (!h)
		return -ENOMEM;
	struct nd_dpc *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->owned = true;
	d->external = true;
	d->serial = qi == Q_DPC;
	d->callback = qi == Q_DPC ? ND_CB_DPC : ND_CB_WORK;
	pthread_mutex_lock(&h->lock);
	int rc = h->refuse || h->q[qi].stop ? -ESHUTDOWN : ensure_thread(h, qi);
	if (rc) {
		pthread_mutex_unlock(&h->lock);
		free(d);
		return rc;
	}
	struct nd_queue *q = &h->q[qi];
	d->queued = true;
	if (q->tail)
		q->tail->next = d;
	else
		q->head = d;
	q->tail = d;
	h->external++;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

int nd_dpc_queue(struct nd_adapter *ad, void (*fn)(struct nd_adapter *, void *),
		 void *arg)
{
	return queue_external(ad, fn, arg, Q_DPC);
}

int nd_work_queue(struct nd_adapter *ad,
		  void (*fn)(struct nd_adapter *, void *), void *arg)
{
	return queue_external(ad, fn, arg, Q_WORK);
}

/* ---------------- adapter lifecycle ---------------- */

void nd_host_quiesce(struct nd_adapter *ad)
{
	struct nd_host *h = __atomic_load_n(&ad->host, __ATOMIC_ACQUIRE);
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->refuse = true;
	while (h->external)
		pthread_cond_wait(&h->idle, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

static void stop_queue(struct nd_host *h, int qi)
{
	struct nd_queue *q = &h->q[qi];
	pthread_mutex_lock(&h->lock);
	q->stop = true;
	bool started = q->started;
	q->started = false;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&h->lock);
	if (started)
		pthread_join(q->thread, NULL);
}

/* Halt step 3 (after MiniportHalt, while the handle still resolves):
 * stop and join every thread that runs driver code for the adapter. */
static void host_stop(struct nd_res *r)
{
	struct nd_host *h = nd_container_of(r, struct nd_host, res);
	pthread_mutex_lock(&h->lock);
	h->refuse = true;
	pthread_mutex_unlock(&h->lock);
	stop_queue(h, Q_TIMER);
	stop_queue(h, Q_DPC);
	stop_queue(h, Q_WORK);
}

/* After the drain: what the driver left (an interrupt registered, timers
 * set, work items queued), each reported and undone; returns how many. */
static long host_reclaim(struct nd_res *r)
{
	struct nd_host *h = nd_container_of(r, struct nd_host, res);
	struct nd_adapter *ad = h->ad;
	host_stop(r); /* no-ops when halt step 3 ran */
	long n = 0;
	pthread_mutex_lock(&timers_lock);
	pthread_mutex_lock(&h->lock);
	for (struct nd_timer *t = h->armed; t; t = t->next) {
		nd_report(ND_RULE_HALT_LEAK_TIMER, ad, (uintptr_t)t->storage, 0,
			  t->site,
			  "%s timer %p still set after MiniportHalt; "
			  "cancelled",
			  t->miniport ? "NdisMSetTimer" : "NdisSetTimer",
			  t->storage);
		t->set = false;
		n++;
	}
	h->armed = NULL;
	for (int qi = 0; qi < Q_COUNT; qi++) {
		struct nd_queue *q = &h->q[qi];
		while (q->head) {
			struct nd_dpc *d = q->head;
			q->head = d->next;
			d->next = NULL;
			d->queued = false;
			if (d->callback == ND_CB_WORK && !d->external) {
				nd_report(ND_RULE_HALT_LEAK_WORKITEM, ad,
					  (uintptr_t)d->arg, 0, NULL,
					  "work item %p still queued after "
					  "MiniportHalt; it will not run",
					  d->arg);
				n++;
			}
			if (d->drop)
				d->drop(d);
			if (d->owned)
				free(d);
		}
		q->tail = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&timers_lock);
	return n;
}

/* Free the host state (untracked by core; threads stopped). */
static void host_destroy(struct nd_res *r)
{
	struct nd_host *h = nd_container_of(r, struct nd_host, res);
	struct nd_adapter *ad = h->ad;
	host_reclaim(r); /* nothing left when halt reclaimed */
	pthread_mutex_lock(&timers_lock);
	for (struct nd_timer *t = h->all, *nx; t; t = nx) {
		nx = t->all_next;
		if (nd_ptrmap_get(&timers_map, (uintptr_t)t->storage) == t)
			nd_ptrmap_del(&timers_map, (uintptr_t)t->storage);
		free(t);
	}
	if (!nd_ptrmap_count(&timers_map))
		nd_ptrmap_free(&timers_map);
	pthread_mutex_unlock(&timers_lock);
	__atomic_store_n(&ad->host, NULL, __ATOMIC_RELEASE);
	host_free(h);
}

static const struct nd_res_ops host_res_ops = {
    .name = "runtime threads",
    .order = ND_RES_ORDER_HOST,
    .stop = host_stop,
    .reclaim_all = host_reclaim,
    .destroy = host_destroy,
};

/* ---------------- timers ---------------- */

/* timers_lock and h->lock held */
static void disarm(struct nd_host *h, struct nd_timer *t)
{
	for (struct nd_timer **pp = &h->armed; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
	t->set = false;
}

static void all_unlink(struct nd_host *h, struct nd_timer *t)
{
	for (struct nd_timer **pp = &h->all; *pp; pp = &(*pp)->all_next)
		if (*pp == t) {
			*pp = t->all_next;
			break;
		}
	t->all_next = NULL;
}

int nd_timer_init(void *storage, struct nd_adapter *ad, struct nd_driver *drv,
		  bool miniport, void (*fn)(PVOID, PVOID, PVOID, PVOID),
		  PVOID ctx, const void *site)
{
	struct nd_host *h = host_of(ad);
	int rc = 0;
	pthread_mutex_lock(&timers_lock);
	struct nd_timer *t = nd_ptrmap_get(&timers_map, (uintptr_t)storage);
	if (t) {
		pthread_mutex_lock(&t->h->lock);
		if (t->set) {
			disarm(t->h, t);
			rc = 1;
		}
		if (t->h != h)
			all_unlink(t->h, t);
		pthread_mutex_unlock(&t->h->lock);
		if (t->h != h) {
			pthread_mutex_lock(&h->lock);
			t->all_next = h->all;
			h->all = t;
			pthread_mutex_unlock(&h->lock);
		}
	} else {
		t = calloc(1, sizeof(*t));
		if (!t || nd_ptrmap_put(&timers_map, (uintptr_t)storage, t)) {
			free(t);
			pthread_mutex_unlock(&timers_lock);
			return -ENOMEM;
		}
		pthread_mutex_lock(&h->lock);
		t->all_next = h->all;
		h->all = t;
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_lock(&h->lock);
	t->storage = storage;
	t->h = h;
	t->drv = drv;
	t->fn = fn;
	t->ctx = ctx;
	t->miniport = miniport;
	t->site = site;
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&timers_lock);
	return rc;
}

int nd_timer_set(void *storage, unsigned due_ms, unsigned period_ms)
{
	pthread_mutex_lock(&timers_lock);
	struct nd_timer *t = nd_ptrmap_get(&timers_map, (uintptr_t)storage);
	if (!t) {
		pthread_mutex_unlock(&timers_lock);
		return -ENOENT;
	}
	struct nd_host *h = t->h;
	pthread_mutex_lock(&h->lock);
	if (t->set)
		disarm(h, t);
	t->due = mono_ns() + (uint64_t)due_ms * 1000000ull;
	t->period_ms = period_ms;
	t->set = true;
	struct nd_timer **pp = &h->armed;
	while (*pp && (*pp)->due <= t->due)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	struct nd_queue *q = &h->q[Q_TIMER];
	if (!q->stop && ensure_thread(h, Q_TIMER)) {
		/* no thread: the timer stays set and never fires; halt
		 * reports it */
		nd_set_error("timer %p: the timer thread could not start",
			     storage);
	}
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&timers_lock);
	return 0;
}

int nd_timer_state(void *storage)
{
	pthread_mutex_lock(&timers_lock);
	struct nd_timer *t = nd_ptrmap_get(&timers_map, (uintptr_t)storage);
	int rc = -ENOENT;
	if (t) {
		pthread_mutex_lock(&t->h->lock);
		rc = t->set;
		pthread_mutex_unlock(&t->h->lock);
	}
	pthread_mutex_unlock(&timers_lock);
	return rc;
}

int nd_timer_cancel(void *storage)
{
	pthread_mutex_lock(&timers_lock);
	struct nd_timer *t = nd_ptrmap_get(&timers_map, (uintptr_t)storage);
	if (!t) {
		pthread_mutex_unlock(&timers_lock);
		return -ENOENT;
	}
	pthread_mutex_lock(&t->h->lock);
	int was = t->set;
	if (was)
		disarm(t->h, t);
	pthread_mutex_unlock(&t->h->lock);
	pthread_mutex_unlock(&timers_lock);
	return was;
}

struct nd_adapter *nd_timer_adapter(void *storage)
{
	pthread_mutex_lock(&timers_lock);
	struct nd_timer *t = nd_ptrmap_get(&timers_map, (uintptr_t)storage);
	struct nd_adapter *ad = t ? t->h->ad : NULL;
	pthread_mutex_unlock(&timers_lock);
	return ad;
}
