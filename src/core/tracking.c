/* SPDX-License-Identifier: MIT */
/*
 * tracking.c - the list of objects an adapter owns that halt reclaims
 * (struct nd_res, core.h). The files that own such objects register
 * here; adapter.c walks the list at halt. Calls nothing.
 */
#include "core.h"

void nd_adapter_track(struct nd_adapter *ad, struct nd_res *r,
		      const struct nd_res_ops *ops, const void *site)
{
	r->ops = ops;
	r->site = site;
	r->owner = ad;
	r->reclaimed = false;
	r->stopped = false;
	ND_ASSERT(r != &ad->res_head);
	pthread_mutex_lock(&ad->res_lock);
	r->next = ad->res_head.next;
	r->prev = &ad->res_head;
	ad->res_head.next->prev = r;
	ad->res_head.next = r;
	pthread_mutex_unlock(&ad->res_lock);
}

void nd_adapter_track_once(struct nd_adapter *ad, struct nd_res *r,
			   const struct nd_res_ops *ops)
{
	if (atomic_load_explicit(&r->once, memory_order_acquire))
		return;
	pthread_mutex_lock(&ad->res_lock);
	if (!atomic_load_explicit(&r->once, memory_order_relaxed)) {
		r->ops = ops;
		r->site = NULL;
		r->owner = ad;
		r->reclaimed = false;
		r->stopped = false;
		r->next = ad->res_head.next;
		r->prev = &ad->res_head;
		ad->res_head.next->prev = r;
		ad->res_head.next = r;
		atomic_store_explicit(&r->once, true, memory_order_release);
	}
	pthread_mutex_unlock(&ad->res_lock);
}

void nd_adapter_untrack(struct nd_adapter *ad, struct nd_res *r)
{
	pthread_mutex_lock(&ad->res_lock);
	ND_ASSERT(r != &ad->res_head && r->prev->next == r &&
		  r->next->prev == r);
	r->prev->next = r->next;
	r->next->prev = r->prev;
	r->next = r->prev = r;
	pthread_mutex_unlock(&ad->res_lock);
}
