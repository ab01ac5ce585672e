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

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap reg; /* handle -> handle, live (not released) */

static void reg_del(struct nd_dpool *dp)
{
	pthread_mutex_lock(&reg_lock);
	ptrmap_del(&reg, (uintptr_t)dp);
	pthread_mutex_unlock(&reg_lock);
}

/* The engine calls this once the pool's memory is gone. */
static void dpool_destroyed(void *arg)
{
	struct nd_dpool *dp = arg;
	if (dp->tracked) {
		dp->tracked = false;
		nd_adapter_untrack(dp->ad, &dp->res);
	}
	reg_del(dp);
	dp->magic = 0;
	free(dp);
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

static const struct nd_res_ops packet_ops = { .name = "packet pool",
					      .reclaim = dpool_reclaim };
static const struct nd_res_ops buffer_ops = { .name = "buffer pool",
					      .reclaim = dpool_reclaim };
static const struct nd_res_ops nbl_ops = { .name = "NET_BUFFER_LIST pool",
					   .reclaim = dpool_reclaim };
static const struct nd_res_ops nb_ops = { .name = "NET_BUFFER pool",
					  .reclaim = dpool_reclaim };

struct nd_adapter *dpool_init_adapter(void)
{
	struct nd_thread *t = nd_self();
	return (t->adapter && t->callback == ND_CB_INIT) ? t->adapter : NULL;
}

struct nd_dpool *dpool_create(uint32_t magic, const char *kind,
			      size_t obj_size, uint32_t nfixed,
			      uint32_t noverflow, bool grow,
			      struct nd_adapter *ad, const void *site,
			      void (*setup)(struct nd_dpool *dp,
					    const void *arg),
			      const void *setup_arg,
			      void (*reset)(void *dp, void *obj))
{
	/* the process-wide MDL pool is ours, not the driver's: never failed */
	if (magic != ND_DP_MDL && nd_fault_inject(NDISDMA_FAULT_POOL))
		return NULL;
	struct nd_dpool *dp = calloc(1, sizeof(*dp));
	if (!dp)
		return NULL;
	if (setup)
		setup(dp, setup_arg);
	struct nd_pool_params prm = {
		.kind = kind,
		.obj_size = obj_size,
		.nfixed = nfixed,
		.noverflow = noverflow,
		.grow = grow,
		.on_destroy = dpool_destroyed,
		.arg = dp,
		.tag = magic,
		.reset = reset,
	};
	if (nd_pool_create(&prm, &dp->pool)) {
		free(dp);
		return NULL;
	}
	dp->magic = magic;
	dp->type = magic;
	dp->slot = dp->pool->slot;
	pthread_mutex_lock(&reg_lock);
	int rc = ptrmap_put(&reg, (uintptr_t)dp, dp);
	pthread_mutex_unlock(&reg_lock);
	if (rc) {
		dp->pool->on_destroy = NULL;
		nd_pool_destroy(dp->pool);
		free(dp);
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

struct nd_dpool *dpool_lookup(NDIS_HANDLE h, uint32_t magic, const char *fn,
			      const void *site)
{
	pthread_mutex_lock(&reg_lock);
	struct nd_dpool *dp = h ? ptrmap_get(&reg, (uintptr_t)h) : NULL;
	if (dp && dp->magic != magic)
		dp = NULL;
	pthread_mutex_unlock(&reg_lock);
	if (!dp && fn)
		nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a live pool of this kind", fn, h);
	return dp;
}

void dpool_release(struct nd_dpool *dp, const char *fn, const void *site)
{
	struct nd_adapter *ad = dp->ad;
	const char *kind = dp->pool->kind;
	reg_del(dp);
	dp->magic = 0;
	uint64_t out = nd_pool_release(dp->pool);
	/* dp may be gone now (destroyed, or by the last free elsewhere) */
	if (out)
		nd_report(ND_RULE_POOL_FREE_OUTSTANDING, ad, (uintptr_t)dp,
			  out, site,
			  "%s: the %s still has %llu descriptors allocated; "
			  "it is destroyed when the last one is freed",
			  fn, kind, (unsigned long long)out);
}

long ndisdma_pool_memory(void *h)
{
	pthread_mutex_lock(&reg_lock);
	struct nd_dpool *dp = h ? ptrmap_get(&reg, (uintptr_t)h) : NULL;
	long n = dp ? (long)nd_pool_memory(dp->pool) + (long)sizeof(*dp)
		    : -EINVAL;
	pthread_mutex_unlock(&reg_lock);
	return n;
}
