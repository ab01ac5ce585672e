/* SPDX-License-Identifier: MIT */
/*
 * core.h - driver and adapter objects, the calling thread's context (IRQL,
 * which adapter callback it is in), the verifier's reporting path, and the
 * object tracking halt relies on. src/ndis calls this; it calls src/bus.
 */
#ifndef NDISDMA_CORE_H
#define NDISDMA_CORE_H

#include <ndis.h>
#include <ndisdma/internal/pool_engine.h> /* struct nd_tls */
#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../bus/bus.h"
#include "arena.h"
#include "assert.h"
#include "ptrmap.h"

/* ---------------- verifier rules and reports ---------------- */

enum nd_rule {
#define RULE(e, id, ...) ND_RULE_##e,
#include "rules.def"
#undef RULE
	ND_RULE_COUNT
};

/* What Windows does with a rule's misuse (rules.def). */
enum nd_windows {
	ND_WIN_SUCCEEDS,    /* lets the call through: so do we (report mode) */
	ND_WIN_FAILS,	    /* fails it too */
	ND_WIN_BUGCHECKS,   /* bug-checks or corrupts: refused in every mode */
	ND_WIN_UNSUPPORTED, /* honours it; user space cannot: refused */
	ND_WIN_AFTER,	    /* found after the fact: no call to refuse */
};

struct nd_adapter;

/* Report a rule violation: count it and print one line naming the rule
 * id, the adapter, the address and length involved, the caller `site`
 * (a code address, may be NULL) and a short explanation; abort() in mode
 * abort. Returns true when the call must fail ("strict"): the rule is in
 * mode fail, or Windows itself fails, bug-checks or cannot be matched
 * (rules.def); false when the call goes on as ndis.sys does. Every check
 * uses it one way:
 *	if (nd_report(ND_RULE_X, ad, addr, len, site, "...")) // strict
 *		return <the documented failure>;
 *	<what ndis.sys does>
 * Rules Windows always refuses may simply be followed by the failure.
 * Cannot fail. */
bool nd_report(enum nd_rule rule, struct nd_adapter *ad, uint64_t addr,
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
#define ND_TL_SLOTS NDISDMA_TL_SLOTS_

/* struct nd_thread (the thread's IRQL and callback context) and struct
 * nd_tls (that and the thread's pool caches, one thread-local block) are
 * in <ndisdma/internal/pool_engine.h>, which the inline fast paths share. */

enum {
	ND_CB_NONE,
	ND_CB_ENTRY,
	ND_CB_INIT,
	ND_CB_HALT,
	ND_CB_ASYNC,
	ND_CB_UNLOAD,
	/* runtime threads (host.h) */
	ND_CB_DPC,
	ND_CB_WORK,
	ND_CB_TIMER,
	ND_CB_ISR,
	/* a handler the host calls (send, OID, return, reset: datapath.h) */
	ND_CB_HANDLER
};

/* The calling thread's context: one thread-local block in the static TLS
 * area (initial-exec: one %fs-relative access, no __tls_get_addr call in
 * the shared library). The inline fast paths of the public headers reach
 * the same block as ndisdma_tls_ (an alias; <ndisdma/internal/
 * pool_engine.h>). */
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

/* ---------------- handles: handles.c ---------------- */

/* The kinds of handle a driver or host holds. */
enum nd_handle_kind {
	ND_H_NONE,
	ND_H_DRIVER,	    /* NdisWrapperHandle / NdisMiniportDriverHandle,
			     * ndisdma_driver * */
	ND_H_DRIVER_OBJECT, /* the DRIVER_OBJECT given to DriverEntry */
	ND_H_ADAPTER,	    /* MiniportAdapterHandle, ndisdma_adapter *,
			     * ndisdma_sim * */
	ND_H_SGDMA,	    /* NdisMRegisterScatterGatherDma's handle */
	ND_H_SYSDMA,	    /* NdisMRegisterDmaChannel's handle */
	ND_H_KINDS
};

/*
 * Every object a handle names embeds one struct nd_handle. Lifetime:
 *
 * - nd_handle_publish makes the handle findable; the registry holds one
 *   reference from then on.
 * - nd_handle_get (through nd_adapter_lookup, nd_driver_from_handle, ...)
 *   returns the object with a reference the caller holds, or NULL when
 *   the value is not a published handle of that kind (never freed
 *   memory: the object cannot be freed while the reference is held).
 *   Every successful get is paired with one put (nd_adapter_put, ...) on
 *   the same or another thread. Gets and puts are lock-free apart from a
 *   read lock on the registry; they may be called at any IRQL.
 * - The owner retires an object in two steps: nd_handle_unpublish (new
 *   gets fail from then on; true for exactly one caller when several
 *   race, the others must give up) then nd_handle_drain, which waits
 *   until every held reference has been put. Only then is it freed.
 *
 * How halt uses it (adapter.c, ndisdma_adapter_halt) - the rule for any
 * thread that runs for an adapter (async completion, and the runtime's
 * interrupt, DPC, timer and work threads):
 *   1. claim: state RUNNING -> HALTING (one caller wins; the others get
 *      -EINVAL). Lookups still succeed: MiniportHalt and the driver's own
 *      threads call NDIS with the handle until MiniportHalt returns.
 *   2. complete pending async allocations; call MiniportHalt(Ex).
 *   3. stop the adapter's own threads: nd_async_stop, then `stop` of every
 *      tracked object (struct nd_res_ops) in order; a thread owned by the
 *      adapter is joined here and must not wait for halt. Lookups still
 *      succeed during step 3.
 *   4. unpublish: from here nd_adapter_lookup returns NULL and reports
 *      handle.unknown; native calls return -EINVAL.
 *   5. drain: wait until every reference taken before step 4 is put.
 *   6. reclaim what the driver left (struct nd_res_ops, by order), free.
 * So a thread may hold a reference for the length of one call or one
 * callback, never across a wait for something halt does (a thread that
 * holds a reference while waiting for halt deadlocks step 5). A long-lived
 * thread takes a reference per unit of work (lookup, run, put) or is owned
 * by the adapter and stopped in step 3. Halt and unload refuse to run on
 * a thread that is inside a driver callback (-EDEADLK, with a sentence in
 * ndisdma_last_error), since they would wait for that very callback.
 */
struct nd_handle {
	_Atomic long refs;	/* the registry's (while published) + held */
	_Atomic bool published; /* findable by nd_handle_get */
	uintptr_t key[2];	/* the values that name it; key[1] 0 = none */
} __attribute__((aligned(8)));

/* Publish h under key (and key2 when not NULL, as kind2), with one
 * reference for the registry. Returns 0, -ENOMEM, or -EEXIST (a key
 * already names a live object). */
int nd_handle_publish(struct nd_handle *h, enum nd_handle_kind kind,
		      const void *key, enum nd_handle_kind kind2,
		      const void *key2);
/* The published handle of `kind` that `key` names, with a reference the
 * caller holds; NULL when there is none (no report). */
struct nd_handle *nd_handle_get(const void *key, enum nd_handle_kind kind);
/* One more reference on a handle the caller already holds one of. */
void nd_handle_hold(struct nd_handle *h);
/* Release a reference. Cannot fail. */
void nd_handle_put(struct nd_handle *h);
/* Stop new gets; drop the registry's reference. True for the one caller
 * that unpublished h; false when it was not published (any more). */
bool nd_handle_unpublish(struct nd_handle *h);
/* Wait until every reference is put (h unpublished; the caller holds
 * none). Cannot fail; blocks for as long as a holder keeps its
 * reference. */
void nd_handle_drain(struct nd_handle *h);
bool nd_handle_is_published(struct nd_handle *h);
/* The first published handle of `kind` for which pred(h, ctx) is true
 * (called under the registry's read lock: pred must not get, put or
 * publish), with a reference held; NULL when none. */
struct nd_handle *nd_handle_find(enum nd_handle_kind kind,
				 bool (*pred)(struct nd_handle *, void *),
				 void *ctx);

#define nd_container_of(p, type, member)                                       \
	((type *)(void *)((char *)(p)-offsetof(type, member)))

/* ---------------- tracked objects ---------------- */

/* An object an adapter owns that halt must reclaim if the driver forgot
 * it. Registered with nd_adapter_track. At halt step 3 ("handles": after
 * MiniportHalt returned, before the unpublish) core calls `stop` (may be
 * NULL) of every tracked object in ascending `order`: an object that owns
 * a thread running driver code (the runtime's interrupt, DPC and timer
 * threads) stops and joins it there, so that no such thread holds or
 * takes a reference afterwards. Then, after every reference to
 * the adapter is drained (see "handles"), core walks the tracked objects
 * in ascending `order` and for each:
 * - `reclaim` (one object: DMA handles, pools): untracked first, reported
 *   as halt.leak-object with `name` and the site, then released;
 * - or `reclaim_all` (a per-adapter collection: shared memory, SG lists,
 *   map registers, general memory): reports each thing it releases under
 *   its own rule and returns how many; it may untrack (and free) its
 *   struct nd_res itself;
 * then calls `destroy` (may be NULL) for every object still tracked, in
 * the same order, to free per-adapter state (the DMA arena last).
 * An adapter whose MiniportInitialize failed is reclaimed the same way. */
struct nd_res;
struct nd_res_ops {
	const char *name;
	int order; /* ND_RES_ORDER_* */
	void (*reclaim)(struct nd_res *);
	long (*reclaim_all)(struct nd_res *);
	void (*destroy)(struct nd_res *);
	void (*stop)(struct nd_res *);
};
enum {
	ND_RES_ORDER_HANDLE = 0,   /* DMA handles, pools */
	ND_RES_ORDER_SGLIST = 10,  /* live scatter-gather lists */
	ND_RES_ORDER_MAPREGS = 20, /* map registers and their mappings */
	ND_RES_ORDER_SHM = 30,	   /* shared memory, then the arena */
	ND_RES_ORDER_MEMORY = 40,  /* general memory owned by the adapter */
};
struct nd_res {
	struct nd_res *prev, *next;
	const struct nd_res_ops *ops;
	const void *site;
	void *owner;	   /* struct nd_adapter * */
	bool reclaimed;	   /* reclaim_all ran (halt) */
	bool stopped;	   /* stop ran (halt) */
	_Atomic bool once; /* tracked by nd_adapter_track_once */
};

/* Track / untrack an object on an adapter. Cannot fail. */
void nd_adapter_track(struct nd_adapter *, struct nd_res *,
		      const struct nd_res_ops *, const void *site);
void nd_adapter_untrack(struct nd_adapter *, struct nd_res *);
/* Track r unless it is tracked already (the first use of a per-adapter
 * collection). Cheap when tracked: one atomic load. Cannot fail. */
void nd_adapter_track_once(struct nd_adapter *, struct nd_res *,
			   const struct nd_res_ops *);

/* ---------------- drivers ---------------- */

#define ND_DRIVER_MAGIC 0x4e444452u  /* NDDR */
#define ND_ADAPTER_MAGIC 0x4e444144u /* NDAD */

struct _DRIVER_OBJECT {
	uint32_t magic;
	struct nd_driver *drv;
};

struct nd_driver {
	uint32_t magic;
	struct nd_handle h; /* ND_H_DRIVER; the object as ND_H_DRIVER_OBJECT */
	DRIVER_OBJECT object;
	UNICODE_STRING regpath;
	char *name;
	int ndis_major, ndis_minor; /* 0 = not registered */
	bool wrapper_open;
	NDIS51_MINIPORT_CHARACTERISTICS chars5;
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars6;
	NDIS_HANDLE driver_context;
	pthread_mutex_t lock;
	pthread_cond_t cond;	     /* adapters list, starting changed */
	unsigned adapters_started;   /* for naming; lock */
	struct nd_adapter *adapters; /* running adapters; lock */
	unsigned starting;	     /* ndisdma_adapter_start in progress */
	bool unloading;		     /* ndisdma_driver_unload claimed it */
	int32_t last_init_status;    /* lock */
	long last_init_leaks;	     /* lock */
	struct nd_drvhw *hw;	     /* parameters, sim model (hwio.h); lock */
	void *dl_handle; /* ndisdma_driver_load_file: dlclose'd at unload */
};

/* A live driver by wrapper/driver handle or driver object, with a
 * reference held (nd_driver_put); NULL when unknown (no report). */
static inline struct nd_driver *nd_driver_from_handle(NDIS_HANDLE h)
{
	struct nd_handle *p = nd_handle_get(h, ND_H_DRIVER);
	return p ? nd_container_of(p, struct nd_driver, h) : NULL;
}
static inline struct nd_driver *nd_driver_from_object(PDRIVER_OBJECT obj)
{
	struct nd_handle *p = nd_handle_get(obj, ND_H_DRIVER_OBJECT);
	return p ? nd_container_of(p, struct nd_driver, h) : NULL;
}
static inline void nd_driver_put(struct nd_driver *d)
{
	nd_handle_put(&d->h);
}
static inline void nd_driver_putp(struct nd_driver **d)
{
	if (*d)
		nd_driver_put(*d);
}
/* On a variable: put the reference it holds when it goes out of scope. */
#define ND_DRIVER_AUTOPUT __attribute__((cleanup(nd_driver_putp)))
/* True when h is a live driver handle (nothing held on return). */
static inline bool nd_driver_is_live(NDIS_HANDLE h)
{
	struct nd_driver *d = nd_driver_from_handle(h);
	if (d)
		nd_driver_put(d);
	return d != NULL;
}
/* True when obj is the driver object of d (nothing held on return). */
static inline bool nd_driver_object_is(PVOID obj, struct nd_driver *d)
{
	struct nd_driver *o = nd_driver_from_object(obj);
	if (o)
		nd_driver_put(o);
	return o && o == d;
}

/* ---------------- adapters ---------------- */

enum nd_adapter_state { AD_INIT, AD_RUNNING, AD_HALTING, AD_DEAD };

struct nd_sgdma;   /* NDIS 6 scatter-gather DMA registration */
struct nd_mapregs; /* map register state (mapping.h) */
struct nd_sysdma;  /* system DMA channel (mapping.h) */

struct nd_async_req {
	struct nd_async_req *next;
	ULONG length;
	BOOLEAN cached;
	PVOID context;
	const void *site;
	MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER handler;
	void *free_va; /* non-NULL: a deferred NdisMFreeSharedMemory */
	uint64_t free_iova;
};

struct nd_adapter {
	uint32_t magic;
	struct nd_handle h; /* ND_H_ADAPTER */
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

	/* DMA registration. Set in MiniportInitialize, cleared in
	 * MiniportHalt, read by calls on any thread: the flags and handles
	 * are atomic so that a call racing the halt handler reads a value,
	 * not a torn one. */
	unsigned dma_bits;    /* the adapter's declared width; 0 = none */
	_Atomic bool mapregs; /* NdisMAllocateMapRegisters done */
	ULONG mapreg_count, mapreg_max_buffer;
	_Atomic bool sg5; /* NdisMInitializeScatterGatherDma done */
	ULONG sg5_max_mapping;
	struct nd_sgdma *_Atomic sgdma; /* NdisMRegisterScatterGatherDma */
	struct nd_mapregs *mapping; /* registers of NdisMAllocateMapRegisters */
	struct nd_sysdma *_Atomic sysdma; /* NdisMRegisterDmaChannel */

	/* shared memory */
	struct nd_res shm_res; /* tracked with the arena */
	pthread_mutex_t shm_lock;
	struct arena *arena;  /* created at the first allocation */
	struct ptrmap blocks; /* VA -> struct shm_block */
	struct ptrmap freed;  /* VA -> struct shm_block (history) */
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

	/* scatter-gather lists (sg_lists.c): list address -> record */
	struct nd_res sg_res; /* tracked at the first list */
	pthread_mutex_t sg_lock;
	struct ptrmap sg_live;

	/* general memory the adapter owns (memory.c) */
	struct nd_res mem_res; /* tracked at the first allocation */

	/* other tracked objects; res_lock also guards sysdma */
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
	struct nd_handle h; /* ND_H_SGDMA */
	struct nd_adapter *ad;
	NDIS_SG_DMA_DESCRIPTION desc;
	struct nd_res res;
};
#define ND_SGDMA_MAGIC 0x4e445347u /* NDSG */

/* A live adapter for an NDIS miniport handle (or an ndisdma_adapter /
 * ndisdma_sim handle), with a reference the caller holds and releases with
 * nd_adapter_put (see "handles" for how it meets halt); NULL when the
 * handle is not a published adapter (never started, halted, or not an
 * adapter at all). When `fn` is not NULL, NULL is reported
 * (handle.unknown) with fn's name. Live includes initializing and halting:
 * the state is the caller's to check. */
struct nd_adapter *nd_adapter_lookup(NDIS_HANDLE h, const char *fn,
				     const void *site);
static inline void nd_adapter_put(struct nd_adapter *ad)
{
	nd_handle_put(&ad->h);
}
/* One more reference on an adapter the caller holds one of. */
static inline void nd_adapter_hold(struct nd_adapter *ad)
{
	nd_handle_hold(&ad->h);
}
static inline void nd_adapter_putp(struct nd_adapter **ad)
{
	if (*ad)
		nd_adapter_put(*ad);
}
/* On a variable: put the reference it holds when it goes out of scope:
 * struct nd_adapter *ad ND_ADAPTER_AUTOPUT = nd_adapter_lookup(...); */
#define ND_ADAPTER_AUTOPUT __attribute__((cleanup(nd_adapter_putp)))

/* A live NDIS 6 DMA handle, held (nd_sgdma_put); NULL when unknown
 * (reported sgdma.bad-handle when fn set). */
struct nd_sgdma *nd_sgdma_lookup(NDIS_HANDLE h, const char *fn,
				 const void *site);
static inline void nd_sgdma_put(struct nd_sgdma *s)
{
	nd_handle_put(&s->h);
}
static inline void nd_sgdma_putp(struct nd_sgdma **s)
{
	if (*s)
		nd_sgdma_put(*s);
}
#define ND_SGDMA_AUTOPUT __attribute__((cleanup(nd_sgdma_putp)))

/* Adapters alive on a non-coherent bus (coherence.c skips its block
 * look-up when there are none). */
int nd_noncoherent_adapters(void);

/* True while the calling thread runs this adapter's MiniportInitialize(Ex)
 * (or MiniportHalt(Ex) when `or_halt`). */
bool nd_in_init(struct nd_adapter *ad);
bool nd_in_init_or_halt(struct nd_adapter *ad);

/* The highest device address the adapter may be given: its declared
 * width (32 bits until it declares one) within the bus's. */
static inline uint64_t nd_adapter_dma_limit(const struct nd_adapter *ad)
{
	unsigned bits = ad->dma_bits ? ad->dma_bits : 32;
	if (ad->bus->info.dma_bits < bits)
		bits = ad->bus->info.dma_bits;
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

/* ---------------- shared memory: shared_memory.c ---------------- */

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
int nd_shm_alloc(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
		 const void *site, int fault_kind, void **va, uint64_t *iova);
/* Create the adapter's arena if it has none. shm_lock held. Returns 0 or
 * -ENOMEM/-EINVAL. */
int nd_shm_ensure_arena(struct nd_adapter *ad);
/* Free with exact-match checks; reports and leaves the block on any
 * mismatch. */
void nd_shm_free(struct nd_adapter *ad, ULONG length, BOOLEAN cached, void *va,
		 uint64_t iova, const void *site);
/* The block containing [va, va+len), or NULL. Lock not held on return;
 * the pointer stays valid until the block is freed. */
struct shm_block *nd_shm_find(struct nd_adapter *ad, const void *va,
			      size_t len);

/* ---------------- async: async.c ---------------- */

/* Queue a request; returns NDIS_STATUS_PENDING or NDIS_STATUS_FAILURE /
 * NDIS_STATUS_RESOURCES. */
NDIS_STATUS nd_async_submit(
    struct nd_adapter *ad, ULONG length, BOOLEAN cached, PVOID context,
    MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER handler, const void *site);
/* NdisMFreeSharedMemory above PASSIVE_LEVEL: queue the free on the work
 * thread, as ndis.sys queues a work item; frees at once when no request
 * can be queued (no memory, no thread). Runs even while the adapter
 * halts; nd_async_drain and nd_async_stop complete it. Cannot fail. */
void nd_async_free_deferred(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
			    void *va, uint64_t iova, const void *site);
/* Complete everything queued, then stop accepting (halt). */
void nd_async_drain(struct nd_adapter *ad);
/* Stop the worker; cancel what is left (deferred frees are done, not
 * cancelled); returns how many were cancelled. */
long nd_async_stop(struct nd_adapter *ad);

/* ---------------- general memory: memory.c ---------------- */

enum mem_family { MEM_PLAIN, MEM_TAGGED, MEM_TAG_PRIORITY };

/* Allocate general memory owned by `ad` (or, when NULL, the driver in
 * context, or nobody). NULL on failure. */
void *nd_mem_alloc(size_t len, UINT flags, ULONG tag, enum mem_family fam,
		   struct nd_adapter *ad, const void *site);
/* Free with checks; on a mismatch report, and keep the memory when the
 * report says the call must fail (nd_report). */
void nd_mem_free(void *va, UINT len, UINT flags, ULONG tag, enum mem_family fam,
		 bool check_len_flags, const void *site);
/* Reclaim (report under `rule` and free) the memory a driver owns;
 * returns how many. An adapter's is reclaimed at halt through its
 * tracked mem_res. */
long nd_mem_reclaim_owner(void *owner, enum nd_rule rule,
			  struct nd_adapter *ad);

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
/* True when the adapter's bus models a non-coherent cache. */
static inline bool nd_adapter_noncoherent(const struct nd_adapter *ad)
{
	return !ad->bus->info.coherent && ad->bus->ops->sync;
}
/* The live adapter owning a shared-memory block that contains va (held:
 * nd_adapter_put), and the block; NULL when none. */
struct nd_adapter *nd_adapter_for_va(const void *va, struct shm_block **b);

/* A full memory barrier (what a flush means on a coherent bus). Written
 * as a read-modify-write on a thread-local atomic so that sanitizers see
 * it. Cannot fail. */
void nd_cpu_barrier(void);

/* The cache line size (NdisMGetDmaAlignment). */
ULONG nd_cache_line(void);

#endif
