/* SPDX-License-Identifier: MIT */
/*
 * bus_uio.c - the `uio:BDF` bus: a PCI function bound to uio_pci_generic,
 * no IOMMU. The device address of memory is its physical address, read
 * from /proc/self/pagemap (root only: others see frame number 0).
 *
 * DMA chunks are 2 MiB hugepages: a hugepage is physically contiguous,
 * nothing bigger is assumed to be. A chunk over 2 MiB is granted only
 * when its hugepages happen to be physically consecutive (checked), else
 * -ENOMEM. A chunk whose physical range is above the caller's limit is
 * refused with -ENOMEM (no IOMMU can move it). map() translates a locked
 * host range page by page into physical segments, merging neighbours.
 *
 * Registers: /sys/bus/pci/devices/BDF/resourceN mmapped; config space
 * through /sys/bus/pci/devices/BDF/config; INTx through /dev/uioN (a read
 * of 4 bytes waits for the interrupt; uio_pci_generic masks it by setting
 * Interrupt Disable in the Command register, and unmask clears it).
 */
#include "bus.h"
#include "pci_sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUGE_2M (2ULL << 20)
#define UIO_NBARS 6
#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

struct uio_bar {
	void *va;
	size_t len;
	int fd; /* resourceN of an I/O BAR, open for bar_read / bar_write;
		   -1 until then */
};

struct uio_bus {
	struct bus base;
	char bdf[32];
	int uio_no;
	int uio_fd, cfg_fd, pagemap_fd;
	bool owner; /* holds the device's lock: may touch its command reg */
	struct uio_bar bar[UIO_NBARS];
	pthread_mutex_t lock; /* bars */
};

struct uio_chunk_priv {
	size_t map_len;
};

static struct uio_bus *to_uio(struct bus *b)
{
	return (struct uio_bus *)b;
}

/* Physical address of the page holding va (which must be resident).
 * -EFAULT when not present, -EPERM when the kernel hides frame numbers. */
static int virt_to_phys(struct uio_bus *u, const void *va, uint64_t *pa)
{
	uint64_t e, page = (uintptr_t)va / 4096;
	if (pread(u->pagemap_fd, &e, sizeof(e), (off_t)(page * sizeof(e))) !=
	    sizeof(e))
		return -EIO;
	if (!(e & PM_PRESENT))
		return -EFAULT;
	if ((e & PM_PFN_MASK) == 0)
		return -EPERM;
	*pa = (e & PM_PFN_MASK) * 4096 + (uintptr_t)va % 4096;
	return 0;
}

static int uio_cfg_read(struct bus *b, unsigned off, void *buf, size_t len)
{
	ssize_t n = pread(to_uio(b)->cfg_fd, buf, len, off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int uio_cfg_write(struct bus *b, unsigned off, const void *buf,
			 size_t len)
{
	ssize_t n = pwrite(to_uio(b)->cfg_fd, buf, len, off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void uio_close(struct bus *b)
{
	struct uio_bus *u = to_uio(b);
	for (int i = 0; i < UIO_NBARS; i++) {
		if (u->bar[i].va)
			munmap(u->bar[i].va, u->bar[i].len);
		if (u->bar[i].fd >= 0)
			close(u->bar[i].fd);
	}
	if (u->cfg_fd >= 0) {
		uint16_t cmd;
		if (u->owner && !uio_cfg_read(b, PCI_COMMAND, &cmd, 2)) {
			cmd &= (uint16_t)~PCI_COMMAND_MASTER;
			uio_cfg_write(b, PCI_COMMAND, &cmd, 2);
		}
		close(u->cfg_fd);
	}
	if (u->uio_fd >= 0)
		close(u->uio_fd);
	if (u->pagemap_fd >= 0)
		close(u->pagemap_fd);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

#define FAIL(rc_, ...)                                                         \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		uio_close(&u->base);                                           \
		return (rc_);                                                  \
	} while (0)

static int uio_open(const char *args, struct bus **out, char *err,
		    size_t errlen)
{
	struct uio_bus *u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "uio: out of memory");
		return -ENOMEM;
	}
	u->uio_fd = u->cfg_fd = u->pagemap_fd = -1;
	for (int i = 0; i < UIO_NBARS; i++)
		u->bar[i].fd = -1;
	pthread_mutex_init(&u->lock, NULL);
	u->base.info = (struct bus_info){
	    .kind = "uio",
	    .dma_bits = 64,
	    .coherent = true,
	    .iommu = false,
	    .fill = -1,
	    .poison = -1,
	    .chunk_size = 2u << 20,
	};
	struct pci_bus_opts o = {.info = &u->base.info,
				 .busname = "uio",
				 .err = err,
				 .errlen = errlen};
	int rc = nd_pci_parse_args(args, &o);
	if (rc) {
		uio_close(&u->base);
		return rc;
	}
	memcpy(u->bdf, o.bdf, sizeof(u->bdf));
	if (u->base.info.chunk_size != HUGE_2M)
		FAIL(-EINVAL, "uio: chunk must be 2M (one hugepage)");

	char drv[64];
	if (nd_pci_driver_name(u->bdf, drv, sizeof(drv)))
		FAIL(-ENODEV,
		     "uio: no PCI device %s on this machine (see lspci -D)",
		     u->bdf);
	if (strcmp(drv, "uio_pci_generic")) {
		char advice[400];
		nd_pci_bind_advice(u->bdf, "uio_pci_generic", drv, advice,
				   sizeof(advice));
		FAIL(-ENODEV, "uio: %s", advice);
	}
	if (geteuid() != 0)
		FAIL(-EACCES,
		     "uio: device addresses come from /proc/self/pagemap, "
		     "which shows physical frames to root (CAP_SYS_ADMIN) "
		     "only: run as root");
	long hp = read_long("/proc/sys/vm/nr_hugepages");
	if (hp <= 0)
		FAIL(-ENOMEM,
		     "uio: no 2 MiB hugepages reserved; DMA memory needs "
		     "them: as root `echo 64 > /proc/sys/vm/nr_hugepages`");

	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/uio", u->bdf);
	DIR *d = opendir(path);
	u->uio_no = -1;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "uio", 3))
				u->uio_no = atoi(e->d_name + 3);
		closedir(d);
	}
	if (u->uio_no < 0)
		FAIL(-ENODEV, "uio: %s has no uio device under %s", u->bdf,
		     path);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", u->bdf);
	u->cfg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->cfg_fd < 0)
		FAIL(-errno, "uio: cannot open %s: %s", path, strerror(errno));
	/* One user at a time: a second would fight over the rings, and
	 * closing its /dev/uioN would turn bus mastering off under the
	 * first (uio_pci_generic's release does). So the lock is on the
	 * config file, taken before /dev/uioN is opened. */
	if (flock(u->cfg_fd, LOCK_EX | LOCK_NB))
		FAIL(-EBUSY,
		     "uio: %s is in use by this or another process; a device "
		     "can be driven by one adapter only",
		     u->bdf);
	u->owner = true;
	snprintf(path, sizeof(path), "/dev/uio%d", u->uio_no);
	u->uio_fd = open(path, O_RDWR | O_CLOEXEC);
	if (u->uio_fd < 0)
		FAIL(errno == EACCES ? -EACCES : -errno,
		     "uio: cannot open %s: %s", path, strerror(errno));
	u->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (u->pagemap_fd < 0)
		FAIL(-errno, "uio: cannot open /proc/self/pagemap: %s",
		     strerror(errno));
	/* Can we see frame numbers? (Root without CAP_SYS_ADMIN cannot.) */
	uint64_t pa;
	rc = virt_to_phys(u, &pa, &pa);
	if (rc == -EPERM)
		FAIL(-EACCES,
		     "uio: /proc/self/pagemap hides physical frames from "
		     "this process: it needs CAP_SYS_ADMIN");

	/* Memory decoding and bus mastering on (PCI Local Bus 3.0, 6.2.2:
	 * Command register bits 1 and 2). */
	uint16_t cmd;
	rc = uio_cfg_read(&u->base, PCI_COMMAND, &cmd, 2);
	if (!rc) {
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		rc = uio_cfg_write(&u->base, PCI_COMMAND, &cmd, 2);
	}
	if (rc)
		FAIL(rc, "uio: cannot enable bus mastering on %s: %s", u->bdf,
		     strerror(-rc));
	*out = &u->base;
	return 0;
}
#undef FAIL

/* Map len (a multiple of 2 MiB) of hugepages, faulting them in from the
 * last to the first when `backwards` (the kernel's free list often hands
 * out hugepages in descending physical order, so that gives ascending
 * ones). Returns the VA and the physical address of the first byte when
 * the pages are physically consecutive, else NULL. */
static void *map_hugepages(struct uio_bus *u, size_t map_len, bool backwards,
			   uint64_t *pa0)
{
	void *host =
	    mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_LOCKED, -1, 0);
	if (host == MAP_FAILED)
		return NULL;
	size_t n = map_len / HUGE_2M;
	for (size_t i = 0; i < n; i++) {
		size_t k = backwards ? n - 1 - i : i;
		*(volatile char *)((char *)host + k * HUGE_2M) = 0;
	}
	uint64_t pa;
	int rc = virt_to_phys(u, host, pa0);
	for (size_t i = 1; !rc && i < n; i++) {
		rc = virt_to_phys(u, (char *)host + i * HUGE_2M, &pa);
		if (!rc && pa != *pa0 + i * HUGE_2M)
			rc = -ENOMEM;
	}
	if (rc) {
		munmap(host, map_len);
		return NULL;
	}
	return host;
}

static int uio_chunk_alloc(struct bus *b, size_t len, uint64_t limit,
			   struct bus_chunk *out)
{
	struct uio_bus *u = to_uio(b);
	if (len == 0 || len % 4096)
		return -EINVAL;
	size_t map_len = (len + HUGE_2M - 1) & ~(HUGE_2M - 1);
	uint64_t pa0 = 0;
	void *host = map_hugepages(u, map_len, true, &pa0);
	if (!host && map_len > HUGE_2M)
		host = map_hugepages(u, map_len, false, &pa0);
	if (!host)
		return -ENOMEM; /* no hugepages, or not contiguous */
	if (pa0 + len - 1 > limit) {
		/* above the device's reach; core may bounce */
		munmap(host, map_len);
		return -ENOMEM;
	}
	struct uio_chunk_priv *p = malloc(sizeof(*p));
	if (!p) {
		munmap(host, map_len);
		return -ENOMEM;
	}
	p->map_len = map_len;
	*out = (struct bus_chunk){
	    .host = host, .iova = pa0, .len = len, .priv = p};
	return 0;
}

static void uio_chunk_free(struct bus *b, struct bus_chunk *c)
{
	struct uio_chunk_priv *p = c->priv;
	munmap(c->host, p->map_len);
	free(p);
}

/* The range is locked (and stays locked: munlock would unlock pages that
 * other mappings share). */
static int uio_map(struct bus *b, void *host, size_t len, uint64_t limit,
		   unsigned perms, struct bus_seg *segs, unsigned *nsegs)
{
	struct uio_bus *u = to_uio(b);
	if (len == 0 || !host || !nsegs)
		return -EINVAL;
	uintptr_t start = (uintptr_t)host & ~(uintptr_t)4095;
	if (mlock((void *)start, (uintptr_t)host + len - start))
		return -ENOMEM;
	unsigned n = 0;
	uintptr_t p = (uintptr_t)host, end = (uintptr_t)host + len;
	while (p < end) {
		size_t in_page = 4096 - p % 4096;
		if (in_page > end - p)
			in_page = end - p;
		uint64_t pa;
		int rc = virt_to_phys(u, (void *)p, &pa);
		if (rc)
			return rc == -EPERM ? -EACCES : rc;
		if (pa + in_page - 1 > limit)
			return -ERANGE;
		if (n && segs[n - 1].iova + segs[n - 1].len == pa) {
			segs[n - 1].len += in_page;
		} else {
			if (n == *nsegs)
				return -ENOSPC;
			segs[n++] = (struct bus_seg){pa, in_page};
		}
		p += in_page;
	}
	*nsegs = n;
	return 0;
}

static void uio_unmap(struct bus *b, const struct bus_seg *segs, unsigned nsegs)
{
	/* Nothing to tear down without an IOMMU. */
}

static int uio_bar_map(struct bus *b, unsigned bar, void **va, size_t *len)
{
	struct uio_bus *u = to_uio(b);
	if (bar >= UIO_NBARS || !va || !len)
		return -EINVAL;
	int rc = 0;
	pthread_mutex_lock(&u->lock);
	if (!u->bar[bar].va) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/resource%u", u->bdf, bar);
		int fd = open(path, O_RDWR | O_CLOEXEC);
		struct stat st;
		if (fd < 0) {
			rc = errno == ENOENT ? -ENOENT : -errno;
		} else if (fstat(fd, &st) || st.st_size == 0) {
			rc = -ENOENT;
		} else {
			void *p =
			    mmap(NULL, (size_t)st.st_size,
				 PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				rc = errno == EINVAL ? -ENOTSUP : -errno;
			else {
				u->bar[bar].va = p;
				u->bar[bar].len = (size_t)st.st_size;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	if (!rc) {
		*va = u->bar[bar].va;
		*len = u->bar[bar].len;
	}
	pthread_mutex_unlock(&u->lock);
	return rc;
}

/* Line `bar` of sysfs "resource": "start end flags" (Linux
 * include/linux/ioport.h: IORESOURCE_IO 0x100, IORESOURCE_PREFETCH 0x2000,
 * IORESOURCE_MEM_64 0x100000). */
static int uio_bar_info(struct bus *b, unsigned bar, struct bus_bar *out)
{
	struct uio_bus *u = to_uio(b);
	if (bar >= UIO_NBARS || !out)
		return -EINVAL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
		 u->bdf);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	unsigned long long start = 0, end = 0, flags = 0;
	int rc = -ENOENT;
	for (unsigned i = 0; i <= bar; i++)
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		else if (i == bar && end > start)
			rc = 0;
	fclose(f);
	if (rc)
		return rc;
	bool io = flags & 0x100;
	*out = (struct bus_bar){
	    .addr = start,
	    .size = end - start + 1,
	    .io = io,
	    .is64 = !io && (flags & 0x100000),
	    .prefetch = !io && (flags & 0x2000),
	};
	return 0;
}

/* An I/O BAR through sysfs resourceN: the kernel does one in/out of the
 * access's width for a pread / pwrite of exactly 1, 2 or 4 bytes (no
 * ioperm needed). A memory BAR through its mapping. */
static int uio_bar_access(struct bus *b, unsigned bar, uint64_t off,
			  unsigned width, uint32_t *val, bool write)
{
	struct uio_bus *u = to_uio(b);
	struct bus_bar info;
	if (width != 1 && width != 2 && width != 4)
		return -EINVAL;
	int rc = uio_bar_info(b, bar, &info);
	if (rc)
		return rc;
	if (off > info.size || width > info.size - off)
		return -EINVAL;
	if (!info.io) {
		void *va;
		size_t len;
		rc = uio_bar_map(b, bar, &va, &len);
		if (rc)
			return rc;
		volatile unsigned char *p = (unsigned char *)va + off;
		if (write && width == 4)
			*(volatile uint32_t *)p = *val;
		else if (write && width == 2)
			*(volatile uint16_t *)p = (uint16_t)*val;
		else if (write)
			*p = (uint8_t)*val;
		else
			*val = width == 4   ? *(volatile uint32_t *)p
			       : width == 2 ? *(volatile uint16_t *)p
					    : *p;
		return 0;
	}
	pthread_mutex_lock(&u->lock);
	int fd = u->bar[bar].fd;
	if (fd < 0) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/resource%u", u->bdf, bar);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			rc = -errno;
		else
			u->bar[bar].fd = fd;
	}
	pthread_mutex_unlock(&u->lock);
	if (rc)
		return rc;
	uint32_t x = write ? *val : 0;
	ssize_t n = write ? pwrite(fd, &x, width, (off_t)off)
			  : pread(fd, &x, width, (off_t)off);
	if (n < 0)
		return -errno;
	if ((size_t)n != width)
		return -EIO;
	if (!write)
		*val = x;
	return 0;
}

static int uio_bar_read(struct bus *b, unsigned bar, uint64_t off,
			unsigned width, uint32_t *val)
{
	return uio_bar_access(b, bar, off, width, val, false);
}

static int uio_bar_write(struct bus *b, unsigned bar, uint64_t off,
			 unsigned width, uint32_t val)
{
	return uio_bar_access(b, bar, off, width, &val, true);
}

static int uio_irq_fd(struct bus *b, int *fd)
{
	if (!fd)
		return -EINVAL;
	*fd = to_uio(b)->uio_fd;
	return 0;
}

/* uio_pci_generic masks INTx by setting Interrupt Disable (Command
 * register bit 10, PCI Local Bus 3.0 6.2.2) in its handler. Re-enable by
 * writing 1 to the uio fd where the driver implements irqcontrol, else
 * (uio_pci_generic has none) by clearing that bit in config space. */
static int uio_irq_unmask(struct bus *b)
{
	int32_t one = 1;
	if (write(to_uio(b)->uio_fd, &one, sizeof(one)) == sizeof(one))
		return 0;
	if (errno != ENOSYS)
		return -errno;
	uint16_t cmd;
	int rc = uio_cfg_read(b, PCI_COMMAND, &cmd, 2);
	if (rc)
		return rc;
	if (!(cmd & PCI_COMMAND_INTX_DISABLE))
		return 0;
	cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	return uio_cfg_write(b, PCI_COMMAND, &cmd, 2);
}

static int uio_irq_wait(struct bus *b, int timeout_ms)
{
	struct uio_bus *u = to_uio(b);
	struct pollfd p = {.fd = u->uio_fd, .events = POLLIN};
	int rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	int32_t count;
	if (read(u->uio_fd, &count, sizeof(count)) != sizeof(count))
		return -errno;
	return 1;
}

/* Function reset through sysfs (the kernel picks FLR, PM or bus reset);
 * -ENOTSUP when the device offers none. Bus mastering is turned back on. */
static int uio_reset(struct bus *b)
{
	struct uio_bus *u = to_uio(b);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", u->bdf);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOTSUP : -errno;
	int rc = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	uint16_t cmd;
	if (!rc)
		rc = uio_cfg_read(b, PCI_COMMAND, &cmd, 2);
	if (!rc) {
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		rc = uio_cfg_write(b, PCI_COMMAND, &cmd, 2);
	}
	return rc;
}

const struct bus_ops nd_bus_uio_ops = {
    .name = "uio",
    .open = uio_open,
    .close = uio_close,
    .chunk_alloc = uio_chunk_alloc,
    .chunk_free = uio_chunk_free,
    .map = uio_map,
    .unmap = uio_unmap,
    .bar_map = uio_bar_map,
    .bar_info = uio_bar_info,
    .bar_read = uio_bar_read,
    .bar_write = uio_bar_write,
    .cfg_read = uio_cfg_read,
    .cfg_write = uio_cfg_write,
    .irq_fd = uio_irq_fd,
    .irq_unmask = uio_irq_unmask,
    .irq_wait = uio_irq_wait,
    .reset = uio_reset,
};
