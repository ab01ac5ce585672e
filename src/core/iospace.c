/* SPDX-License-Identifier: MIT */
/*
 * iospace.c - a device's I/O space as a miniport reaches it: the
 * process-wide map of ports (a port names no adapter: NdisRawReadPort*
 * finds the device that decodes it), the port ranges miniports registered,
 * the memory ranges they mapped (on sim, through addresses the register
 * macros route to the device model), and the resource list built from the
 * BARs and the interrupt.
 *
 * One rwlock guards the three tables. An access holds it shared while it
 * calls the bus (and so the device model); removing an entry takes it
 * exclusive, so once a mapping or device is gone no access is still in
 * its callback.
 */
#include "hwio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* An I/O BAR of a live device. */
struct io_dev {
	struct nd_adapter *ad;
	unsigned bar;
	uint64_t base, size;
};


static pthread_rwlock_t io_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct io_dev *devs;
static size_t ndevs, capdevs;

static bool grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? 2 * *cap : 8;
	void *p = realloc(*v, c * elem);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/* ---------------- the devices' ports ---------------- */

/* Remove ad's devs entries. io_lock held exclusive. */
static void devs_drop(struct nd_adapter *ad)
{
	for (size_t i = 0; i < ndevs;)
		if (devs[i].ad == ad)
			devs[i] = devs[--ndevs];
		else
			i++;
}

int nd_io_publish(struct nd_adapter *ad)
{
	struct bus_bar b[6];
	bool have[6];
	const struct bus_ops *o = ad->bus->ops;
	for (unsigned i = 0; i < 6; i++)
		have[i] = o->bar_info && o->bar_read &&
			  !o->bar_info(ad->bus, i, &b[i]) && b[i].io &&
			  b[i].size;
	int rc = 0;
	pthread_rwlock_wrlock(&io_lock);
	devs_drop(ad);
	for (unsigned i = 0; i < 6 && !rc; i++) {
		if (!have[i])
			continue;
		if (!grow((void **)&devs, &capdevs, ndevs, sizeof(*devs))) {
			devs_drop(ad);
			rc = -ENOMEM;
			break;
		}
		devs[ndevs++] = (struct io_dev){ ad, i, b[i].addr, b[i].size };
	}
	pthread_rwlock_unlock(&io_lock);
	return rc;
}

void nd_io_withdraw(struct nd_adapter *ad)
{
	pthread_rwlock_wrlock(&io_lock);
	devs_drop(ad);
	pthread_rwlock_unlock(&io_lock);
}

int nd_hwio_irq_line(struct nd_adapter *ad, unsigned *line, unsigned *pin)
{
	const struct bus_ops *o = ad->bus->ops;
	uint8_t v[2];
	if (!o->cfg_read)
		return -ENOTSUP;
	int rc = o->cfg_read(ad->bus, 0x3c, v, 2);
	if (rc)
		return rc;
	*line = v[0];
	*pin = v[1];
	return 0;
}
