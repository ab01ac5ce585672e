/* SPDX-License-Identifier: MIT */
#include "arena.h"

#include "assert.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	struct bus_chunk bc;
	size_t ngran, nfree, hint;
	bool dedicated;
	uint64_t *used;	    /* a bit per granule: allocated */
	uint64_t *start;    /* a bit per granule: first granule of a block */
	uint64_t *poisoned; /* a bit per granule: freed, holds the poison
			       byte (fresh memory is never written) */
};

#define WORDS(n) (((n) + 63) / 64)

/* Invariants of a chunk (checked by ND_ASSERT in debug builds; O(granules
 * / 64)): nfree is the
 * number of clear bits of `used`, every start bit lies on a used granule,
 * and the hint is inside the chunk. */
static __attribute__((unused)) bool chunk_ok(const struct arena_chunk *c)
{
	size_t used = 0;
	for (size_t w = 0; w < WORDS(c->ngran); w++) {
		used += (size_t)__builtin_popcountll(c->used[w]);
		if (c->start[w] & ~c->used[w])
			return false;
	}
	return c->ngran - used == c->nfree && c->nfree <= c->ngran &&
	       (c->hint < c->ngran || c->ngran == 0);
}

/* The chunk list's length and bytes match the arena's counters. */
static __attribute__((unused)) bool chunks_ok(const struct arena *a)
{
	size_t n = 0;
	uint64_t bytes = 0;
	for (const struct arena_chunk *c = a->chunks; c; c = c->next) {
		n++;
		bytes += c->bc.len;
	}
	return n == a->nchunks && bytes == a->chunk_bytes;
}

static inline bool test_bit(const uint64_t *bm, size_t i)
{
	return (bm[i >> 6] >> (i & 63)) & 1;
}

static void set_range(uint64_t *bm, size_t first, size_t n, bool v)
{
	for (size_t i = first; i < first + n;) {
		if ((i & 63) == 0 && first + n - i >= 64) {
			bm[i >> 6] = v ? ~0ull : 0;
			i += 64;
			continue;
		}
		if (v)
			bm[i >> 6] |= 1ull << (i & 63);
		else
			bm[i >> 6] &= ~(1ull << (i & 63));
		i++;
	}
}

/* First run of n clear bits in [from, to); (size_t)-1 if none. */
static size_t find_run(const uint64_t *bm, size_t from, size_t to, size_t n)
{
	size_t run = 0, start = 0;
	for (size_t i = from; i < to;) {
		uint64_t w = bm[i >> 6];
		if ((i & 63) == 0 && to - i >= 64) {
			if (w == ~0ull) {
				run = 0;
				i += 64;
				continue;
			}
			if (w == 0) {
				if (run == 0)
					start = i;
				run += 64;
				i += 64;
				if (run >= n)
					return start;
				continue;
			}
		}
		if ((w >> (i & 63)) & 1) {
			run = 0;
		} else {
			if (run == 0)
				start = i;
			if (++run >= n)
				return start;
		}
		i++;
	}
	return (size_t)-1;
}

int nd_arena_create(struct bus *bus, uint64_t dma_limit, size_t gran,
		    size_t chunk_size, struct arena **out)
{
	if (!bus || gran < 16 || (gran & (gran - 1)) || chunk_size < 4096 ||
	    chunk_size % 4096 || chunk_size % gran)
		return -EINVAL;
	struct arena *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->bus = bus;
	a->dma_limit = dma_limit;
	a->gran = gran;
	a->chunk_size = chunk_size;
	a->poison = -1;
	*out = a;
	return 0;
}

static struct arena_chunk *chunk_new(struct arena *a, size_t len,
				     bool dedicated)
{
	struct arena_chunk *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->ngran = len / a->gran;
	c->used = calloc(WORDS(c->ngran), sizeof(uint64_t));
	c->start = calloc(WORDS(c->ngran), sizeof(uint64_t));
	c->poisoned = calloc(WORDS(c->ngran), sizeof(uint64_t));
	if (!c->used || !c->start || !c->poisoned ||
	    a->bus->ops->chunk_alloc(a->bus, len, a->dma_limit, &c->bc)) {
		free(c->used);
		free(c->start);
		free(c->poisoned);
		free(c);
		return NULL;
	}
	ND_ASSERT(c->bc.iova + len - 1 <= a->dma_limit);
	/* The chunk is not written here: only blocks are filled (by the
	 * caller) and poisoned (at their free), so an adapter costs the
	 * memory it uses, not its chunk size. */
	c->nfree = c->ngran;
	c->dedicated = dedicated;
	c->next = a->chunks;
	a->chunks = c;
	a->nchunks++;
	a->chunk_bytes += len;
	ND_ASSERT(chunks_ok(a));
	return c;
}

static void chunk_release(struct arena *a, struct arena_chunk *c)
{
	struct arena_chunk **pp = &a->chunks;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	a->nchunks--;
	a->chunk_bytes -= c->bc.len;
	a->bus->ops->chunk_free(a->bus, &c->bc);
	free(c->used);
	free(c->start);
	free(c->poisoned);
	free(c);
	ND_ASSERT(chunks_ok(a));
}

/* The offset in [p, p+n) of the first byte that is not `poison`, or -1. */
static long first_not(const unsigned char *p, size_t n, unsigned char poison)
{
	uint64_t pat = 0x0101010101010101ull * poison;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w != pat)
			break;
	}
	for (; i < n; i++)
		if (p[i] != poison)
			return (long)i;
	return -1;
}

/* The offset in block b of the first byte of its freed granules that no
 * longer holds the poison byte, or -1; forgets their poisoned state. */
static long poison_check(const struct arena *a, struct arena_chunk *c,
			 size_t first, size_t n)
{
	long bad = -1;
	const unsigned char *p =
	    (const unsigned char *)c->bc.host + first * a->gran;
	for (size_t g = 0; g < n && a->poison >= 0 && bad < 0; g++) {
		if (!test_bit(c->poisoned, first + g))
			continue; /* never freed: nothing to check */
		long off = first_not(p + g * a->gran, a->gran,
				     (unsigned char)a->poison);
		if (off >= 0)
			bad = (long)(g * a->gran) + off;
	}
	set_range(c->poisoned, first, n, false);
	return bad;
}

static bool take(const struct arena *a, struct arena_chunk *c, size_t n,
		 struct arena_block *out)
{
	if (c->nfree < n)
		return false;
	size_t at = find_run(c->used, c->hint, c->ngran, n);
	if (at == (size_t)-1)
		at = find_run(c->used, 0,
			      c->hint + n < c->ngran ? c->hint + n : c->ngran,
			      n);
	if (at == (size_t)-1)
		return false;
	ND_ASSERT(at + n <= c->ngran && !test_bit(c->used, at) &&
		  !test_bit(c->used, at + n - 1));
	set_range(c->used, at, n, true);
	c->start[at >> 6] |= 1ull << (at & 63);
	c->nfree -= n;
	ND_ASSERT(chunk_ok(c));
	c->hint = at + n < c->ngran ? at + n : 0;
	*out = (struct arena_block){c, at, n, poison_check(a, c, at, n)};
	return true;
}

int nd_arena_alloc(struct arena *a, size_t len, struct arena_block *out,
		   void **host, uint64_t *iova)
{
	if (len == 0 || len > SIZE_MAX - a->chunk_size)
		return -ENOMEM;
	size_t n = (len + a->gran - 1) / a->gran;
	struct arena_chunk *c;
	if (len > a->chunk_size / 2) {
		size_t clen = (len + 4095) & ~(size_t)4095;
		clen = (clen + a->gran - 1) & ~(a->gran - 1);
		c = chunk_new(a, clen, true);
		if (!c || !take(a, c, n, out)) {
			if (c)
				chunk_release(a, c);
			return -ENOMEM;
		}
	} else {
		bool ok = false;
		for (c = a->chunks; c && !ok; c = c->next)
			if (!c->dedicated)
				ok = take(a, c, n, out);
		if (!ok) {
			c = chunk_new(a, a->chunk_size, false);
			if (!c || !take(a, c, n, out))
				return -ENOMEM;
		}
	}
	c = out->chunk;
	*host = (unsigned char *)c->bc.host + out->first * a->gran;
	*iova = c->bc.iova + out->first * a->gran;
	return 0;
}

void nd_arena_free(struct arena *a, const struct arena_block *b)
{
	struct arena_chunk *c = b->chunk;
	/* a live block: its first granule starts it, its last is used, and
	 * the next block (or free space) starts after it */
	ND_ASSERT(test_bit(c->start, b->first));
	ND_ASSERT(b->first + b->n <= c->ngran &&
		  test_bit(c->used, b->first + b->n - 1));
	ND_ASSERT(c->nfree + b->n <= c->ngran);
	if (a->poison >= 0) {
		memset((unsigned char *)c->bc.host + b->first * a->gran,
		       a->poison, b->n * a->gran);
		set_range(c->poisoned, b->first, b->n, true);
	}
	set_range(c->used, b->first, b->n, false);
	c->start[b->first >> 6] &= ~(1ull << (b->first & 63));
	c->nfree += b->n;
	ND_ASSERT(chunk_ok(c));
	if (c->nfree != c->ngran)
		return;
	if (c->dedicated) {
		chunk_release(a, c);
		return;
	}
	for (struct arena_chunk *o = a->chunks; o; o = o->next)
		if (o != c && !o->dedicated) {
			chunk_release(a, c); /* keep one empty chunk at most */
			return;
		}
}

void *nd_arena_block_containing(struct arena *a, const void *p)
{
	const unsigned char *q = p;
	for (struct arena_chunk *c = a->chunks; c; c = c->next) {
		const unsigned char *h = c->bc.host;
		if (q < h || q >= h + c->ngran * a->gran)
			continue;
		size_t g = (size_t)(q - h) / a->gran;
		if (!test_bit(c->used, g))
			return NULL;
		while (!test_bit(c->start, g))
			g--; /* the block's granules are all used */
		return (void *)(h + g * a->gran);
	}
	return NULL;
}

void nd_arena_destroy(struct arena *a)
{
	if (!a)
		return;
	while (a->chunks)
		chunk_release(a, a->chunks);
	free(a);
}
