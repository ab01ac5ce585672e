/* SPDX-License-Identifier: MIT */
/*
 * descr.c - descriptor pool handles shared by packets.c, buffers.c,
 * nbl.c and net_buffers.c: creation on the pool engine, the registry of
 * live handles that NdisFree*Pool checks, release with outstanding
 * descriptors, and the tracking that lets halt reclaim a pool the
 * miniport forgot.
 */
#include "descr.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#if ND_POOL_ASAN
#include <sanitizer/lsan_interface.h>
#endif

_Static_assert(sizeof(struct nd_dpool) <= NDISDMA_DPOOL_SLOT_,
	       "a pool handle fits its slot of the handle region");

/* ---- the handle region ----
 *
 * Every pool handle is a NDISDMA_DPOOL_SLOT_-byte slot of one region
 * reserved at load and never unmapped (internal/pool_engine.h): a freed handle
 * reads as zero (magic 0: no live pool), a pointer outside the region or not at
 * a slot's start is refused by NDISDMA_DPOOL_IN_ before anything is read. A
 * released slot waits in a FIFO quarantine behind ND_DPOOL_QUARANTINE others
 * before it is handed out again, so a stale handle names no live pool unless
 * that many pools were freed since. */
#define ND_DPOOL_SLOTS (NDISDMA_DPOOL_REGION_ / NDISDMA_DPOOL_SLOT_)
#define ND_DPOOL_QUARANTINE 1024u
/* until the region exists no pointer is inside it (base - any user
 * address is far above the region's size) */
__attribute__((
    visibility("default"))) struct ndisdma_pool_abi_ ndisdma_pool_abi_v2 = {
    (uintptr_t)1 << 63};
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t slot_next;		   /* never handed out from here */
static uint32_t slot_fifo[ND_DPOOL_SLOTS]; /* released, oldest first */
static uint32_t fifo_head, fifo_n;

__attribute__((constructor)) static void dpool_region_init(void)
{
	void *m = mmap(NULL, NDISDMA_DPOOL_REGION_, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return;
#if ND_POOL_ASAN
	/* handles point to the engine's pools: LeakSanitizer must see them */
	__lsan_register_root_region(m, NDISDMA_DPOOL_REGION_);
#endif
	ndisdma_pool_abi_v2.dpool_base = (uintptr_t)m;
}

static bool dpool_region_ok(void)
{
	return ndisdma_pool_abi_v2.dpool_base != (uintptr_t)1 << 63;
}

/* A zeroed slot, or NULL when the region is full (or missing). */
static struct nd_dpool *slot_alloc(void)
{
	if (!dpool_region_ok())
		return NULL;
	uint32_t i = UINT32_MAX;
	pthread_mutex_lock(&slot_lock);
	if (fifo_n > ND_DPOOL_QUARANTINE ||
	    (slot_next >= ND_DPOOL_SLOTS && fifo_n)) {
		i = slot_fifo[fifo_head];
		fifo_head = (fifo_head + 1) % ND_DPOOL_SLOTS;
		fifo_n--;
	} else if (slot_next < ND_DPOOL_SLOTS) {
		i = slot_next++;
	}
	pthread_mutex_unlock(&slot_lock);
	if (i == UINT32_MAX)
		return NULL;
	struct nd_dpool *dp =
	    (struct nd_dpool *)(ndisdma_pool_abi_v2.dpool_base +
				(uintptr_t)i * NDISDMA_DPOOL_SLOT_);
	ND_ASSERT(dp->magic == 0);
	return dp;
}

/* Give a slot back: zeroed (a stale handle reads magic 0), then queued. */
static void slot_free(struct nd_dpool *dp)
{
	uint32_t i =
	    (uint32_t)(((uintptr_t)dp - ndisdma_pool_abi_v2.dpool_base) /
		       NDISDMA_DPOOL_SLOT_);
	ND_ASSERT(NDISDMA_DPOOL_IN_(dp));
	__atomic_store_n(&dp->magic, 0u, __ATOMIC_RELEASE);
	memset((char *)dp + sizeof(dp->magic), 0,
	       sizeof(*dp) - sizeof(dp->magic));
	pthread_mutex_lock(&slot_lock);
	slot_fifo[(fifo_head + fifo_n) % ND_DPOOL_SLOTS] = i;
	fifo_n++;
	pthread_mutex_unlock(&slot_lock);
}

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap reg; /* handle -> handle, live (not released) */

static void reg_del(struct nd_dpool *dp)
{
	pthread_mutex_lock(&reg_lock);
	nd_ptrmap_del(&reg, (uintptr_t)dp);
	pthread_mutex_unlock(&reg_lock);
}

/* The engine calls this once the pool's memory is gone. */
static void dpool_destroyed(void *arg)
{
	struct nd_dpool *dp = arg;
	if (dp->bigs && dp->retire_bigs)
		dp->retire_bigs(dp);
	if (dp->tracked) {
		dp->tracked = false;
		nd_adapter_untrack(dp->ad, &dp->res);
	}
	reg_del(dp);
	slot_free(dp);
}

/* Halt reclaims a pool the miniport did not free (core reported it). */
static void dpool_reclaim(struct nd_res *r)
{
	struct nd_dpool *dp =
	    (struct nd_dpool *)((char *)r - offsetof(struct nd_dpool, res));
	dp->tracked = false; /* core unlinked it already */
	reg_del(dp);
	nd_pool_destroy(dp->pool);
}

static const struct nd_res_ops packet_ops = {.name = "packet pool",
					     .reclaim = dpool_reclaim};
static const struct nd_res_ops buffer_ops = {.name = "buffer pool",
					     .reclaim = dpool_reclaim};
static const struct nd_res_ops nbl_ops = {.name = "NET_BUFFER_LIST pool",
					  .reclaim = dpool_reclaim};
static const struct nd_res_ops nb_ops = {.name = "NET_BUFFER pool",
					 .reclaim = dpool_reclaim};

struct nd_adapter *nd_dpool_init_adapter(void)
{
	struct nd_thread *t = nd_self();
	return (t->adapter && t->callback == ND_CB_INIT) ? t->adapter : NULL;
}

struct nd_dpool *
nd_dpool_create(uint32_t magic, const char *kind, size_t obj_size,
		uint32_t nfixed, uint32_t noverflow, bool grow,
		struct nd_adapter *ad, const void *site,
		void (*setup)(struct nd_dpool *dp, const void *arg),
		const void *setup_arg, void (*reset)(void *dp, void *obj))
{
	/* the process-wide MDL pool is ours, not the driver's: never failed */
	if (magic != ND_DP_MDL && nd_fault_inject(NDISDMA_FAULT_POOL))
		return NULL;
	struct nd_dpool *dp = slot_alloc();
	if (!dp)
		return NULL;
	if (setup)
		setup(dp, setup_arg);
	struct nd_pool_params prm = {
	    .kind = kind,
	    .obj_size = obj_size,
	    .nfixed = grow ? 0 : nfixed,
	    .noverflow = noverflow,
	    .grow = grow,
	    .slab = grow ? nfixed : 0,
	    .on_destroy = dpool_destroyed,
	    .arg = dp,
	    .tag = magic,
	    .reset = reset,
	};
	if (nd_pool_create(&prm, &dp->pool)) {
		slot_free(dp);
		return NULL;
	}
	dp->magic = magic;
	dp->type = magic;
	dp->slot = dp->pool->slot;
	pthread_mutex_lock(&reg_lock);
	int rc = nd_ptrmap_put(&reg, (uintptr_t)dp, dp);
	pthread_mutex_unlock(&reg_lock);
	if (rc) {
		dp->pool->on_destroy = NULL;
		nd_pool_destroy(dp->pool);
		slot_free(dp);
		return NULL;
	}
	if (ad) {
		dp->ad = ad;
		dp->tracked = true;
		nd_adapter_track(ad, &dp->res,
				 magic == ND_DP_PACKET ? &packet_ops
				 : magic == ND_DP_NBL  ? &nbl_ops
				 : magic == ND_DP_NB   ? &nb_ops
						       : &buffer_ops,
				 site);
	}
	return dp;
}

struct nd_dpool *nd_dpool_lookup(NDIS_HANDLE h, uint32_t magic, const char *fn,
				 const void *site)
{
	pthread_mutex_lock(&reg_lock);
	struct nd_dpool *dp = h ? nd_ptrmap_get(&reg, (uintptr_t)h) : NULL;
	if (dp && dp->magic != magic)
		dp = NULL;
	pthread_mutex_unlock(&reg_lock);
	if (!dp && fn)
		nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a live pool of this kind", fn, h);
	return dp;
}

void nd_dpool_release(struct nd_dpool *dp, const char *fn, const void *site)
{
	struct nd_adapter *ad = dp->ad;
	const char *kind = dp->pool->kind;
	reg_del(dp);
	dp->magic = 0;
	uint64_t out = nd_pool_release(dp->pool);
	/* dp may be gone now (destroyed, or by the last free elsewhere) */
	if (out)
		nd_report(ND_RULE_POOL_FREE_OUTSTANDING, ad, (uintptr_t)dp, out,
			  site,
			  "%s: the %s still has %llu descriptors allocated; "
			  "it is destroyed when the last one is freed",
			  fn, kind, (unsigned long long)out);
}

long ndisdma_pool_memory(void *h)
{
	pthread_mutex_lock(&reg_lock);
	struct nd_dpool *dp = h ? nd_ptrmap_get(&reg, (uintptr_t)h) : NULL;
	long n =
	    dp ? (long)nd_pool_memory(dp->pool) + (long)sizeof(*dp) : -EINVAL;
	pthread_mutex_unlock(&reg_lock);
	return n;
}
