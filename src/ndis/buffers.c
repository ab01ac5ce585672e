/* SPDX-License-Identifier: MIT */
/*
 * buffers.c - buffer descriptors (NDIS_BUFFER = MDL): NDIS 5.1 buffer
 * pools (NdisAllocateBufferPool, NdisAllocateBuffer, NdisFreeBuffer,
 * NdisFreeBufferPool, NdisCopyBuffer), the buffer queries, NDIS 6
 * NdisAllocateMdl / NdisFreeMdl, and the native bulk API for buffers.
 *
 * A descriptor holds an MDL with room for ND_MDL_INLINE_PFNS page-frame
 * entries. A range spanning more pages gets an MDL from the heap that
 * keeps its pool descriptor (so the pool's limit still holds). Such a
 * "big" MDL lies 32 bytes into type-stable memory (nd_pool_mem_get: never
 * unmapped, quarantined after use); the bytes before it name the pool
 * handle, the descriptor's state index and a cookie bound to the address,
 * and the pool's side table (nd_dpool.bigs) names the one big MDL each
 * descriptor stands for. A free is believed only when all of that
 * agrees; a freed big MDL keeps a dead cookie, so freeing it again is a
 * double free, never a read of unmapped memory nor the free of another
 * buffer (unless its memory was reused after the quarantine).
 */
#include "descr.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#define BIG_COOKIE 0x4e44424du /* NDBM */
#define BIG_DEAD 0x4e444244u   /* NDBD: freed */
#define BIG_OFF 32u	       /* the MDL's offset in its page */

struct big_mdl {
	void *slot;	     /* the pool descriptor this MDL stands for */
	size_t bytes;	     /* the memory's size */
	struct nd_dpool *dp; /* its pool's handle */
	uint32_t index;	     /* the descriptor's state index */
	uint32_t cookie;     /* BIG_COOKIE ^ address, right before the MDL */
	MDL mdl;	     /* followed by the page-frame entries */
};
_Static_assert(offsetof(struct big_mdl, mdl) == BIG_OFF, "cookie before MDL");

static uint32_t big_cookie(const struct big_mdl *b, uint32_t c)
{
	return c ^ (uint32_t)((uintptr_t)b >> 12);
}

#define MDL_OBJ_SIZE (sizeof(MDL) + ND_MDL_INLINE_PFNS * sizeof(PFN_NUMBER))

/* What the memory before m says: 1 a big MDL (*out set), -1 a freed
 * big MDL, 0 neither. Reads only m's own page. */
ND_NO_ASAN static int big_look(PMDL m, struct big_mdl **out)
{
	uintptr_t a = (uintptr_t)m;
	if (!m || (a & 4095u) != BIG_OFF)
		return 0;
	struct big_mdl *b = (struct big_mdl *)(a - BIG_OFF);
	if (b->cookie == big_cookie(b, BIG_COOKIE)) {
		*out = b;
		return 1;
	}
	return b->cookie == big_cookie(b, BIG_DEAD) ? -1 : 0;
}

/* The big MDL m when it is one its pool handed out and is still out:
 * its handle live, its descriptor LIVE and standing for it. Else NULL. */
static struct big_mdl *big_of(PMDL m)
{
	struct big_mdl *b;
	if (big_look(m, &b) != 1)
		return NULL;
	struct nd_dpool *dp = b->dp;
	if (!NDISDMA_DPOOL_IN_(dp) || dp->pool == NULL || !dp->bigs ||
	    (dp->type != ND_DP_BUFFER && dp->type != ND_DP_MDL) ||
	    b->index >= dp->pool->st_cap ||
	    atomic_load_explicit(&dp->bigs[b->index], memory_order_acquire) !=
		b)
		return NULL;
	struct nd_pool_hdr *sh = nd_pool_hdr_of(b->slot);
	if (!sh || sh->index != b->index || !nd_pool_is_live(sh))
		return NULL;
	return b;
}

/* Retire b (its descriptor no longer stands for it): a dead cookie in
 * the page kept, the rest emptied and quarantined. */
static void big_retire(struct big_mdl *b)
{
	atomic_store_explicit(&b->dp->bigs[b->index], NULL,
			      memory_order_release);
	b->cookie = big_cookie(b, BIG_DEAD);
	nd_pool_mem_put(b, b->bytes, 4096);
}

static void big_retire_all(struct nd_dpool *dp)
{
	size_t n = dp->bigs_bytes / sizeof(void *);
	for (size_t i = 0; i < n; i++) {
		struct big_mdl *b =
		    atomic_load_explicit(&dp->bigs[i], memory_order_relaxed);
		if (b)
			big_retire(b);
	}
	munmap((void *)dp->bigs, dp->bigs_bytes);
	dp->bigs = NULL;
}

/* The side table of dp, mapped at the first big MDL (its pages are
 * touched only where big MDLs are). False when memory runs out. */
static bool bigs_ready(struct nd_dpool *dp)
{
	if (ND_LIKELY(atomic_load_explicit((void *_Atomic *)&dp->bigs,
					   memory_order_acquire) != NULL))
		return true;
	size_t bytes =
	    ((size_t)dp->pool->st_cap * sizeof(void *) + 4095) & ~(size_t)4095;
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return false;
	void *none = NULL;
	dp->bigs_bytes = bytes;
	dp->retire_bigs = big_retire_all;
	if (!atomic_compare_exchange_strong(
		(_Atomic(void *) *)(void *)&dp->bigs, &none, m))
		munmap(m, bytes);
	return true;
}

/* A big MDL for [va, va+len) standing for the descriptor m of dp, or
 * NULL when memory runs out (m untouched). */
static PMDL big_new(struct nd_dpool *dp, void *m, void *va, UINT len,
		    ULONG span)
{
	size_t bytes =
	    sizeof(struct big_mdl) + (size_t)span * sizeof(PFN_NUMBER);
	if (!bigs_ready(dp))
		return NULL;
	struct big_mdl *b = nd_pool_mem_get(bytes);
	if (!b)
		return NULL;
	b->slot = m;
	b->bytes = bytes;
	b->dp = dp;
	b->index = nd_pool_hdr_raw(m)->index;
	b->cookie = big_cookie(b, BIG_COOKIE);
	mdl_build(&b->mdl, va, len);
	atomic_store_explicit(&dp->bigs[b->index], b, memory_order_release);
	return &b->mdl;
}

/* An MDL for [va, va+len) from dp's pool; NULL when the pool is empty or
 * memory runs out. */
static inline PMDL mdl_alloc(struct nd_dpool *dp, void *va, UINT len)
{
	PMDL m = nd_pool_get_at(dp->pool, dp->slot);
	if (__builtin_expect(!m, 0))
		return NULL;
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	if (__builtin_expect(span <= ND_MDL_INLINE_PFNS, 1)) {
		ndisdma_mdl_fill_(m, va, len, span);
		return m;
	}
	PMDL big = big_new(dp, m, va, len, span);
	if (!big)
		nd_pool_put(dp->pool, m, NULL);
	return big;
}

/* ---- buffers outside any pool ----
 * ndis.sys's buffer pool is a no-op and NdisAllocateBuffer an MDL
 * allocation that ignores the handle: it never runs out. Past a pool's
 * NumberOfDescriptors, or with no pool, the MDL comes from the heap (a
 * loose_mdl), reported; the live ones are kept in a map so
 * that a double free is caught, not a crash. */
static pthread_mutex_t loose_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ptrmap loose_live;

/* A loose MDL: zeroed words before it, so that what the pool checks read
 * in front of an MDL never looks like a descriptor header or a big MDL's
 * cookie. */
struct loose_mdl {
	uint64_t zero[4];
	MDL mdl; /* followed by the page-frame entries */
};

static PMDL loose_alloc(void *va, UINT len)
{
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	size_t bytes =
	    sizeof(struct loose_mdl) + (size_t)span * sizeof(PFN_NUMBER);
	struct loose_mdl *b = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
	if (!b)
		return NULL;
	memset(b->zero, 0, sizeof(b->zero));
	mdl_build(&b->mdl, va, len);
	pthread_mutex_lock(&loose_lock);
	int rc = nd_ptrmap_put(&loose_live, (uintptr_t)&b->mdl, b);
	pthread_mutex_unlock(&loose_lock);
	if (rc) {
		free(b);
		return NULL;
	}
	return &b->mdl;
}

/* True when m was a live loose MDL (now freed). */
static bool loose_free(PMDL m)
{
	pthread_mutex_lock(&loose_lock);
	struct loose_mdl *b = nd_ptrmap_del(&loose_live, (uintptr_t)m);
	pthread_mutex_unlock(&loose_lock);
	if (!b)
		return false;
	free(b);
	return true;
}

/* Free an MDL of a pool of `type` (buffer or MDL pool). */
static inline void mdl_free(PMDL m, uint32_t type, const char *fn,
			    const void *site)
{
	struct nd_pool_hdr *h = nd_pool_hdr_of(m);
	if (__builtin_expect(h != NULL, 1)) {
		if (__builtin_expect(h->pool->tag != type, 0)) {
			struct nd_dpool *own = h->pool->arg;
			bool mdl =
			    own->type == ND_DP_BUFFER || own->type == ND_DP_MDL;
			nd_report(ND_RULE_POOL_CROSS_FREE, own->ad,
				  (uintptr_t)m, 0, site,
				  "%s of %p, a descriptor of a %s%s", fn,
				  (void *)m, h->pool->kind,
				  mdl ? "; it goes back there" : "; not freed");
			if (!mdl)
				return;
		}
		nd_pool_put_h(h->pool, h, m, site);
		return;
	}
	if (type == ND_DP_BUFFER && loose_free(m))
		return;
	struct big_mdl *b = big_of(m);
	if (b) {
		void *slot = b->slot;
		big_retire(b);
		nd_pool_put(nd_pool_hdr_raw(slot)->pool, slot, site);
		return;
	}
	struct big_mdl *dead;
	if (big_look(m, &dead) != 0) {
		/* a big MDL freed already (or whose descriptor went back) */
		nd_report(ND_RULE_POOL_DOUBLE_FREE, NULL, (uintptr_t)m, 0, site,
			  "%s: MDL %p freed twice", fn, (void *)m);
		return;
	}
	nd_pool_put_slow(NULL, m, site); /* reports pool.free-unknown */
}

/* ---- NDIS 5.1 buffer pools ---- */

VOID NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			    UINT NumberOfDescriptors)
{
	const void *site = ND_SITE();
	if (!Status || !PoolHandle) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "NdisAllocateBufferPool with a NULL Status or "
			  "PoolHandle");
		if (Status)
			*Status = NDIS_STATUS_RESOURCES;
		return;
	}
	*PoolHandle = NULL;
	*Status = NDIS_STATUS_RESOURCES;
	if (!nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateBufferPool", NULL,
			     site))
		return;
	if (!NumberOfDescriptors) { /* ndis.sys: SUCCESS, a NULL handle */
		if (!nd_report(ND_RULE_POOL_CLAMPED, NULL, 0, 0, site,
			       "NdisAllocateBufferPool of 0 descriptors"))
			*Status = NDIS_STATUS_SUCCESS;
		return;
	}
	struct nd_dpool *dp = nd_dpool_create(
	    ND_DP_BUFFER, "buffer pool", MDL_OBJ_SIZE, NumberOfDescriptors, 0,
	    false, nd_dpool_init_adapter(), site, NULL, NULL, NULL);
	if (!dp)
		return;
	*PoolHandle = dp;
	*Status = NDIS_STATUS_SUCCESS;
}

VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	if (!PoolHandle) /* a pool of 0 descriptors: nothing to free */
		return;
	struct nd_dpool *dp = nd_dpool_lookup(PoolHandle, ND_DP_BUFFER,
					      "NdisFreeBufferPool", site);
	if (dp)
		nd_dpool_release(dp, "NdisFreeBufferPool", site);
}

static void __attribute__((noinline))
buffer_alloc_fail(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, NDIS_HANDLE h,
		  void *va, UINT len, const void *site)
{
	if (!Status || !Buffer) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "NdisAllocateBuffer with a NULL Status or Buffer");
		if (Status)
			*Status = NDIS_STATUS_FAILURE;
		return;
	}
	*Buffer = NULL;
	*Status = NDIS_STATUS_FAILURE;
	if (!nd_dpool_irql_ok("NdisAllocateBuffer", site))
		return;
	/* ndis.sys ignores the handle: an MDL all the same */
	if (!nd_dpool_fast(h, ND_DP_BUFFER) &&
	    nd_report(ND_RULE_POOL_PARAM_IGNORED, NULL, (uintptr_t)h, 0, site,
		      "NdisAllocateBuffer: %p is not a live buffer pool", h))
		return;
	*Buffer = loose_alloc(va, len);
	*Status = *Buffer ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

/* The pool is exhausted: ndis.sys never runs out. */
static void __attribute__((noinline))
buffer_past_pool(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, struct nd_dpool *dp,
		 void *va, UINT len, const void *site)
{
	if (nd_report(ND_RULE_POOL_CLAMPED, dp->ad, (uintptr_t)dp, len, site,
		      "NdisAllocateBuffer past the pool's "
		      "NumberOfDescriptors; the MDL comes from outside it"))
		return;
	*Buffer = loose_alloc(va, len);
	*Status = *Buffer ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID(NdisAllocateBuffer)
(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, NDIS_HANDLE PoolHandle,
 PVOID VirtualAddress, UINT Length)
{
	struct nd_dpool *dp = nd_dpool_fast(PoolHandle, ND_DP_BUFFER);
	if (__builtin_expect(!dp || !Status || !Buffer ||
				 nd_self()->irql > DISPATCH_LEVEL,
			     0)) {
		buffer_alloc_fail(Status, Buffer, PoolHandle, VirtualAddress,
				  Length, ND_SITE());
		return;
	}
	PMDL m = mdl_alloc(dp, VirtualAddress, Length);
	*Buffer = m;
	*Status = m ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
	if (__builtin_expect(!m, 0))
		buffer_past_pool(Status, Buffer, dp, VirtualAddress, Length,
				 ND_SITE());
}

VOID(NdisFreeBuffer)(PNDIS_BUFFER Buffer)
{
	mdl_free(Buffer, ND_DP_BUFFER, "NdisFreeBuffer", ND_SITE());
}

VOID NdisCopyBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
		    NDIS_HANDLE PoolHandle, PVOID MemoryDescriptor, UINT Offset,
		    UINT Length)
{
	PMDL src = MemoryDescriptor;
	if (!src || (uint64_t)Offset + Length > MmGetMdlByteCount(src)) {
		if (Buffer)
			*Buffer = NULL;
		if (Status)
			*Status = NDIS_STATUS_FAILURE;
		return;
	}
	NdisAllocateBuffer(Status, Buffer, PoolHandle,
			   (PUCHAR)MmGetMdlVirtualAddress(src) + Offset,
			   Length);
	if (Status && *Status == NDIS_STATUS_SUCCESS)
		(*Buffer)->MdlFlags |= MDL_PARTIAL;
}

VOID NdisQueryBuffer(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length)
{
	if (VirtualAddress)
		*VirtualAddress = MmGetSystemAddressForMdlSafe(Buffer, 0);
	*Length = MmGetMdlByteCount(Buffer);
}

VOID NdisQueryBufferSafe(PNDIS_BUFFER Buffer, PVOID *VirtualAddress,
			 PUINT Length, ULONG Priority)
{
	(void)Priority;
	NdisQueryBuffer(Buffer, VirtualAddress, Length);
}

VOID NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length)
{
	*Offset = MmGetMdlByteOffset(Buffer);
	*Length = MmGetMdlByteCount(Buffer);
}

VOID NdisGetNextBuffer(PNDIS_BUFFER CurrentBuffer, PNDIS_BUFFER *NextBuffer)
{
	*NextBuffer = CurrentBuffer ? CurrentBuffer->Next : NULL;
}

/* ---- NDIS 6 MDLs: one growable process-wide pool ---- */

static pthread_once_t mdl_once = PTHREAD_ONCE_INIT;
static struct nd_dpool *mdl_pool;

static void mdl_pool_create(void)
{
	mdl_pool = nd_dpool_create(ND_DP_MDL, "MDL pool", MDL_OBJ_SIZE, 256, 0,
				   true, NULL, NULL, NULL, NULL, NULL);
}

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
	(void)NdisHandle;
	if (__builtin_expect(nd_self()->irql > DISPATCH_LEVEL, 0)) {
		nd_irql_at_most(DISPATCH_LEVEL, "NdisAllocateMdl", NULL,
				ND_SITE());
		return NULL;
	}
	pthread_once(&mdl_once, mdl_pool_create);
	if (!mdl_pool)
		return NULL;
	return mdl_alloc(mdl_pool, VirtualAddress, Length);
}

VOID NdisFreeMdl(PMDL Mdl)
{
	mdl_free(Mdl, ND_DP_MDL, "NdisFreeMdl", ND_SITE());
}

/* ---- the native bulk API ---- */

/* bufs[0..n) were just taken from dp's pool; bufs[0..from) are filled.
 * Fill the rest (a heap MDL standing for its descriptor where a range
 * spans more than ND_MDL_INLINE_PFNS pages). Returns n; or, when memory
 * runs out, gives every one back and returns 0. */
static int fill_from(struct nd_dpool *dp, struct _MDL **bufs, void *const *vas,
		     const uint32_t *lens, unsigned n, unsigned from)
{
	for (unsigned i = from; i < n; i++) {
		ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(vas[i], lens[i]);
		if (__builtin_expect(span <= ND_MDL_INLINE_PFNS, 1)) {
			ndisdma_mdl_fill_(bufs[i], vas[i], lens[i], span);
			continue;
		}
		PMDL big = big_new(dp, bufs[i], vas[i], lens[i], span);
		if (!big) {
			/* give back the big ones made so far, then all */
			for (unsigned k = 0; k < i; k++) {
				struct big_mdl *bk = big_of(bufs[k]);
				if (bk) {
					bufs[k] = bk->slot;
					big_retire(bk);
				}
			}
			nd_pool_put_bulk(dp->pool, (void **)bufs, n, NULL);
			return 0;
		}
		bufs[i] = big;
	}
	return (int)n;
}

int(ndisdma_buffer_alloc_bulk)(void *pool, struct _MDL **bufs, void *const *vas,
			       const uint32_t *lens, unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_BUFFER);
	if (!dp || !bufs || !vas || !lens || n > INT32_MAX)
		return -EINVAL;
	if (!n || !nd_pool_get_bulk(dp->pool, (void **)bufs, n))
		return 0;
	return fill_from(dp, bufs, vas, lens, n, 0);
}

int ndisdma_buffer_fill_bulk_(void *pool, struct _MDL **bufs, void *const *vas,
			      const uint32_t *lens, unsigned n, unsigned from)
{
	return fill_from(pool, bufs, vas, lens, n, from);
}

int(ndisdma_buffer_free_bulk)(void *pool, struct _MDL **bufs, unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_BUFFER);
	if (!dp || !bufs || n > INT32_MAX)
		return -EINVAL;
	const void *site = ND_SITE();
	/* a batch of neighbours holds no big MDL (one is not at the pool's
	 * stride from another descriptor) */
	if (n && nd_pool_put_run(dp->pool, (void **)bufs, n))
		return 0;
	/* big MDLs stand for their descriptors: swap them in first */
	for (unsigned i = 0; i < n; i++) {
		if (nd_pool_hdr_of(bufs[i]))
			continue;
		struct big_mdl *b = big_of(bufs[i]);
		if (b) {
			bufs[i] = b->slot;
			big_retire(b);
		}
	}
	return (int)nd_pool_put_bulk(dp->pool, (void **)bufs, n, site);
}

VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length)
{
	if (Buffer)
		Buffer->ByteCount = Length;
}
