/* SPDX-License-Identifier: MIT */
/*
 * buffers.c - buffer descriptors (NDIS_BUFFER = MDL): NDIS 5.1 buffer
 * pools (NdisAllocateBufferPool, NdisAllocateBuffer, NdisFreeBuffer,
 * NdisFreeBufferPool, NdisCopyBuffer), the buffer queries, NDIS 6
 * NdisAllocateMdl / NdisFreeMdl, and the native bulk API for buffers.
 *
 * A descriptor holds an MDL with room for ND_MDL_INLINE_PFNS page-frame
 * entries. A range spanning more pages gets an MDL from the heap that
 * keeps its pool descriptor (so the pool's limit still holds); the 16
 * bytes before such an MDL carry the descriptor and BIG_COOKIE.
 */
#include "descr.h"

#include <errno.h>
#include <stdlib.h>

#define BIG_COOKIE 0x4e44424du /* NDBM */

struct big_mdl {
	void *slot;       /* the pool descriptor this MDL stands for */
	uint32_t reserved;
	uint32_t cookie;  /* BIG_COOKIE, right before the MDL */
	MDL mdl;          /* followed by the page-frame entries */
};
_Static_assert(offsetof(struct big_mdl, mdl) == 16, "cookie before MDL");

#define MDL_OBJ_SIZE (sizeof(MDL) + ND_MDL_INLINE_PFNS * sizeof(PFN_NUMBER))
/* what the inline NdisAllocateBuffer / NdisFreeBuffer of <ndis.h> see */
_Static_assert(ND_DP_BUFFER == NDISDMA_DP_BUFFER_ &&
		       ND_MDL_INLINE_PFNS == NDISDMA_MDL_INLINE_PFNS_,
	       "pool_abi.h: buffer pools");

ND_NO_ASAN static struct big_mdl *big_of(PMDL m)
{
	uintptr_t a = (uintptr_t)m;
	if (!m || (a & 4095u) < 16 || (a & 15u) ||
	    ((const uint32_t *)m)[-1] != BIG_COOKIE)
		return NULL;
	return (struct big_mdl *)(a - offsetof(struct big_mdl, mdl));
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
	size_t bytes = sizeof(struct big_mdl) + (size_t)span * sizeof(PFN_NUMBER);
	struct big_mdl *b = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
	if (!b) {
		nd_pool_put(dp->pool, m, NULL);
		return NULL;
	}
	b->slot = m;
	b->reserved = 0;
	b->cookie = BIG_COOKIE;
	mdl_build(&b->mdl, va, len);
	return &b->mdl;
}

/* Free an MDL of a pool of `type` (buffer or MDL pool). */
static inline void mdl_free(PMDL m, uint32_t type, const char *fn,
			    const void *site)
{
	struct nd_pool_hdr *h = nd_pool_hdr_of(m);
	if (__builtin_expect(h != NULL, 1)) {
		if (__builtin_expect(h->pool->tag != type, 0)) {
			struct nd_dpool *own = h->pool->arg;
			bool mdl = own->type == ND_DP_BUFFER ||
				   own->type == ND_DP_MDL;
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
	struct big_mdl *b = big_of(m);
	if (b) {
		void *slot = b->slot;
		struct nd_pool_hdr *sh = nd_pool_hdr_of(slot);
		if (!sh || !nd_pool_is_live(sh)) {
			nd_report(ND_RULE_POOL_DOUBLE_FREE, NULL, (uintptr_t)m,
				  0, site, "%s: MDL %p freed twice", fn,
				  (void *)m);
			return;
		}
		b->cookie = 0;
		free(b);
		nd_pool_put(sh->pool, slot, site);
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
	if (!NumberOfDescriptors) {
		nd_report(ND_RULE_POOL_BAD_SIZE, NULL, 0, 0, site,
			  "NdisAllocateBufferPool of 0 descriptors");
		return;
	}
	struct nd_dpool *dp =
		dpool_create(ND_DP_BUFFER, "buffer pool", MDL_OBJ_SIZE,
			     NumberOfDescriptors, 0, false,
			     dpool_init_adapter(), site, NULL, NULL, NULL);
	if (!dp)
		return;
	*PoolHandle = dp;
	*Status = NDIS_STATUS_SUCCESS;
}

VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp = dpool_lookup(PoolHandle, ND_DP_BUFFER,
					   "NdisFreeBufferPool", site);
	if (dp)
		dpool_release(dp, "NdisFreeBufferPool", site);
}

static void __attribute__((noinline))
buffer_alloc_fail(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, NDIS_HANDLE h,
		  const void *site)
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
	if (!dpool_irql_ok("NdisAllocateBuffer", site))
		return;
	if (!dpool_fast(h, ND_DP_BUFFER))
		nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "NdisAllocateBuffer: %p is not a live buffer pool",
			  h);
}

VOID(NdisAllocateBuffer)(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
			 NDIS_HANDLE PoolHandle, PVOID VirtualAddress,
			 UINT Length)
{
	struct nd_dpool *dp = dpool_fast(PoolHandle, ND_DP_BUFFER);
	if (__builtin_expect(!dp || !Status || !Buffer ||
				     nd_self()->irql > DISPATCH_LEVEL,
			     0)) {
		buffer_alloc_fail(Status, Buffer, PoolHandle, ND_SITE());
		return;
	}
	PMDL m = mdl_alloc(dp, VirtualAddress, Length);
	*Buffer = m;
	*Status = m ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

VOID(NdisFreeBuffer)(PNDIS_BUFFER Buffer)
{
	mdl_free(Buffer, ND_DP_BUFFER, "NdisFreeBuffer", ND_SITE());
}

VOID NdisCopyBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
		    NDIS_HANDLE PoolHandle, PVOID MemoryDescriptor,
		    UINT Offset, UINT Length)
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

VOID NdisQueryBuffer(PNDIS_BUFFER Buffer, PVOID *VirtualAddress,
		     PUINT Length)
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
	mdl_pool = dpool_create(ND_DP_MDL, "MDL pool", MDL_OBJ_SIZE, 256, 0,
				true, NULL, NULL, NULL, NULL, NULL);
}

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress,
		     UINT Length)
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
static int fill_from(struct nd_dpool *dp, struct _MDL **bufs,
		     void *const *vas, const uint32_t *lens, unsigned n,
		     unsigned from)
{
	for (unsigned i = from; i < n; i++) {
		ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(vas[i], lens[i]);
		if (__builtin_expect(span <= ND_MDL_INLINE_PFNS, 1)) {
			ndisdma_mdl_fill_(bufs[i], vas[i], lens[i], span);
			continue;
		}
		size_t bytes = sizeof(struct big_mdl) +
			       (size_t)span * sizeof(PFN_NUMBER);
		struct big_mdl *b =
			aligned_alloc(16, (bytes + 15) & ~(size_t)15);
		if (!b) {
			/* give back the big ones made so far, then all */
			for (unsigned k = 0; k < i; k++) {
				struct big_mdl *bk = big_of(bufs[k]);
				if (bk) {
					bufs[k] = bk->slot;
					bk->cookie = 0;
					free(bk);
				}
			}
			nd_pool_put_bulk(dp->pool, (void **)bufs, n, NULL);
			return 0;
		}
		b->slot = bufs[i];
		b->reserved = 0;
		b->cookie = BIG_COOKIE;
		mdl_build(&b->mdl, vas[i], lens[i]);
		bufs[i] = &b->mdl;
	}
	return (int)n;
}

int(ndisdma_buffer_alloc_bulk)(void *pool, struct _MDL **bufs,
			       void *const *vas, const uint32_t *lens,
			       unsigned n)
{
	struct nd_dpool *dp = dpool_fast(pool, ND_DP_BUFFER);
	if (!dp || !bufs || !vas || !lens || n > INT32_MAX)
		return -EINVAL;
	if (!n || !nd_pool_get_bulk(dp->pool, (void **)bufs, n))
		return 0;
	return fill_from(dp, bufs, vas, lens, n, 0);
}

int ndisdma_buffer_fill_bulk_(void *pool, struct _MDL **bufs,
			      void *const *vas, const uint32_t *lens,
			      unsigned n, unsigned from)
{
	return fill_from(pool, bufs, vas, lens, n, from);
}

int(ndisdma_buffer_free_bulk)(void *pool, struct _MDL **bufs, unsigned n)
{
	struct nd_dpool *dp = dpool_fast(pool, ND_DP_BUFFER);
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
			b->cookie = 0;
			free(b);
		}
	}
	return (int)nd_pool_put_bulk(dp->pool, (void **)bufs, n, site);
}

VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length)
{
	if (Buffer)
		Buffer->ByteCount = Length;
}
