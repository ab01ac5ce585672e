/* SPDX-License-Identifier: MIT */
/*
 * driver.c - loading a miniport: calling its DriverEntry, the registry of
 * live drivers, unloading.
 */
#include "core.h"
#include "hwio.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t drivers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nd_driver **drivers;
static size_t ndrivers, capdrivers;
static _Thread_local int32_t last_entry_status;

static int registry_add(struct nd_driver *d)
{
	int rc = 0;
	pthread_mutex_lock(&drivers_lock);
	if (ndrivers == capdrivers) {
		size_t cap = capdrivers ? capdrivers * 2 : 8;
		struct nd_driver **n = realloc(drivers, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		drivers = n;
		capdrivers = cap;
	}
	drivers[ndrivers++] = d;
out:
	pthread_mutex_unlock(&drivers_lock);
	return rc;
}

static void registry_del(struct nd_driver *d)
{
	pthread_mutex_lock(&drivers_lock);
	for (size_t i = 0; i < ndrivers; i++)
		if (drivers[i] == d) {
			drivers[i] = drivers[--ndrivers];
			break;
		}
	if (!ndrivers) {
		free(drivers);
		drivers = NULL;
		capdrivers = 0;
	}
	pthread_mutex_unlock(&drivers_lock);
}

struct nd_driver *nd_driver_from_handle(NDIS_HANDLE h)
{
	struct nd_driver *found = NULL;
	pthread_mutex_lock(&drivers_lock);
	for (size_t i = 0; i < ndrivers; i++)
		if ((void *)drivers[i] == h)
			found = drivers[i];
	pthread_mutex_unlock(&drivers_lock);
	return found;
}

struct nd_driver *nd_driver_from_object(PDRIVER_OBJECT obj)
{
	struct nd_driver *found = NULL;
	pthread_mutex_lock(&drivers_lock);
	for (size_t i = 0; i < ndrivers; i++)
		if (&drivers[i]->object == obj)
			found = drivers[i];
	pthread_mutex_unlock(&drivers_lock);
	return found;
}

static void driver_free(struct nd_driver *d)
{
	void *dl = d->dl_handle;
	registry_del(d);
	pthread_mutex_destroy(&d->lock);
	nd_drvhw_free(d->hw);
	free(d->regpath.Buffer);
	free(d->name);
	free(d);
	if (dl) /* last: nothing of the driver's code runs any more */
		dlclose(dl);
}

int32_t ndisdma_last_entry_status(void)
{
	return last_entry_status;
}

int ndisdma_driver_load(ndisdma_driver_entry entry, const char *name,
			ndisdma_driver **out)
{
	if (!entry || !name || !out)
		return -EINVAL;
	*out = NULL;
	struct nd_driver *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	size_t n = strlen(name);
	if (n > 0x7FFE / 2)
		n = 0x7FFE / 2;
	d->name = strndup(name, n);
	d->regpath.Buffer = calloc(n + 1, sizeof(WCHAR));
	if (!d->name || !d->regpath.Buffer) {
		free(d->name);
		free(d->regpath.Buffer);
		free(d);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		d->regpath.Buffer[i] = (unsigned char)name[i];
	d->regpath.Length = (USHORT)(n * 2);
	d->regpath.MaximumLength = (USHORT)((n + 1) * 2);
	d->magic = ND_DRIVER_MAGIC;
	d->object.magic = ND_DRIVER_MAGIC;
	d->object.drv = d;
	pthread_mutex_init(&d->lock, NULL);
	if (registry_add(d)) {
		pthread_mutex_destroy(&d->lock);
		free(d->regpath.Buffer);
		free(d->name);
		free(d);
		return -ENOMEM;
	}

	struct nd_cb_save s;
	nd_cb_enter(&s, d, NULL, ND_CB_ENTRY, PASSIVE_LEVEL);
	NTSTATUS st = entry(&d->object, &d->regpath);
	nd_cb_leave(&s);
	last_entry_status = st;

	if (!NT_SUCCESS(st) || !d->ndis_major) {
		mem_reclaim_owner(d, ND_RULE_UNLOAD_LEAK_MEMORY, NULL);
		nd_set_error("%s: DriverEntry %s (NTSTATUS 0x%08x)", name,
			     NT_SUCCESS(st) ? "registered no miniport"
					    : "failed",
			     (unsigned)st);
		driver_free(d);
		return NT_SUCCESS(st) ? -ENOENT : -EIO;
	}
	*out = (ndisdma_driver *)d;
	return 0;
}

void ndisdma_driver_unload(ndisdma_driver *h)
{
	struct nd_driver *d = nd_driver_from_handle(h);
	if (!d)
		return;
	for (;;) {
		pthread_mutex_lock(&d->lock);
		struct nd_adapter *ad = d->adapters;
		pthread_mutex_unlock(&d->lock);
		if (!ad)
			break;
		ndisdma_adapter_halt((ndisdma_adapter *)ad);
	}
	if (d->ndis_major == 6 && d->chars6.UnloadHandler) {
		struct nd_cb_save s;
		nd_cb_enter(&s, d, NULL, ND_CB_UNLOAD, PASSIVE_LEVEL);
		d->chars6.UnloadHandler(&d->object);
		nd_cb_leave(&s);
	}
	mem_reclaim_owner(d, ND_RULE_UNLOAD_LEAK_MEMORY, NULL);
	driver_free(d);
}

int32_t ndisdma_driver_last_init_status(const ndisdma_driver *h)
{
	const struct nd_driver *d = (const struct nd_driver *)h;
	return nd_driver_from_handle((void *)d) ? d->last_init_status
						: NDIS_STATUS_FAILURE;
}

long ndisdma_driver_last_init_leaks(const ndisdma_driver *h)
{
	const struct nd_driver *d = (const struct nd_driver *)h;
	return nd_driver_from_handle((void *)d) ? d->last_init_leaks : -EINVAL;
}
