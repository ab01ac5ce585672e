/* SPDX-License-Identifier: MIT */
/*
 * memory.c - general memory (NdisAllocateMemory and friends): every
 * allocation recorded with its length, flags, tag, family and owner, so
 * that frees are checked, tags are counted like a pool monitor, and halt
 * or unload can reclaim what the driver forgot.
 */
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct mem_rec {
	void *va;
	size_t len;
	UINT flags;
	ULONG tag;
	enum mem_family fam;
	void *owner;
	bool mapped;
	const void *site;
};

struct tag_stat {
	uint64_t bytes, outstanding, total;
};

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap live, freed, tags;

static long mem_reclaim_adapter(struct nd_res *res)
{
	struct nd_adapter *ad = res->owner;
	return nd_mem_reclaim_owner(ad, ND_RULE_HALT_LEAK_MEMORY, ad);
}

static const struct nd_res_ops mem_res_ops = {
    .name = "general memory",
    .order = ND_RES_ORDER_MEMORY,
    .reclaim_all = mem_reclaim_adapter,
};

static struct tag_stat *tag_get(ULONG tag)
{
	struct tag_stat *t = nd_ptrmap_get(&tags, (uintptr_t)tag + 2);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (t && nd_ptrmap_put(&tags, (uintptr_t)tag + 2, t)) {
		free(t);
		t = NULL;
	}
	return t;
}

void *nd_mem_alloc(size_t len, UINT flags, ULONG tag, enum mem_family fam,
		   struct nd_adapter *ad, const void *site)
{
	if (nd_fault_inject(NDISDMA_FAULT_MEM))
		return NULL;
	struct mem_rec *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	struct nd_thread *t = nd_self();
	r->len = len;
	r->flags = flags;
	r->tag = tag;
	r->fam = fam;
	r->site = site;
	struct nd_adapter *owner_ad = ad ? ad : t->adapter;
	r->owner = owner_ad ? (void *)owner_ad : (void *)t->driver;
	if (owner_ad) /* halt reclaims what it still owns */
		nd_adapter_track_once(owner_ad, &owner_ad->mem_res,
				      &mem_res_ops);
	if (flags & NDIS_MEMORY_CONTIGUOUS) {
		size_t pl = (len + 4095) & ~(size_t)4095;
		void *p = mmap(NULL, pl, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			free(r);
			return NULL;
		}
		(void)mlock(p, pl); /* best effort: RLIMIT_MEMLOCK may refuse */
		r->va = p;
		r->mapped = true;
	} else {
		r->va = malloc(len);
		if (!r->va) {
			free(r);
			return NULL;
		}
	}
	pthread_mutex_lock(&mem_lock);
	struct tag_stat *ts = tag_get(tag);
	if (!ts || nd_ptrmap_put(&live, (uintptr_t)r->va, r)) {
		pthread_mutex_unlock(&mem_lock);
		if (r->mapped)
			munmap(r->va, (len + 4095) & ~(size_t)4095);
		else
			free(r->va);
		free(r);
		return NULL;
	}
	nd_ptrmap_del(&freed, (uintptr_t)r->va);
	ts->bytes += len;
	ts->outstanding++;
	ts->total++;
	pthread_mutex_unlock(&mem_lock);
	return r->va;
}

/* Lock held. */
static void release(struct mem_rec *r)
{
	nd_ptrmap_del(&live, (uintptr_t)r->va);
	struct tag_stat *ts = nd_ptrmap_get(&tags, (uintptr_t)r->tag + 2);
	if (ts) {
		ts->bytes -= r->len;
		ts->outstanding--;
	}
	(void)nd_ptrmap_put(&freed, (uintptr_t)r->va, (void *)1);
	if (r->mapped)
		munmap(r->va, (r->len + 4095) & ~(size_t)4095);
	else
		free(r->va);
	free(r);
}

void nd_mem_free(void *va, UINT len, UINT flags, ULONG tag, enum mem_family fam,
		 bool check_len_flags, const void *site)
{
	pthread_mutex_lock(&mem_lock);
	struct mem_rec *r = va ? nd_ptrmap_get(&live, (uintptr_t)va) : NULL;
	if (!r) {
		bool twice = va && nd_ptrmap_get(&freed, (uintptr_t)va);
		pthread_mutex_unlock(&mem_lock);
		nd_report(twice ? ND_RULE_MEM_DOUBLE_FREE
				: ND_RULE_MEM_FREE_UNKNOWN,
			  NULL, (uintptr_t)va, len, site,
			  twice ? "this memory was already freed"
				: "no general memory was allocated at this "
				  "address");
		return;
	}
	bool bad = false;
	if (fam == MEM_TAG_PRIORITY && r->fam != MEM_TAG_PRIORITY) {
		bad = nd_report(ND_RULE_MEM_FREE_TAG, NULL, (uintptr_t)va, len,
				site,
				"memory from NdisAllocateMemory(WithTag) freed "
				"with NdisFreeMemoryWithTagPriority");
	} else if (fam == MEM_TAG_PRIORITY && r->tag != tag) {
		bad = nd_report(ND_RULE_MEM_FREE_TAG, NULL, (uintptr_t)va,
				r->len, site,
				"freed with tag 0x%08x, allocated with 0x%08x",
				tag, r->tag);
	}
	/* NdisFreeMemory with MemoryFlags 0 is the documented free of
	 * NdisAllocateMemoryWithTagPriority's memory; its Length is ignored
	 * then (NdisFreeMemory reference page). */
	if (!bad && check_len_flags) {
		if (r->flags != flags) {
			bad = nd_report(ND_RULE_MEM_FREE_FLAGS, NULL,
					(uintptr_t)va, len, site,
					"MemoryFlags 0x%x; allocated with 0x%x",
					flags, r->flags);
		} else if (r->len != len && r->fam != MEM_TAG_PRIORITY) {
			bad = nd_report(ND_RULE_MEM_FREE_LENGTH, NULL,
					(uintptr_t)va, len, site,
					"allocated with Length %zu", r->len);
		}
	}
	if (!bad)
		release(r);
	pthread_mutex_unlock(&mem_lock);
}

struct owned {
	void *owner;
	struct mem_rec **v;
	size_t n, cap;
};

static void find_owned(void *ctx, uintptr_t key, void *val)
{
	struct owned *o = ctx;
	struct mem_rec *r = val;
	(void)key;
	if (r->owner == o->owner && o->n < o->cap)
		o->v[o->n++] = r;
}

long nd_mem_reclaim_owner(void *owner, enum nd_rule rule, struct nd_adapter *ad)
{
	if (!owner)
		return 0;
	pthread_mutex_lock(&mem_lock);
	size_t cap = nd_ptrmap_count(&live);
	struct owned o = {owner, calloc(cap ? cap : 1, sizeof(void *)), 0, cap};
	long n = 0;
	if (o.v) {
		nd_ptrmap_each(&live, find_owned, &o);
		for (size_t i = 0; i < o.n; i++) {
			struct mem_rec *r = o.v[i];
			char tag[5] = {0};
			for (int k = 0; k < 4; k++) {
				char ch = (char)(r->tag >> (8 * k));
				tag[k] = ch >= 32 && ch < 127 ? ch : '.';
			}
			nd_report(rule, ad, (uintptr_t)r->va, r->len, r->site,
				  "general memory (tag '%s') never freed", tag);
			release(r);
			n++;
		}
		free(o.v);
	}
	if (!nd_ptrmap_count(&live)) {
		nd_ptrmap_free(&live);
		nd_ptrmap_free(&freed);
	}
	pthread_mutex_unlock(&mem_lock);
	return n;
}

int ndisdma_tag_usage(uint32_t tag, uint64_t *bytes, uint64_t *outstanding,
		      uint64_t *total)
{
	pthread_mutex_lock(&mem_lock);
	struct tag_stat *t = nd_ptrmap_get(&tags, (uintptr_t)tag + 2);
	if (t) {
		if (bytes)
			*bytes = t->bytes;
		if (outstanding)
			*outstanding = t->outstanding;
		if (total)
			*total = t->total;
	}
	pthread_mutex_unlock(&mem_lock);
	return t ? 0 : -ENOENT;
}
