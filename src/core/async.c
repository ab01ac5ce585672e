/* SPDX-License-Identifier: MIT */
/*
 * async.c - NdisMAllocateSharedMemoryAsync(Ex): a work thread per adapter
 * that allocates and calls the miniport's completion handler at
 * DISPATCH_LEVEL with the adapter context; the same thread runs the
 * NdisMFreeSharedMemory calls made above PASSIVE_LEVEL, as ndis.sys
 * defers them to a work item.
 */
#include "core.h"

#include <errno.h>
#include <stdlib.h>

static void *worker(void *arg)
{
	struct nd_adapter *ad = arg;
	pthread_mutex_lock(&ad->async_lock);
	for (;;) {
		while (!ad->async_head && !ad->async_stop)
			pthread_cond_wait(&ad->async_cond, &ad->async_lock);
		if (!ad->async_head)
			break;
		struct nd_async_req *r = ad->async_head;
		ad->async_head = r->next;
		if (!ad->async_head)
			ad->async_tail = NULL;
		ad->async_busy = true;
		pthread_mutex_unlock(&ad->async_lock);

		if (r->free_va) {
			nd_shm_free(ad, r->length, r->cached, r->free_va,
				    r->free_iova, r->site);
			free(r);
			pthread_mutex_lock(&ad->async_lock);
			ad->async_busy = false;
			pthread_cond_broadcast(&ad->async_cond);
			continue;
		}
		void *va;
		uint64_t iova;
		NDIS_PHYSICAL_ADDRESS pa;
		if (nd_shm_alloc(ad, r->length, r->cached, r->site,
				 NDISDMA_FAULT_SHM_ASYNC, &va, &iova)) {
			va = NULL;
			iova = 0;
		}
		pa.QuadPart = (LONGLONG)iova;
		pthread_mutex_lock(&ad->async_lock);
		bool abandon = ad->async_abandon;
		pthread_mutex_unlock(&ad->async_lock);
		if (abandon) {
			/* the miniport failed its initialize: its context is
			 * gone, so the block goes back instead */
			if (va)
				nd_shm_free(ad, r->length, r->cached, va, iova,
					    r->site);
		} else {
			struct nd_cb_save s;
			nd_cb_enter(&s, ad->drv, ad, ND_CB_ASYNC,
				    DISPATCH_LEVEL);
			r->handler(ad->context, va, &pa, r->length, r->context);
			nd_cb_leave(&s);
		}
		free(r);

		pthread_mutex_lock(&ad->async_lock);
		ad->async_busy = false;
		ad->async_pending--;
		if (abandon)
			ad->async_cancelled++;
		else
			ad->async_completed++;
		pthread_cond_broadcast(&ad->async_cond);
	}
	pthread_mutex_unlock(&ad->async_lock);
	return NULL;
}

NDIS_STATUS nd_async_submit(
    struct nd_adapter *ad, ULONG length, BOOLEAN cached, PVOID context,
    MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER handler, const void *site)
{
	struct nd_async_req *r = calloc(1, sizeof(*r));
	if (!r)
		return NDIS_STATUS_RESOURCES;
	r->length = length;
	r->cached = cached;
	r->context = context;
	r->handler = handler;
	r->site = site;
	pthread_mutex_lock(&ad->async_lock);
	if (atomic_load(&ad->state) >= AD_HALTING || ad->async_stop) {
		pthread_mutex_unlock(&ad->async_lock);
		free(r);
		nd_report(ND_RULE_SHM_ASYNC_HALTING, ad, 0, length, site,
			  "async shared memory requested while the adapter "
			  "halts; the request is refused");
		return NDIS_STATUS_FAILURE;
	}
	if (!ad->async_thread_running) {
		if (pthread_create(&ad->async_thread, NULL, worker, ad)) {
			pthread_mutex_unlock(&ad->async_lock);
			free(r);
			return NDIS_STATUS_RESOURCES;
		}
		ad->async_thread_running = true;
	}
	if (ad->async_tail)
		ad->async_tail->next = r;
	else
		ad->async_head = r;
	ad->async_tail = r;
	ad->async_pending++;
	pthread_cond_broadcast(&ad->async_cond);
	pthread_mutex_unlock(&ad->async_lock);
	return NDIS_STATUS_PENDING;
}

void nd_async_free_deferred(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
			    void *va, uint64_t iova, const void *site)
{
	struct nd_async_req *r = calloc(1, sizeof(*r));
	if (r) {
		r->length = length;
		r->cached = cached;
		r->site = site;
		r->free_va = va;
		r->free_iova = iova;
		pthread_mutex_lock(&ad->async_lock);
		if (!ad->async_stop && !ad->async_thread_running &&
		    !pthread_create(&ad->async_thread, NULL, worker, ad))
			ad->async_thread_running = true;
		if (ad->async_thread_running) {
			/* frees go first: they never wait for a driver */
			r->next = ad->async_head;
			ad->async_head = r;
			if (!ad->async_tail)
				ad->async_tail = r;
			pthread_cond_broadcast(&ad->async_cond);
			pthread_mutex_unlock(&ad->async_lock);
			return;
		}
		pthread_mutex_unlock(&ad->async_lock);
		free(r);
	}
	nd_shm_free(ad, length, cached, va, iova, site);
}

void nd_async_drain(struct nd_adapter *ad)
{
	pthread_mutex_lock(&ad->async_lock);
	atomic_store(&ad->state, AD_HALTING); /* no new requests from now */
	while (ad->async_head || ad->async_busy)
		pthread_cond_wait(&ad->async_cond, &ad->async_lock);
	pthread_mutex_unlock(&ad->async_lock);
}

long nd_async_stop(struct nd_adapter *ad)
{
	long n = 0;
	pthread_mutex_lock(&ad->async_lock);
	ad->async_stop = true;
	struct nd_async_req *frees = NULL;
	while (ad->async_head) {
		struct nd_async_req *r = ad->async_head;
		ad->async_head = r->next;
		if (r->free_va) {
			r->next = frees;
			frees = r;
			continue;
		}
		free(r);
		ad->async_pending--;
		ad->async_cancelled++;
		n++;
	}
	ad->async_tail = NULL;
	bool running = ad->async_thread_running;
	ad->async_thread_running = false;
	pthread_cond_broadcast(&ad->async_cond);
	pthread_mutex_unlock(&ad->async_lock);
	if (running)
		pthread_join(ad->async_thread, NULL);
	while (frees) {
		struct nd_async_req *r = frees;
		frees = r->next;
		nd_shm_free(ad, r->length, r->cached, r->free_va, r->free_iova,
			    r->site);
		free(r);
	}
	return n;
}
