/* SPDX-License-Identifier: MIT */
/*
 * fault_sweep.c - ndisdma_fault_sweep: load a driver, count the allocation
 * points of one clean start, then start it once per point with that point
 * failing, and check every failed start or halt leaves nothing behind.
 * It drives the native API (driver.c, adapter.c, fault.c) from above.
 */
#include "core.h"

#include <errno.h>
#include <time.h>

/* Wait until the adapter has no async request pending (bounded). */
static void settle(ndisdma_adapter *a)
{
	struct ndisdma_stats st;
	for (int i = 0; i < 10000; i++) {
		if (ndisdma_adapter_stats(a, &st) || !st.async_pending)
			return;
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
}

int ndisdma_fault_sweep(ndisdma_driver_entry entry, const char *name,
			const char *uri, unsigned long *points,
			unsigned long *dirty)
{
	if (!entry || !uri || !points || !dirty)
		return -EINVAL;
	*points = *dirty = 0;
	ndisdma_driver *drv;
	int rc = ndisdma_driver_load(entry, name ? name : "sweep", &drv);
	if (rc)
		return rc;
	ndisdma_fault_reset();
	/* the clean run: how many allocation points there are */
	unsigned long before = ndisdma_fault_seen(NDISDMA_FAULT_ANY);
	ndisdma_adapter *a;
	rc = ndisdma_adapter_start(drv, uri, &a);
	if (rc) {
		ndisdma_driver_unload(drv);
		return rc;
	}
	settle(a);
	unsigned long n = ndisdma_fault_seen(NDISDMA_FAULT_ANY) - before;
	if (ndisdma_adapter_halt(a) != 0)
		(*dirty)++;
	for (unsigned long k = 1; k <= n; k++) {
		ndisdma_fault_nth(NDISDMA_FAULT_ANY, k);
		rc = ndisdma_adapter_start(drv, uri, &a);
		if (rc == 0) {
			settle(a);
			if (ndisdma_adapter_halt(a) != 0)
				(*dirty)++;
		} else if (rc != -EIO ||
			   ndisdma_driver_last_init_leaks(drv) != 0) {
			(*dirty)++;
		}
		ndisdma_fault_reset();
	}
	ndisdma_driver_unload(drv);
	*points = n;
	return *dirty ? 1 : 0;
}
