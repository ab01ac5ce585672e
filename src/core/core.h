/* SPDX-License-Identifier: MIT */
/*
 * core.h - driver and adapter objects, the calling thread's context (IRQL,
 * which adapter callback it is in), the verifier's reporting path, and the
 * object tracking halt relies on. src/ndis calls this; it calls src/bus.
 */
#ifndef NDISDMA_CORE_H
#define NDISDMA_CORE_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../bus/bus.h"
#include "arena.h"
#include "ptrmap.h"

/* ---------------- verifier rules and reports ---------------- */

enum nd_rule {
#define RULE(e, id, what) ND_RULE_##e,
#include "rules.def"
#undef RULE
	ND_RULE_COUNT
};

struct nd_adapter;

/* Report a rule violation: count it and print one line naming the rule
 * id, the adapter, the address and length involved, the caller `site`
 * (a code address, may be NULL) and a short explanation. Cannot fail. */
void nd_report(enum nd_rule rule, struct nd_adapter *ad, uint64_t addr,
	       uint64_t len, const void *site, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* One line on the report stream (ndisdma_verifier_set_output), not a
 * rule report: the error log of NdisWriteErrorLogEntry. Cannot fail. */
void nd_log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read NDISDMA_VERIFY / NDISDMA_FAULT once. Cannot fail. */
void nd_verifier_init(void);

/* Fault injection: true when this allocation of `kind` must fail (it is
 * counted either way). `kind` is an enum ndisdma_fault_kind. */
bool nd_fault_inject(int kind);

/* Format a code address as "symbol+0xoff" (or the raw address). */
void nd_site_name(const void *site, char *buf, size_t len);

/* The return address of the NDIS entry point = the driver's call site. */
#define ND_SITE() __builtin_extract_return_addr(__builtin_return_address(0))

/* ---------------- thread context ---------------- */

struct nd_driver;
struct nd_pcache;

/* Per-thread cache slots of the descriptor pool engine (pool.h): pools a
 * thread can hold a lock-free cache of at once. */
#define ND_TL_SLOTS 32u

struct nd_thread {
	KIRQL irql;
	struct nd_driver *driver;   /* in DriverEntry / unload / callbacks */
	struct nd_adapter *adapter; /* in an adapter callback */
	int callback;               /* ND_CB_* while in a callback */
};

/* Everything thread-local the fast paths need, in one block: the context
 * above (saved and restored around callbacks) and the thread's descriptor
 * pool caches (pool.h), so a call computes one TLS address. */
struct nd_tls {
	struct nd_thread self;
	struct nd_pcache *pcache[ND_TL_SLOTS];
};

enum { ND_CB_NONE, ND_CB_ENTRY, ND_CB_INIT, ND_CB_HALT, ND_CB_ASYNC,
       ND_CB_UNLOAD,
       /* runtime threads (host.h) */
       ND_CB_DPC, ND_CB_WORK, ND_CB_TIMER, ND_CB_ISR,
       /* a handler the host calls (send, OID, return, reset: datapath.h) */
       ND_CB_HANDLER };

/* The calling thread's context: one thread-local block in the static TLS
 * area (initial-exec: one %fs-relative access, no __tls_get_addr call in
 * the shared library). The inline fast paths of the public headers reach
 * the same block as ndisdma_tls_ (<ndisdma/pool_abi.h>, an alias). */
extern _Thread_local struct nd_tls nd_tl
	__attribute__((visibility("hidden"), tls_model("initial-exec")));
static inline struct nd_thread *nd_self(void)
{
	return &nd_tl.self;
}

/* Check the caller's IRQL against a function's documented maximum;
 * reports irql.too-high and returns false when above. */
bool nd_irql_at_most(KIRQL max, const char *fn, struct nd_adapter *ad,
		     const void *site);

/* Enter/leave a driver callback: sets context and IRQL, restores both. */
struct nd_cb_save {
	struct nd_thread saved;
};
void nd_cb_enter(struct nd_cb_save *, struct nd_driver *, struct nd_adapter *,
		 int callback, KIRQL irql);
void nd_cb_leave(struct nd_cb_save *);

/* ---------------- tracked objects ---------------- */

/* An object an adapter or driver owns that halt/unload must reclaim if the
 * driver forgot it (DMA registrations, pools, ...). `reclaim` releases it
 * (the report is made by core before). */
struct nd_res;
struct nd_res_ops {
	const char *name;
	void (*reclaim)(struct nd_res *);
};
struct nd_res {
	struct nd_res *prev, *next;
	const struct nd_res_ops *ops;
	const void *site;
	void *owner; /* struct nd_adapter * or struct nd_driver * */
};

/* Track / untrack an object on an adapter. Cannot fail. */
void nd_adapter_track(struct nd_adapter *, struct nd_res *,
		      const struct nd_res_ops *, const void *site);
void nd_adapter_untrack(struct nd_adapter *, struct nd_res *);

/* ---------------- drivers ---------------- */

#define ND_DRIVER_MAGIC 0x4e444452u /* NDDR */
#define ND_ADAPTER_MAGIC 0x4e444144u /* NDAD */

struct _DRIVER_OBJECT {
	uint32_t magic;
	struct nd_driver *drv;
};

struct nd_driver {
	uint32_t magic;
	DRIVER_OBJECT object;
	UNICODE_STRING regpath;
	char *name;
	int ndis_major, ndis_minor; /* 0 = not registered */
	bool wrapper_open;
	NDIS51_MINIPORT_CHARACTERISTICS chars5;
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars6;
	NDIS_HANDLE driver_context;
	pthread_mutex_t lock;
	unsigned adapters_started; /* for naming */
	struct nd_adapter *adapters; /* list of running adapters */
	int32_t last_init_status;
	long last_init_leaks;
	void *dl_handle; /* ndisdma_driver_load_file: dlclose'd at unload */
	struct nd_drvhw *hw; /* parameters, sim model (hwio.h); under lock */
};

/* Look up a live driver by wrapper/driver handle or driver object. NULL
 * when unknown (no report). */
struct nd_driver *nd_driver_from_handle(NDIS_HANDLE h);
struct nd_driver *nd_driver_from_object(PDRIVER_OBJECT obj);

/* ---------------- adapters ---------------- */

enum nd_adapter_state { AD_INIT, AD_RUNNING, AD_HALTING, AD_DEAD };

struct nd_sgdma; /* NDIS 6 scatter-gather DMA registration */
struct nd_mapregs; /* map register state (mapping.h) */
struct nd_sysdma;  /* system DMA channel (mapping.h) */

struct nd_async_req {
	struct nd_async_req *next;
	ULONG length;
	BOOLEAN cached;
	PVOID context;
	const void *site;
	MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER handler;
};

struct nd_adapter {
	uint32_t magic;
	struct nd_driver *drv;
	struct nd_adapter *next_in_driver;
	struct bus *bus;
	char name[48];
	_Atomic int state;

	/* attributes */
	NDIS_HANDLE context;
	ULONG attr_flags;
	bool attrs_set;
	bool busmaster;

	/* DMA registration */
	unsigned dma_bits;     /* the adapter's declared width; 0 = none */
	bool mapregs;          /* NdisMAllocateMapRegisters done */
	ULONG mapreg_count, mapreg_max_buffer;
	bool sg5;              /* NdisMInitializeScatterGatherDma done */
	ULONG sg5_max_mapping;
	struct nd_sgdma *sgdma; /* NdisMRegisterScatterGatherDma */
	struct nd_mapregs *mapping; /* registers of NdisMAllocateMapRegisters */
	struct nd_sysdma *sysdma;   /* NdisMRegisterDmaChannel */

	/* shared memory */
	pthread_mutex_t shm_lock;
	struct arena *arena;   /* created at the first allocation */
	struct ptrmap blocks;  /* VA -> struct shm_block */
	struct ptrmap freed;   /* VA -> struct shm_block (history) */
	uint64_t shm_limit;
	struct ndisdma_stats st;

	/* async allocation */
	pthread_mutex_t async_lock;
	pthread_cond_t async_cond;
	struct nd_async_req *async_head, *async_tail;
	bool async_thread_running, async_stop, async_busy;
	bool async_abandon; /* initialize failed: never call the driver */
	uint64_t async_pending, async_completed, async_cancelled;
	pthread_t async_thread;

	/* scatter-gather lists (sglist.c): list address -> record */
	pthread_mutex_t sg_lock;
	struct ptrmap sg_live;

	/* other tracked objects */
	pthread_mutex_t res_lock;
	struct nd_res res_head;

	/* the runtime's threads, serialization, timers, interrupt (host.h) */
	struct nd_host *host;

	/* the data path: frames, indications, OIDs (datapath.h) */
	struct nd_dp *dp;
	unsigned hang_seconds; /* CheckForHangTimeInSeconds, 0 = default */
	/* configuration, resources, the sim device's model (hwio.h) */
	struct nd_hwio *hwio;
};

struct nd_sgdma {
	uint32_t magic;
	struct nd_adapter *ad;
	NDIS_SG_DMA_DESCRIPTION desc;
	struct nd_res res;
};
#define ND_SGDMA_MAGIC 0x4e445347u /* NDSG */

/* A live adapter for an NDIS miniport handle; NULL when unknown. When
 * `fn` is not NULL, an unknown handle is reported (handle.unknown) with
 * fn's name. */
struct nd_adapter *nd_adapter_lookup(NDIS_HANDLE h, const char *fn,
				     const void *site);
/* A live NDIS 6 DMA handle; NULL when unknown (reported when fn set). */
struct nd_sgdma *nd_sgdma_lookup(NDIS_HANDLE h, const char *fn,
				 const void *site);

/* True while the calling thread runs this adapter's MiniportInitialize(Ex)
 * (or MiniportHalt(Ex) when `or_halt`). */
bool nd_in_init(struct nd_adapter *ad);
bool nd_in_init_or_halt(struct nd_adapter *ad);

/* The highest device address the adapter may be given. */
uint64_t nd_adapter_dma_limit(struct nd_adapter *ad);

/* ---------------- shared memory: shm.c ---------------- */

struct shm_block {
	void *va;
	uint64_t iova;
	ULONG length;
	BOOLEAN cached;
	const void *site;
	struct arena_block ab;
};

/* Allocate a block for `ad` (all rules already checked by the caller);
 * fault_kind is the ndisdma_fault_kind this allocation counts as.
 * Returns 0 and *va, *iova, or -ENOMEM (limit, memory, address space, an
 * injected failure). */
int shm_alloc(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
	      const void *site, int fault_kind, void **va, uint64_t *iova);
/* Create the adapter's arena if it has none. shm_lock held. Returns 0 or
 * -ENOMEM/-EINVAL. */
int shm_ensure_arena(struct nd_adapter *ad);
/* Free with exact-match checks; reports and leaves the block on any
 * mismatch. */
void shm_free(struct nd_adapter *ad, ULONG length, BOOLEAN cached, void *va,
	      uint64_t iova, const void *site);
/* The block containing [va, va+len), or NULL. Lock not held on return;
 * the pointer stays valid until the block is freed. */
struct shm_block *shm_find(struct nd_adapter *ad, const void *va, size_t len);
/* Check every block's guard bytes now, reporting damage; returns how many
 * blocks are damaged. */
long shm_check_all(struct nd_adapter *ad);
/* Reclaim (and report) every block; returns how many. */
long shm_reclaim_all(struct nd_adapter *ad);
void shm_destroy(struct nd_adapter *ad);

/* ---------------- async: async.c ---------------- */

/* Queue a request; returns NDIS_STATUS_PENDING or NDIS_STATUS_FAILURE /
 * NDIS_STATUS_RESOURCES. */
NDIS_STATUS async_submit(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
			 PVOID context,
			 MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER handler,
			 const void *site);
/* Complete everything queued, then stop accepting (halt). */
void async_drain(struct nd_adapter *ad);
/* Stop the worker; cancel what is left; returns how many were cancelled. */
long async_stop(struct nd_adapter *ad);

/* ---------------- general memory: memtrack.c ---------------- */

enum mem_family { MEM_PLAIN, MEM_TAGGED, MEM_TAG_PRIORITY };

/* Allocate general memory owned by `ad` (or, when NULL, the driver in
 * context, or nobody). NULL on failure. */
void *mem_alloc(size_t len, UINT flags, ULONG tag, enum mem_family fam,
		struct nd_adapter *ad, const void *site);
/* Free with checks; on a mismatch report and keep the memory. */
void mem_free(void *va, UINT len, UINT flags, ULONG tag, enum mem_family fam,
	      bool check_len_flags, const void *site);
/* Reclaim memory owned by an adapter / a driver; returns how many. */
long mem_reclaim_owner(void *owner, enum nd_rule rule, struct nd_adapter *ad);

/* ---------------- the simulated device: sim_device.c ---------------- */

/* A device DMA access at a device address, faults reported by cause.
 * Returns 0, -EFAULT, -EINVAL. */
int nd_device_access(ndisdma_sim *sim, uint64_t a, void *buf, size_t len,
		     bool write, const void *site);

/* ---------------- misc ---------------- */

/* Record a sentence for ndisdma_last_error(). */
void nd_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---------------- coherence: coherence.c ---------------- */

/* Before a DMA: write back the CPU's cached bytes of [va, va+len) so the
 * device sees them (device_writes: the device will write there next, so
 * the range must also be cache-line aligned or it is reported). `ad` may
 * be NULL (NdisFlushBuffer names no adapter): the block is looked up.
 * On a coherent bus this is a barrier. Cannot fail. */
void nd_flush(struct nd_adapter *ad, const void *va, size_t len,
	      bool device_writes, const void *site);
/* After a DMA: make what the device wrote into [va, va+len) of block b
 * visible to the CPU (invalidate). Cannot fail. */
void nd_invalidate(struct nd_adapter *ad, struct shm_block *b, const void *va,
		   size_t len);
/* Adapters on a non-coherent bus: counted so that coherent runs skip the
 * block look-up. */
void nd_coherence_track(struct nd_adapter *ad, int delta);
/* The live adapter owning a shared-memory block that contains va, and the
 * block; NULL when none. */
struct nd_adapter *nd_adapter_for_va(const void *va, struct shm_block **b);

/* A full memory barrier (what a flush means on a coherent bus). Written
 * as a read-modify-write on a thread-local atomic so that sanitizers see
 * it. Cannot fail. */
void nd_cpu_barrier(void);

/* The cache line size (NdisMGetDmaAlignment). */
ULONG nd_cache_line(void);

#endif
