/* SPDX-License-Identifier: MIT */
/*
 * bus_vfio.c - the `vfio:BDF` bus: a PCI function bound to vfio-pci, its
 * DMA translated by the IOMMU through a VFIO type1 container.
 *
 * Device addresses are IOVAs chosen here from the IOMMU's usable ranges
 * (VFIO_IOMMU_GET_INFO's IOVA-range capability, when the kernel gives it).
 * A DMA chunk is host memory - 2 MiB hugepages when the request is a
 * multiple of 2 MiB and hugepages are free, otherwise normal pages -
 * locked and mapped with one VFIO_IOMMU_MAP_DMA, so the number of DMA
 * mappings stays at (chunks + live map() calls), far below the kernel's
 * dma_entry_limit (65535 by default). map() gives an arbitrary host range
 * an IOVA of its own (one mapping per call).
 *
 * The device sees exactly the mapped chunks and ranges; anything else
 * faults in the IOMMU (the kernel logs a DMAR / AMD-Vi fault).
 */
#include "bus.h"
#include "iova.h"
#include "pci_sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define VFIO_IOVA_BASE 0x100000ULL /* 1 MiB: low addresses never used */
#define HUGE_2M (2ULL << 20)
#define VFIO_NBARS 6

struct vfio_bar {
	void *va;
	size_t len;
	/* the BAR's region, learnt at the first bar_read / bar_write */
	bool known;
	uint64_t off, size;
};

struct vfio_bus {
	struct bus base;
	char bdf[32];
	int group_no;
	int container, group, device;
	uint64_t aperture_end; /* exclusive */
	struct iova_space iova;
	uint64_t cfg_off; /* config region offset in the device fd */
	struct vfio_bar bar[VFIO_NBARS];
	pthread_mutex_t lock; /* bars, irq setup */
	int irq_efd;	      /* -1 until irq_fd() */
	unsigned irq_index;   /* VFIO_PCI_INTX/MSI_IRQ_INDEX */
	bool can_reset;
};

/* What chunk_alloc needs to undo. */
struct vfio_chunk_priv {
	size_t map_len; /* bytes mmapped (>= chunk len) */
};

static struct vfio_bus *to_vfio(struct bus *b)
{
	return (struct vfio_bus *)b;
}

static int dma_map(struct vfio_bus *v, void *host, uint64_t iova, uint64_t len,
		   unsigned perms)
{
	struct vfio_iommu_type1_dma_map m = {
	    .argsz = sizeof(m),
	    .flags = ((perms & BUS_PERM_READ) ? VFIO_DMA_MAP_FLAG_READ : 0) |
		     ((perms & BUS_PERM_WRITE) ? VFIO_DMA_MAP_FLAG_WRITE : 0),
	    .vaddr = (uintptr_t)host,
	    .iova = iova,
	    .size = len,
	};
	return ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

static void dma_unmap(struct vfio_bus *v, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
	    .argsz = sizeof(u),
	    .iova = iova,
	    .size = len,
	};
	ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u);
}

/* The IOMMU's usable IOVA ranges: everything in [base, end) minus the
 * holes between the ranges the kernel reports. */
static int setup_iova(struct vfio_bus *v)
{
	uint64_t end = v->base.info.dma_bits >= 64
			   ? (1ULL << 48)
			   : (1ULL << v->base.info.dma_bits);
	size_t sz = 4096;
	struct vfio_iommu_type1_info *info = calloc(1, sz);
	struct vfio_iova_range *ranges = NULL;
	uint32_t nr = 0;
	if (!info)
		return -ENOMEM;
	info->argsz = (uint32_t)sz;
	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, info) == 0 &&
	    (info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset &&
	    info->argsz <= sz) {
		uint32_t off = info->cap_offset;
		while (off && off + sizeof(struct vfio_info_cap_header) <= sz) {
			struct vfio_info_cap_header *h =
			    (void *)((char *)info + off);
			if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				struct vfio_iommu_type1_info_cap_iova_range *r =
				    (void *)h;
				nr = r->nr_iovas;
				ranges = r->iova_ranges;
				break;
			}
			off = h->next;
		}
	}
	if (nr && ranges[nr - 1].end + 1 < end && ranges[nr - 1].end + 1)
		end = ranges[nr - 1].end + 1;
	int rc = nd_iova_space_init(&v->iova, VFIO_IOVA_BASE, end);
	if (rc) {
		free(info);
		return rc;
	}
	v->aperture_end = end;
	/* Take out what lies before the first range and between ranges
	 * (e.g. the MSI window 0xfee00000 on x86). */
	uint64_t prev = VFIO_IOVA_BASE, got;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t s = ranges[i].start;
		if (s > prev && s <= end)
			nd_iova_reserve(&v->iova, s - prev, 1, prev, s - 1,
					&got);
		if (ranges[i].end + 1 > prev)
			prev = ranges[i].end + 1;
	}
	free(info);
	return 0;
}

static int region_info(int dev, unsigned index, struct vfio_region_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	return ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, ri) ? -errno : 0;
}

static int vfio_cfg_read(struct bus *b, unsigned off, void *buf, size_t len)
{
	struct vfio_bus *v = to_vfio(b);
	ssize_t n = pread(v->device, buf, len, (off_t)(v->cfg_off + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int vfio_cfg_write(struct bus *b, unsigned off, const void *buf,
			  size_t len)
{
	struct vfio_bus *v = to_vfio(b);
	ssize_t n = pwrite(v->device, buf, len, (off_t)(v->cfg_off + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void vfio_close(struct bus *b)
{
	struct vfio_bus *v = to_vfio(b);
	if (v->irq_efd >= 0) {
		struct vfio_irq_set s = {
		    .argsz = sizeof(s),
		    .flags =
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		    .index = v->irq_index,
		    .start = 0,
		    .count = 0,
		};
		ioctl(v->device, VFIO_DEVICE_SET_IRQS, &s);
		close(v->irq_efd);
	}
	for (int i = 0; i < VFIO_NBARS; i++)
		if (v->bar[i].va)
			munmap(v->bar[i].va, v->bar[i].len);
	if (v->device >= 0) {
		uint16_t cmd;
		if (!vfio_cfg_read(b, PCI_COMMAND, &cmd, 2)) {
			cmd &= (uint16_t)~PCI_COMMAND_MASTER;
			vfio_cfg_write(b, PCI_COMMAND, &cmd, 2);
		}
		close(v->device);
	}
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	if (v->aperture_end)
		nd_iova_space_destroy(&v->iova);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

/* Fail open with errno `rc` and a sentence. */
#define FAIL(rc_, ...)                                                         \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		vfio_close(&v->base);                                          \
		return (rc_);                                                  \
	} while (0)

static int vfio_open(const char *args, struct bus **out, char *err,
		     size_t errlen)
{
	struct vfio_bus *v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "vfio: out of memory");
		return -ENOMEM;
	}
	v->container = v->group = v->device = v->irq_efd = -1;
	pthread_mutex_init(&v->lock, NULL);
	v->base.info = (struct bus_info){
	    .kind = "vfio",
	    .dma_bits = 64,
	    .coherent = true,
	    .iommu = true,
	    .fill = -1,
	    .poison = -1,
	    .chunk_size = 2u << 20,
	};
	struct pci_bus_opts o = {.info = &v->base.info,
				 .busname = "vfio",
				 .err = err,
				 .errlen = errlen};
	int rc = nd_pci_parse_args(args, &o);
	if (rc) {
		vfio_close(&v->base);
		return rc;
	}
	memcpy(v->bdf, o.bdf, sizeof(v->bdf));

	if (access("/dev/vfio/vfio", F_OK))
		FAIL(-ENODEV,
		     "vfio: no /dev/vfio/vfio: the vfio modules are not "
		     "loaded - as root `modprobe vfio-pci`, and boot with "
		     "intel_iommu=on (or amd_iommu=on) with VT-d/AMD-Vi "
		     "enabled in firmware");
	char drv[64];
	if (nd_pci_driver_name(v->bdf, drv, sizeof(drv)))
		FAIL(-ENODEV,
		     "vfio: no PCI device %s on this machine (see lspci -D)",
		     v->bdf);
	if (strcmp(drv, "vfio-pci")) {
		char advice[400];
		nd_pci_bind_advice(v->bdf, "vfio-pci", drv, advice,
				   sizeof(advice));
		FAIL(-ENODEV, "vfio: %s", advice);
	}
	char path[PATH_MAX], link[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 v->bdf);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		FAIL(-ENODEV,
		     "vfio: %s has no IOMMU group: the IOMMU is off - boot "
		     "with intel_iommu=on (or amd_iommu=on)",
		     v->bdf);
	link[n] = '\0';
	const char *slash = strrchr(link, '/');
	v->group_no = atoi(slash ? slash + 1 : link);

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		FAIL(-errno,
		     "vfio: cannot open /dev/vfio/vfio: %s - run as root or "
		     "give your user access to /dev/vfio",
		     strerror(errno));
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		FAIL(-ENOTSUP, "vfio: the kernel's VFIO API version is not %d",
		     VFIO_API_VERSION);
	int type = VFIO_TYPE1v2_IOMMU;
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, type) <= 0) {
		type = VFIO_TYPE1_IOMMU;
		if (ioctl(v->container, VFIO_CHECK_EXTENSION, type) <= 0)
			FAIL(-ENOTSUP,
			     "vfio: no type1 IOMMU support: `modprobe "
			     "vfio_iommu_type1`");
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_no);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			FAIL(-EACCES,
			     "vfio: permission denied on %s: run as root or "
			     "`chown $USER %s`",
			     path, path);
		if (e == EBUSY)
			FAIL(-EBUSY,
			     "vfio: %s is in use by this or another process "
			     "(a VFIO group can be open only once)",
			     path);
		FAIL(-e, "vfio: cannot open %s: %s", path, strerror(e));
	}
	struct vfio_group_status gs = {.argsz = sizeof(gs)};
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gs))
		FAIL(-errno, "vfio: VFIO_GROUP_GET_STATUS failed: %s",
		     strerror(errno));
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		FAIL(-EBUSY,
		     "vfio: IOMMU group %d is not viable: every device in "
		     "/sys/kernel/iommu_groups/%d/devices must be bound to "
		     "vfio-pci (or to no driver) - bind or unbind the others",
		     v->group_no, v->group_no);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		FAIL(-errno, "vfio: VFIO_GROUP_SET_CONTAINER failed: %s",
		     strerror(errno));
	if (ioctl(v->container, VFIO_SET_IOMMU, type))
		FAIL(-errno, "vfio: VFIO_SET_IOMMU failed: %s",
		     strerror(errno));

	struct rlimit rl;
	if (geteuid() != 0 && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 8 * v->base.info.chunk_size)
		FAIL(-ENOMEM,
		     "vfio: RLIMIT_MEMLOCK is %llu KiB, too low for DMA "
		     "memory: raise it (`ulimit -l unlimited`, or memlock in "
		     "/etc/security/limits.conf) or run as root",
		     (unsigned long long)rl.rlim_cur >> 10);

	rc = setup_iova(v);
	if (rc)
		FAIL(rc, "vfio: out of memory");

	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	if (v->device < 0)
		FAIL(-errno,
		     "vfio: cannot get %s from group %d: %s - is it bound "
		     "to vfio-pci and not in use?",
		     v->bdf, v->group_no, strerror(errno));
	struct vfio_device_info di = {.argsz = sizeof(di)};
	if (ioctl(v->device, VFIO_DEVICE_GET_INFO, &di))
		FAIL(-errno, "vfio: VFIO_DEVICE_GET_INFO failed: %s",
		     strerror(errno));
	if (!(di.flags & VFIO_DEVICE_FLAGS_PCI))
		FAIL(-ENODEV, "vfio: %s is not a PCI device", v->bdf);
	v->can_reset = di.flags & VFIO_DEVICE_FLAGS_RESET;
	struct vfio_region_info ri;
	if (region_info(v->device, VFIO_PCI_CONFIG_REGION_INDEX, &ri))
		FAIL(-errno, "vfio: no config space region: %s",
		     strerror(errno));
	v->cfg_off = ri.offset;

	/* Memory decoding and bus mastering on (PCI Local Bus 3.0, 6.2.2:
	 * Command register bits 1 and 2). */
	uint16_t cmd;
	rc = vfio_cfg_read(&v->base, PCI_COMMAND, &cmd, 2);
	if (!rc) {
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		rc = vfio_cfg_write(&v->base, PCI_COMMAND, &cmd, 2);
	}
	if (rc)
		FAIL(rc, "vfio: cannot enable bus mastering on %s: %s", v->bdf,
		     strerror(-rc));
	*out = &v->base;
	return 0;
}
#undef FAIL

static void *alloc_host(size_t len, size_t *map_len)
{
	void *p = MAP_FAILED;
	if (len % HUGE_2M == 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			     MAP_POPULATE,
			 -1, 0);
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	*map_len = len;
	/* VFIO pins the pages itself; mlock keeps them out of the way of
	 * swap and compaction even when the map is torn down late. Not
	 * fatal: the pin already accounts against RLIMIT_MEMLOCK. */
	(void)mlock(p, len);
	return p;
}

static int vfio_chunk_alloc(struct bus *b, size_t len, uint64_t limit,
			    struct bus_chunk *out)
{
	struct vfio_bus *v = to_vfio(b);
	if (len == 0 || len % 4096)
		return -EINVAL;
	struct vfio_chunk_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	uint64_t align = len >= HUGE_2M ? HUGE_2M : 4096, iova;
	uint64_t max =
	    limit < v->aperture_end - 1 ? limit : v->aperture_end - 1;
	if (nd_iova_reserve(&v->iova, len, align, VFIO_IOVA_BASE, max, &iova)) {
		free(p);
		return -ENOMEM;
	}
	void *host = alloc_host(len, &p->map_len);
	if (!host) {
		nd_iova_release(&v->iova, iova, len);
		free(p);
		return -ENOMEM;
	}
	int rc = dma_map(v, host, iova, len, BUS_PERM_RW);
	if (rc) {
		munmap(host, p->map_len);
		nd_iova_release(&v->iova, iova, len);
		free(p);
		return -ENOMEM;
	}
	*out = (struct bus_chunk){
	    .host = host, .iova = iova, .len = len, .priv = p};
	return 0;
}

static void vfio_chunk_free(struct bus *b, struct bus_chunk *c)
{
	struct vfio_bus *v = to_vfio(b);
	struct vfio_chunk_priv *p = c->priv;
	dma_unmap(v, c->iova, c->len);
	munmap(c->host, p->map_len);
	nd_iova_release(&v->iova, c->iova, c->len);
	free(p);
}

static int vfio_map(struct bus *b, void *host, size_t len, uint64_t limit,
		    unsigned perms, struct bus_seg *segs, unsigned *nsegs)
{
	struct vfio_bus *v = to_vfio(b);
	if (len == 0 || !host || !nsegs)
		return -EINVAL;
	if (*nsegs < 1)
		return -ENOSPC;
	uintptr_t start = (uintptr_t)host & ~(uintptr_t)4095;
	uint64_t off = (uintptr_t)host - start;
	uint64_t span = (off + len + 4095) & ~4095ULL, iova;
	uint64_t max =
	    limit < v->aperture_end - 1 ? limit : v->aperture_end - 1;
	if (nd_iova_reserve(&v->iova, span, 4096, VFIO_IOVA_BASE, max, &iova))
		return -ERANGE;
	int rc = dma_map(v, (void *)start, iova, span, perms);
	if (rc) {
		nd_iova_release(&v->iova, iova, span);
		return rc == -EFAULT ? -EFAULT : -ENOMEM;
	}
	segs[0] = (struct bus_seg){.iova = iova + off, .len = len};
	*nsegs = 1;
	return 0;
}

static void vfio_unmap(struct bus *b, const struct bus_seg *segs,
		       unsigned nsegs)
{
	struct vfio_bus *v = to_vfio(b);
	for (unsigned i = 0; i < nsegs; i++) {
		uint64_t base = segs[i].iova & ~4095ULL;
		uint64_t span =
		    (segs[i].iova - base + segs[i].len + 4095) & ~4095ULL;
		dma_unmap(v, base, span);
		nd_iova_release(&v->iova, base, span);
	}
}

static int vfio_bar_map(struct bus *b, unsigned bar, void **va, size_t *len)
{
	struct vfio_bus *v = to_vfio(b);
	if (bar >= VFIO_NBARS || !va || !len)
		return -EINVAL;
	int rc = 0;
	pthread_mutex_lock(&v->lock);
	if (!v->bar[bar].va) {
		struct vfio_region_info ri;
		rc = region_info(v->device, VFIO_PCI_BAR0_REGION_INDEX + bar,
				 &ri);
		if (!rc && ri.size == 0)
			rc = -ENOENT;
		else if (!rc && !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP))
			rc = -ENOTSUP; /* an I/O port BAR */
		if (!rc) {
			void *p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, v->device, (off_t)ri.offset);
			if (p == MAP_FAILED) {
				rc = -errno;
			} else {
				v->bar[bar].va = p;
				v->bar[bar].len = ri.size;
			}
		}
	}
	if (!rc) {
		*va = v->bar[bar].va;
		*len = v->bar[bar].len;
	}
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* A BAR from configuration space (vfio-pci shows the real addresses) and
 * its region's size. */
static int vfio_bar_info(struct bus *b, unsigned bar, struct bus_bar *out)
{
	struct vfio_bus *v = to_vfio(b);
	if (bar >= VFIO_NBARS || !out)
		return -EINVAL;
	struct vfio_region_info ri;
	int rc = region_info(v->device, VFIO_PCI_BAR0_REGION_INDEX + bar, &ri);
	if (rc)
		return rc;
	if (ri.size == 0)
		return -ENOENT; /* absent, or the upper half of a 64-bit BAR */
	uint32_t lo, hi = 0;
	rc = vfio_cfg_read(b, PCI_BASE_ADDRESS_0 + 4 * bar, &lo, 4);
	if (rc)
		return rc;
	bool io = lo & PCI_BASE_ADDRESS_SPACE_IO;
	bool is64 = !io && (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			       PCI_BASE_ADDRESS_MEM_TYPE_64;
	if (is64 && bar + 1 < VFIO_NBARS) {
		rc = vfio_cfg_read(b, PCI_BASE_ADDRESS_0 + 4 * (bar + 1), &hi,
				   4);
		if (rc)
			return rc;
	}
	*out = (struct bus_bar){
	    .addr =
		io ? (lo & PCI_BASE_ADDRESS_IO_MASK)
		   : ((uint64_t)hi << 32 | (lo & PCI_BASE_ADDRESS_MEM_MASK)),
	    .size = ri.size,
	    .io = io,
	    .is64 = is64,
	    .prefetch = !io && (lo & PCI_BASE_ADDRESS_MEM_PREFETCH),
	};
	return 0;
}

/* Where BAR `bar`'s region lies in the device fd; checks the access. */
static int vfio_bar_region(struct vfio_bus *v, unsigned bar, uint64_t off,
			   unsigned width, uint64_t *pos)
{
	if (bar >= VFIO_NBARS || (width != 1 && width != 2 && width != 4))
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	struct vfio_bar *x = &v->bar[bar];
	int rc = 0;
	if (!x->known) {
		struct vfio_region_info ri;
		rc = region_info(v->device, VFIO_PCI_BAR0_REGION_INDEX + bar,
				 &ri);
		if (!rc) {
			x->known = true;
			x->off = ri.offset;
			x->size = ri.size;
		}
	}
	uint64_t size = x->size, base = x->off;
	pthread_mutex_unlock(&v->lock);
	if (rc)
		return rc;
	if (!size)
		return -ENOENT;
	if (off > size || width > size - off)
		return -EINVAL;
	*pos = base + off;
	return 0;
}

/* I/O BARs (and memory BARs without a mapping) through the region: one
 * pread / pwrite of exactly the access's width, which vfio-pci turns into
 * one in/out (ioread/iowrite) of that width. */
static int vfio_bar_read(struct bus *b, unsigned bar, uint64_t off,
			 unsigned width, uint32_t *val)
{
	struct vfio_bus *v = to_vfio(b);
	uint64_t pos;
	int rc = vfio_bar_region(v, bar, off, width, &pos);
	if (rc)
		return rc;
	uint32_t x = 0;
	ssize_t n = pread(v->device, &x, width, (off_t)pos);
	if (n < 0)
		return -errno;
	if ((size_t)n != width)
		return -EIO;
	*val = x; /* little-endian: the low bytes */
	return 0;
}

static int vfio_bar_write(struct bus *b, unsigned bar, uint64_t off,
			  unsigned width, uint32_t val)
{
	struct vfio_bus *v = to_vfio(b);
	uint64_t pos;
	int rc = vfio_bar_region(v, bar, off, width, &pos);
	if (rc)
		return rc;
	ssize_t n = pwrite(v->device, &val, width, (off_t)pos);
	if (n < 0)
		return -errno;
	return (size_t)n == width ? 0 : -EIO;
}

static int set_irq_eventfd(struct vfio_bus *v, unsigned index, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	*s = (struct vfio_irq_set){
	    .argsz = sizeof(buf),
	    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
	    .index = index,
	    .start = 0,
	    .count = 1,
	};
	int32_t efd = fd;
	memcpy(s->data, &efd, sizeof(efd));
	return ioctl(v->device, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

/* MSI when the function offers it, else INTx. */
static int vfio_irq_fd(struct bus *b, int *fd)
{
	struct vfio_bus *v = to_vfio(b);
	if (!fd)
		return -EINVAL;
	int rc = 0;
	pthread_mutex_lock(&v->lock);
	if (v->irq_efd < 0) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd < 0) {
			rc = -errno;
			goto out;
		}
		rc = -ENOTSUP;
		static const unsigned order[] = {VFIO_PCI_MSI_IRQ_INDEX,
						 VFIO_PCI_INTX_IRQ_INDEX};
		for (unsigned i = 0; i < 2 && rc; i++) {
			struct vfio_irq_info ii = {.argsz = sizeof(ii),
						   .index = order[i]};
			if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &ii) ||
			    ii.count == 0 ||
			    !(ii.flags & VFIO_IRQ_INFO_EVENTFD))
				continue;
			rc = set_irq_eventfd(v, order[i], efd);
			if (!rc)
				v->irq_index = order[i];
		}
		if (rc) {
			close(efd);
			goto out;
		}
		v->irq_efd = efd;
	}
	*fd = v->irq_efd;
out:
	pthread_mutex_unlock(&v->lock);
	return rc;
}

static int vfio_irq_unmask(struct bus *b)
{
	struct vfio_bus *v = to_vfio(b);
	if (v->irq_efd < 0)
		return -EINVAL;
	if (v->irq_index != VFIO_PCI_INTX_IRQ_INDEX)
		return 0; /* MSI is edge-triggered: nothing to re-arm */
	struct vfio_irq_set s = {
	    .argsz = sizeof(s),
	    .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
	    .index = VFIO_PCI_INTX_IRQ_INDEX,
	    .start = 0,
	    .count = 1,
	};
	return ioctl(v->device, VFIO_DEVICE_SET_IRQS, &s) ? -errno : 0;
}

static int vfio_irq_wait(struct bus *b, int timeout_ms)
{
	struct vfio_bus *v = to_vfio(b);
	int fd;
	int rc = vfio_irq_fd(b, &fd);
	if (rc)
		return rc;
	struct pollfd p = {.fd = v->irq_efd, .events = POLLIN};
	rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	uint64_t cnt;
	if (read(v->irq_efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN ? 0 : -errno;
	return 1;
}

static int vfio_reset(struct bus *b)
{
	struct vfio_bus *v = to_vfio(b);
	if (!v->can_reset)
		return -ENOTSUP;
	if (ioctl(v->device, VFIO_DEVICE_RESET))
		return -errno;
	/* A function reset clears the command register. */
	uint16_t cmd;
	int rc = vfio_cfg_read(b, PCI_COMMAND, &cmd, 2);
	if (!rc) {
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		rc = vfio_cfg_write(b, PCI_COMMAND, &cmd, 2);
	}
	return rc;
}

const struct bus_ops nd_bus_vfio_ops = {
    .name = "vfio",
    .open = vfio_open,
    .close = vfio_close,
    .chunk_alloc = vfio_chunk_alloc,
    .chunk_free = vfio_chunk_free,
    .map = vfio_map,
    .unmap = vfio_unmap,
    .bar_map = vfio_bar_map,
    .bar_info = vfio_bar_info,
    .bar_read = vfio_bar_read,
    .bar_write = vfio_bar_write,
    .cfg_read = vfio_cfg_read,
    .cfg_write = vfio_cfg_write,
    .irq_fd = vfio_irq_fd,
    .irq_unmask = vfio_irq_unmask,
    .irq_wait = vfio_irq_wait,
    .reset = vfio_reset,
};
