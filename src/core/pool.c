/* SPDX-License-Identifier: MIT */
/*
 * pool.c - the descriptor pool engine's slow paths: creating and
 * destroying pools, refilling and flushing per-thread caches from the
 * shared free stacks, stealing other threads' caches when the stacks run
 * dry, overflow descriptors, growth, and the verifier's reports for
 * double, foreign and cross-pool frees. The fast paths are in pool.h.
 */
#include "core.h"
#include "pool.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#if ND_POOL_ASAN
#include <sanitizer/lsan_interface.h>
#endif

_Atomic int nd_pool_full_fence;

static _Atomic uint64_t next_pool_id = 1;
/* Orders a pool's destruction against threads flushing their caches at
 * exit; taken before any pool lock. */
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

static void thread_exit(void *arg);

#if ND_POOL_RUN32
/* x86-64 with AVX2: batches of neighbours take run_mark_avx2 and
 * nd_pool_put_run32 (set once, before the first pool exists) */
bool nd_pool_avx2;
#endif

static void setup(void)
{
	pthread_key_create(&exit_key, thread_exit);
	long r = ND_POOL_SEQ_CST
		     ? -1
		     : syscall(__NR_membarrier,
			       MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
	if (r != 0)
		atomic_store(&nd_pool_full_fence, 1);
#if ND_POOL_RUN32
	__builtin_cpu_init();
	nd_pool_avx2 = __builtin_cpu_supports("avx2");
#endif
}

/* A full barrier on every running thread of the process (the thief's side
 * of the asymmetric Dekker pattern). Owners that store with seq_cst
 * (ThreadSanitizer builds, no membarrier) need none: the thief's own
 * seq_cst store and load pair with theirs. */
static void asym_barrier(void)
{
	if (ND_POOL_SEQ_CST || atomic_load(&nd_pool_full_fence))
		return;
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		abort(); /* registered at setup: cannot fail */
}

static struct nd_pool_hdr *hdr(void *obj)
{
	return (struct nd_pool_hdr *)((char *)obj - ND_POOL_HDR);
}

/* A slow path's new count for c (pool lock held; c's owner, or a
 * thief): what the slots hold is no longer a checked batch. */
static void cache_set_count(struct nd_pcache *c, uint32_t n)
{
	c->run_bot = ND_RUN_NONE;
	atomic_store_explicit(&c->count, n, memory_order_relaxed);
}

/* Mark an object LIVE on a slow path: the overflow bit stays. */
static void set_live(void *obj)
{
	struct nd_pool_hdr *h = hdr(obj);
	nd_pool_set_state(
	    h, (uint8_t)((nd_pool_state(h) & ND_OBJ_OVERFLOW) | ND_ST_LIVE));
}

/* ---- type-stable memory ----
 *
 * Slabs, and the heap MDLs of long buffer ranges, are anonymous
 * mappings that are not unmapped while the process may still hold
 * pointers into them. A destroyed pool's slabs are emptied
 * (MADV_DONTNEED: their pages read as zero again, so every header's
 * cookie is gone and a late free of one of its descriptors is reported
 * as a free of something no pool made, never a fault); a freed heap MDL
 * keeps its first page, with a dead cookie, so freeing it again is a
 * double free. Either then waits in a quarantine, oldest first, behind
 * `depth` others before memory of the same size may be handed out again
 * from it: only a free that late can meet a new descriptor at its
 * address. Beyond `max` entries the oldest is unmapped. */
struct nd_quarantine {
	pthread_mutex_t lock;
	struct nd_slab *head, **tail;
	unsigned n, depth, max;
};
static struct nd_quarantine slab_q = {
    PTHREAD_MUTEX_INITIALIZER, NULL, &slab_q.head, 0, 64, 4096};
static struct nd_quarantine kept_q = {
    PTHREAD_MUTEX_INITIALIZER, NULL, &kept_q.head, 0, 1024, 2048};

/* Zeroed memory of `bytes` (a page multiple), page-aligned, or NULL. */
static char *q_map(struct nd_quarantine *q, size_t bytes)
{
	pthread_mutex_lock(&q->lock);
	struct nd_slab **pp = &q->head;
	for (unsigned k = 0; k + q->depth < q->n; k++) {
		struct nd_slab *e = *pp;
		if (e->bytes == bytes) {
			*pp = e->next;
			if (q->tail == &e->next)
				q->tail = pp;
			q->n--;
			pthread_mutex_unlock(&q->lock);
			char *m = e->mem;
			if (e->keep)
				memset(m, 0, e->keep);
			free(e);
			return m;
		}
		pp = &e->next;
	}
	pthread_mutex_unlock(&q->lock);
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
#if ND_POOL_ASAN
	/* descriptors hold pointers to heap memory (contexts, retreat
	 * MDLs, the driver's buffers): LeakSanitizer must see them */
	__lsan_register_root_region(m, bytes);
#endif
	return m;
}

/* Empty s's memory but its first s->keep bytes and quarantine it (s is
 * the quarantine's node). */
static void q_unmap(struct nd_quarantine *q, struct nd_slab *s)
{
	if (s->bytes > s->keep)
		madvise(s->mem + s->keep, s->bytes - s->keep, MADV_DONTNEED);
	struct nd_slab *old = NULL;
	pthread_mutex_lock(&q->lock);
	s->next = NULL;
	*q->tail = s;
	q->tail = &s->next;
	if (++q->n > q->max) {
		old = q->head;
		q->head = old->next;
		if (!q->head)
			q->tail = &q->head;
		q->n--;
	}
	pthread_mutex_unlock(&q->lock);
	if (old) {
#if ND_POOL_ASAN
		__lsan_unregister_root_region(old->mem, old->bytes);
#endif
		munmap(old->mem, old->bytes);
		free(old);
	}
}

static char *slab_map(size_t bytes)
{
	return q_map(&slab_q, bytes);
}

static void slab_unmap(struct nd_slab *s)
{
	q_unmap(&slab_q, s);
}

void *nd_pool_mem_get(size_t bytes)
{
	return q_map(&kept_q, (bytes + 4095) & ~(size_t)4095);
}

void nd_pool_mem_put(void *mem, size_t bytes, size_t keep)
{
	bytes = (bytes + 4095) & ~(size_t)4095;
	keep = (keep + 4095) & ~(size_t)4095;
	if (keep > bytes)
		keep = bytes;
	struct nd_slab *s = malloc(sizeof(*s));
	if (!s) {
		/* no node for the quarantine: it stays mapped, emptied */
		if (bytes > keep)
			madvise((char *)mem + keep, bytes - keep,
				MADV_DONTNEED);
		return;
	}
	s->mem = mem;
	s->bytes = bytes;
	s->keep = keep;
	q_unmap(&kept_q, s);
}

/* Carve a slab of n objects; push them so the lowest address comes out
 * first. Pool lock held (or pool not yet shared). Returns 0 or -ENOMEM. */
static int add_slab(struct nd_pool *p, uint32_t n, bool overflow)
{
	size_t bytes = (size_t)n * p->stride;
	bytes = (bytes + 4095) & ~(size_t)4095;
	/* n indices and the gap after them, the next slab's first index a
	 * multiple of 64 (so that a batch of neighbours tends to lie in
	 * whole 32-byte pieces of st) */
	uint64_t next = ((uint64_t)p->st_next + n + 1 + 63) & ~(uint64_t)63;
	if (next > p->st_cap)
		return -ENOMEM;
	struct nd_slab *s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mem = slab_map(bytes);
	if (!s->mem) {
		free(s);
		return -ENOMEM;
	}
	s->bytes = bytes;
	s->keep = 0;
	if (!overflow && p->nfixed + n > p->cap_fixed) {
		/* room for every fixed descriptor ever made: all may be
		 * free at once */
		uint32_t cap = p->nfixed + n;
		void **st = realloc(p->fixed, (size_t)cap * sizeof(void *));
		if (!st) {
			slab_unmap(s);
			return -ENOMEM;
		}
		p->fixed = st;
		p->cap_fixed = cap;
	}
	/* the mapping is zero: only headers and what reset writes are
	 * touched (a pool of large descriptors commits little) */
	uint32_t first = p->st_next;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = n - 1 - i;
		struct nd_pool_hdr *h =
		    (struct nd_pool_hdr *)(s->mem + (size_t)k * p->stride);
		h->cookie = nd_hdr_cookie(h);
		h->index = first + k;
		h->pool = p;
		nd_pool_set_state(h, overflow ? ND_ST_FREE | ND_OBJ_OVERFLOW
					      : ND_ST_FREE);
		if (p->reset)
			p->reset(p->arg, nd_pool_obj_of(h));
		if (overflow)
			p->ovf[p->nfree_ovf++] = nd_pool_obj_of(h);
		else
			p->fixed[p->nfree_fixed++] = nd_pool_obj_of(h);
	}
	/* st[first + n .. next) stay ND_ST_GAP (zero) */
	p->st_next = (uint32_t)next;
	s->next = p->slabs;
	p->slabs = s;
	if (overflow)
		p->noverflow += n;
	else
		p->nfixed += n;
	p->total += n;
	return 0;
}

static void pool_free_memory(struct nd_pool *p)
{
	while (p->slabs) {
		struct nd_slab *s = p->slabs;
		p->slabs = s->next;
		/* a late free of one of its descriptors reads zero there */
		s->keep = 0;
		slab_unmap(s);
	}
	free(p->fixed);
	free(p->ovf);
	if (p->st_mapped)
		munmap((void *)p->st, p->st_cap);
	else
		free((void *)p->st);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int nd_pool_create(const struct nd_pool_params *prm, struct nd_pool **out)
{
	*out = NULL;
	if (!prm->obj_size || (!prm->nfixed && !prm->noverflow && !prm->grow))
		return -EINVAL;
	pthread_once(&once, setup);
	/* 64-byte aligned (live_line): not calloc */
	struct nd_pool *p = aligned_alloc(64, (sizeof(*p) + 63) & ~(size_t)63);
	if (!p)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	p->id = atomic_fetch_add(&next_pool_id, 1);
	p->slot = (unsigned)(p->id & (ND_TL_SLOTS - 1));
	p->stride = (ND_POOL_HDR + prm->obj_size + 63) & ~(size_t)63;
	for (int64_t i = 0; i < 32; i++) {
		p->run_off[0][i] = i * (int64_t)p->stride;
		p->run_off[1][i] = -i * (int64_t)p->stride;
	}
	p->kind = prm->kind ? prm->kind : "pool";
	p->grow = prm->grow;
	p->slab = prm->slab;
	p->on_destroy = prm->on_destroy;
	p->arg = prm->arg;
	p->tag = prm->tag;
	p->reset = prm->reset;
	pthread_mutex_init(&p->lock, NULL);
	/* the state array: every index of a fixed pool (two slabs, two
	 * gaps); a reservation for ND_POOL_GROW_MAX of a growing one, of
	 * which only the pages in use are ever touched */
	if (prm->grow) {
		void *m =
		    mmap(NULL, ND_POOL_GROW_MAX, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (m != MAP_FAILED) {
			p->st = m;
			p->st_cap = ND_POOL_GROW_MAX;
			p->st_mapped = true;
		}
	} else {
		/* two slabs (fixed, overflow), each rounded up as add_slab
		 * does */
		p->st_cap = (uint32_t)(((prm->nfixed + 64u) & ~63u) +
				       ((prm->noverflow + 64u) & ~63u));
		p->st = aligned_alloc(64, p->st_cap);
		if (p->st)
			memset((void *)p->st, 0, p->st_cap);
	}
	if (!p->st) {
		p->st_cap = 0;
		pool_free_memory(p);
		return -ENOMEM;
	}
	p->caches = NULL;
	uint32_t cap = prm->grow ? ND_CACHE_MAX : prm->nfixed / 2;
	if (cap > ND_CACHE_MAX)
		cap = ND_CACHE_MAX;
	p->cache_cap = cap >= 4 ? cap : 0;
	p->refill = p->cache_cap / 2;
	if (prm->noverflow) {
		p->ovf = malloc((size_t)prm->noverflow * sizeof(void *));
		if (!p->ovf || add_slab(p, prm->noverflow, true)) {
			pool_free_memory(p);
			return -ENOMEM;
		}
	}
	if (prm->nfixed && add_slab(p, prm->nfixed, false)) {
		pool_free_memory(p);
		return -ENOMEM;
	}
	/* until a kind sets its own line: a pattern no live object holds,
	 * so a line compare made for another kind (a buffer handed to
	 * NdisFreePacket) fails and takes the checked path */
	unsigned char none[48];
	memset(none, 0xA5, sizeof(none));
	nd_pool_set_live_line(p, none);
	*out = p;
	return 0;
}

void nd_pool_set_live_line(struct nd_pool *p, const void *obj48)
{
	struct nd_pool_hdr h = {0};
	h.cookie = 0; /* bound to each header's address: compared apart */
	h.index = 0;
	h.pool = p;
	memcpy(p->live_line, &h, sizeof(h));
	memcpy(p->live_line + sizeof(h), obj48, 64 - sizeof(h));
}

/* ---- per-thread caches ---- */

/* The calling thread's cache for p, created when missing and the slot is
 * free (or holds a cache of a dead pool). Pool lock held. May return
 * NULL: the thread then uses the shared stacks directly. */
static struct nd_pcache *cache_attach(struct nd_pool *p)
{
	if (!p->cache_cap || p->dying)
		return NULL;
	unsigned slot = p->slot;
	struct nd_pcache *c = nd_tl.pcache[slot];
	if (c) {
		uint64_t id =
		    atomic_load_explicit(&c->pool_id, memory_order_acquire);
		if (id == p->id)
			return c;
		if (id != 0)
			return NULL; /* slot taken by a live pool */
		free(c);	     /* its pool is gone and unlinked it */
		nd_tl.pcache[slot] = NULL;
	}
	/* 64-byte aligned: the bulk calls copy objs[] in 32-byte pieces,
	 * which must not straddle cache lines */
	size_t cb =
	    (sizeof(*c) + p->cache_cap * sizeof(void *) + 63) & ~(size_t)63;
	c = aligned_alloc(64, cb);
	if (!c)
		return NULL;
	memset(c, 0, cb);
	c->cap = p->cache_cap;
	c->run_bot = ND_RUN_NONE;
	c->pool = p;
	c->full_fence = (uint32_t)atomic_load(&nd_pool_full_fence);
	atomic_store_explicit(&c->pool_id, p->id, memory_order_relaxed);
	atomic_store_explicit(&c->owner, p, memory_order_relaxed);
	c->next = p->caches;
	c->prev = NULL;
	if (c->next)
		c->next->prev = c;
	p->caches = c;
	p->cache_bytes += sizeof(*c) + p->cache_cap * sizeof(void *);
	nd_tl.pcache[slot] = c;
	pthread_setspecific(exit_key, (void *)1);
	return c;
}

/* Move every object of `c` (not the caller's own, or the caller's own
 * with the lock held) onto the fixed stack. Pool lock held; the steal
 * flag of c is set and the asymmetric barrier has been issued. */
static void cache_drain_stolen(struct nd_pool *p, struct nd_pcache *c)
{
	unsigned spins = 0;
	while (atomic_load_explicit(&c->busy, memory_order_seq_cst))
		if (++spins > 64)
			sched_yield();
	uint32_t n = atomic_load_explicit(&c->count, memory_order_relaxed);
	ND_ASSERT(n <= c->cap && p->nfree_fixed + n <= p->cap_fixed);
	for (uint32_t i = 0; i < n; i++)
		p->fixed[p->nfree_fixed++] = c->objs[i];
	cache_set_count(c, 0);
}

/* Take everything other threads' caches hold (all caches but `mine`).
 * Pool lock held. When `forever`, the steal flags stay set (dying pool:
 * every later operation takes the slow path). Returns objects moved. */
/* Take c off p's list of caches (pool lock held). */
static void cache_unlink(struct nd_pool *p, struct nd_pcache *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		p->caches = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static uint32_t steal_all(struct nd_pool *p, struct nd_pcache *mine,
			  bool forever)
{
	uint32_t before = p->nfree_fixed, flagged = 0;
	for (struct nd_pcache *c = p->caches; c; c = c->next) {
		if (c == mine && !forever)
			continue;
		if (!forever &&
		    !atomic_load_explicit(&c->count, memory_order_relaxed))
			continue;
		atomic_store_explicit(&c->steal, 1, memory_order_seq_cst);
		flagged++;
	}
	if (!flagged)
		return 0;
	asym_barrier();
	for (struct nd_pcache *c = p->caches; c; c = c->next) {
		if (!atomic_load_explicit(&c->steal, memory_order_relaxed))
			continue;
		cache_drain_stolen(p, c);
		if (!forever)
			atomic_store_explicit(&c->steal, 0,
					      memory_order_release);
	}
	return p->nfree_fixed - before;
}

/* Thread exit: give every cached object back and free the caches. */
static void thread_exit(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&caches_lock);
	for (unsigned i = 0; i < ND_TL_SLOTS; i++) {
		struct nd_pcache *c = nd_tl.pcache[i];
		if (!c)
			continue;
		nd_tl.pcache[i] = NULL;
		if (atomic_load_explicit(&c->pool_id, memory_order_acquire)) {
			struct nd_pool *p = c->pool;
			pthread_mutex_lock(&p->lock);
			uint32_t n = atomic_load_explicit(&c->count,
							  memory_order_relaxed);
			for (uint32_t k = 0; k < n; k++)
				p->fixed[p->nfree_fixed++] = c->objs[k];
			cache_unlink(p, c);
			p->cache_bytes -= sizeof(*c) + c->cap * sizeof(void *);
			pthread_mutex_unlock(&p->lock);
		}
		free(c);
	}
	pthread_mutex_unlock(&caches_lock);
}

/* ---- destruction ---- */

void nd_pool_destroy(struct nd_pool *p)
{
	pthread_mutex_lock(&caches_lock);
	pthread_mutex_lock(&p->lock);
	while (p->caches) {
		struct nd_pcache *c = p->caches;
		cache_unlink(p, c);
		/* Last touch: the owner frees the cache once it sees 0. */
		atomic_store_explicit(&c->owner, NULL, memory_order_relaxed);
		atomic_store_explicit(&c->pool_id, 0, memory_order_release);
	}
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_unlock(&caches_lock);
	void (*cb)(void *) = p->on_destroy;
	void *arg = p->arg;
	pool_free_memory(p);
	if (cb)
		cb(arg);
}

static uint64_t free_count(struct nd_pool *p)
{
	return (uint64_t)p->nfree_fixed + p->nfree_ovf;
}

uint64_t nd_pool_release(struct nd_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->dying = true;
	steal_all(p, NULL, true);
	uint64_t out = p->total - free_count(p);
	p->outstanding_at_release = out;
	pthread_mutex_unlock(&p->lock);
	if (!out)
		nd_pool_destroy(p);
	return out;
}

uint64_t nd_pool_in_use(struct nd_pool *p)
{
	pthread_mutex_lock(&p->lock);
	uint64_t f = free_count(p);
	for (struct nd_pcache *c = p->caches; c; c = c->next)
		f += atomic_load_explicit(&c->count, memory_order_relaxed);
	uint64_t out = p->total - f;
	pthread_mutex_unlock(&p->lock);
	return out;
}

size_t nd_pool_memory(const struct nd_pool *p)
{
	size_t n = sizeof(*p) + (size_t)p->cap_fixed * sizeof(void *) +
		   (size_t)p->noverflow * sizeof(void *) + p->cache_bytes +
		   (p->st_mapped ? p->st_next : p->st_cap);
	for (const struct nd_slab *s = p->slabs; s; s = s->next)
		n += sizeof(*s) + s->bytes;
	return n;
}

/* ---- allocation ---- */

/* Make at least `want` fixed descriptors free if at all possible: steal
 * from other threads, then grow. Pool lock held. */
static void find_more(struct nd_pool *p, struct nd_pcache *mine, uint32_t want)
{
	if (p->nfree_fixed >= want)
		return;
	steal_all(p, mine, false);
	if (p->nfree_fixed >= want || !p->grow)
		return;
	uint32_t step = p->nfixed < 64 ? 64 : p->nfixed;
	if (step > 4096)
		step = 4096;
	if (p->slab)
		step = p->slab;
	while (p->nfree_fixed < want && add_slab(p, step, false) == 0)
		;
}

void *nd_pool_get_slow(struct nd_pool *p)
{
	void *o = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->dying)
		goto out;
	struct nd_pcache *c = cache_attach(p);
	uint32_t n;
	if (c && (n = atomic_load_explicit(&c->count, memory_order_relaxed))) {
		/* a theft was in progress when the fast path looked */
		o = c->objs[n - 1];
		cache_set_count(c, n - 1);
		goto out;
	}
	find_more(p, c, 1);
	if (p->nfree_fixed) {
		o = p->fixed[--p->nfree_fixed];
		if (c) {
			uint32_t k = p->refill < p->nfree_fixed
					 ? p->refill
					 : p->nfree_fixed;
			for (uint32_t i = 0; i < k; i++)
				c->objs[i] = p->fixed[p->nfree_fixed - k + i];
			p->nfree_fixed -= k;
			cache_set_count(c, k);
		}
	} else if (p->nfree_ovf) {
		o = p->ovf[--p->nfree_ovf];
	}
out:
	if (o)
		set_live(o);
	pthread_mutex_unlock(&p->lock);
	return o;
}

unsigned nd_pool_get_bulk_slow(struct nd_pool *p, void **objs, unsigned n)
{
	if (!n)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (p->dying) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	struct nd_pcache *c = cache_attach(p);
	uint32_t have =
	    c ? atomic_load_explicit(&c->count, memory_order_relaxed) : 0;
	if (have + p->nfree_fixed < n)
		find_more(p, c, n - have);
	if ((uint64_t)have + p->nfree_fixed + p->nfree_ovf < n) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	unsigned got = 0;
	while (got < n && have)
		objs[got++] = c->objs[--have];
	while (got < n && p->nfree_fixed)
		objs[got++] = p->fixed[--p->nfree_fixed];
	while (got < n && p->nfree_ovf)
		objs[got++] = p->ovf[--p->nfree_ovf];
	if (c) {
		/* refill the cache for the next batches */
		while (have < p->refill && p->nfree_fixed)
			c->objs[have++] = p->fixed[--p->nfree_fixed];
		cache_set_count(c, have);
	}
	for (unsigned i = 0; i < n; i++)
		set_live(objs[i]);
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* ---- freeing ---- */

/* Put a checked, LIVE object of p back. Pool lock held. Returns true when
 * the pool must now be destroyed (dying and everything back). */
static bool put_locked(struct nd_pool *p, struct nd_pcache *c, void *obj)
{
	struct nd_pool_hdr *h = hdr(obj);
	ND_ASSERT(h->cookie == nd_hdr_cookie(h) && h->pool == p);
	if (p->reset)
		p->reset(p->arg, obj);
	bool ovf = nd_pool_state(h) & ND_OBJ_OVERFLOW;
	nd_pool_set_state(h, ovf ? ND_ST_FREE | ND_OBJ_OVERFLOW : ND_ST_FREE);
	if (ovf) {
		p->ovf[p->nfree_ovf++] = obj;
	} else if (c) {
		uint32_t n =
		    atomic_load_explicit(&c->count, memory_order_relaxed);
		if (n >= c->cap) {
			/* flush the upper half to the shared stack */
			uint32_t k = c->cap - p->refill;
			for (uint32_t i = 0; i < k; i++)
				p->fixed[p->nfree_fixed++] = c->objs[n - k + i];
			n -= k;
		}
		c->objs[n++] = obj;
		cache_set_count(c, n);
	} else {
		p->fixed[p->nfree_fixed++] = obj;
	}
	ND_ASSERT(free_count(p) <= p->total);
	return p->dying && free_count(p) == p->total;
}

/* Check obj against p; report what is wrong. Returns the pool it belongs
 * to (p, or its real pool for a cross free), or NULL when nothing may be
 * done with it. */
static struct nd_pool *check_put(struct nd_pool *p, void *obj, const void *site,
				 enum nd_put_result *res)
{
	struct nd_pool_hdr *h = nd_pool_hdr_of(obj);
	*res = ND_PUT_OK;
	if (!h) {
		nd_report(ND_RULE_POOL_FREE_UNKNOWN, NULL, (uintptr_t)obj, 0,
			  site, "%s: %p was not allocated from any pool",
			  p ? p->kind : "pool", obj);
		*res = ND_PUT_UNKNOWN;
		return NULL;
	}
	if (!nd_pool_is_live(h)) {
		nd_report(ND_RULE_POOL_DOUBLE_FREE, NULL, (uintptr_t)obj, 0,
			  site, "%s: descriptor %p freed twice", h->pool->kind,
			  obj);
		*res = ND_PUT_DOUBLE;
		return NULL;
	}
	if (p && h->pool != p) {
		nd_report(ND_RULE_POOL_CROSS_FREE, NULL, (uintptr_t)obj, 0,
			  site,
			  "descriptor %p of a %s freed to another %s; it goes "
			  "back to the pool it came from",
			  obj, h->pool->kind, p->kind);
		*res = ND_PUT_CROSS;
	}
	return h->pool;
}

enum nd_put_result nd_pool_put_slow(struct nd_pool *p, void *obj,
				    const void *site)
{
	enum nd_put_result res;
	struct nd_pool *owner = check_put(p, obj, site, &res);
	if (!owner)
		return res;
	pthread_mutex_lock(&owner->lock);
	/* re-check under the lock: a racing free of the same object */
	if (!nd_pool_is_live(hdr(obj))) {
		pthread_mutex_unlock(&owner->lock);
		nd_report(ND_RULE_POOL_DOUBLE_FREE, NULL, (uintptr_t)obj, 0,
			  site, "%s: descriptor %p freed twice", owner->kind,
			  obj);
		return ND_PUT_DOUBLE;
	}
	struct nd_pcache *c = cache_attach(owner);
	bool die = put_locked(owner, c, obj);
	pthread_mutex_unlock(&owner->lock);
	if (die)
		nd_pool_destroy(owner);
	return res;
}

unsigned nd_pool_put_bulk_slow(struct nd_pool *p, void **objs, unsigned n,
			       const void *site)
{
	unsigned bad = 0, i = 0;
	while (i < n) {
		/* a run of good objects of p goes back under one lock */
		unsigned j = i;
		while (j < n) {
			struct nd_pool_hdr *h = nd_pool_hdr_of(objs[j]);
			if (!h || h->pool != p || !nd_pool_is_live(h))
				break;
			j++;
		}
		if (j > i) {
			bool die = false;
			pthread_mutex_lock(&p->lock);
			struct nd_pcache *c = cache_attach(p);
			for (unsigned k = i; k < j; k++)
				die = put_locked(p, c, objs[k]);
			pthread_mutex_unlock(&p->lock);
			if (die) {
				nd_pool_destroy(p);
				return bad + (n - j);
			}
			i = j;
			continue;
		}
		if (nd_pool_put_slow(p, objs[i], site) != ND_PUT_OK)
			bad++;
		i++;
	}
	return bad;
}

unsigned nd_pool_put_bulk_undo(struct nd_pool *p, void **objs, unsigned n,
			       unsigned good, const void *site)
{
	for (unsigned i = 0; i < good; i++)
		nd_pool_set_state(hdr(objs[i]), ND_ST_LIVE);
	return nd_pool_put_bulk_slow(p, objs, n, site);
}

/* ---- batches of neighbours ---- */

/* The generic version (any size, dst optional; nd_pool_run_mark at the
 * end of this file sends batches of a multiple of 32 to the AVX2 one,
 * which is what the bench's in-order bulk frees take). Built once, for
 * the baseline ISA. The pointer arrays are copied and read in the same
 * 32-byte pieces, so that a batch's array, written by one call, is read
 * by the next from the store buffer. */

typedef int64_t nd_q4 __attribute__((vector_size(32), aligned(8), may_alias));
typedef uint8_t nd_b32 __attribute__((vector_size(32), aligned(1), may_alias));

/* Both ends of a batch whose pointers are first + i * d are objects of
 * p whose indices are n - 1 apart: the indices between are theirs, one
 * slab's (a range over a slab's gap fails the state compare). *lo: the
 * lowest index. */
__attribute__((always_inline)) static inline bool
run_ends(const struct nd_pool *p, void *const *objs, unsigned n, int64_t d,
	 uint32_t *lo, struct nd_run *run)
{
	struct nd_pool_hdr *a = nd_pool_hdr_of(objs[0]);
	struct nd_pool_hdr *b = nd_pool_hdr_of(objs[n - 1]);
	if (!a || !b || a->pool != p || b->pool != p)
		return false;
	uint32_t l = d > 0 ? a->index : b->index;
	uint32_t h = d > 0 ? b->index : a->index;
	*lo = l;
	if (run) {
		run->lo = l;
		run->desc = d < 0;
	}
	return h >= l && h - l == n - 1;
}

static bool run_mark_any(const struct nd_pool *p, void *const *objs, unsigned n,
			 uint8_t from, uint8_t to, void **dst,
			 struct nd_run *run)
{
	if (n < 2)
		return false;
	/* the pointers: first + i * d, d = +-stride */
	int64_t f = (int64_t)(uintptr_t)objs[0];
	int64_t d = (int64_t)(uintptr_t)objs[1] - f;
	if (d != (int64_t)p->stride && d != -(int64_t)p->stride)
		return false;
	/* checked and copied to dst (when given) in one pass, 32 pointers
	 * loaded before any is stored: dst may be written though the batch
	 * turns out not to be a run (the callers' dst is theirs to fill
	 * anyway: the caller's array, or cache slots above the count) */
	nd_q4 e = (nd_q4){f, f + d, f + 2 * d, f + 3 * d}, acc = {0};
	const nd_q4 step = (nd_q4){0} + 4 * d;
	unsigned i = 0;
#define ND_LD(k) (*(const nd_q4 *)(const void *)&objs[i + 4 * (k)])
#define ND_ST(k, v) (*(nd_q4 *)(void *)&dst[i + 4 * (k)] = (v))
	for (; i + 32 <= n; i += 32) {
		nd_q4 a0 = ND_LD(0), a1 = ND_LD(1), a2 = ND_LD(2),
		      a3 = ND_LD(3), a4 = ND_LD(4), a5 = ND_LD(5),
		      a6 = ND_LD(6), a7 = ND_LD(7);
		acc |= (a0 ^ e) | (a1 ^ (e + step)) | (a2 ^ (e + 2 * step)) |
		       (a3 ^ (e + 3 * step)) | (a4 ^ (e + 4 * step)) |
		       (a5 ^ (e + 5 * step)) | (a6 ^ (e + 6 * step)) |
		       (a7 ^ (e + 7 * step));
		e += 8 * step;
		if (dst) {
			ND_ST(0, a0);
			ND_ST(1, a1);
			ND_ST(2, a2);
			ND_ST(3, a3);
			ND_ST(4, a4);
			ND_ST(5, a5);
			ND_ST(6, a6);
			ND_ST(7, a7);
		}
	}
	for (; i + 4 <= n; i += 4) {
		nd_q4 a0 = ND_LD(0);
		acc |= a0 ^ e;
		e += step;
		if (dst)
			ND_ST(0, a0);
	}
#undef ND_LD
#undef ND_ST
	int64_t r = acc[0] | acc[1] | acc[2] | acc[3];
	for (; i < n; i++) {
		r |= (int64_t)(uintptr_t)objs[i] ^ (f + (int64_t)i * d);
		if (dst)
			dst[i] = objs[i];
	}
	if (r)
		return false;
	uint32_t lo;
	if (!run_ends(p, objs, n, d, &lo, run))
		return false;
	_Atomic uint8_t *st = p->st + lo;
	i = 0;
#if !ND_POOL_SEQ_CST
	nd_b32 x = {0};
	for (; i + 32 <= n; i += 32)
		x |= *(const nd_b32 *)(const void *)(st + i) ^ from;
	int64_t q[4];
	memcpy(q, &x, sizeof(q));
	if (q[0] | q[1] | q[2] | q[3])
		return false;
#endif
	for (unsigned k = i; k < n; k++)
		if (atomic_load_explicit(&st[k], memory_order_relaxed) != from)
			return false;
	i = 0;
#if !ND_POOL_SEQ_CST
	for (; i + 32 <= n; i += 32)
		*(nd_b32 *)(void *)(st + i) = (nd_b32){0} + to;
#endif
	for (; i < n; i++)
		atomic_store_explicit(&st[i], to, memory_order_relaxed);
	return true;
}

#if ND_POOL_RUN32
#include <immintrin.h>

/* 32 bytes the caller may have just stored in 16-byte pieces (an inline
 * copy or memset built for SSE): two 16-byte loads, each forwarded from
 * one store, where one 32-byte load over two stores waits for both to
 * reach the cache */
#define ND_LOAD2X16(a)                                                         \
	_mm256_loadu2_m128i(                                                   \
	    (const __m128i *)(const void *)((const char *)(a) + 16),           \
	    (const __m128i *)(const void *)(a))

/* n (a multiple of 32) state bytes from st all exactly `from`: set them
 * to `to` and return true; else false, nothing changed. */
__attribute__((target("avx2"), always_inline)) static inline bool
run32_mark(_Atomic uint8_t *sta, unsigned n, uint8_t from, uint8_t to)
{
	unsigned char *st = (unsigned char *)(uintptr_t)sta;
	const __m256i f = _mm256_set1_epi8((char)from);
	__m256i x = _mm256_setzero_si256();
	for (unsigned j = 0; j < n; j += 32)
		x = _mm256_or_si256(x,
				    _mm256_xor_si256(ND_LOAD2X16(st + j), f));
	if (ND_UNLIKELY(!_mm256_testz_si256(x, x)))
		return false;
	const __m256i t = _mm256_set1_epi8((char)to);
	for (unsigned j = 0; j < n; j += 32)
		_mm256_storeu_si256((__m256i *)(void *)(st + j), t);
	return true;
}

/* objs[0..n) (n a multiple of 32) are first + i * d, d = +-stride, and
 * the first is an object of p (its header read where nd_pool_hdr_of
 * reads): copy them to dst, store where their state bytes lie in *run
 * and return true; else false (dst may be written). Only the first
 * header is read: the indices are the first's and n - 1 up or down, and
 * when all n state bytes then pass a compare with FREE or LIVE they lie
 * in one slab (a gap entry is neither), so the objects are those. */
__attribute__((target("avx2"), always_inline)) static inline bool
run32_ptrs(const struct nd_pool *p, void *const *objs, unsigned n, void **dst,
	   struct nd_run *run)
{
	/* d is not checked alone: the compare holds i * stride, or
	 * -i * stride when the second pointer is below the first */
	uintptr_t f = (uintptr_t)objs[0];
	int64_t d = (int64_t)((uintptr_t)objs[1] - f);
	if (ND_UNLIKELY(!nd_hdr_readable(objs[0])))
		return false;
	struct nd_pool_hdr *h = nd_pool_hdr_raw(objs[0]);
	unsigned desc = d < 0;
	if (ND_UNLIKELY(h->cookie != nd_hdr_cookie(h) || h->pool != p))
		return false;
	const __m256i *off = (const __m256i *)(const void *)p->run_off[desc];
	__m256i base = _mm256_set1_epi64x((int64_t)f);
	const __m256i step = _mm256_set1_epi64x(32 * d);
	__m256i acc = _mm256_setzero_si256();
	for (unsigned j = 0; j < n; j += 32) {
		for (unsigned k = 0; k < 8; k++) {
			__m256i a = ND_LOAD2X16(&objs[j + 4 * k]);
			acc = _mm256_or_si256(
			    acc, _mm256_xor_si256(_mm256_sub_epi64(a, base),
						  _mm256_load_si256(&off[k])));
			_mm256_storeu_si256((__m256i *)(void *)&dst[j + 4 * k],
					    a);
		}
		base = _mm256_add_epi64(base, step);
	}
	if (ND_UNLIKELY(!_mm256_testz_si256(acc, acc)))
		return false;
	uint32_t i0 = h->index, lo = desc ? i0 - (n - 1) : i0;
	if (ND_UNLIKELY((desc && i0 < n - 1) || n > p->st_cap ||
			lo > p->st_cap - n))
		return false;
	run->lo = lo;
	run->desc = desc;
	return true;
}

/* nd_pool_run_mark for a batch of a multiple of 32 copied to dst, with
 * AVX2 (a batch of exactly 32 unrolled). */
__attribute__((target("avx2"))) static bool
run_mark_avx2(const struct nd_pool *p, void *const *objs, unsigned n,
	      uint8_t from, uint8_t to, void **dst, struct nd_run *run)
{
	struct nd_run r;
	if (n == 32)
		return run32_ptrs(p, objs, 32, dst, &r) &&
		       run32_mark(p->st + r.lo, 32, from, to) &&
		       (!run || (*run = r, true));
	return run32_ptrs(p, objs, n, dst, &r) &&
	       run32_mark(p->st + r.lo, n, from, to) &&
	       (!run || (*run = r, true));
}

#define ND_RUN_AVX2(n, dst) ((n) % 32 == 0 && (dst) && nd_pool_avx2)

__attribute__((target("avx2"), always_inline)) static inline bool
put_run32_body(struct nd_pool *p, unsigned slot, void **objs, unsigned n)
{
	struct nd_pcache *c = nd_pcache_take(&nd_tl, p, slot);
	if (ND_UNLIKELY(c == NULL))
		return false;
	uint32_t have = atomic_load_explicit(&c->count, memory_order_relaxed);
	if (have >= c->run_bot && have + n <= c->run_hi) {
		/* what the last allocation took from the checked batch,
		 * still in the slots above the count: the same pointers
		 * in the same order need no header read */
		__m256i eq = _mm256_setzero_si256();
		for (unsigned k = 0; k < n; k += 4)
			eq = _mm256_or_si256(
			    eq, _mm256_xor_si256(
				    ND_LOAD2X16(&objs[k]),
				    _mm256_loadu_si256(
					(const __m256i *)(const void *)&c
					    ->objs[have + k])));
		if (_mm256_testz_si256(eq, eq) &&
		    run32_mark(p->st + nd_pcache_run_lo(c, have, n), n,
			       ND_ST_LIVE, ND_ST_FREE)) {
			atomic_store_explicit(&c->count, have + n,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			return true;
		}
	}
	if (ND_UNLIKELY(have + n > c->cap))
		goto no;
	c->run_bot = ND_RUN_NONE; /* the slots from have are rewritten */
	struct nd_run run;
	if (ND_UNLIKELY(!run32_ptrs(p, objs, n, &c->objs[have], &run) ||
			!run32_mark(p->st + run.lo, n, ND_ST_LIVE, ND_ST_FREE)))
		goto no;
	nd_pcache_push_run(c, n, &run);
	return true;
no:
	nd_pcache_leave(c);
	return false;
}

__attribute__((target("avx2"))) bool
nd_pool_put_run32(struct nd_pool *p, unsigned slot, void **objs, unsigned n)
{
	ND_ASSERT(n != 0 && n % 32 == 0);
	if (ND_LIKELY(n == 32)) /* a ring refill's batch: no loops */
		return put_run32_body(p, slot, objs, 32);
	return put_run32_body(p, slot, objs, n);
}
#else
#define run_mark_avx2 run_mark_any
#define ND_RUN_AVX2(n, dst) false
#endif

bool nd_pool_run_mark(const struct nd_pool *p, void *const *objs, unsigned n,
		      uint8_t from, uint8_t to, void **dst, struct nd_run *run)
{
	if (n != 0 && ND_RUN_AVX2(n, dst))
		return run_mark_avx2(p, objs, n, from, to, dst, run);
	return run_mark_any(p, objs, n, from, to, dst, run);
}

bool nd_pool_put_run_any(struct nd_pool *p, unsigned slot, void **objs,
			 unsigned n)
{
	struct nd_pcache *c = nd_pcache_take(&nd_tl, p, slot);
	if (ND_UNLIKELY(c == NULL))
		return false;
	uint32_t have = atomic_load_explicit(&c->count, memory_order_relaxed);
	if (n != 0 && have >= c->run_bot && have + n <= c->run_hi) {
		/* what the last allocation took from the checked batch
		 * (nd_pool_put_run32 does the same) */
		unsigned k = 0, j = 0;
		while (k < n && objs[k] == c->objs[have + k])
			k++;
		_Atomic uint8_t *st = p->st + nd_pcache_run_lo(c, have, n);
		while (k == n && j < n &&
		       atomic_load_explicit(&st[j], memory_order_relaxed) ==
			   ND_ST_LIVE)
			j++;
		if (j == n) {
			nd_st_fill(st, 0, n, ND_ST_FREE);
			atomic_store_explicit(&c->count, have + n,
					      memory_order_relaxed);
			nd_pcache_leave(c);
			return true;
		}
	}
	if (ND_UNLIKELY(have + n > c->cap)) {
		nd_pcache_leave(c);
		return false;
	}
	c->run_bot = ND_RUN_NONE; /* the slots from have are rewritten */
	void **dst = &c->objs[have];
	struct nd_run run;
	if (nd_pool_run_mark(p, objs, n, ND_ST_LIVE, ND_ST_FREE, dst, &run)) {
		nd_pcache_push_run(c, n, &run);
		return true;
	}
	nd_pcache_leave(c);
	return false;
}
