/* SPDX-License-Identifier: MIT */
/*
 * ptrmap.h - an open-addressing hash map from a non-zero key (an address)
 * to a pointer. Not thread-safe: callers hold their own lock.
 */
#ifndef NDISDMA_PTRMAP_H
#define NDISDMA_PTRMAP_H

#include <stddef.h>
#include <stdint.h>

struct ptrmap_slot {
	uintptr_t key; /* 0 = empty, 1 = deleted */
	void *val;
};

struct ptrmap {
	struct ptrmap_slot *slot;
	size_t cap, used, live;
};

/* Insert or replace. Returns 0 or -ENOMEM (map unchanged). key > 1. */
int nd_ptrmap_put(struct ptrmap *, uintptr_t key, void *val);
/* The value, or NULL. */
void *nd_ptrmap_get(const struct ptrmap *, uintptr_t key);
/* Remove and return the value, or NULL. */
void *nd_ptrmap_del(struct ptrmap *, uintptr_t key);
size_t nd_ptrmap_count(const struct ptrmap *);
/* Call fn for every entry; fn must not modify the map. */
void nd_ptrmap_each(const struct ptrmap *,
		    void (*fn)(void *ctx, uintptr_t key, void *val), void *ctx);
void nd_ptrmap_free(struct ptrmap *);

#endif
