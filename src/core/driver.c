/* SPDX-License-Identifier: MIT */
/*
 * driver.c - loading a miniport: calling its DriverEntry, unloading (halt
 * every adapter, MiniportDriverUnload, reclaim, wait for the references
 * to drain). Driver handles live in the handle registry (handles.c).
 */
#include "core.h"
#include "hwio.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int32_t last_entry_status;

static void driver_free(struct nd_driver *d)
{
	void *dl = d->dl_handle;
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	nd_drvhw_free(d->hw);
	free(d->regpath.Buffer);
	free(d->name);
	free(d);
	if (dl) /* last: nothing of the driver's code runs any more */
		dlclose(dl);
}

/* Unpublish (when published), wait for the references, free. */
static void driver_retire(struct nd_driver *d)
{
	nd_handle_unpublish(&d->h);
	nd_handle_drain(&d->h);
	driver_free(d);
}

int32_t ndisdma_last_entry_status(void)
{
	return last_entry_status;
}

static struct nd_driver *driver_new(const char *name)
{
	struct nd_driver *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	size_t n = strlen(name);
	if (n > 0x7FFE / 2)
		n = 0x7FFE / 2;
	d->name = strndup(name, n);
	d->regpath.Buffer = calloc(n + 1, sizeof(WCHAR));
	if (!d->name || !d->regpath.Buffer) {
		free(d->name);
		free(d->regpath.Buffer);
		free(d);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d->regpath.Buffer[i] = (unsigned char)name[i];
	d->regpath.Length = (USHORT)(n * 2);
	d->regpath.MaximumLength = (USHORT)((n + 1) * 2);
	d->magic = ND_DRIVER_MAGIC;
	d->object.magic = ND_DRIVER_MAGIC;
	d->object.drv = d;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	return d;
}

int ndisdma_driver_load(ndisdma_driver_entry entry, const char *name,
			ndisdma_driver **out)
{
	if (!entry || !name || !out)
		return -EINVAL;
	*out = NULL;
	struct nd_driver *d = driver_new(name);
	if (!d)
		return -ENOMEM;
	if (nd_handle_publish(&d->h, ND_H_DRIVER, d, ND_H_DRIVER_OBJECT,
			      &d->object)) {
		driver_free(d);
		return -ENOMEM;
	}

	struct nd_cb_save s;
	nd_cb_enter(&s, d, NULL, ND_CB_ENTRY, PASSIVE_LEVEL);
	NTSTATUS st = entry(&d->object, &d->regpath);
	nd_cb_leave(&s);
	last_entry_status = st;

	if (!NT_SUCCESS(st) || !d->ndis_major) {
		nd_mem_reclaim_owner(d, ND_RULE_UNLOAD_LEAK_MEMORY, NULL);
		nd_set_error("%s: DriverEntry %s (NTSTATUS 0x%08x)", name,
			     NT_SUCCESS(st) ? "registered no miniport"
					    : "failed",
			     (unsigned)st);
		driver_retire(d);
		return NT_SUCCESS(st) ? -ENOENT : -EIO;
	}
	*out = (ndisdma_driver *)d;
	return 0;
}

/* Claim the unload and wait for starts in progress; false when another
 * unload has it. */
static bool unload_begin(struct nd_driver *d)
{
	pthread_mutex_lock(&d->lock);
	bool won = !d->unloading;
	d->unloading = true;
	while (won && d->starting)
		pthread_cond_wait(&d->cond, &d->lock);
	pthread_mutex_unlock(&d->lock);
	return won;
}

/* Halt every adapter; one another thread is halting is waited for. */
static void halt_all(struct nd_driver *d)
{
	pthread_mutex_lock(&d->lock);
	while (d->adapters) {
		struct nd_adapter *ad = d->adapters;
		pthread_mutex_unlock(&d->lock);
		if (ndisdma_adapter_halt((ndisdma_adapter *)ad) < 0) {
			/* a halt by another thread has it: it takes the
			 * adapter off the list and signals */
			pthread_mutex_lock(&d->lock);
			if (d->adapters == ad)
				pthread_cond_wait(&d->cond, &d->lock);
			continue;
		}
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
}

void ndisdma_driver_unload(ndisdma_driver *h)
{
	struct nd_thread *t = nd_self();
	if (t->callback != ND_CB_NONE) {
		nd_set_error("ndisdma_driver_unload: called from inside a "
			     "driver callback, which it would wait for; call "
			     "it from another thread");
		return;
	}
	struct nd_driver *d = nd_driver_from_handle(h);
	if (!d)
		return;
	if (!unload_begin(d)) {
		nd_driver_put(d);
		return;
	}
	halt_all(d);
	if (d->ndis_major == 6 && d->chars6.UnloadHandler) {
		struct nd_cb_save s;
		nd_cb_enter(&s, d, NULL, ND_CB_UNLOAD, PASSIVE_LEVEL);
		d->chars6.UnloadHandler(&d->object);
		nd_cb_leave(&s);
	}
	nd_mem_reclaim_owner(d, ND_RULE_UNLOAD_LEAK_MEMORY, NULL);
	nd_driver_put(d);
	driver_retire(d);
}

int32_t ndisdma_driver_last_init_status(const ndisdma_driver *h)
{
	struct nd_driver *d ND_DRIVER_AUTOPUT =
	    nd_driver_from_handle((NDIS_HANDLE)h);
	if (!d)
		return NDIS_STATUS_FAILURE;
	pthread_mutex_lock(&d->lock);
	int32_t st = d->last_init_status;
	pthread_mutex_unlock(&d->lock);
	return st;
}

long ndisdma_driver_last_init_leaks(const ndisdma_driver *h)
{
	struct nd_driver *d ND_DRIVER_AUTOPUT =
	    nd_driver_from_handle((NDIS_HANDLE)h);
	if (!d)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	long n = d->last_init_leaks;
	pthread_mutex_unlock(&d->lock);
	return n;
}
