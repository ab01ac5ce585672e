/* SPDX-License-Identifier: MIT */
/*
 * adapter.c - starting an adapter (open the bus, MiniportInitialize(Ex)),
 * halting it (drain async, MiniportHalt(Ex), reclaim), the registry of
 * live adapters, tracked objects and statistics.
 */
#include "core.h"
#include "datapath.h"
#include "host.h"
#include "hwio.h"
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ND_DEFAULT_SHM_LIMIT (256ull << 20)

static pthread_rwlock_t adapters_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct nd_adapter **adapters;
static size_t nadapters, capadapters;

static int registry_add(struct nd_adapter *ad)
{
	int rc = 0;
	pthread_rwlock_wrlock(&adapters_lock);
	if (nadapters == capadapters) {
		size_t cap = capadapters ? capadapters * 2 : 8;
		struct nd_adapter **n = realloc(adapters, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		adapters = n;
		capadapters = cap;
	}
	adapters[nadapters++] = ad;
out:
	pthread_rwlock_unlock(&adapters_lock);
	return rc;
}

static void registry_del(struct nd_adapter *ad)
{
	pthread_rwlock_wrlock(&adapters_lock);
	for (size_t i = 0; i < nadapters; i++)
		if (adapters[i] == ad) {
			adapters[i] = adapters[--nadapters];
			break;
		}
	if (!nadapters) {
		free(adapters);
		adapters = NULL;
		capadapters = 0;
	}
	pthread_rwlock_unlock(&adapters_lock);
}

struct nd_adapter *nd_adapter_lookup(NDIS_HANDLE h, const char *fn,
				     const void *site)
{
	struct nd_adapter *found = NULL;
	pthread_rwlock_rdlock(&adapters_lock);
	for (size_t i = 0; i < nadapters; i++)
		if ((void *)adapters[i] == h &&
		    atomic_load(&adapters[i]->state) != AD_DEAD)
			found = adapters[i];
	pthread_rwlock_unlock(&adapters_lock);
	if (!found && fn)
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not the handle of a live adapter", fn, h);
	return found;
}

struct nd_sgdma *nd_sgdma_lookup(NDIS_HANDLE h, const char *fn,
				 const void *site)
{
	struct nd_sgdma *found = NULL;
	pthread_rwlock_rdlock(&adapters_lock);
	for (size_t i = 0; i < nadapters; i++)
		if (h && (void *)adapters[i]->sgdma == h)
			found = adapters[i]->sgdma;
	pthread_rwlock_unlock(&adapters_lock);
	if (!found && fn)
		nd_report(ND_RULE_SGDMA_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a DMA handle from "
			  "NdisMRegisterScatterGatherDma",
			  fn, h);
	return found;
}

struct nd_adapter *nd_adapter_for_va(const void *va, struct shm_block **b)
{
	struct nd_adapter *found = NULL;
	pthread_rwlock_rdlock(&adapters_lock);
	for (size_t i = 0; i < nadapters && !found; i++) {
		if (atomic_load(&adapters[i]->state) == AD_DEAD)
			continue;
		*b = shm_find(adapters[i], va, 1);
		if (*b)
			found = adapters[i];
	}
	pthread_rwlock_unlock(&adapters_lock);
	return found;
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

uint64_t nd_adapter_dma_limit(struct nd_adapter *ad)
{
	unsigned bits = ad->dma_bits ? ad->dma_bits : 32;
	if (ad->bus->info.dma_bits < bits)
		bits = ad->bus->info.dma_bits;
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

void nd_adapter_track(struct nd_adapter *ad, struct nd_res *r,
		      const struct nd_res_ops *ops, const void *site)
{
	r->ops = ops;
	r->site = site;
	r->owner = ad;
	pthread_mutex_lock(&ad->res_lock);
	r->next = ad->res_head.next;
	r->prev = &ad->res_head;
	ad->res_head.next->prev = r;
	ad->res_head.next = r;
	pthread_mutex_unlock(&ad->res_lock);
}

void nd_adapter_untrack(struct nd_adapter *ad, struct nd_res *r)
{
	pthread_mutex_lock(&ad->res_lock);
	r->prev->next = r->next;
	r->next->prev = r->prev;
	r->next = r->prev = r;
	pthread_mutex_unlock(&ad->res_lock);
}

/* Reclaim everything the driver left on the adapter; returns the count. */
static long reclaim_all(struct nd_adapter *ad)
{
	long n = 0;
	for (;;) {
		pthread_mutex_lock(&ad->res_lock);
		struct nd_res *r = ad->res_head.next;
		if (r == &ad->res_head) {
			pthread_mutex_unlock(&ad->res_lock);
			break;
		}
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
	n += nd_sg_reclaim(ad);
	n += mapregs_reclaim(ad);
	n += shm_reclaim_all(ad);
	n += mem_reclaim_owner(ad, ND_RULE_HALT_LEAK_MEMORY, ad);
	return n;
}

static void adapter_destroy(struct nd_adapter *ad)
{
	nd_dp_destroy(ad);
	nd_coherence_track(ad, -1);
	nd_hwio_detach(ad);
	atomic_store(&ad->state, AD_DEAD);
	registry_del(ad);
	nd_host_destroy(ad);
	shm_destroy(ad);
	bus_close(ad->bus);
	pthread_mutex_destroy(&ad->shm_lock);
	pthread_mutex_destroy(&ad->async_lock);
	pthread_cond_destroy(&ad->async_cond);
	pthread_mutex_destroy(&ad->res_lock);
	pthread_mutex_destroy(&ad->sg_lock);
	ptrmap_free(&ad->sg_live);
	ad->magic = 0;
	free(ad);
}

static NDIS_STATUS call_initialize(struct nd_driver *d, struct nd_adapter *ad)
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
		p.IfIndex = d->adapters_started;
		st = d->chars6.InitializeHandlerEx((NDIS_HANDLE)ad,
						   d->driver_context, &p);
	} else {
		NDIS_STATUS open_error = NDIS_STATUS_SUCCESS;
		UINT selected = 0;
		NDIS_MEDIUM media[] = { NdisMedium802_3 };
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

int ndisdma_adapter_start(ndisdma_driver *h, const char *uri,
			  ndisdma_adapter **out)
{
	struct nd_driver *d = nd_driver_from_handle(h);
	if (!d || !uri || !out) {
		nd_set_error("ndisdma_adapter_start: %s",
			     !d ? "unknown driver" : "NULL argument");
		return -EINVAL;
	}
	*out = NULL;
	char err[256] = "";
	struct bus *bus;
	int rc = bus_open(uri, &bus, err, sizeof(err));
	if (rc) {
		nd_set_error("%s", err);
		return rc;
	}
	struct nd_adapter *ad = calloc(1, sizeof(*ad));
	if (!ad) {
		bus_close(bus);
		return -ENOMEM;
	}
	ad->magic = ND_ADAPTER_MAGIC;
	ad->drv = d;
	ad->bus = bus;
	pthread_mutex_lock(&d->lock);
	unsigned idx = d->adapters_started++;
	pthread_mutex_unlock(&d->lock);
	snprintf(ad->name, sizeof(ad->name), "%s/%s%u", d->name,
		 bus->info.kind, idx);
	ad->shm_limit = bus->info.limit ? bus->info.limit
					: ND_DEFAULT_SHM_LIMIT;
	ad->st.shm_limit = ad->shm_limit;
	pthread_mutex_init(&ad->shm_lock, NULL);
	pthread_mutex_init(&ad->async_lock, NULL);
	pthread_cond_init(&ad->async_cond, NULL);
	pthread_mutex_init(&ad->res_lock, NULL);
	pthread_mutex_init(&ad->sg_lock, NULL);
	ad->res_head.next = ad->res_head.prev = &ad->res_head;
	nd_coherence_track(ad, +1);
	atomic_store(&ad->state, AD_INIT);
	if (nd_host_create(ad) || nd_dp_create(ad) || registry_add(ad)) {
		adapter_destroy(ad);
		return -ENOMEM;
	}
	rc = nd_hwio_attach(ad);
	if (rc) {
		nd_set_error("%s: the simulated device's model failed to "
			     "attach (%d)",
			     ad->name, rc);
		adapter_destroy(ad);
		return rc;
	}

	NDIS_STATUS st = call_initialize(d, ad);
	d->last_init_status = st;
	d->last_init_leaks = 0;
	if (st != NDIS_STATUS_SUCCESS) {
		/* NDIS does not halt an adapter whose initialize failed: the
		 * miniport must have released everything itself. */
		pthread_mutex_lock(&ad->async_lock);
		atomic_store(&ad->state, AD_HALTING);
		ad->async_abandon = true;
		pthread_mutex_unlock(&ad->async_lock);
		async_stop(ad);
		nd_host_quiesce(ad);
		d->last_init_leaks = nd_host_stop(ad);
		d->last_init_leaks += nd_dp_destroy(ad);
		d->last_init_leaks += reclaim_all(ad);
		nd_set_error("%s: MiniportInitialize failed with NDIS_STATUS "
			     "0x%08x",
			     ad->name, (unsigned)st);
		adapter_destroy(ad);
		return -EIO;
	}
	if (!ad->attrs_set)
		nd_report(ND_RULE_MINIPORT_NO_ATTRIBUTES, ad, 0, 0, NULL,
			  "MiniportInitialize succeeded without %s",
			  d->ndis_major == 6 ? "NdisMSetMiniportAttributes"
					     : "NdisMSetAttributesEx");
	atomic_store(&ad->state, AD_RUNNING);
	pthread_mutex_lock(&d->lock);
	ad->next_in_driver = d->adapters;
	d->adapters = ad;
	pthread_mutex_unlock(&d->lock);
	/* ready to move frames: sizes and addresses known, packet filter
	 * and lookahead set */
	rc = nd_dp_start(ad);
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

int ndisdma_adapter_halt(ndisdma_adapter *h)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	if (!ad || atomic_load(&ad->state) != AD_RUNNING)
		return -EINVAL;
	if (nd_host_thread()) {
		/* halt joins the runtime's threads: from one of them it
		 * would wait for itself */
		nd_set_error("ndisdma_adapter_halt: called from a runtime "
			     "thread (a DPC, timer, work item or interrupt "
			     "callback); halt from another thread");
		return -EDEADLK;
	}
	struct nd_driver *d = ad->drv;

	/* What the host queued for the adapter runs first; pending async
	 * requests complete, so the miniport can free what they bring in
	 * its halt handler. */
	nd_dp_stop(ad);
	nd_host_quiesce(ad);
	async_drain(ad);
	call_halt(d, ad);
	async_stop(ad);
	/* the interrupt, timers, work items the driver left; no runtime
	 * thread touches the adapter after this */
	long n = nd_host_stop(ad);
	n += nd_dp_destroy(ad);
	n += reclaim_all(ad);

	pthread_mutex_lock(&d->lock);
	for (struct nd_adapter **pp = &d->adapters; *pp;
	     pp = &(*pp)->next_in_driver)
		if (*pp == ad) {
			*pp = ad->next_in_driver;
			break;
		}
	pthread_mutex_unlock(&d->lock);
	adapter_destroy(ad);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

void *ndisdma_adapter_context(ndisdma_adapter *h)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	return ad ? ad->context : NULL;
}

int ndisdma_adapter_stats(ndisdma_adapter *h, struct ndisdma_stats *out)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
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

long ndisdma_verifier_check(ndisdma_adapter *h)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	return ad ? shm_check_all(ad) : -EINVAL;
}
