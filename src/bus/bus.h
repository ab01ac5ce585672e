/* SPDX-License-Identifier: MIT */
/*
 * bus.h - the bus ops table: everything that differs between the simulated
 * bus, VFIO and UIO, and nothing else.
 *
 * A bus gives core three things: DMA chunks (pinned host memory with a
 * contiguous device-address range under an address limit), temporary
 * mappings of arbitrary host ranges (map registers, scatter-gather), and
 * device access for the driver (registers, config space, interrupts).
 * The simulated bus also gives the device side: DMA reads and writes at a
 * device address, translated through its IOMMU.
 *
 * Layer rule: nothing in src/bus includes anything from src/core or
 * src/ndis. Errors are negative errnos; no function here exits or prints,
 * except that open() may write a human-readable reason into errbuf.
 */
#ifndef NDISDMA_BUS_H
#define NDISDMA_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;

/* A chunk of DMA memory: host VA `host`, device address `iova`, `len`
 * bytes, contiguous in both. `priv` belongs to the bus. */
struct bus_chunk {
	void *host;
	uint64_t iova;
	size_t len;
	void *priv;
};

/* One device-address segment of a mapping. */
struct bus_seg {
	uint64_t iova;
	size_t len;
};

/* Device permissions of a window / mapping. */
enum {
	BUS_PERM_READ = 1,  /* the device may read (host -> device) */
	BUS_PERM_WRITE = 2, /* the device may write (device -> host) */
	BUS_PERM_RW = 3,
	BUS_PERM_UNCACHED = 4, /* non-coherent bus: CPU and device share the
				  bytes (non-cached memory) */
};

/* Coherence notes a simulated non-coherent device access may return with
 * success (bus_fault.notes). */
enum {
	BUS_NOTE_UNFLUSHED = 1, /* read bytes the CPU wrote and did not flush */
	BUS_NOTE_TEAR = 2,	/* wrote into a cache line holding unflushed
				   CPU bytes */
};

/* sync directions */
enum {
	BUS_SYNC_FOR_DEVICE =
	    1,		      /* write back: the device sees the CPU's bytes */
	BUS_SYNC_FOR_CPU = 2, /* invalidate: the CPU sees the device's bytes */
};

/* Why a simulated device access failed (dev_read / dev_write). */
enum bus_fault_kind {
	BUS_FAULT_NONE = 0,
	BUS_FAULT_UNMAPPED,  /* no window covers the address */
	BUS_FAULT_TRUNCATED, /* unmapped, but a window exists at this
				address with high 32 bits added back */
	BUS_FAULT_STALE,     /* the address was in a window since closed */
	BUS_FAULT_PERM,	     /* a window covers it, without that permission */
};

struct bus_fault {
	enum bus_fault_kind kind;
	uint64_t iova;	    /* first faulting device address */
	uint64_t hint;	    /* TRUNCATED: the full address; STALE: old base */
	uint64_t cookie;    /* cookie of the window involved, if any */
	unsigned notes;	    /* BUS_NOTE_* on a successful access */
	uint64_t note_iova; /* first address a note is about */
};

/* Static facts about an opened bus, filled by open(). */
struct bus_info {
	const char *kind;  /* "sim", "vfio", "uio" */
	unsigned dma_bits; /* widest device address the device drives */
	bool coherent;	   /* CPU caches coherent with device DMA */
	bool iommu;	   /* device addresses are translated */
	uint64_t limit;	   /* shared-memory bytes allowed, 0 = default */
	int fill;	   /* byte for fresh blocks, -1 = leave as is */
	int poison;	   /* byte for freed blocks, -1 = leave as is */
	size_t chunk_size; /* preferred chunk size, at most
			      ND_BUS_CHUNK_MAX */
};

/* The largest chunk= a URI may ask for (a chunk is tracked whole). */
#define ND_BUS_CHUNK_MAX (1ull << 30)
/* A BAR of the device, as configuration space describes it. */
struct bus_bar {
	uint64_t addr; /* bus address (memory) or first port (I/O) */
	uint64_t size; /* bytes or ports */
	bool io;       /* an I/O-port BAR */
	bool is64;     /* a 64-bit memory BAR (takes two BAR slots) */
	bool prefetch;
};

/* The simulated device's identity and registers (bus_sim only): what the
 * device model installs. The callbacks are the model's; the bus calls them
 * for every register access and for config bytes 0x40..0xFF. */
struct bus_sim_regs {
	uint16_t vendor, device, subvendor, subdevice;
	uint8_t revision, int_pin;
	uint32_t class_code;
	struct {
		uint32_t size;
		bool io;
	} bar[6];
	void *ctx;
	uint32_t (*read)(void *ctx, unsigned bar, uint64_t off, unsigned width);
	void (*write)(void *ctx, unsigned bar, uint64_t off, unsigned width,
		      uint32_t val);
	uint32_t (*cfg_read)(void *ctx, unsigned off, unsigned width);
	void (*cfg_write)(void *ctx, unsigned off, unsigned width,
			  uint32_t val);
};

struct bus_ops {
	const char *name;

	/* Open the device named by `args` (the URI after "name:"; "" when
	 * absent). Returns 0 and *out, or a negative errno with a sentence
	 * for the user in errbuf (what is missing and what to do). */
	int (*open)(const char *args, struct bus **out, char *errbuf,
		    size_t errlen);
	void (*close)(struct bus *);

	/* Allocate `len` bytes (a multiple of the page size) of pinned,
	 * device-reachable memory whose device range lies wholly below
	 * `dma_limit` (inclusive max address). -ENOMEM when out of memory
	 * or address space under the limit. */
	int (*chunk_alloc)(struct bus *, size_t len, uint64_t dma_limit,
			   struct bus_chunk *out);
	void (*chunk_free)(struct bus *, struct bus_chunk *);

	/* Optional (NULL when the bus maps whole chunks): open / close the
	 * device's view of one block inside a chunk, so that an IOMMU model
	 * can tell a block from the free space around it. `cookie` is
	 * returned in faults. */
	int (*window_open)(struct bus *, uint64_t iova, size_t len, void *host,
			   unsigned perms, uint64_t cookie);
	void (*window_close)(struct bus *, uint64_t iova, size_t len);

	/* Optional: map an arbitrary host range for the device. Fills up to
	 * *nsegs segments and sets *nsegs. -ERANGE when the bus cannot give
	 * an address under dma_limit (core then bounces), -ENOSPC when more
	 * segments are needed than given. */
	int (*map)(struct bus *, void *host, size_t len, uint64_t dma_limit,
		   unsigned perms, struct bus_seg *segs, unsigned *nsegs);
	void (*unmap)(struct bus *, const struct bus_seg *segs, unsigned nsegs);

	/* Optional: register access for the driver. bar_map maps a memory
	 * BAR into the process (-ENOTSUP for an I/O BAR or where the bus
	 * cannot, -ENOENT for no such BAR). */
	int (*bar_map)(struct bus *, unsigned bar, void **va, size_t *len);
	/* Optional: describe BAR `bar` (0..5) from configuration space.
	 * -ENOENT when the BAR is not implemented (or is the upper half of
	 * a 64-bit BAR), -EINVAL for bar > 5, or the config read's errno. */
	int (*bar_info)(struct bus *, unsigned bar, struct bus_bar *out);
	/* Optional: one access of `width` (1, 2 or 4) bytes at `off` of BAR
	 * `bar` without a mapping: I/O BARs on vfio and uio, every BAR on
	 * sim (the device model's callbacks). -EINVAL (bad width, offset
	 * outside the BAR), -ENOENT (no such BAR), -ENOTSUP, or the errno of
	 * the access. */
	int (*bar_read)(struct bus *, unsigned bar, uint64_t off,
			unsigned width, uint32_t *val);
	int (*bar_write)(struct bus *, unsigned bar, uint64_t off,
			 unsigned width, uint32_t val);
	/* Optional (sim only): install the device model's registers. -EBUSY
	 * when installed already, -EINVAL for a bad BAR size, -ENOSPC when no
	 * bus addresses are left. */
	int (*sim_set_regs)(struct bus *, const struct bus_sim_regs *regs);
	int (*cfg_read)(struct bus *, unsigned off, void *buf, size_t len);
	int (*cfg_write)(struct bus *, unsigned off, const void *buf,
			 size_t len);
	/* Optional: an eventfd that becomes readable on interrupt; and the
	 * call that re-arms a level-triggered interrupt after handling. */
	int (*irq_fd)(struct bus *, int *fd);
	int (*irq_unmask)(struct bus *);
	/* Optional: wait up to timeout_ms (-1: no limit) for an interrupt
	 * and consume its notification (the read of irq_fd, whose size
	 * differs between an eventfd and a UIO fd). Returns 1 (an
	 * interrupt came), 0 (timeout) or a negative errno. Does not
	 * unmask. */
	int (*irq_wait)(struct bus *, int timeout_ms);
	int (*reset)(struct bus *);

	/* Optional (non-coherent buses): make [iova, iova+len) of windows
	 * opened without BUS_PERM_UNCACHED consistent in one direction
	 * (BUS_SYNC_*), a whole cache line at a time, as a cache flush or
	 * invalidate does. Cannot fail. */
	void (*sync)(struct bus *, uint64_t iova, size_t len, int dir);

	/* Optional (simulated device only): DMA as the device does it. */
	int (*dev_read)(struct bus *, uint64_t iova, void *buf, size_t len,
			struct bus_fault *fault);
	int (*dev_write)(struct bus *, uint64_t iova, const void *buf,
			 size_t len, struct bus_fault *fault);
	/* Optional (simulated device only): the device model drives its
	 * level-triggered interrupt line (1 asserted, 0 deasserted). A rising
	 * edge on an unmasked line delivers an interrupt (irq_fd readable)
	 * and masks the line; irq_unmask delivers again while the line is
	 * still asserted. Returns 0 or -EINVAL (level not 0 or 1). */
	int (*irq_line)(struct bus *, int level);
};

/* Every bus begins with this. */
struct bus {
	const struct bus_ops *ops;
	struct bus_info info;
};

/* Open the bus a URI names ("sim", "sim:dma-bits=32", "vfio:0000:00:02.0",
 * "uio:0000:00:02.0"). Returns 0 or -EINVAL (unknown bus or option),
 * -ENODEV, -EACCES, ... with a sentence in errbuf. */
int nd_bus_open(const char *uri, struct bus **out, char *errbuf, size_t errlen);
void nd_bus_close(struct bus *);

/* The buses compiled in (NULL-terminated). */
extern const struct bus_ops *const nd_bus_table[];

/* The options every bus takes: dma-bits=24..64, limit=SIZE (> 0),
 * chunk=SIZE (a power of two >= 4096), fill=BYTE|none, poison=BYTE|none
 * (sizes as nd_opt_size, src/util/options.h). Returns 0 (set in *in), 1
 * (not a common option: the bus's own), or -EINVAL (a bad value). */
int nd_bus_common_option(struct bus_info *in, const char *key, const char *val);
/* What a valid value of option `key` looks like, for error messages.
 * Cannot fail. */
const char *nd_bus_option_syntax(const char *key);

#endif
