/* SPDX-License-Identifier: MIT */
/*
 * handles.c - the one registry of live handles (drivers, driver objects,
 * adapters, NDIS 6 DMA handles, system DMA channels): a ptrmap from the
 * value the driver or host holds to the object's struct nd_handle, read
 * under a read lock, and the reference counts that keep an object alive
 * while a call uses it. The lifetime rules are in core.h ("handles").
 */
#include "core.h"

#include <errno.h>

/* Values in the map: the handle's address with its kind in the low bits
 * (struct nd_handle is 8-aligned; kinds are 1..7). */
#define KIND_MASK 7u

/* writers first: a halt unpublishing must not starve behind a stream of
 * lookups on other threads */
static pthread_rwlock_t reg_lock =
    PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static struct ptrmap reg;

/* Woken when a handle that is not published any more drops its last
 * reference (nd_handle_drain waits on it). */
static pthread_mutex_t drain_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t drain_cond = PTHREAD_COND_INITIALIZER;

_Static_assert(ND_H_KINDS - 1 <= KIND_MASK, "kinds fit the tag bits");
_Static_assert(_Alignof(struct nd_handle) > KIND_MASK, "tag bits are free");

int nd_handle_publish(struct nd_handle *h, enum nd_handle_kind kind,
		      const void *key, enum nd_handle_kind kind2,
		      const void *key2)
{
	ND_ASSERT(kind > ND_H_NONE && kind < ND_H_KINDS && key);
	atomic_store(&h->refs, 1);
	h->key[0] = (uintptr_t)key;
	h->key[1] = key2 ? (uintptr_t)key2 : 0;
	int rc = 0;
	pthread_rwlock_wrlock(&reg_lock);
	if (nd_ptrmap_get(&reg, h->key[0]) ||
	    (key2 && nd_ptrmap_get(&reg, h->key[1]))) {
		rc = -EEXIST; /* an address is one live object */
	} else if (nd_ptrmap_put(&reg, h->key[0],
				 (void *)((uintptr_t)h | kind))) {
		rc = -ENOMEM;
	} else if (key2 && nd_ptrmap_put(&reg, h->key[1],
					 (void *)((uintptr_t)h | kind2))) {
		nd_ptrmap_del(&reg, h->key[0]);
		rc = -ENOMEM;
	}
	if (!rc)
		atomic_store(&h->published, true);
	else
		atomic_store(&h->refs,
			     0); /* never published: nobody holds it */
	pthread_rwlock_unlock(&reg_lock);
	return rc;
}

struct nd_handle *nd_handle_get(const void *key, enum nd_handle_kind kind)
{
	if (!key)
		return NULL;
	pthread_rwlock_rdlock(&reg_lock);
	uintptr_t v = (uintptr_t)nd_ptrmap_get(&reg, (uintptr_t)key);
	struct nd_handle *h = NULL;
	if (v && (v & KIND_MASK) == (uintptr_t)kind) {
		h = (struct nd_handle *)(v & ~(uintptr_t)KIND_MASK);
		/* published: the registry's own reference keeps it > 0 */
		long was = atomic_fetch_add(&h->refs, 1);
		ND_ASSERT(was > 0);
		(void)was;
	}
	pthread_rwlock_unlock(&reg_lock);
	return h;
}

void nd_handle_hold(struct nd_handle *h)
{
	long was = atomic_fetch_add(&h->refs, 1);
	ND_ASSERT(was > 0);
	(void)was;
}

void nd_handle_put(struct nd_handle *h)
{
	long was = atomic_fetch_sub(&h->refs, 1);
	ND_ASSERT(was > 0);
	if (was == 1) {
		/* the last one: only a drain can be waiting (the registry's
		 * reference is gone). After the unlock h may be freed. */
		pthread_mutex_lock(&drain_lock);
		pthread_cond_broadcast(&drain_cond);
		pthread_mutex_unlock(&drain_lock);
	}
}

bool nd_handle_unpublish(struct nd_handle *h)
{
	bool won = false;
	pthread_rwlock_wrlock(&reg_lock);
	if (atomic_load(&h->published)) {
		atomic_store(&h->published, false);
		nd_ptrmap_del(&reg, h->key[0]);
		if (h->key[1])
			nd_ptrmap_del(&reg, h->key[1]);
		if (!nd_ptrmap_count(&reg))
			nd_ptrmap_free(&reg);
		won = true;
	}
	pthread_rwlock_unlock(&reg_lock);
	if (won)
		nd_handle_put(h); /* the registry's reference */
	return won;
}

void nd_handle_drain(struct nd_handle *h)
{
	ND_ASSERT(!atomic_load(&h->published));
	pthread_mutex_lock(&drain_lock);
	while (atomic_load(&h->refs) > 0)
		pthread_cond_wait(&drain_cond, &drain_lock);
	pthread_mutex_unlock(&drain_lock);
}

bool nd_handle_is_published(struct nd_handle *h)
{
	return atomic_load(&h->published);
}

struct find {
	enum nd_handle_kind kind;
	bool (*pred)(struct nd_handle *, void *);
	void *ctx;
	struct nd_handle *found;
};

static void find_one(void *ctx, uintptr_t key, void *val)
{
	struct find *f = ctx;
	uintptr_t v = (uintptr_t)val;
	(void)key;
	if (f->found || (v & KIND_MASK) != (uintptr_t)f->kind)
		return;
	struct nd_handle *h = (struct nd_handle *)(v & ~(uintptr_t)KIND_MASK);
	if (f->pred(h, f->ctx)) {
		atomic_fetch_add(&h->refs, 1);
		f->found = h;
	}
}

struct nd_handle *nd_handle_find(enum nd_handle_kind kind,
				 bool (*pred)(struct nd_handle *, void *),
				 void *ctx)
{
	struct find f = {kind, pred, ctx, NULL};
	pthread_rwlock_rdlock(&reg_lock);
	nd_ptrmap_each(&reg, find_one, &f);
	pthread_rwlock_unlock(&reg_lock);
	return f.found;
}

/* ---- lookups by kind (core.h) ---- */

struct nd_adapter *nd_adapter_lookup(NDIS_HANDLE h, const char *fn,
				     const void *site)
{
	struct nd_handle *p = nd_handle_get(h, ND_H_ADAPTER);
	if (!p && fn)
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not the handle of a live adapter", fn, h);
	return p ? nd_container_of(p, struct nd_adapter, h) : NULL;
}

struct nd_sgdma *nd_sgdma_lookup(NDIS_HANDLE h, const char *fn,
				 const void *site)
{
	struct nd_handle *p = nd_handle_get(h, ND_H_SGDMA);
	if (!p && fn)
		nd_report(ND_RULE_SGDMA_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "%s: %p is not a DMA handle from "
			  "NdisMRegisterScatterGatherDma",
			  fn, h);
	return p ? nd_container_of(p, struct nd_sgdma, h) : NULL;
}
