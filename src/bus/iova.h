/* SPDX-License-Identifier: MIT */
/*
 * iova.h - a device-address range allocator shared by the buses that choose
 * device addresses themselves (sim, vfio). First fit within [min, max],
 * aligned, with coalescing frees. Thread-safe (one mutex).
 */
#ifndef NDISDMA_IOVA_H
#define NDISDMA_IOVA_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct iova_extent {
	uint64_t start, end; /* [start, end) */
};

struct iova_space {
	pthread_mutex_t lock;
	struct iova_extent *free; /* sorted, disjoint, non-adjacent */
	size_t nfree, cap;
};

/* Manage [base, end). Returns 0 or -ENOMEM. */
int nd_iova_space_init(struct iova_space *, uint64_t base, uint64_t end);
void nd_iova_space_destroy(struct iova_space *);

/* Reserve `len` bytes aligned to `align` (a power of two) lying wholly in
 * [min, max] (max inclusive). Returns 0 and *out, or -ENOMEM when no free
 * range fits. */
int nd_iova_reserve(struct iova_space *, uint64_t len, uint64_t align,
		    uint64_t min, uint64_t max, uint64_t *out);

/* Return a range obtained from nd_iova_reserve. Returns 0, or -EINVAL if any
 * part of it is already free (a double release). */
int nd_iova_release(struct iova_space *, uint64_t start, uint64_t len);

#endif
