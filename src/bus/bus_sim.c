/* SPDX-License-Identifier: MIT */
/*
 * bus_sim.c - the simulated bus: a busmaster device behind an IOMMU that
 * this library owns. Needs no hardware and no privileges.
 *
 * Device addresses are IOVAs chosen here. A 64-bit device's memory lies
 * above 64 GiB (so an address truncated to 32 bits points at nothing and
 * is recognised), a 32-bit device's between 16 MiB and 4 GiB, a 24-bit
 * device's below 16 MiB. The IOMMU is byte-granular: core opens a window
 * per block it hands out, so the device reaches exactly the blocks the
 * driver was given and faults anywhere else, including the free space of
 * a chunk and blocks already freed.
 *
 * map() gives an arbitrary host range fresh IOVAs (from the same space as
 * the chunks, so never overlapping a shared-memory window): one page-
 * aligned reservation for the pages the range touches, one segment and
 * one window per page, each window exactly the range's bytes in that
 * page. With iommu=no the bus models host memory above 4 GiB that is not
 * remapped: map() refuses (-ERANGE) an adapter that cannot reach 4 GiB.
 *
 * Registers: the device model installs a configuration-space identity and
 * up to six BARs (sim_set_regs). The bus builds a type 0 header (PCI Local
 * Bus 3.0, 6.1) with writable Command, Cache Line Size, Latency Timer,
 * Interrupt Line and BARs (the address bits above the size, so that
 * writing all ones sizes a BAR, 6.2.5.1), gives every BAR an address no
 * other simulated device of the process has (memory in 0xE0000000 ..
 * 0xFEFFFFFF, ports from 0x1000), and turns each register access into a
 * call of the model. Without a model the function reads as absent (all
 * ones).
 */
#include "bus.h"
#include "iova.h"
#include "../util/options.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIM_IOVA_BASE 0x10000ULL /* 64 KiB: address 0 never valid */
#define SIM_IOVA_16M 0x1000000ULL
#define SIM_IOVA_4G 0x100000000ULL
#define SIM_IOVA_HIGH 0x1000000000ULL	/* 64 GiB */
#define SIM_IOVA_END 0x1000000000000ULL /* 2^48 */

#define SIM_LINE 64 /* the modelled cache line */

#define SIM_MEM_BASE 0xE0000000ULL /* bus addresses of memory BARs */
#define SIM_MEM_END 0xFF000000ULL
#define SIM_IO_BASE 0x1000ULL /* ports of I/O BARs */
#define SIM_IO_END 0x10000ULL
#define SIM_INT_LINE 11	 /* what Interrupt Line reads after reset */
#define SIM_CFG_HDR 0x40 /* bytes of the standard header */

struct sim_window {
	uint64_t iova;
	size_t len;
	unsigned char *host; /* what the device reads and writes */
	unsigned perms;
	uint64_t cookie;
	/* non-coherent model, cached memory: the CPU's view and the bytes
	 * as of the last sync (CPU view != snap: dirty in the cache) */
	unsigned char *cpu, *snap;
};

/* Non-coherent model: a chunk's memory as the device sees it (RAM) and
 * the snapshot taken at each sync; the CPU's view is the chunk itself. */
struct sim_chunk {
	uint64_t iova;
	size_t len;
	unsigned char *ram, *snap;
};

struct sim_bus {
	struct bus base;
	struct iova_space iova;
	pthread_rwlock_t lock; /* windows and stale windows */
	struct sim_window *win;
	size_t nwin, capwin;
	/* Closed windows whose addresses no open window has reused since,
	 * sorted and disjoint: a device access there is named stale however
	 * long ago the window closed. Bounded by the address space in use
	 * (the IOVA allocator is first fit, so freed addresses are reused). */
	struct sim_window *stale;
	size_t nstale, capstale;
	struct sim_chunk **chunks; /* non-coherent model only */
	size_t nchunks, capchunks;
	/* registers: regs is set once (has_regs), then read-only */
	pthread_mutex_t cfg_lock; /* cfg */
	uint8_t cfg[SIM_CFG_HDR]; /* the type 0 header */
	uint8_t cfg_wmask[SIM_CFG_HDR];
	uint64_t bar_base[6]; /* assigned addresses (0: none) */
	_Atomic bool has_regs;
	struct bus_sim_regs regs;
	/* the device's level-triggered interrupt line (INTx): masked when it
	 * fires, unmasked by irq_unmask; fires again then if still high */
	pthread_mutex_t irq_lock;
	int irq_efd; /* eventfd: 1 per delivered interrupt */
	bool irq_level, irq_masked;
};

static struct sim_bus *to_sim(struct bus *b)
{
	return (struct sim_bus *)b;
}

struct sim_opts {
	struct bus_info *info;
	char *err;
	size_t errlen;
};

static int sim_option(void *ctx, const char *k, const char *v)
{
	struct sim_opts *o = ctx;
	struct bus_info *in = o->info;
	int rc = nd_bus_common_option(in, k, v);
	if (rc == 1 && !strcmp(k, "coherent"))
		rc = nd_opt_bool(v, &in->coherent);
	else if (rc == 1 && !strcmp(k, "iommu"))
		rc = nd_opt_bool(v, &in->iommu);
	if (rc == 1) {
		snprintf(o->err, o->errlen,
			 "sim: unknown option '%s' (known: dma-bits, coherent, "
			 "iommu, limit, chunk, fill, poison)",
			 k);
		return -EINVAL;
	}
	if (rc == -EINVAL)
		snprintf(o->err, o->errlen,
			 "sim: bad value '%s' for option '%s' (want %s)", v, k,
			 nd_bus_option_syntax(k));
	return rc;
}

static int sim_open(const char *args, struct bus **out, char *err,
		    size_t errlen)
{
	struct sim_bus *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "sim: out of memory");
		return -ENOMEM;
	}
	s->base.info = (struct bus_info){
	    .kind = "sim",
	    .dma_bits = 64,
	    .coherent = true,
	    .iommu = true,
	    .limit = 0,
	    .fill = 0xAA,
	    .poison = 0x55,
	    .chunk_size = 2u << 20,
	};
	struct sim_opts o = {&s->base.info, err, errlen};
	int rc = nd_opt_parse(args, sim_option, &o, err, errlen);
	if (rc) {
		free(s);
		return rc;
	}
	rc = nd_iova_space_init(&s->iova, SIM_IOVA_BASE, SIM_IOVA_END);
	if (rc) {
		free(s);
		snprintf(err, errlen, "sim: out of memory");
		return rc;
	}
	s->irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->irq_efd < 0) {
		rc = -errno;
		nd_iova_space_destroy(&s->iova);
		free(s);
		snprintf(err, errlen, "sim: eventfd: %s", strerror(-rc));
		return rc;
	}
	pthread_mutex_init(&s->irq_lock, NULL);
	/* writers first: window changes must not starve behind device
	 * accesses streaming on other threads */
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(
	    &attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&s->cfg_lock, NULL);
	*out = &s->base;
	return 0;
}

static void addr_release(uint64_t base);

static void sim_close(struct bus *b)
{
	struct sim_bus *s = to_sim(b);
	nd_iova_space_destroy(&s->iova);
	pthread_rwlock_destroy(&s->lock);
	pthread_mutex_destroy(&s->cfg_lock);
	for (int i = 0; i < 6; i++)
		if (s->bar_base[i])
			addr_release(s->bar_base[i]);
	close(s->irq_efd);
	pthread_mutex_destroy(&s->irq_lock);
	free(s->win);
	free(s->stale);
	free(s->chunks);
	free(s);
}

static int sim_reserve(struct sim_bus *s, size_t len, uint64_t align,
		       uint64_t limit, uint64_t *iova);

static int sim_chunk_alloc(struct bus *b, size_t len, uint64_t limit,
			   struct bus_chunk *out)
{
	struct sim_bus *s = to_sim(b);
	uint64_t iova, align = len >= (2u << 20) ? (2u << 20) : 4096;
	int rc;

	if (len == 0 || len % 4096)
		return -EINVAL;
	rc = sim_reserve(s, len, align, limit, &iova);
	if (rc)
		return rc;
	void *host = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED) {
		nd_iova_release(&s->iova, iova, len);
		return -ENOMEM;
	}
	*out = (struct bus_chunk){.host = host, .iova = iova, .len = len};
	if (s->base.info.coherent)
		return 0;
	struct sim_chunk *c = calloc(1, sizeof(*c));
	if (c) {
		c->ram =
		    mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (c->ram == MAP_FAILED) {
			free(c);
			c = NULL;
		}
	}
	pthread_rwlock_wrlock(&s->lock);
	if (c && s->nchunks == s->capchunks) {
		size_t cap = s->capchunks ? 2 * s->capchunks : 8;
		struct sim_chunk **n = realloc(s->chunks, cap * sizeof(*n));
		if (n) {
			s->chunks = n;
			s->capchunks = cap;
		}
	}
	if (c && s->nchunks < s->capchunks) {
		c->iova = iova;
		c->len = len;
		c->snap = c->ram + len;
		s->chunks[s->nchunks++] = c;
		out->priv = c;
	}
	pthread_rwlock_unlock(&s->lock);
	if (!out->priv) {
		if (c)
			munmap(c->ram, 2 * len);
		free(c);
		munmap(host, len);
		nd_iova_release(&s->iova, iova, len);
		return -ENOMEM;
	}
	return 0;
}

/* Reserve len bytes of IOVA under limit, in the region the limit picks
 * (64-bit above 64 GiB, 32-bit above 16 MiB, else low). */
static int sim_reserve(struct sim_bus *s, size_t len, uint64_t align,
		       uint64_t limit, uint64_t *iova)
{
	int rc;
	if (limit >= SIM_IOVA_4G)
		rc = nd_iova_reserve(&s->iova, len, align, SIM_IOVA_HIGH, limit,
				     iova);
	else if (limit >= SIM_IOVA_16M)
		rc = nd_iova_reserve(&s->iova, len, align, SIM_IOVA_16M, limit,
				     iova);
	else
		rc = -ENOMEM;
	if (rc)
		rc = nd_iova_reserve(&s->iova, len, align, SIM_IOVA_BASE, limit,
				     iova);
	return rc ? -ENOMEM : 0;
}

static void sim_chunk_free(struct bus *b, struct bus_chunk *c)
{
	struct sim_bus *s = to_sim(b);
	struct sim_chunk *sc = c->priv;
	if (sc) {
		pthread_rwlock_wrlock(&s->lock);
		for (size_t i = 0; i < s->nchunks; i++)
			if (s->chunks[i] == sc) {
				s->chunks[i] = s->chunks[--s->nchunks];
				break;
			}
		pthread_rwlock_unlock(&s->lock);
		munmap(sc->ram, 2 * sc->len);
		free(sc);
	}
	munmap(c->host, c->len);
	nd_iova_release(&s->iova, c->iova, c->len);
}

/* Index of the first window whose end is above iova. Lock held. */
static size_t win_search(struct sim_bus *s, uint64_t iova)
{
	size_t lo = 0, hi = s->nwin;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->win[mid].iova + s->win[mid].len <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first stale window whose end is above iova. Lock held. */
static size_t stale_search(struct sim_bus *s, uint64_t iova)
{
	size_t lo = 0, hi = s->nstale;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->stale[mid].iova + s->stale[mid].len <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Forget the stale windows overlapping [iova, iova+len): their addresses
 * are in use again. Returns the index where [iova, ...) would go. Lock
 * held (write). */
static size_t stale_forget(struct sim_bus *s, uint64_t iova, size_t len)
{
	size_t i = stale_search(s, iova), j = i;
	while (j < s->nstale && s->stale[j].iova < iova + len)
		j++;
	if (j > i && j < s->nstale) /* (stale may be NULL when empty) */
		memmove(&s->stale[i], &s->stale[j],
			(s->nstale - j) * sizeof(s->stale[0]));
	s->nstale -= j - i;
	return i;
}

/* Remember a closed window. Lock held (write). Without memory for it the
 * window is forgotten: its addresses then fault as unmapped. */
static void stale_add(struct sim_bus *s, const struct sim_window *w)
{
	size_t i = stale_forget(s, w->iova, w->len);
	if (s->nstale == s->capstale) {
		size_t cap = s->capstale ? s->capstale * 2 : 64;
		struct sim_window *n = realloc(s->stale, cap * sizeof(*n));
		if (!n)
			return;
		s->stale = n;
		s->capstale = cap;
	}
	memmove(&s->stale[i + 1], &s->stale[i],
		(s->nstale - i) * sizeof(s->stale[0]));
	s->stale[i] = *w;
	s->nstale++;
}

static int sim_window_open(struct bus *b, uint64_t iova, size_t len, void *host,
			   unsigned perms, uint64_t cookie)
{
	struct sim_bus *s = to_sim(b);
	int rc = 0;
	if (len == 0)
		return -EINVAL;
	pthread_rwlock_wrlock(&s->lock);
	size_t i = win_search(s, iova);
	if (i < s->nwin && s->win[i].iova < iova + len) {
		rc = -EEXIST;
		goto out;
	}
	if (s->nwin == s->capwin) {
		size_t cap = s->capwin ? s->capwin * 2 : 64;
		struct sim_window *n = realloc(s->win, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		s->win = n;
		s->capwin = cap;
	}
	struct sim_window w = {iova, len, host, perms, cookie, NULL, NULL};
	if (!(perms & BUS_PERM_UNCACHED))
		for (size_t k = 0; k < s->nchunks; k++) {
			struct sim_chunk *c = s->chunks[k];
			if (iova >= c->iova && iova + len <= c->iova + c->len) {
				w.cpu = host;
				w.host = c->ram + (iova - c->iova);
				w.snap = c->snap + (iova - c->iova);
			}
		}
	memmove(&s->win[i + 1], &s->win[i], (s->nwin - i) * sizeof(s->win[0]));
	s->win[i] = w;
	s->nwin++;
	stale_forget(s, iova, len);
out:
	pthread_rwlock_unlock(&s->lock);
	return rc;
}

static void sim_window_close(struct bus *b, uint64_t iova, size_t len)
{
	struct sim_bus *s = to_sim(b);
	pthread_rwlock_wrlock(&s->lock);
	size_t i = win_search(s, iova);
	if (i < s->nwin && s->win[i].iova == iova && s->win[i].len == len) {
		stale_add(s, &s->win[i]);
		memmove(&s->win[i], &s->win[i + 1],
			(s->nwin - i - 1) * sizeof(s->win[0]));
		s->nwin--;
	}
	pthread_rwlock_unlock(&s->lock);
}

/* Classify a fault at iova. Lock held. */
static void classify(struct sim_bus *s, uint64_t iova, unsigned want,
		     struct bus_fault *f)
{
	f->iova = iova;
	f->hint = 0;
	f->cookie = 0;
	size_t i = win_search(s, iova);
	if (i < s->nwin && s->win[i].iova <= iova) {
		f->kind = BUS_FAULT_PERM;
		f->cookie = s->win[i].cookie;
		(void)want;
		return;
	}
	if (iova < SIM_IOVA_4G) {
		/* the truncation bug: some window's address with its high
		 * 32 bits dropped */
		for (size_t j = 0; j < s->nwin; j++) {
			const struct sim_window *w = &s->win[j];
			uint64_t full = (w->iova & ~0xFFFFFFFFULL) | iova;
			if (w->iova >= SIM_IOVA_4G && full >= w->iova &&
			    full < w->iova + w->len) {
				f->kind = BUS_FAULT_TRUNCATED;
				f->hint = full;
				f->cookie = w->cookie;
				return;
			}
		}
	}
	size_t j = stale_search(s, iova);
	if (j < s->nstale && s->stale[j].iova <= iova) {
		f->kind = BUS_FAULT_STALE;
		f->hint = s->stale[j].iova;
		f->cookie = s->stale[j].cookie;
		return;
	}
	f->kind = BUS_FAULT_UNMAPPED;
}

/* Non-coherent model: note when the device reads bytes still dirty in the
 * CPU's cache (never flushed), or writes into a cache line that holds
 * dirty bytes (tearing: the line's write-back will undo part of it). */
static void coherence_note(const struct sim_window *w, size_t off, size_t n,
			   bool device_writes, struct bus_fault *f)
{
	size_t lo = off, hi = off + n;
	if (device_writes) { /* the whole lines the write touches */
		uint64_t a = (w->iova + off) & ~(uint64_t)(SIM_LINE - 1);
		uint64_t b = (w->iova + off + n + SIM_LINE - 1) &
			     ~(uint64_t)(SIM_LINE - 1);
		lo = a < w->iova ? 0 : (size_t)(a - w->iova);
		hi = b - w->iova > w->len ? w->len : (size_t)(b - w->iova);
	}
	for (size_t k = lo; k < hi; k++)
		if (w->cpu[k] != w->snap[k]) {
			if (!f->notes)
				f->note_iova = w->iova + k;
			f->notes |=
			    device_writes ? BUS_NOTE_TEAR : BUS_NOTE_UNFLUSHED;
			return;
		}
}

static void sim_sync(struct bus *b, uint64_t iova, size_t len, int dir)
{
	struct sim_bus *s = to_sim(b);
	uint64_t a = iova & ~(uint64_t)(SIM_LINE - 1);
	uint64_t e = (iova + len + SIM_LINE - 1) & ~(uint64_t)(SIM_LINE - 1);
	pthread_rwlock_wrlock(&s->lock);
	for (size_t i = win_search(s, a); i < s->nwin && s->win[i].iova < e;
	     i++) {
		struct sim_window *w = &s->win[i];
		if (!w->cpu)
			continue;
		size_t lo = a > w->iova ? (size_t)(a - w->iova) : 0;
		size_t hi =
		    e - w->iova > w->len ? w->len : (size_t)(e - w->iova);
		if (dir == BUS_SYNC_FOR_DEVICE) {
			memcpy(w->host + lo, w->cpu + lo, hi - lo);
			memcpy(w->snap + lo, w->cpu + lo, hi - lo);
		} else {
			memcpy(w->cpu + lo, w->host + lo, hi - lo);
			memcpy(w->snap + lo, w->host + lo, hi - lo);
		}
	}
	pthread_rwlock_unlock(&s->lock);
}

/* Walk [iova, iova+len) window by window; copy when all of it is mapped
 * with `perm`. Nothing is copied if any byte faults. */
static int sim_access(struct sim_bus *s, uint64_t iova, unsigned char *buf,
		      size_t len, unsigned perm, bool to_host,
		      struct bus_fault *fault)
{
	struct bus_fault dummy;
	if (!fault)
		fault = &dummy;
	fault->kind = BUS_FAULT_NONE;
	fault->notes = 0;
	if (len == 0)
		return 0;
	if (iova + len < iova) {
		fault->kind = BUS_FAULT_UNMAPPED;
		fault->iova = iova;
		return -EFAULT;
	}
	pthread_rwlock_rdlock(&s->lock);
	/* first pass: check */
	uint64_t a = iova, end = iova + len;
	size_t i = win_search(s, a);
	while (a < end) {
		if (i >= s->nwin || s->win[i].iova > a ||
		    !(s->win[i].perms & perm)) {
			classify(s, a, perm, fault);
			pthread_rwlock_unlock(&s->lock);
			return -EFAULT;
		}
		a = s->win[i].iova + s->win[i].len;
		i++;
	}
	/* second pass: copy */
	a = iova;
	i = win_search(s, a);
	while (a < end) {
		const struct sim_window *w = &s->win[i];
		size_t off = (size_t)(a - w->iova);
		size_t n = w->len - off;
		if (n > end - a)
			n = (size_t)(end - a);
		if (w->cpu)
			coherence_note(w, off, n, to_host, fault);
		/* memmove: the device may copy within its own memory */
		if (to_host)
			memmove(w->host + off, buf, n);
		else
			memmove(buf, w->host + off, n);
		buf += n;
		a += n;
		i++;
	}
	pthread_rwlock_unlock(&s->lock);
	return 0;
}

static int sim_dev_read(struct bus *b, uint64_t iova, void *buf, size_t len,
			struct bus_fault *f)
{
	return sim_access(to_sim(b), iova, buf, len, BUS_PERM_READ, false, f);
}

static int sim_dev_write(struct bus *b, uint64_t iova, const void *buf,
			 size_t len, struct bus_fault *f)
{
	return sim_access(to_sim(b), iova, (unsigned char *)buf, len,
			  BUS_PERM_WRITE, true, f);
}

#define SIM_PAGE 4096u

static int sim_map(struct bus *b, void *host, size_t len, uint64_t limit,
		   unsigned perms, struct bus_seg *segs, unsigned *nsegs)
{
	struct sim_bus *s = to_sim(b);
	if (len == 0 || !host || !nsegs)
		return -EINVAL;
	/* without an IOMMU the device sees host "physical" addresses, which
	 * lie above 4 GiB */
	if (!s->base.info.iommu && limit < SIM_IOVA_4G)
		return -ERANGE;
	size_t off = (uintptr_t)host & (SIM_PAGE - 1);
	size_t span = (off + len + SIM_PAGE - 1) / SIM_PAGE;
	if (span > *nsegs) {
		*nsegs = (unsigned)span;
		return -ENOSPC;
	}
	uint64_t base;
	int rc = sim_reserve(s, span * SIM_PAGE, SIM_PAGE, limit, &base);
	if (rc)
		return rc;
	unsigned char *h = host;
	size_t left = len;
	for (size_t i = 0; i < span; i++) {
		size_t in_page = i == 0 ? off : 0;
		size_t n = SIM_PAGE - in_page;
		if (n > left)
			n = left;
		segs[i].iova = base + i * SIM_PAGE + in_page;
		segs[i].len = n;
		rc = sim_window_open(b, segs[i].iova, n, h, perms, base);
		if (rc) {
			for (size_t j = 0; j < i; j++)
				sim_window_close(b, segs[j].iova, segs[j].len);
			nd_iova_release(&s->iova, base, span * SIM_PAGE);
			return rc;
		}
		h += n;
		left -= n;
	}
	*nsegs = (unsigned)span;
	return 0;
}

static void sim_unmap(struct bus *b, const struct bus_seg *segs, unsigned nsegs)
{
	struct sim_bus *s = to_sim(b);
	if (!nsegs)
		return;
	for (unsigned i = 0; i < nsegs; i++)
		sim_window_close(b, segs[i].iova, segs[i].len);
	uint64_t base = segs[0].iova & ~(uint64_t)(SIM_PAGE - 1);
	uint64_t end =
	    (segs[nsegs - 1].iova + segs[nsegs - 1].len + SIM_PAGE - 1) &
	    ~(uint64_t)(SIM_PAGE - 1);
	nd_iova_release(&s->iova, base, end - base);
}

/* ---------------- registers and configuration space ---------------- */

/* Bus addresses handed to BARs of all simulated devices of the process. */
struct sim_range {
	uint64_t base, size;
};
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_range *addr_used;
static size_t addr_n, addr_cap;

/* First fit of `size` (a power of two, also the alignment) in [lo, hi). */
static int addr_take(uint64_t size, uint64_t lo, uint64_t hi, uint64_t *out)
{
	int rc = -ENOSPC;
	pthread_mutex_lock(&addr_lock);
	if (addr_n == addr_cap) {
		size_t cap = addr_cap ? 2 * addr_cap : 16;
		struct sim_range *n = realloc(addr_used, cap * sizeof(*n));
		if (!n) {
			rc = -ENOMEM;
			goto out;
		}
		addr_used = n;
		addr_cap = cap;
	}
	for (uint64_t a = lo; a + size <= hi;) {
		bool clash = false;
		for (size_t i = 0; i < addr_n; i++) {
			const struct sim_range *r = &addr_used[i];
			if (a < r->base + r->size && r->base < a + size) {
				a = (r->base + r->size + size - 1) &
				    ~(size - 1);
				clash = true;
				break;
			}
		}
		if (!clash) {
			addr_used[addr_n++] = (struct sim_range){a, size};
			*out = a;
			rc = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&addr_lock);
	return rc;
}

static void addr_release(uint64_t base)
{
	pthread_mutex_lock(&addr_lock);
	for (size_t i = 0; i < addr_n; i++)
		if (addr_used[i].base == base) {
			addr_used[i] = addr_used[--addr_n];
			break;
		}
	if (!addr_n) {
		free(addr_used);
		addr_used = NULL;
		addr_cap = 0;
	}
	pthread_mutex_unlock(&addr_lock);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static int sim_set_regs(struct bus *b, const struct bus_sim_regs *r)
{
	struct sim_bus *s = to_sim(b);
	if (!r->read || !r->write || r->int_pin > 4)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		uint32_t sz = r->bar[i].size;
		if (sz && (!pow2(sz) ||
			   (r->bar[i].io ? sz < 4 || sz > 256 : sz < 16)))
			return -EINVAL;
	}
	pthread_mutex_lock(&s->cfg_lock);
	if (atomic_load(&s->has_regs)) {
		pthread_mutex_unlock(&s->cfg_lock);
		return -EBUSY;
	}
	uint64_t base[6] = {0};
	int rc = 0;
	for (int i = 0; i < 6 && !rc; i++) {
		uint32_t sz = r->bar[i].size;
		if (!sz)
			continue;
		rc = r->bar[i].io
			 ? addr_take(sz, SIM_IO_BASE, SIM_IO_END, &base[i])
			 : addr_take(sz < 4096 ? 4096 : sz, SIM_MEM_BASE,
				     SIM_MEM_END, &base[i]);
	}
	if (rc) {
		for (int i = 0; i < 6; i++)
			if (base[i])
				addr_release(base[i]);
		pthread_mutex_unlock(&s->cfg_lock);
		return rc;
	}
	uint8_t *c = s->cfg, *w = s->cfg_wmask;
	memset(c, 0, SIM_CFG_HDR);
	memset(w, 0, SIM_CFG_HDR);
	put16(c + 0x00, r->vendor);
	put16(c + 0x02, r->device);
	put16(w + 0x04, 0x0547); /* I/O, memory, master, parity, SERR, INTx
				    disable */
	c[0x08] = r->revision;
	uint32_t cls = r->class_code ? r->class_code : 0x020000;
	c[0x09] = (uint8_t)cls;
	c[0x0a] = (uint8_t)(cls >> 8);
	c[0x0b] = (uint8_t)(cls >> 16);
	w[0x0c] = w[0x0d] = 0xFF; /* cache line size, latency timer */
	for (int i = 0; i < 6; i++) {
		s->bar_base[i] = base[i];
		if (!base[i])
			continue;
		uint32_t sz = r->bar[i].size;
		put32(c + 0x10 + 4 * i,
		      (uint32_t)base[i] | (r->bar[i].io ? 1 : 0));
		put32(w + 0x10 + 4 * i,
		      ~(sz - 1) & (r->bar[i].io ? ~3u : ~15u));
	}
	put16(c + 0x2c, r->subvendor);
	put16(c + 0x2e, r->subdevice);
	if (r->int_pin) {
		c[0x3c] = SIM_INT_LINE;
		w[0x3c] = 0xFF;
		c[0x3d] = r->int_pin;
	}
	s->regs = *r;
	atomic_store(&s->has_regs, true);
	pthread_mutex_unlock(&s->cfg_lock);
	return 0;
}

/* A model callback for config bytes at 0x40 and up: one call when the
 * access is 1, 2 or 4 naturally aligned bytes, else one per byte. */
static void cfg_model(struct sim_bus *s, unsigned off, uint8_t *buf, size_t len,
		      bool write)
{
	const struct bus_sim_regs *r = &s->regs;
	if (len == 1 || ((len == 2 || len == 4) && off % len == 0)) {
		if (write && r->cfg_write) {
			uint32_t v = 0;
			for (size_t i = 0; i < len; i++)
				v |= (uint32_t)buf[i] << (8 * i);
			r->cfg_write(r->ctx, off, (unsigned)len, v);
		} else if (!write) {
			uint32_t v = r->cfg_read ? r->cfg_read(r->ctx, off,
							       (unsigned)len)
						 : 0;
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)(v >> (8 * i));
		}
		return;
	}
	for (size_t i = 0; i < len; i++)
		cfg_model(s, off + (unsigned)i, buf + i, 1, write);
}

static int sim_cfg_access(struct bus *b, unsigned off, uint8_t *buf, size_t len,
			  bool write)
{
	struct sim_bus *s = to_sim(b);
	if (off > 256 || len > 256 - off)
		return -EIO;
	if (!atomic_load(&s->has_regs)) {
		if (!write)
			memset(buf, 0xFF, len); /* no function answers */
		return 0;
	}
	size_t hdr = off < SIM_CFG_HDR ? SIM_CFG_HDR - off : 0;
	if (hdr > len)
		hdr = len;
	pthread_mutex_lock(&s->cfg_lock);
	for (size_t i = 0; i < hdr; i++) {
		size_t k = off + i;
		if (write)
			s->cfg[k] = (uint8_t)((s->cfg[k] & ~s->cfg_wmask[k]) |
					      (buf[i] & s->cfg_wmask[k]));
		else
			buf[i] = s->cfg[k];
	}
	pthread_mutex_unlock(&s->cfg_lock);
	if (len > hdr)
		cfg_model(s, off + (unsigned)hdr, buf + hdr, len - hdr, write);
	return 0;
}

static int sim_cfg_read(struct bus *b, unsigned off, void *buf, size_t len)
{
	return sim_cfg_access(b, off, buf, len, false);
}

static int sim_cfg_write(struct bus *b, unsigned off, const void *buf,
			 size_t len)
{
	return sim_cfg_access(b, off, (uint8_t *)buf, len, true);
}

static int sim_bar_info(struct bus *b, unsigned bar, struct bus_bar *out)
{
	struct sim_bus *s = to_sim(b);
	if (bar > 5)
		return -EINVAL;
	if (!atomic_load(&s->has_regs) || !s->regs.bar[bar].size)
		return -ENOENT;
	uint8_t raw[4];
	pthread_mutex_lock(&s->cfg_lock);
	memcpy(raw, s->cfg + 0x10 + 4 * bar, 4);
	pthread_mutex_unlock(&s->cfg_lock);
	uint32_t v = raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 |
		     (uint32_t)raw[3] << 24;
	bool io = s->regs.bar[bar].io;
	*out = (struct bus_bar){
	    .addr = v & (io ? ~3u : ~15u),
	    .size = s->regs.bar[bar].size,
	    .io = io,
	};
	return 0;
}

static int sim_bar_check(struct sim_bus *s, unsigned bar, uint64_t off,
			 unsigned width)
{
	if (width != 1 && width != 2 && width != 4)
		return -EINVAL;
	if (bar > 5 || !atomic_load(&s->has_regs) || !s->regs.bar[bar].size)
		return -ENOENT;
	if (off > s->regs.bar[bar].size || width > s->regs.bar[bar].size - off)
		return -EINVAL;
	return 0;
}

static int sim_bar_read(struct bus *b, unsigned bar, uint64_t off,
			unsigned width, uint32_t *val)
{
	struct sim_bus *s = to_sim(b);
	int rc = sim_bar_check(s, bar, off, width);
	if (rc)
		return rc;
	uint32_t v = s->regs.read(s->regs.ctx, bar, off, width);
	*val = width == 4 ? v : v & ((1u << (8 * width)) - 1);
	return 0;
}

static int sim_bar_write(struct bus *b, unsigned bar, uint64_t off,
			 unsigned width, uint32_t val)
{
	struct sim_bus *s = to_sim(b);
	int rc = sim_bar_check(s, bar, off, width);
	if (rc)
		return rc;
	if (width < 4)
		val &= (1u << (8 * width)) - 1;
	s->regs.write(s->regs.ctx, bar, off, width, val);
	return 0;
}

/* ---- the interrupt line ---- */

/* irq_lock held: deliver one interrupt and mask the line, as a PCI
 * host bridge does for INTx under VFIO / uio_pci_generic. */
static void irq_fire(struct sim_bus *s)
{
	uint64_t one = 1;
	s->irq_masked = true;
	if (write(s->irq_efd, &one, sizeof(one)) != sizeof(one)) {
		/* the counter cannot overflow at one per unmask */
	}
}

static int sim_irq_line(struct bus *b, int level)
{
	struct sim_bus *s = to_sim(b);
	if (level != 0 && level != 1)
		return -EINVAL;
	pthread_mutex_lock(&s->irq_lock);
	bool rise = level && !s->irq_level;
	s->irq_level = level;
	if (rise && !s->irq_masked)
		irq_fire(s);
	pthread_mutex_unlock(&s->irq_lock);
	return 0;
}

static int sim_irq_fd(struct bus *b, int *fd)
{
	if (!fd)
		return -EINVAL;
	*fd = to_sim(b)->irq_efd;
	return 0;
}

static int sim_irq_unmask(struct bus *b)
{
	struct sim_bus *s = to_sim(b);
	pthread_mutex_lock(&s->irq_lock);
	s->irq_masked = false;
	if (s->irq_level)
		irq_fire(s); /* level-triggered: still asserted */
	pthread_mutex_unlock(&s->irq_lock);
	return 0;
}

static int sim_irq_wait(struct bus *b, int timeout_ms)
{
	struct sim_bus *s = to_sim(b);
	struct pollfd p = {.fd = s->irq_efd, .events = POLLIN};
	int rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	uint64_t cnt;
	if (read(s->irq_efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return errno == EAGAIN ? 0 : -errno;
	return 1;
}

const struct bus_ops nd_bus_sim_ops = {
    .name = "sim",
    .open = sim_open,
    .close = sim_close,
    .chunk_alloc = sim_chunk_alloc,
    .chunk_free = sim_chunk_free,
    .window_open = sim_window_open,
    .window_close = sim_window_close,
    .sync = sim_sync,
    .map = sim_map,
    .unmap = sim_unmap,
    .dev_read = sim_dev_read,
    .dev_write = sim_dev_write,
    .cfg_read = sim_cfg_read,
    .cfg_write = sim_cfg_write,
    .bar_info = sim_bar_info,
    .bar_read = sim_bar_read,
    .bar_write = sim_bar_write,
    .sim_set_regs = sim_set_regs,
    .irq_fd = sim_irq_fd,
    .irq_unmask = sim_irq_unmask,
    .irq_wait = sim_irq_wait,
    .irq_line = sim_irq_line,
};
