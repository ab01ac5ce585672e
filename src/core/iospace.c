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

#define ND_IOMAP_SLOTS 4096u

/* An I/O BAR of a live device. */
struct io_dev {
	struct nd_adapter *ad;
	unsigned bar;
	uint64_t base, size;
};

/* A port range a miniport registered. */
struct io_range {
	struct nd_res res;
	struct nd_adapter *ad;
	uint64_t port, n;
};

/* A mapping of NdisMMapIoSpace. */
struct io_map {
	struct nd_res res;
	struct nd_adapter *ad;
	unsigned bar;
	uint64_t off, len; /* in the BAR */
	uint64_t pa;	   /* what the driver asked for */
	uintptr_t va;	   /* what it got */
	bool sim;	   /* va is a simulated register address */
	unsigned slot;
};

static pthread_rwlock_t io_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct io_dev *devs;
static size_t ndevs, capdevs;
static struct io_range **ranges;
static size_t nranges, capranges;
static struct io_map *slots[ND_IOMAP_SLOTS];
static unsigned next_slot;
static struct io_map **maps; /* every mapping, for lookups by va */
static size_t nmaps, capmaps;

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
		devs[ndevs++] = (struct io_dev){ad, i, b[i].addr, b[i].size};
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

/* The device entry decoding [port, port+w). io_lock held. */
static const struct io_dev *dev_of(uint64_t port, unsigned w)
{
	for (size_t i = 0; i < ndevs; i++)
		if (port >= devs[i].base &&
		    port + w <= devs[i].base + devs[i].size)
			return &devs[i];
	return NULL;
}

/* True when [port, port+w) lies in a registered range. io_lock held. */
static bool range_has(uint64_t port, unsigned w)
{
	for (size_t i = 0; i < nranges; i++)
		if (port >= ranges[i]->port &&
		    port + w <= ranges[i]->port + ranges[i]->n)
			return true;
	return false;
}

static uint32_t ones(unsigned w)
{
	return w == 4 ? 0xFFFFFFFFu : (1u << (8 * w)) - 1;
}

/* One port access. */
static uint32_t port_access(uint64_t port, unsigned w, bool write, uint32_t v,
			    const void *site)
{
	uint32_t out = ones(w);
	pthread_rwlock_rdlock(&io_lock);
	bool registered = range_has(port, w);
	const struct io_dev *d = dev_of(port, w);
	struct nd_adapter *ad = d ? d->ad : NULL;
	if (!registered)
		nd_report(ND_RULE_IO_PORT_RANGE, ad, port, w, site,
			  "port %s of %u byte(s) at 0x%llx: no "
			  "NdisMRegisterIoPortRange covers it%s",
			  write ? "write" : "read", w, (unsigned long long)port,
			  d ? " (it reaches the device anyway, as on x86)"
			    : "; no device decodes it (reads all ones)");
	if (d) {
		uint64_t off = port - d->base;
		if (write)
			ad->bus->ops->bar_write(ad->bus, d->bar, off, w, v);
		else if (ad->bus->ops->bar_read(ad->bus, d->bar, off, w, &out))
			out = ones(w);
	}
	pthread_rwlock_unlock(&io_lock);
	return out;
}

ULONG ndisdma_port_read_(ULONG_PTR port, unsigned width)
{
	if (width != 1 && width != 2)
		width = 4;
	return port_access(port, width, false, 0, ND_SITE());
}

void ndisdma_port_write_(ULONG_PTR port, unsigned width, ULONG value)
{
	if (width != 1 && width != 2)
		width = 4;
	port_access(port, width, true, value, ND_SITE());
}

void ndisdma_port_read_buf_(ULONG_PTR port, unsigned width, void *buf,
			    ULONG count)
{
	const void *site = ND_SITE();
	if (width != 1 && width != 2)
		width = 4;
	unsigned char *p = buf;
	for (ULONG i = 0; p && i < count; i++, p += width) {
		uint32_t v = port_access(port, width, false, 0, site);
		memcpy(p, &v, width); /* little-endian: the low bytes */
	}
}

void ndisdma_port_write_buf_(ULONG_PTR port, unsigned width, const void *buf,
			     ULONG count)
{
	const void *site = ND_SITE();
	if (width != 1 && width != 2)
		width = 4;
	const unsigned char *p = buf;
	for (ULONG i = 0; p && i < count; i++, p += width) {
		uint32_t v = 0;
		memcpy(&v, p, width);
		port_access(port, width, true, v, site);
	}
}

/* ---------------- registered port ranges ---------------- */

static void range_reclaim(struct nd_res *r)
{
	struct io_range *x = (struct io_range *)r;
	pthread_rwlock_wrlock(&io_lock);
	for (size_t i = 0; i < nranges; i++)
		if (ranges[i] == x) {
			ranges[i] = ranges[--nranges];
			break;
		}
	pthread_rwlock_unlock(&io_lock);
	free(x);
}

static const struct nd_res_ops range_ops = {
    .name = "I/O port range (NdisMRegisterIoPortRange)",
    .reclaim = range_reclaim,
};

int nd_io_port_register(struct nd_adapter *ad, uint64_t port, uint64_t n,
			bool *decoded, const void *site)
{
	struct io_range *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->ad = ad;
	x->port = port;
	x->n = n;
	pthread_rwlock_wrlock(&io_lock);
	if (!grow((void **)&ranges, &capranges, nranges, sizeof(*ranges))) {
		pthread_rwlock_unlock(&io_lock);
		free(x);
		return -ENOMEM;
	}
	ranges[nranges++] = x;
	*decoded = false;
	for (size_t i = 0; i < ndevs; i++)
		if (devs[i].ad == ad && port >= devs[i].base &&
		    port + n <= devs[i].base + devs[i].size)
			*decoded = true;
	pthread_rwlock_unlock(&io_lock);
	nd_adapter_track(ad, &x->res, &range_ops, site);
	return 0;
}

int nd_io_port_deregister(struct nd_adapter *ad, uint64_t port, uint64_t n)
{
	struct io_range *x = NULL;
	pthread_rwlock_wrlock(&io_lock);
	for (size_t i = 0; i < nranges; i++)
		if (ranges[i]->ad == ad && ranges[i]->port == port &&
		    ranges[i]->n == n) {
			x = ranges[i];
			ranges[i] = ranges[--nranges];
			break;
		}
	pthread_rwlock_unlock(&io_lock);
	if (!x)
		return -ENOENT;
	nd_adapter_untrack(ad, &x->res);
	free(x);
	return 0;
}

/* ---------------- mapped I/O space ---------------- */

static void map_remove(struct io_map *m)
{
	pthread_rwlock_wrlock(&io_lock);
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i] == m) {
			maps[i] = maps[--nmaps];
			break;
		}
	if (m->sim)
		slots[m->slot] = NULL;
	pthread_rwlock_unlock(&io_lock);
}

static void map_reclaim(struct nd_res *r)
{
	struct io_map *m = (struct io_map *)r;
	map_remove(m);
	free(m);
}

static const struct nd_res_ops map_ops = {
    .name = "mapped I/O space (NdisMMapIoSpace)",
    .reclaim = map_reclaim,
};

int nd_io_map(struct nd_adapter *ad, uint64_t pa, uint64_t len, void **va,
	      const void *site)
{
	const struct bus_ops *o = ad->bus->ops;
	struct bus_bar b;
	unsigned bar = 6;
	for (unsigned i = 0; i < 6 && o->bar_info; i++)
		if (!o->bar_info(ad->bus, i, &b) && !b.io && pa >= b.addr &&
		    len <= b.size && pa - b.addr <= b.size - len) {
			bar = i;
			break;
		}
	if (bar == 6)
		return -ENOENT;
	struct io_map *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = (struct io_map){
	    .ad = ad, .bar = bar, .off = pa - b.addr, .len = len, .pa = pa};
	void *base = NULL;
	size_t blen = 0;
	if (o->bar_map && !o->bar_map(ad->bus, bar, &base, &blen) &&
	    m->off + len <= blen) {
		m->va = (uintptr_t)base + m->off;
	} else if (o->sim_set_regs && o->bar_read && len <= 0xFFFFFFFFu) {
		m->sim = true;
	} else {
		free(m);
		return -ENOMEM;
	}
	int rc = 0;
	pthread_rwlock_wrlock(&io_lock);
	if (!grow((void **)&maps, &capmaps, nmaps, sizeof(*maps)))
		rc = -ENOMEM;
	if (!rc && m->sim) {
		rc = -ENOMEM;
		for (unsigned k = 0; k < ND_IOMAP_SLOTS; k++) {
			unsigned s = (next_slot + k) % ND_IOMAP_SLOTS;
			if (!slots[s]) {
				slots[s] = m;
				m->slot = s;
				/* round robin: a stale address finds no
				 * mapping for as long as possible */
				next_slot = s + 1;
				m->va =
				    NDISDMA_SIMIO_BASE + ((uintptr_t)s << 32);
				rc = 0;
				break;
			}
		}
	}
	if (!rc)
		maps[nmaps++] = m;
	pthread_rwlock_unlock(&io_lock);
	if (rc) {
		free(m);
		return rc;
	}
	nd_adapter_track(ad, &m->res, &map_ops, site);
	*va = (void *)m->va;
	return 0;
}

int nd_io_unmap(struct nd_adapter *ad, void *va, uint64_t len)
{
	struct io_map *m = NULL;
	pthread_rwlock_rdlock(&io_lock);
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i]->ad == ad && maps[i]->va == (uintptr_t)va &&
		    maps[i]->len == len)
			m = maps[i];
	pthread_rwlock_unlock(&io_lock);
	if (!m)
		return -ENOENT;
	/* one unmapper wins: the entry leaves the table under the lock */
	pthread_rwlock_wrlock(&io_lock);
	bool still = false;
	for (size_t i = 0; i < nmaps; i++)
		if (maps[i] == m) {
			maps[i] = maps[--nmaps];
			still = true;
			break;
		}
	if (still && m->sim)
		slots[m->slot] = NULL;
	pthread_rwlock_unlock(&io_lock);
	if (!still)
		return -ENOENT;
	nd_adapter_untrack(ad, &m->res);
	free(m);
	return 0;
}

/* One access at a simulated register address. */
static uint32_t mmio_access(uintptr_t addr, unsigned w, bool write, uint32_t v,
			    const void *site)
{
	uint32_t out = ones(w);
	uintptr_t rel = addr - NDISDMA_SIMIO_BASE;
	unsigned s = (unsigned)(rel >> 32) % ND_IOMAP_SLOTS;
	uint64_t off = rel & 0xFFFFFFFFu;
	pthread_rwlock_rdlock(&io_lock);
	struct io_map *m = slots[s];
	if (!m || off + w > m->len) {
		nd_report(ND_RULE_IO_MMIO_RANGE, m ? m->ad : NULL, addr, w,
			  site, "register %s of %u byte(s) at %p: %s",
			  write ? "write" : "read", w, (void *)addr,
			  m ? "past the end of the range NdisMMapIoSpace "
			      "mapped"
			    : "no live NdisMMapIoSpace mapping there "
			      "(unmapped, or never returned)");
	} else {
		struct bus *b = m->ad->bus;
		if (write)
			b->ops->bar_write(b, m->bar, m->off + off, w, v);
		else if (b->ops->bar_read(b, m->bar, m->off + off, w, &out))
			out = ones(w);
	}
	pthread_rwlock_unlock(&io_lock);
	return out;
}

ULONG ndisdma_mmio_read_(ULONG_PTR addr, unsigned width)
{
	if (width != 1 && width != 2)
		width = 4;
	return mmio_access(addr, width, false, 0, ND_SITE());
}

void ndisdma_mmio_write_(ULONG_PTR addr, unsigned width, ULONG value)
{
	if (width != 1 && width != 2)
		width = 4;
	mmio_access(addr, width, true, value, ND_SITE());
}

/* ---------------- resources ---------------- */

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

int nd_hwio_resources(struct nd_adapter *ad, void *buf, size_t size,
		      size_t *need)
{
	CM_PARTIAL_RESOURCE_DESCRIPTOR d[7];
	ULONG n = 0;
	const struct bus_ops *o = ad->bus->ops;
	for (unsigned i = 0; i < 6 && o->bar_info; i++) {
		struct bus_bar b;
		if (o->bar_info(ad->bus, i, &b) || !b.size)
			continue;
		CM_PARTIAL_RESOURCE_DESCRIPTOR *x = &d[n++];
		memset(x, 0, sizeof(*x));
		x->ShareDisposition = CmResourceShareDeviceExclusive;
		if (b.io) {
			x->Type = CmResourceTypePort;
			x->Flags = CM_RESOURCE_PORT_IO |
				   CM_RESOURCE_PORT_16_BIT_DECODE;
		} else {
			x->Type = CmResourceTypeMemory;
			x->Flags =
			    CM_RESOURCE_MEMORY_READ_WRITE |
			    (b.prefetch ? CM_RESOURCE_MEMORY_PREFETCHABLE : 0);
		}
		x->u.Generic.Start.QuadPart = (LONGLONG)b.addr;
		x->u.Generic.Length = (ULONG)b.size;
	}
	unsigned line, pin;
	if (!nd_hwio_irq_line(ad, &line, &pin) && pin >= 1 && pin <= 4) {
		CM_PARTIAL_RESOURCE_DESCRIPTOR *x = &d[n++];
		memset(x, 0, sizeof(*x));
		x->Type = CmResourceTypeInterrupt;
		x->ShareDisposition = CmResourceShareShared;
		x->Flags = CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE;
		x->u.Interrupt.Level = line;
		x->u.Interrupt.Vector = line;
		x->u.Interrupt.Affinity = 1;
	}
	size_t bytes = offsetof(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors) +
		       (n ? n : 1) * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
	*need = bytes;
	if (!buf || size < bytes)
		return -ENOSPC;
	CM_PARTIAL_RESOURCE_LIST *l = buf;
	memset(l, 0, bytes);
	l->Version = 1;
	l->Revision = 1;
	l->Count = n;
	memcpy(l->PartialDescriptors, d, n * sizeof(d[0]));
	return 0;
}
