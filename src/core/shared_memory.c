/* SPDX-License-Identifier: MIT */
/*
 * shared_memory.c - shared-memory blocks of an adapter: allocation from the DMA
 * arena within the adapter's limit and address width, exact-match frees,
 * the freed-block history that tells a double free from a wild one, and
 * reclaiming at halt.
 */
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static long nd_shm_reclaim_all(struct nd_res *r);
static void nd_shm_destroy(struct nd_res *r);

static const struct nd_res_ops shm_res_ops = {
    .name = "shared memory",
    .order = ND_RES_ORDER_SHM,
    .reclaim_all = nd_shm_reclaim_all,
    .destroy = nd_shm_destroy,
};

int nd_shm_ensure_arena(struct nd_adapter *ad)
{
	if (ad->arena)
		return 0;
	nd_adapter_track_once(ad, &ad->shm_res, &shm_res_ops);
	size_t gran = nd_cache_line();
	if (gran < 64)
		gran = 64;
	int rc = nd_arena_create(
	    ad->bus, nd_adapter_dma_limit(ad), gran,
	    ad->bus->info.chunk_size ? ad->bus->info.chunk_size : (2u << 20),
	    &ad->arena);
	if (!rc)
		ad->arena->poison = ad->bus->info.poison;
	return rc;
}

/* Each block has a guard of one granule before it and from its end to one
 * granule past its rounded end, filled with GUARD_BYTE; the driver's VA
 * and the device's address point past the front guard. */
#define GUARD_BYTE 0xFD

static size_t guard(const struct nd_adapter *ad)
{
	return ad->arena->gran;
}

/* Check a block's guards; report each damaged side. Lock held. Returns
 * true when both are intact. */
static bool guards_ok(struct nd_adapter *ad, struct shm_block *b,
		      const char *when)
{
	size_t g = guard(ad);
	const unsigned char *front = (const unsigned char *)b->va - g;
	const unsigned char *tail = (const unsigned char *)b->va + b->length;
	size_t tail_len = b->ab.n * g - g - b->length;
	bool ok = true;
	char where[128];
	for (size_t i = 0; i < g; i++)
		if (front[i] != GUARD_BYTE) {
			nd_site_name(b->site, where, sizeof(where));
			nd_report(ND_RULE_SHM_GUARD_UNDERRUN, ad, b->iova,
				  b->length, b->site,
				  "%s: %zu byte(s) before the block at VA %p "
				  "(allocated at %s) were overwritten",
				  when, g - i, b->va, where);
			ok = false;
			break;
		}
	for (size_t i = tail_len; i-- > 0;)
		if (tail[i] != GUARD_BYTE) {
			nd_site_name(b->site, where, sizeof(where));
			nd_report(
			    ND_RULE_SHM_GUARD_OVERRUN, ad, b->iova, b->length,
			    b->site,
			    "%s: byte %zu past the end of the block at VA "
			    "%p (Length %u, allocated at %s) was "
			    "overwritten",
			    when, i, b->va, b->length, where);
			ok = false;
			break;
		}
	return ok;
}

static size_t rounded(struct nd_adapter *ad, ULONG length)
{
	size_t g = ad->arena->gran;
	return ((size_t)length + g - 1) & ~(g - 1);
}

int nd_shm_alloc(struct nd_adapter *ad, ULONG length, BOOLEAN cached,
		 const void *site, int fault_kind, void **va, uint64_t *iova)
{
	int rc = -ENOMEM;
	*va = NULL;
	*iova = 0;
	pthread_mutex_lock(&ad->shm_lock);
	if (nd_fault_inject(fault_kind))
		goto fail;
	rc = nd_shm_ensure_arena(ad);
	if (rc)
		goto fail;
	size_t r = rounded(ad, length);
	if (length == 0 || r > ad->shm_limit ||
	    ad->st.shm_bytes + r > ad->shm_limit) {
		rc = -ENOMEM;
		goto fail;
	}
	struct shm_block *b = calloc(1, sizeof(*b));
	if (!b) {
		rc = -ENOMEM;
		goto fail;
	}
	size_t g = guard(ad);
	rc = nd_arena_alloc(ad->arena, r + 2 * g, &b->ab, &b->va, &b->iova);
	if (rc) {
		free(b);
		goto fail;
	}
	long dirty = b->ab.dirty;
	if (dirty >= 0)
		nd_report(ND_RULE_SHM_WRITE_AFTER_FREE, ad, b->iova + dirty, 0,
			  site,
			  "freed shared memory at VA %p was written after it "
			  "was freed (found when the memory was reused)",
			  (void *)((char *)b->va + dirty));
	memset(b->va, GUARD_BYTE, g);
	memset((char *)b->va + g + length, GUARD_BYTE, r + g - length);
	b->va = (char *)b->va + g;
	b->iova += g;
	b->length = length;
	b->cached = cached;
	b->site = site;
	if (nd_ptrmap_put(&ad->blocks, (uintptr_t)b->va, b)) {
		nd_arena_free(ad->arena, &b->ab);
		free(b);
		rc = -ENOMEM;
		goto fail;
	}
	if (ad->bus->ops->window_open) {
		rc = ad->bus->ops->window_open(
		    ad->bus, b->iova, length, b->va,
		    BUS_PERM_RW | (cached ? 0 : BUS_PERM_UNCACHED), b->iova);
		if (rc) {
			nd_ptrmap_del(&ad->blocks, (uintptr_t)b->va);
			nd_arena_free(ad->arena, &b->ab);
			free(b);
			goto fail;
		}
	}
	free(nd_ptrmap_del(&ad->freed, (uintptr_t)b->va));
	if (ad->bus->info.fill >= 0)
		memset(b->va, ad->bus->info.fill, length);
	if (ad->bus->ops->sync) /* fresh memory: CPU and device agree */
		ad->bus->ops->sync(ad->bus, b->iova, length,
				   BUS_SYNC_FOR_DEVICE);
	ad->st.shm_bytes += r;
	ad->st.shm_blocks++;
	ad->st.shm_allocs++;
	if (ad->st.shm_bytes > ad->st.shm_bytes_peak)
		ad->st.shm_bytes_peak = ad->st.shm_bytes;
	if (ad->st.shm_blocks > ad->st.shm_blocks_peak)
		ad->st.shm_blocks_peak = ad->st.shm_blocks;
	*va = b->va;
	*iova = b->iova;
	pthread_mutex_unlock(&ad->shm_lock);
	return 0;
fail:
	ad->st.shm_failures++;
	pthread_mutex_unlock(&ad->shm_lock);
	return rc;
}

/* Release a block that is in ad->blocks (the arena poisons it). Lock
 * held. */
static void release(struct nd_adapter *ad, struct shm_block *b)
{
	size_t r = rounded(ad, b->length);
	nd_ptrmap_del(&ad->blocks, (uintptr_t)b->va);
	if (ad->bus->ops->window_close)
		ad->bus->ops->window_close(ad->bus, b->iova, b->length);
	nd_arena_free(ad->arena, &b->ab);
	ad->st.shm_bytes -= r;
	ad->st.shm_blocks--;
	/* keep the record: a later free of this VA is a double free */
	b->ab.chunk = NULL;
	struct shm_block *old = nd_ptrmap_get(&ad->freed, (uintptr_t)b->va);
	if (nd_ptrmap_put(&ad->freed, (uintptr_t)b->va, b))
		free(b);
	else if (old && old != b)
		free(old);
}

/* The block whose bytes (not guards) contain p, or NULL. Lock held. */
static struct shm_block *containing(struct nd_adapter *ad, const void *p)
{
	if (!ad->arena || !p)
		return NULL;
	char *start = nd_arena_block_containing(ad->arena, p);
	struct shm_block *b =
	    start ? nd_ptrmap_get(&ad->blocks, (uintptr_t)(start + guard(ad)))
		  : NULL;
	if (!b || (const char *)p < (char *)b->va ||
	    (const char *)p >= (char *)b->va + b->length)
		return NULL;
	return b;
}

struct by_iova {
	uint64_t iova;
	struct shm_block *found;
};

static void match_iova(void *ctx, uintptr_t key, void *val)
{
	struct by_iova *q = ctx;
	struct shm_block *b = val;
	(void)key;
	if (b->iova == q->iova)
		q->found = b;
}

void nd_shm_free(struct nd_adapter *ad, ULONG length, BOOLEAN cached, void *va,
		 uint64_t iova, const void *site)
{
	pthread_mutex_lock(&ad->shm_lock);
	struct shm_block *b = nd_ptrmap_get(&ad->blocks, (uintptr_t)va);
	if (!b) {
		struct shm_block *in = containing(ad, va);
		void *start = in ? in->va : NULL;
		struct by_iova q = {iova, NULL};
		if (!in)
			nd_ptrmap_each(&ad->blocks, match_iova, &q);
		if (in)
			nd_report(ND_RULE_SHM_FREE_SUBRANGE, ad, (uintptr_t)va,
				  length, site,
				  "VA is %zu bytes into the block at %p "
				  "(length %u); blocks are freed whole",
				  (size_t)((char *)va - (char *)start), start,
				  in->length);
		else if (q.found)
			nd_report(ND_RULE_SHM_FREE_VA, ad, (uintptr_t)va,
				  length, site,
				  "the physical address 0x%llx belongs to the "
				  "block at VA %p, not to VA %p",
				  (unsigned long long)iova, q.found->va, va);
		else if (nd_ptrmap_get(&ad->freed, (uintptr_t)va))
			nd_report(ND_RULE_SHM_DOUBLE_FREE, ad, (uintptr_t)va,
				  length, site, "this block was already freed");
		else
			nd_report(ND_RULE_SHM_FREE_UNKNOWN, ad, (uintptr_t)va,
				  length, site,
				  "no shared memory of this adapter at this "
				  "VA");
		pthread_mutex_unlock(&ad->shm_lock);
		return;
	}
	bool bad = false;
	char where[128];
	nd_site_name(b->site, where, sizeof(where));
	/* ndis.sys frees the block whatever Length and Cached say (a
	 * larger block with the caller's values): the whole block here. */
	if (b->length != length &&
	    nd_report(ND_RULE_SHM_FREE_LENGTH, ad, (uintptr_t)va, length, site,
		      "allocated with Length %u at %s", b->length, where))
		bad = true;
	if (!b->cached != !cached &&
	    nd_report(ND_RULE_SHM_FREE_CACHED, ad, (uintptr_t)va, length, site,
		      "allocated with Cached=%s at %s",
		      b->cached ? "TRUE" : "FALSE", where))
		bad = true;
	if (b->iova != iova) {
		nd_report(ND_RULE_SHM_FREE_ADDRESS, ad, (uintptr_t)va, length,
			  site,
			  "PhysicalAddress 0x%llx; the block's is 0x%llx "
			  "(allocated at %s)",
			  (unsigned long long)iova, (unsigned long long)b->iova,
			  where);
		bad = true;
	}
	if (!bad) {
		guards_ok(ad, b, "at free");
		release(ad, b);
	}
	pthread_mutex_unlock(&ad->shm_lock);
}

struct shm_block *nd_shm_find(struct nd_adapter *ad, const void *va, size_t len)
{
	pthread_mutex_lock(&ad->shm_lock);
	struct shm_block *b = containing(ad, va);
	if (b &&
	    (size_t)((const char *)va - (const char *)b->va) + len > b->length)
		b = NULL;
	pthread_mutex_unlock(&ad->shm_lock);
	return b;
}

struct collect {
	struct shm_block **v;
	size_t n;
};

static void collect(void *ctx, uintptr_t key, void *val)
{
	struct collect *c = ctx;
	(void)key;
	c->v[c->n++] = val;
}

/* Halt: report (halt.leak-shm) and release every block; returns how
 * many. */
static long nd_shm_reclaim_all(struct nd_res *res)
{
	struct nd_adapter *ad = res->owner;
	pthread_mutex_lock(&ad->shm_lock);
	size_t n = nd_ptrmap_count(&ad->blocks);
	struct collect c = {calloc(n ? n : 1, sizeof(*c.v)), 0};
	long count = 0;
	if (c.v) {
		nd_ptrmap_each(&ad->blocks, collect, &c);
		for (size_t i = 0; i < c.n; i++) {
			struct shm_block *b = c.v[i];
			char where[128];
			nd_site_name(b->site, where, sizeof(where));
			guards_ok(ad, b, "at halt");
			nd_report(
			    ND_RULE_HALT_LEAK_SHM, ad, b->iova, b->length,
			    b->site,
			    "shared memory VA %p (Cached=%d) allocated at "
			    "%s was never freed",
			    b->va, b->cached, where);
			release(ad, b);
			count++;
		}
		free(c.v);
	}
	pthread_mutex_unlock(&ad->shm_lock);
	return count;
}

static void free_rec(void *ctx, uintptr_t key, void *val)
{
	(void)ctx;
	(void)key;
	free(val);
}

/* After halt's reclaim: the freed-block history and the arena. */
static void nd_shm_destroy(struct nd_res *res)
{
	struct nd_adapter *ad = res->owner;
	nd_ptrmap_each(&ad->blocks, free_rec, NULL);
	nd_ptrmap_free(&ad->blocks);
	nd_ptrmap_each(&ad->freed, free_rec, NULL);
	nd_ptrmap_free(&ad->freed);
	nd_arena_destroy(ad->arena);
	ad->arena = NULL;
}

struct check {
	struct nd_adapter *ad;
	long bad;
};

static void check_one(void *ctx, uintptr_t key, void *val)
{
	struct check *c = ctx;
	(void)key;
	if (!guards_ok(c->ad, val, "on demand"))
		c->bad++;
}

long ndisdma_verifier_check(ndisdma_adapter *h)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (!ad)
		return -EINVAL;
	struct check c = {ad, 0};
	pthread_mutex_lock(&ad->shm_lock);
	nd_ptrmap_each(&ad->blocks, check_one, &c);
	pthread_mutex_unlock(&ad->shm_lock);
	return c.bad;
}
