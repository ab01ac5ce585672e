/* SPDX-License-Identifier: MIT */
#include "ptrmap.h"

#include <errno.h>
#include <stdlib.h>

static size_t hash(uintptr_t k, size_t cap)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
	return (size_t)(x >> 17) & (cap - 1);
}

static int rehash(struct ptrmap *m, size_t cap)
{
	struct ptrmap_slot *n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		uintptr_t k = m->slot[i].key;
		if (k <= 1)
			continue;
		size_t j = hash(k, cap);
		while (n[j].key)
			j = (j + 1) & (cap - 1);
		n[j] = m->slot[i];
	}
	free(m->slot);
	m->slot = n;
	m->cap = cap;
	m->used = m->live;
	return 0;
}

int nd_ptrmap_put(struct ptrmap *m, uintptr_t key, void *val)
{
	if (key <= 1)
		return -EINVAL;
	if ((m->used + 1) * 4 >= m->cap * 3) {
		size_t cap = m->cap ? m->cap : 16;
		while ((m->live + 1) * 2 >= cap)
			cap *= 2;
		if (rehash(m, cap))
			return -ENOMEM;
	}
	size_t i = hash(key, m->cap), tomb = (size_t)-1;
	while (m->slot[i].key) {
		if (m->slot[i].key == key) {
			m->slot[i].val = val;
			return 0;
		}
		if (m->slot[i].key == 1 && tomb == (size_t)-1)
			tomb = i;
		i = (i + 1) & (m->cap - 1);
	}
	if (tomb != (size_t)-1)
		i = tomb;
	else
		m->used++;
	m->slot[i].key = key;
	m->slot[i].val = val;
	m->live++;
	return 0;
}

static struct ptrmap_slot *find(const struct ptrmap *m, uintptr_t key)
{
	if (!m->cap || key <= 1)
		return NULL;
	size_t i = hash(key, m->cap);
	while (m->slot[i].key) {
		if (m->slot[i].key == key)
			return &m->slot[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

void *nd_ptrmap_get(const struct ptrmap *m, uintptr_t key)
{
	struct ptrmap_slot *s = find(m, key);
	return s ? s->val : NULL;
}

void *nd_ptrmap_del(struct ptrmap *m, uintptr_t key)
{
	struct ptrmap_slot *s = find(m, key);
	if (!s)
		return NULL;
	void *v = s->val;
	s->key = 1;
	s->val = NULL;
	m->live--;
	return v;
}

size_t nd_ptrmap_count(const struct ptrmap *m)
{
	return m->live;
}

void nd_ptrmap_each(const struct ptrmap *m,
		    void (*fn)(void *, uintptr_t, void *), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key > 1)
			fn(ctx, m->slot[i].key, m->slot[i].val);
}

void nd_ptrmap_free(struct ptrmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = m->used = m->live = 0;
}
