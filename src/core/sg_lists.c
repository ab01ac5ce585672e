/* SPDX-License-Identifier: MIT */
/*
 * sg_lists.c - scatter-gather lists: the device addresses of a range of an
 * MDL chain (an NDIS 5 packet's buffers, an NDIS 6 NET_BUFFER's data),
 * mapped with the same machinery as map registers (mapping.c), kept live
 * until freed, reclaimed at halt. See mapping.h and docs/mapping.md.
 */
#include "mapping.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ND_SGL_MAGIC 0x4e44534cu /* NDSL */

/* One live list. The arrays follow the header in the same allocation. */
struct nd_sglist {
	uint32_t magic;
	const void *owner;
	const void *site;
	bool ndis5;
	SCATTER_GATHER_LIST *list;
	void *own_storage; /* the list when it is ours, else NULL */
	unsigned nmaps;
	unsigned nelems;
	struct nd_map *maps;	  /* one per MDL piece */
	struct nd_bounce *bounce; /* one per MDL piece (used when bouncing) */
	struct bus_seg *segs;
};

static long sg_reclaim_all(struct nd_res *res);

static const struct nd_res_ops sg_res_ops = {
    .name = "scatter-gather lists",
    .order = ND_RES_ORDER_SGLIST,
    .reclaim_all = sg_reclaim_all,
};

size_t nd_sg_list_size(uint64_t n)
{
	return sizeof(SCATTER_GATHER_LIST) +
	       (size_t)n * sizeof(SCATTER_GATHER_ELEMENT);
}

/* Walk the range: calls fn (when not NULL) for each piece with bytes. */
static int walk(const struct nd_sg_req *rq,
		void (*fn)(void *ctx, void *va, ULONG len), void *ctx,
		unsigned *nmdls, unsigned *nelems)
{
	PMDL m = rq->mdl;
	unsigned pieces = 0;
	uint64_t pages = 0;
	if (rq->length ==
	    0) { /* an empty list (NdisMAllocateNetBufferSGList) */
		if (nmdls)
			*nmdls = 0;
		if (nelems)
			*nelems = 0;
		return 0;
	}
	if (!m || rq->offset > MmGetMdlByteCount(m))
		return -EINVAL;
	ULONG off = rq->offset, left = rq->length;
	for (; m && left; m = m->Next, off = 0) {
		ULONG have = MmGetMdlByteCount(m) - off;
		ULONG take = have < left ? have : left;
		if (!take)
			continue;
		char *va = (char *)MmGetMdlVirtualAddress(m) + off;
		pieces++;
		pages += ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, take);
		if (fn)
			fn(ctx, va, take);
		left -= take;
	}
	if (left)
		return -EINVAL;
	if (nmdls)
		*nmdls = pieces;
	if (nelems)
		*nelems = (unsigned)pages;
	return 0;
}

int nd_sg_measure(const struct nd_sg_req *rq, unsigned *nmdls, unsigned *nelems)
{
	return walk(rq, NULL, NULL, nmdls, nelems);
}

bool nd_sg_is_live(struct nd_adapter *ad, const void *list)
{
	pthread_mutex_lock(&ad->sg_lock);
	bool live = list && nd_ptrmap_get(&ad->sg_live, (uintptr_t)list);
	pthread_mutex_unlock(&ad->sg_lock);
	return live;
}

struct mapper {
	struct nd_adapter *ad;
	struct nd_sglist *s;
	bool to_device;
	uint64_t limit;
	unsigned next_seg;
	int rc;
};

static void map_piece(void *ctx, void *va, ULONG len)
{
	struct mapper *mp = ctx;
	struct nd_sglist *s = mp->s;
	if (mp->rc)
		return;
	struct nd_map *m = &s->maps[s->nmaps];
	m->segs = &s->segs[mp->next_seg];
	m->capsegs = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	m->bounce = &s->bounce[s->nmaps];
	/* A bounce area of exactly the piece: the list holds it until it
	 * is freed. */
	int rc =
	    nd_map_range(mp->ad, m, va, len, mp->to_device, mp->limit, len);
	if (rc) {
		nd_bounce_release(mp->ad, m->bounce);
		mp->rc = rc == -ENOSPC ? -ENOMEM : rc;
		return;
	}
	mp->next_seg += m->nsegs;
	s->nmaps++;
}

/* Undo the mappings and bounce areas of s; copy bounces back or not. */
static void undo(struct nd_adapter *ad, struct nd_sglist *s, bool copy_back)
{
	for (unsigned i = 0; i < s->nmaps; i++) {
		if (copy_back)
			nd_unmap_range(ad, &s->maps[i]);
		else
			nd_unmap_discard(ad, &s->maps[i]);
		nd_bounce_release(ad, &s->bounce[i]);
	}
	s->nmaps = 0;
}

static void destroy(struct nd_sglist *s)
{
	s->magic = 0;
	free(s->own_storage);
	free(s);
}

int nd_sg_build(struct nd_adapter *ad, const struct nd_sg_req *rq,
		SCATTER_GATHER_LIST **out)
{
	unsigned npieces, nelems;
	*out = NULL;
	int rc = nd_sg_measure(rq, &npieces, &nelems);
	if (rc)
		return rc;
	size_t sz =
	    sizeof(struct nd_sglist) +
	    npieces * (sizeof(struct nd_map) + sizeof(struct nd_bounce)) +
	    nelems * sizeof(struct bus_seg);
	struct nd_sglist *s = calloc(1, sz);
	if (!s)
		return -ENOMEM;
	s->magic = ND_SGL_MAGIC;
	s->owner = rq->owner;
	s->site = rq->site;
	s->ndis5 = rq->ndis5;
	s->maps = (struct nd_map *)(s + 1);
	s->bounce = (struct nd_bounce *)(s->maps + npieces);
	s->segs = (struct bus_seg *)(s->bounce + npieces);

	struct mapper mp = {.ad = ad,
			    .s = s,
			    .to_device = rq->to_device,
			    .limit = nd_adapter_dma_limit(ad)};
	walk(rq, map_piece, &mp, NULL, NULL);
	if (mp.rc) {
		undo(ad, s, false);
		destroy(s);
		return mp.rc;
	}
	unsigned n = mp.next_seg;
	size_t need = nd_sg_list_size(n);
	SCATTER_GATHER_LIST *l;
	if (rq->buf && rq->bufsize >= need &&
	    ((uintptr_t)rq->buf & (_Alignof(SCATTER_GATHER_LIST) - 1)) == 0) {
		l = rq->buf;
	} else {
		l = s->own_storage = malloc(need);
		if (!l) {
			undo(ad, s, false);
			destroy(s);
			return -ENOMEM;
		}
	}
	l->NumberOfElements = n;
	l->Reserved = 0;
	for (unsigned i = 0; i < n; i++) {
		l->Elements[i].Address.QuadPart = (LONGLONG)s->segs[i].iova;
		l->Elements[i].Length = (ULONG)s->segs[i].len;
		l->Elements[i].Reserved = 0;
	}
	s->list = l;
	s->nelems = n;
	nd_adapter_track_once(ad, &ad->sg_res, &sg_res_ops);
	pthread_mutex_lock(&ad->sg_lock);
	/* A caller's buffer that holds a live list is refused by src/ndis
	 * before this; a race between two calls on one buffer fails here. */
	if (nd_ptrmap_get(&ad->sg_live, (uintptr_t)l) ||
	    nd_ptrmap_put(&ad->sg_live, (uintptr_t)l, s)) {
		pthread_mutex_unlock(&ad->sg_lock);
		undo(ad, s, false);
		destroy(s);
		return -ENOMEM;
	}
	pthread_mutex_unlock(&ad->sg_lock);
	*out = l;
	return 0;
}

int nd_sg_free(struct nd_adapter *ad, SCATTER_GATHER_LIST *list,
	       const void *owner, const void **held)
{
	pthread_mutex_lock(&ad->sg_lock);
	struct nd_sglist *s =
	    list ? nd_ptrmap_get(&ad->sg_live, (uintptr_t)list) : NULL;
	if (!s) {
		pthread_mutex_unlock(&ad->sg_lock);
		return -ENOENT;
	}
	if (s->owner != owner) {
		if (held)
			*held = s->owner;
		pthread_mutex_unlock(&ad->sg_lock);
		return -EXDEV;
	}
	nd_ptrmap_del(&ad->sg_live, (uintptr_t)list);
	pthread_mutex_unlock(&ad->sg_lock);
	undo(ad, s, true);
	destroy(s);
	return 0;
}

struct reclaim {
	struct nd_adapter *ad;
	long n;
};

static void reclaim_one(void *ctx, uintptr_t key, void *val)
{
	struct reclaim *r = ctx;
	struct nd_sglist *s = val;
	/* the list itself may lie in driver memory already freed: report
	 * from the record */
	nd_report(ND_RULE_HALT_LEAK_SGLIST, r->ad,
		  s->nelems ? s->segs[0].iova : 0, s->nelems, s->site,
		  "scatter-gather list %p of %s %p never freed (%s)",
		  (void *)key, s->ndis5 ? "packet" : "NET_BUFFER", s->owner,
		  s->ndis5 ? "ndisdma_packet_sg_free"
			   : "NdisMFreeNetBufferSGList");
	undo(r->ad, s, false);
	destroy(s);
	r->n++;
}

/* Halt: report (halt.leak-sglist) and undo every live list without
 * copying bounces back (the buffers may be gone); returns how many. */
static long sg_reclaim_all(struct nd_res *res)
{
	struct nd_adapter *ad = res->owner;
	struct reclaim r = {ad, 0};
	pthread_mutex_lock(&ad->sg_lock);
	nd_ptrmap_each(&ad->sg_live, reclaim_one, &r);
	nd_ptrmap_free(&ad->sg_live);
	memset(&ad->sg_live, 0, sizeof(ad->sg_live));
	pthread_mutex_unlock(&ad->sg_lock);
	return r.n;
}
