/* SPDX-License-Identifier: MIT */
/*
 * adapter.c - starting an adapter (open the bus, MiniportInitialize(Ex)),
 * halting it (claim, drain async, MiniportHalt(Ex), unpublish, wait for
 * the references to drain, reclaim through the tracked objects), adapter
 * lookups and statistics. Calls nothing of the files that reclaim: they
 * register with nd_adapter_track(_once).
 */
#include "core.h"
#include "datapath.h"
#include "host.h"
#include "hwio.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define ND_DEFAULT_SHM_LIMIT (256ull << 20)

static _Atomic int noncoherent;

int nd_noncoherent_adapters(void)
{
	return atomic_load(&noncoherent);
}

bool nd_in_init(struct nd_adapter *ad)
{
	struct nd_thread *t = nd_self();
	return t->adapter == ad && t->callback == ND_CB_INIT;
}

bool nd_in_init_or_halt(struct nd_adapter *ad)
{
	struct nd_thread *t = nd_self();
	return t->adapter == ad &&
	       (t->callback == ND_CB_INIT || t->callback == ND_CB_HALT);
}

/* Halt step 3 for tracked objects that own threads: `stop`, by order. */
static void stop_all(struct nd_adapter *ad)
{
	for (;;) {
		pthread_mutex_lock(&ad->res_lock);
		struct nd_res *pick = NULL;
		for (struct nd_res *r = ad->res_head.next; r != &ad->res_head;
		     r = r->next)
			if (r->ops->stop && !r->stopped &&
			    (!pick || r->ops->order < pick->ops->order))
				pick = r;
		if (pick)
			pick->stopped = true;
		pthread_mutex_unlock(&ad->res_lock);
		if (!pick)
			break;
		pick->ops->stop(pick);
	}
}

/* The tracked object of lowest order not yet reclaimed. res_lock held. */
static struct nd_res *next_to_reclaim(struct nd_adapter *ad)
{
	struct nd_res *pick = NULL;
	for (struct nd_res *r = ad->res_head.next; r != &ad->res_head;
	     r = r->next)
		if (!r->reclaimed &&
		    (!pick || r->ops->order < pick->ops->order))
			pick = r;
	return pick;
}

/* Reclaim everything the driver left on the adapter (no reference to it
 * is held any more: nothing else runs on it); returns the count. */
static long reclaim_all(struct nd_adapter *ad)
{
	long n = 0;
	for (;;) {
		pthread_mutex_lock(&ad->res_lock);
		struct nd_res *r = next_to_reclaim(ad);
		if (!r) {
			pthread_mutex_unlock(&ad->res_lock);
			break;
		}
		if (r->ops->reclaim_all) {
			r->reclaimed = true; /* stays tracked for destroy */
			pthread_mutex_unlock(&ad->res_lock);
			n += r->ops->reclaim_all(r);
			continue;
		}
		ND_ASSERT(r->ops->reclaim);
		r->prev->next = r->next;
		r->next->prev = r->prev;
		r->next = r->prev = r;
		pthread_mutex_unlock(&ad->res_lock);
		nd_report(ND_RULE_HALT_LEAK_OBJECT, ad, (uintptr_t)r, 0,
			  r->site, "%s not released by the miniport",
			  r->ops->name);
		r->ops->reclaim(r);
		n++;
	}
	/* per-adapter state, in order (the arena after its users) */
	for (;;) {
		pthread_mutex_lock(&ad->res_lock);
		struct nd_res *pick = NULL;
		for (struct nd_res *r = ad->res_head.next; r != &ad->res_head;
		     r = r->next)
			if (!pick || r->ops->order < pick->ops->order)
				pick = r;
		if (pick) {
			pick->prev->next = pick->next;
			pick->next->prev = pick->prev;
			pick->next = pick->prev = pick;
		}
		pthread_mutex_unlock(&ad->res_lock);
		if (!pick)
			break;
		if (pick->ops->destroy)
			pick->ops->destroy(pick);
	}
	ND_ASSERT(ad->res_head.next == &ad->res_head &&
		  ad->res_head.prev == &ad->res_head);
	return n;
}

/* Free an adapter nobody can reach any more (unpublished, drained). */
static void adapter_free(struct nd_adapter *ad)
{
	ND_ASSERT(atomic_load(&ad->h.refs) == 0);
	ND_ASSERT(ad->res_head.next == &ad->res_head);
	if (nd_adapter_noncoherent(ad))
		atomic_fetch_sub(&noncoherent, 1);
	nd_hwio_detach(ad); /* the sim model's detach: before the bus goes */
	atomic_store(&ad->state, AD_DEAD);
	nd_bus_close(ad->bus);
	pthread_mutex_destroy(&ad->shm_lock);
	pthread_mutex_destroy(&ad->async_lock);
	pthread_cond_destroy(&ad->async_cond);
	pthread_mutex_destroy(&ad->res_lock);
	pthread_mutex_destroy(&ad->sg_lock);
	ad->magic = 0;
	free(ad);
}

/* Steps 4-6 of halt (core.h, "handles"): unpublish, drain the references
 * (the caller's own included: it must have put it), reclaim, free.
 * Returns how many objects were reclaimed. */
static long adapter_retire(struct nd_adapter *ad)
{
	ND_ASSERT(atomic_load(&ad->state) >= AD_HALTING);
	nd_handle_unpublish(&ad->h);
	nd_handle_drain(&ad->h);
	ND_ASSERT(!nd_handle_is_published(&ad->h));
	long n = reclaim_all(ad);
	adapter_free(ad);
	return n;
}

static NDIS_STATUS call_initialize(struct nd_driver *d, struct nd_adapter *ad,
				   unsigned idx)
{
	NDIS_STATUS st;
	struct nd_cb_save s;
	nd_cb_enter(&s, d, ad, ND_CB_INIT, PASSIVE_LEVEL);
	if (d->ndis_major == 6) {
		NDIS_MINIPORT_INIT_PARAMETERS p;
		memset(&p, 0, sizeof(p));
		p.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
		p.Header.Revision = NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1;
		p.Header.Size = sizeof(p);
		p.IfIndex = idx + 1;
		p.AllocatedResources = ad->hwio ? ad->hwio->init_res : NULL;
		st = d->chars6.InitializeHandlerEx((NDIS_HANDLE)ad,
						   d->driver_context, &p);
	} else {
		NDIS_STATUS open_error = NDIS_STATUS_SUCCESS;
		UINT selected = 0;
		NDIS_MEDIUM media[] = {NdisMedium802_3};
		st = d->chars5.InitializeHandler(&open_error, &selected, media,
						 1, (NDIS_HANDLE)ad,
						 (NDIS_HANDLE)ad);
		if (st == NDIS_STATUS_SUCCESS && selected != 0)
			st = NDIS_STATUS_UNSUPPORTED_MEDIA;
	}
	nd_cb_leave(&s);
	return st;
}

static void call_halt(struct nd_driver *d, struct nd_adapter *ad)
{
	struct nd_cb_save s;
	nd_cb_enter(&s, d, ad, ND_CB_HALT, PASSIVE_LEVEL);
	if (d->ndis_major == 6)
		d->chars6.HaltHandlerEx(ad->context, NdisHaltDeviceDisabled);
	else
		d->chars5.HaltHandler(ad->context);
	nd_cb_leave(&s);
}

/* A native call that would wait for the driver callback the calling
 * thread is in: refused with -EDEADLK. */
static bool in_callback(const char *fn)
{
	struct nd_thread *t = nd_self();
	if (nd_host_thread() || t->callback == ND_CB_DPC ||
	    t->callback == ND_CB_WORK || t->callback == ND_CB_TIMER ||
	    t->callback == ND_CB_ISR) {
		nd_set_error(
		    "%s: called from one of the runtime's threads (a "
		    "DPC, timer, work item or interrupt callback, or a "
		    "receive callback), which it would wait for; call "
		    "it from another thread",
		    fn);
		return true;
	}
	if (t->callback == ND_CB_NONE)
		return false;
	nd_set_error("%s: called from inside a driver callback (%s), which "
		     "it would wait for; call it from another thread",
		     fn,
		     t->callback == ND_CB_ASYNC	  ? "an async allocation "
						    "completion"
		     : t->callback == ND_CB_INIT  ? "MiniportInitialize"
		     : t->callback == ND_CB_HALT  ? "MiniportHalt"
		     : t->callback == ND_CB_ENTRY ? "DriverEntry"
						  : "MiniportDriverUnload");
	return true;
}

static struct nd_adapter *adapter_new(struct nd_driver *d, struct bus *bus)
{
	struct nd_adapter *ad = calloc(1, sizeof(*ad));
	if (!ad)
		return NULL;
	ad->magic = ND_ADAPTER_MAGIC;
	ad->drv = d;
	ad->bus = bus;
	ad->shm_limit =
	    bus->info.limit ? bus->info.limit : ND_DEFAULT_SHM_LIMIT;
	ad->st.shm_limit = ad->shm_limit;
	pthread_mutex_init(&ad->shm_lock, NULL);
	pthread_mutex_init(&ad->async_lock, NULL);
	pthread_cond_init(&ad->async_cond, NULL);
	pthread_mutex_init(&ad->res_lock, NULL);
	pthread_mutex_init(&ad->sg_lock, NULL);
	ad->res_head.next = ad->res_head.prev = &ad->res_head;
	if (nd_adapter_noncoherent(ad))
		atomic_fetch_add(&noncoherent, 1);
	atomic_store(&ad->state, AD_INIT);
	return ad;
}

/* Register a start in progress on the driver; false when it unloads. */
static bool start_begin(struct nd_driver *d, unsigned *idx)
{
	bool ok;
	pthread_mutex_lock(&d->lock);
	ok = !d->unloading;
	if (ok) {
		d->starting++;
		*idx = d->adapters_started++;
	}
	pthread_mutex_unlock(&d->lock);
	return ok;
}

/* End it: record the outcome; a running adapter joins the driver's list. */
static void start_end(struct nd_driver *d, struct nd_adapter *ad,
		      int32_t status, long leaks)
{
	pthread_mutex_lock(&d->lock);
	d->last_init_status = status;
	d->last_init_leaks = leaks;
	if (ad) {
		ad->next_in_driver = d->adapters;
		d->adapters = ad;
	}
	d->starting--;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static int adapter_start(struct nd_driver *d, const char *uri,
			 ndisdma_adapter **out)
{
	char err[256] = "";
	struct bus *bus;
	int rc = nd_bus_open(uri, &bus, err, sizeof(err));
	if (rc) {
		nd_set_error("%s", err);
		return rc;
	}
	unsigned idx;
	if (!start_begin(d, &idx)) {
		nd_bus_close(bus);
		nd_set_error("ndisdma_adapter_start: driver %s is unloading",
			     d->name);
		return -EINVAL;
	}
	struct nd_adapter *ad = adapter_new(d, bus);
	if (!ad ||
	    nd_handle_publish(&ad->h, ND_H_ADAPTER, ad, ND_H_NONE, NULL)) {
		if (ad)
			adapter_free(ad); /* never published: no refs */
		else
			nd_bus_close(bus);
		start_end(d, NULL, NDIS_STATUS_RESOURCES, 0);
		return -ENOMEM;
	}
	snprintf(ad->name, sizeof(ad->name), "%s/%s%u", d->name, bus->info.kind,
		 idx);
	/* the data path's state (the miniport may indicate or register a
	 * shutdown handler from MiniportInitialize), parameters, the sim
	 * device's model, the device's ports */
	rc = nd_dp_create(ad);
	if (!rc)
		rc = nd_hwio_attach(ad);
	if (rc) {
		char name[sizeof(ad->name)];
		memcpy(name, ad->name, sizeof(name));
		atomic_store(&ad->state, AD_HALTING);
		adapter_retire(ad);
		start_end(d, NULL, NDIS_STATUS_FAILURE, 0);
		nd_set_error("%s: the device could not be set up (the "
			     "simulated device's model's attach, or memory): "
			     "%d",
			     name, rc);
		return rc;
	}

	NDIS_STATUS st = call_initialize(d, ad, idx);
	if (st != NDIS_STATUS_SUCCESS) {
		/* NDIS does not halt an adapter whose initialize failed: the
		 * miniport must have released everything itself. */
		pthread_mutex_lock(&ad->async_lock);
		atomic_store(&ad->state, AD_HALTING);
		ad->async_abandon = true;
		pthread_mutex_unlock(&ad->async_lock);
		nd_async_stop(ad);
		stop_all(ad);
		char name[sizeof(ad->name)];
		memcpy(name, ad->name, sizeof(name));
		long leaks = adapter_retire(ad);
		start_end(d, NULL, st, leaks);
		nd_set_error("%s: MiniportInitialize failed with NDIS_STATUS "
			     "0x%08x",
			     name, (unsigned)st);
		return -EIO;
	}
	if (!ad->attrs_set)
		nd_report(ND_RULE_MINIPORT_NO_ATTRIBUTES, ad, 0, 0, NULL,
			  "MiniportInitialize succeeded without %s",
			  d->ndis_major == 6 ? "NdisMSetMiniportAttributes"
					     : "NdisMSetAttributesEx");
	atomic_store(&ad->state, AD_RUNNING);
	/* held while the data path starts: once on the driver's list an
	 * unload may halt it (its requests then fail with -ESHUTDOWN) */
	nd_handle_hold(&ad->h);
	start_end(d, ad, st, 0);
	/* ready to move frames: sizes and addresses known, packet filter
	 * and lookahead set */
	rc = nd_dp_start(ad);
	nd_adapter_put(ad); /* before halt: its drain waits for it */
	if (rc) {
		char why[256];
		snprintf(why, sizeof(why), "%s", ndisdma_last_error());
		ndisdma_adapter_halt((ndisdma_adapter *)ad);
		nd_set_error("%s", why);
		return rc;
	}
	*out = (ndisdma_adapter *)ad;
	return 0;
}

int ndisdma_adapter_start(ndisdma_driver *h, const char *uri,
			  ndisdma_adapter **out)
{
	if (out)
		*out = NULL;
	if (in_callback("ndisdma_adapter_start"))
		return -EDEADLK;
	struct nd_driver *d ND_DRIVER_AUTOPUT = nd_driver_from_handle(h);
	if (!d || !uri || !out) {
		nd_set_error("ndisdma_adapter_start: %s",
			     !d ? "unknown driver" : "NULL argument");
		return -EINVAL;
	}
	return adapter_start(d, uri, out);
}

/* Take the adapter off its driver's list (halt). */
static void driver_list_del(struct nd_driver *d, struct nd_adapter *ad)
{
	pthread_mutex_lock(&d->lock);
	for (struct nd_adapter **pp = &d->adapters; *pp;
	     pp = &(*pp)->next_in_driver)
		if (*pp == ad) {
			*pp = ad->next_in_driver;
			break;
		}
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

int ndisdma_adapter_halt(ndisdma_adapter *h)
{
	if (in_callback("ndisdma_adapter_halt"))
		return -EDEADLK;
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	if (!ad) {
		nd_set_error("ndisdma_adapter_halt: %p is not a running "
			     "adapter",
			     (void *)h);
		return -EINVAL;
	}
	/* 1. claim: one halt wins */
	int expect = AD_RUNNING;
	if (!atomic_compare_exchange_strong(&ad->state, &expect, AD_HALTING)) {
		nd_adapter_put(ad);
		nd_set_error("ndisdma_adapter_halt: %p is %s", (void *)h,
			     expect == AD_INIT ? "still initializing"
					       : "already halting");
		return -EINVAL;
	}
	ND_ASSERT(atomic_load(&ad->state) == AD_HALTING);
	ND_ASSERT(atomic_load(&ad->h.refs) >= 2); /* registry's and ours */
	struct nd_driver *d = ad->drv;
	/* 2. no more sends or requests: the queued ones are dropped, the
	 * ones at the miniport waited for (nd_dp_stop); what the host queued
	 * for the adapter (nd_dpc_queue, nd_work_queue) runs and no more is
	 * accepted; the packets indicated meanwhile are given back; pending
	 * async requests complete, so the miniport can free what they bring
	 * in its halt handler */
	nd_dp_stop(ad);
	nd_host_quiesce(ad);
	nd_dp_quiesced(ad);
	nd_async_drain(ad);
	call_halt(d, ad);
	/* 3. the adapter's own threads */
	nd_async_stop(ad);
	stop_all(ad);
	driver_list_del(d, ad);
	/* 4-6. unpublish, drain (our reference too), reclaim, free */
	nd_adapter_put(ad);
	long n = adapter_retire(ad);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

void *ndisdma_adapter_context(ndisdma_adapter *h)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	return ad ? ad->context : NULL;
}

int ndisdma_adapter_stats(ndisdma_adapter *h, struct ndisdma_stats *out)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (!ad || !out)
		return -EINVAL;
	pthread_mutex_lock(&ad->shm_lock);
	*out = ad->st;
	if (ad->arena) {
		out->chunks = ad->arena->nchunks;
		out->chunk_bytes = ad->arena->chunk_bytes;
	}
	pthread_mutex_unlock(&ad->shm_lock);
	pthread_mutex_lock(&ad->async_lock);
	out->async_pending = ad->async_pending;
	out->async_completed = ad->async_completed;
	out->async_cancelled = ad->async_cancelled;
	pthread_mutex_unlock(&ad->async_lock);
	return 0;
}
