/* SPDX-License-Identifier: MIT */
/*
 * work.c - NdisScheduleWorkItem: the item runs once at PASSIVE_LEVEL on
 * the work thread of the adapter whose callback scheduled it (halt drops
 * what is left and reports it), else on the process-wide work thread.
 */
#include "../core/host.h"

#include <stdlib.h>

/* Work items queued now (item address -> its call), to report a second
 * schedule while queued. */
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap work_queued;

static void unmark(struct nd_dpc *d)
{
	pthread_mutex_lock(&work_lock);
	if (nd_ptrmap_get(&work_queued, (uintptr_t)d->arg) == d)
		nd_ptrmap_del(&work_queued, (uintptr_t)d->arg);
	if (!nd_ptrmap_count(&work_queued))
		nd_ptrmap_free(&work_queued);
	pthread_mutex_unlock(&work_lock);
}

/* nd_dpc.drop: halt drops the item unrun */
static void work_dropped(struct nd_dpc *d)
{
	unmark(d);
}

static void run_item(struct nd_adapter *ad, void *arg)
{
	(void)ad;
	PNDIS_WORK_ITEM wi = arg;
	/* the call record is freed after this returns: find it by item */
	pthread_mutex_lock(&work_lock);
	struct nd_dpc *d = nd_ptrmap_del(&work_queued, (uintptr_t)wi);
	if (!nd_ptrmap_count(&work_queued))
		nd_ptrmap_free(&work_queued);
	pthread_mutex_unlock(&work_lock);
	(void)d;
	/* read after unmarking: the routine may schedule the item again */
	NDIS_PROC routine = wi->Routine;
	PVOID ctx = wi->Context;
	routine(wi, ctx);
}

NDIS_STATUS NdisScheduleWorkItem(PNDIS_WORK_ITEM WorkItem)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_self()->adapter;
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisScheduleWorkItem", ad, site))
		return NDIS_STATUS_FAILURE;
	if (!WorkItem || !WorkItem->Routine) {
		nd_set_error("NdisScheduleWorkItem: NULL %s",
			     WorkItem ? "Routine" : "work item");
		return NDIS_STATUS_FAILURE;
	}
	struct nd_dpc *d = calloc(1, sizeof(*d));
	if (!d)
		return NDIS_STATUS_RESOURCES;
	d->fn = run_item;
	d->arg = WorkItem;
	d->owned = true;
	d->callback = ND_CB_WORK;
	d->drop = work_dropped;
	pthread_mutex_lock(&work_lock);
	if (nd_ptrmap_get(&work_queued, (uintptr_t)WorkItem)) {
		pthread_mutex_unlock(&work_lock);
		free(d);
		nd_report(ND_RULE_WORK_REQUEUED, ad, (uintptr_t)WorkItem, 0,
			  site,
			  "NdisScheduleWorkItem: work item %p is already "
			  "queued; refused (it runs once)",
			  (void *)WorkItem);
		return NDIS_STATUS_FAILURE;
	}
	if (nd_ptrmap_put(&work_queued, (uintptr_t)WorkItem, d)) {
		pthread_mutex_unlock(&work_lock);
		free(d);
		return NDIS_STATUS_RESOURCES;
	}
	pthread_mutex_unlock(&work_lock);
	int err = 0;
	if (!nd_host_insert(ad, d, false, &err)) {
		unmark(d);
		free(d);
		return NDIS_STATUS_RESOURCES;
	}
	return NDIS_STATUS_SUCCESS;
}
