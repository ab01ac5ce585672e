/* SPDX-License-Identifier: MIT */
#include "iova.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nd_iova_space_init(struct iova_space *sp, uint64_t base, uint64_t end)
{
	memset(sp, 0, sizeof(*sp));
	if (end <= base)
		return -EINVAL;
	sp->cap = 16;
	sp->free = calloc(sp->cap, sizeof(*sp->free));
	if (!sp->free)
		return -ENOMEM;
	sp->free[0] = (struct iova_extent){base, end};
	sp->nfree = 1;
	pthread_mutex_init(&sp->lock, NULL);
	return 0;
}

void nd_iova_space_destroy(struct iova_space *sp)
{
	if (!sp->free)
		return;
	pthread_mutex_destroy(&sp->lock);
	free(sp->free);
	sp->free = NULL;
}

static int grow(struct iova_space *sp)
{
	if (sp->nfree < sp->cap)
		return 0;
	size_t cap = sp->cap * 2;
	struct iova_extent *n = realloc(sp->free, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	sp->free = n;
	sp->cap = cap;
	return 0;
}

int nd_iova_reserve(struct iova_space *sp, uint64_t len, uint64_t align,
		    uint64_t min, uint64_t max, uint64_t *out)
{
	if (len == 0 || align == 0 || (align & (align - 1)))
		return -EINVAL;
	int rc = -ENOMEM;
	pthread_mutex_lock(&sp->lock);
	for (size_t i = 0; i < sp->nfree; i++) {
		struct iova_extent *e = &sp->free[i];
		uint64_t s = e->start > min ? e->start : min;
		if (s > UINT64_MAX - (align - 1))
			break;
		s = (s + align - 1) & ~(align - 1);
		if (s >= e->end || e->end - s < len)
			continue;
		if (s > max || max - s < len - 1)
			break; /* extents are sorted: nothing later fits */
		/* carve [s, s+len) out of e */
		uint64_t a = e->start, b = e->end;
		if (a < s && s + len < b) {
			if (grow(sp))
				break;
			e = &sp->free[i];
			memmove(e + 1, e, (sp->nfree - i) * sizeof(*e));
			sp->nfree++;
			e[0].end = s;
			e[1].start = s + len;
		} else if (a < s) {
			e->end = s;
		} else if (s + len < b) {
			e->start = s + len;
		} else {
			memmove(e, e + 1, (sp->nfree - i - 1) * sizeof(*e));
			sp->nfree--;
		}
		*out = s;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

int nd_iova_release(struct iova_space *sp, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	if (len == 0 || end < start)
		return -EINVAL;
	int rc = 0;
	pthread_mutex_lock(&sp->lock);
	size_t i = 0;
	while (i < sp->nfree && sp->free[i].end <= start)
		i++;
	/* i: first extent ending after start; it must begin at/after end */
	if (i < sp->nfree && sp->free[i].start < end) {
		rc = -EINVAL;
		goto out;
	}
	int left = i > 0 && sp->free[i - 1].end == start;
	int right = i < sp->nfree && sp->free[i].start == end;
	if (left && right) {
		sp->free[i - 1].end = sp->free[i].end;
		memmove(&sp->free[i], &sp->free[i + 1],
			(sp->nfree - i - 1) * sizeof(sp->free[0]));
		sp->nfree--;
	} else if (left) {
		sp->free[i - 1].end = end;
	} else if (right) {
		sp->free[i].start = start;
	} else {
		rc = grow(sp);
		if (rc)
			goto out;
		memmove(&sp->free[i + 1], &sp->free[i],
			(sp->nfree - i) * sizeof(sp->free[0]));
		sp->free[i] = (struct iova_extent){start, end};
		sp->nfree++;
	}
out:
	pthread_mutex_unlock(&sp->lock);
	return rc;
}
