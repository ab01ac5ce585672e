/* SPDX-License-Identifier: MIT */
/*
 * mapping.c - device mappings of host ranges (shared memory, the bus's
 * map, bounce areas), the map registers of an adapter, and reclaiming
 * them at halt. See mapping.h and docs/mapping.md.
 */
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void stat_add(struct nd_adapter *ad, uint64_t *field, int64_t d)
{
	pthread_mutex_lock(&ad->shm_lock);
	*field += (uint64_t)d;
	pthread_mutex_unlock(&ad->shm_lock);
}

/* Allocate b (bounce_size bytes) from the adapter's arena, within the
 * adapter's limit and below `limit`. */
static int bounce_alloc(struct nd_adapter *ad, struct nd_bounce *b, size_t size,
			uint64_t limit)
{
	int rc;
	pthread_mutex_lock(&ad->shm_lock);
	rc = nd_shm_ensure_arena(ad);
	if (rc)
		goto out;
	size_t g = ad->arena->gran;
	size_t r = (size + g - 1) & ~(g - 1);
	if (ad->st.shm_bytes + ad->st.bounce_area_bytes + r > ad->shm_limit) {
		rc = -ENOMEM;
		goto out;
	}
	rc = nd_arena_alloc(ad->arena, size, &b->ab, &b->va, &b->iova);
	if (rc)
		goto out;
	if (b->iova + size - 1 > limit) {
		nd_arena_free(ad->arena, &b->ab);
		rc = -ENOMEM;
		goto out;
	}
	b->len = r;
	ad->st.bounce_area_bytes += r;
out:
	pthread_mutex_unlock(&ad->shm_lock);
	return rc;
}

void nd_bounce_release(struct nd_adapter *ad, struct nd_bounce *b)
{
	if (!b->va)
		return;
	pthread_mutex_lock(&ad->shm_lock);
	nd_arena_free(ad->arena, &b->ab);
	ad->st.bounce_area_bytes -= b->len;
	pthread_mutex_unlock(&ad->shm_lock);
	memset(b, 0, sizeof(*b));
}

static int map_bounce(struct nd_adapter *ad, struct nd_map *m, uint64_t limit,
		      size_t bounce_size)
{
	struct nd_bounce *b = m->bounce;
	if (m->capsegs < 1) {
		m->nsegs = 1;
		return -ENOSPC;
	}
	if (!b || m->len > bounce_size)
		return -ENOMEM;
	if (!b->va && bounce_alloc(ad, b, bounce_size, limit)) {
		stat_add(ad, &ad->st.bounce_failures, 1);
		return -ENOMEM;
	}
	/* Copy in for both directions: bytes the device does not write must
	 * come back unchanged at completion. */
	memcpy(b->va, m->host, m->len);
	if (ad->bus->ops->window_open) {
		int rc = ad->bus->ops->window_open(
		    ad->bus, b->iova, m->len, b->va,
		    m->to_device ? BUS_PERM_READ : BUS_PERM_RW, b->iova);
		if (rc)
			return rc;
	}
	m->kind = ND_MAP_BOUNCE;
	m->segs[0] = (struct bus_seg){b->iova, m->len};
	m->nsegs = 1;
	pthread_mutex_lock(&ad->shm_lock);
	ad->st.bounce_maps++;
	ad->st.bounce_bytes_in += m->len;
	pthread_mutex_unlock(&ad->shm_lock);
	return 0;
}

int nd_map_range(struct nd_adapter *ad, struct nd_map *m, void *host,
		 size_t len, bool to_device, uint64_t limit, size_t bounce_size)
{
	m->kind = ND_MAP_NONE;
	m->nsegs = 0;
	if (!host || !len || !m->segs ||
	    (uintptr_t)host + len - 1 < (uintptr_t)host)
		return -EINVAL; /* NULL, empty, or wrapping the address space */
	m->host = host;
	m->len = len;
	m->to_device = to_device;

	/* Shared memory: the device already reaches it. */
	struct shm_block *b = nd_shm_find(ad, host, len);
	if (b) {
		uint64_t iova =
		    b->iova + (uint64_t)((char *)host - (char *)b->va);
		if (iova + len - 1 <= limit) {
			if (m->capsegs < 1) {
				m->nsegs = 1;
				return -ENOSPC;
			}
			m->kind = ND_MAP_SHM;
			m->segs[0] = (struct bus_seg){iova, len};
			m->nsegs = 1;
			goto mapped;
		}
	}

	int rc = -ERANGE;
	if (ad->bus->ops->map) {
		unsigned n = m->capsegs;
		rc = ad->bus->ops->map(ad->bus, host, len, limit,
				       to_device ? BUS_PERM_READ : BUS_PERM_RW,
				       m->segs, &n);
		if (rc == -ENOSPC) {
			m->nsegs = n;
			return rc;
		}
		if (!rc) {
			m->kind = ND_MAP_BUS;
			m->nsegs = n;
			goto mapped;
		}
	}
	if (rc != -ERANGE)
		return rc;
	rc = map_bounce(ad, m, limit, bounce_size);
	if (rc)
		return rc;
mapped:
	pthread_mutex_lock(&ad->shm_lock);
	ad->st.maps++;
	ad->st.map_active++;
	pthread_mutex_unlock(&ad->shm_lock);
	nd_cpu_barrier();
	return 0;
}

static void unmap(struct nd_adapter *ad, struct nd_map *m, bool copy_back);

void nd_unmap_range(struct nd_adapter *ad, struct nd_map *m)
{
	unmap(ad, m, true);
}

void nd_unmap_discard(struct nd_adapter *ad, struct nd_map *m)
{
	unmap(ad, m, false);
}

static void unmap(struct nd_adapter *ad, struct nd_map *m, bool copy_back)
{
	nd_cpu_barrier();
	switch (m->kind) {
	case ND_MAP_NONE:
		return;
	case ND_MAP_SHM:
		break;
	case ND_MAP_BUS:
		ad->bus->ops->unmap(ad->bus, m->segs, m->nsegs);
		break;
	case ND_MAP_BOUNCE:
		if (ad->bus->ops->window_close)
			ad->bus->ops->window_close(ad->bus, m->bounce->iova,
						   m->len);
		if (!m->to_device && copy_back) {
			memcpy(m->host, m->bounce->va, m->len);
			stat_add(ad, &ad->st.bounce_bytes_out, (int64_t)m->len);
		}
		break;
	}
	m->kind = ND_MAP_NONE;
	m->nsegs = 0;
	stat_add(ad, &ad->st.map_active, -1);
}

/* ---------------- map registers ---------------- */

static long nd_mapregs_reclaim(struct nd_res *res);

static const struct nd_res_ops mapregs_res_ops = {
    .name = "map registers",
    .order = ND_RES_ORDER_MAPREGS,
    .reclaim_all = nd_mapregs_reclaim,
};

int nd_mapregs_create(struct nd_adapter *ad, ULONG count, ULONG max_buffer)
{
	/* one segment per page a buffer of max_buffer bytes can touch */
	unsigned pages =
	    (unsigned)(((uint64_t)max_buffer + PAGE_SIZE - 1) / PAGE_SIZE) + 1;
	struct nd_mapregs *r =
	    calloc(1, sizeof(*r) + count * sizeof(r->reg[0]));
	if (!r)
		return -ENOMEM;
	r->segs = calloc((size_t)count * pages, sizeof(*r->segs));
	if (!r->segs) {
		free(r);
		return -ENOMEM;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->count = count;
	r->max_buffer = max_buffer;
	r->pages = pages;
	for (ULONG i = 0; i < count; i++) {
		r->reg[i].map.segs = &r->segs[(size_t)i * pages];
		r->reg[i].map.capsegs = pages;
		r->reg[i].map.bounce = &r->reg[i].bounce;
	}
	ad->mapping = r;
	nd_adapter_track(ad, &r->res, &mapregs_res_ops, NULL);
	return 0;
}

void nd_mapregs_destroy(struct nd_adapter *ad)
{
	struct nd_mapregs *r = ad->mapping;
	if (!r)
		return;
	nd_adapter_untrack(ad, &r->res);
	for (ULONG i = 0; i < r->count; i++)
		nd_bounce_release(ad, &r->reg[i].bounce);
	pthread_mutex_destroy(&r->lock);
	free(r->segs);
	free(r);
	ad->mapping = NULL;
}

/* Halt: report ("halt.leak-object") and undo every active mapping and
 * the registers themselves; returns how many objects. */
static long nd_mapregs_reclaim(struct nd_res *res)
{
	struct nd_adapter *ad = res->owner;
	struct nd_mapregs *r = ad->mapping;
	long n = 0;
	if (r) {
		for (ULONG i = 0; i < r->count; i++) {
			struct nd_mapreg *g = &r->reg[i];
			if (!g->busy)
				continue;
			nd_report(ND_RULE_HALT_LEAK_OBJECT, ad,
				  g->map.segs[0].iova, g->map.len, g->site,
				  "map register %u still maps buffer %p "
				  "(NdisMCompleteBufferPhysicalMapping never "
				  "called)",
				  (unsigned)i, (void *)g->mdl);
			nd_unmap_discard(ad, &g->map);
			g->busy = false;
			n++;
		}
	}
	if (ad->mapregs) {
		nd_report(ND_RULE_HALT_LEAK_OBJECT, ad, 0, ad->mapreg_count,
			  NULL,
			  "map registers not freed with "
			  "NdisMFreeMapRegisters");
		ad->mapregs = false;
		n++;
	}
	nd_mapregs_destroy(ad);
	return n;
}
