/* SPDX-License-Identifier: MIT */
/*
 * test_buffers.c - NDIS_BUFFER (MDL) descriptors: NdisAllocateBuffer for
 * any virtual range (field values, page-frame entries, ranges spanning
 * many pages), buffer pool limits, NdisCopyBuffer, NdisAllocateMdl /
 * NdisFreeMdl, double / cross / foreign frees, the bulk API, and frees
 * on another thread.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

static char mem[64 * 4096] __attribute__((aligned(4096)));

static unsigned long count(const char *rule)
{
	return ndisdma_verifier_count(rule);
}

static int setup(void **state)
{
	(void)state;
	ndisdma_verifier_set_output(NULL);
	return 0;
}

static NDIS_HANDLE bpool(UINT n)
{
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocateBufferPool(&st, &h, n);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_non_null(h);
	return h;
}

static PNDIS_BUFFER buf(NDIS_HANDLE h, void *va, UINT len)
{
	NDIS_STATUS st;
	PNDIS_BUFFER b;
	NdisAllocateBuffer(&st, &b, h, va, len);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_non_null(b);
	return b;
}

static void check_mdl(PMDL m, void *va, UINT len)
{
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	assert_null(m->Next);
	assert_ptr_equal(m->StartVa, PAGE_ALIGN(va));
	assert_int_equal(m->ByteOffset, (uintptr_t)va & 4095);
	assert_int_equal(m->ByteCount, len);
	assert_ptr_equal(MmGetMdlVirtualAddress(m), va);
	assert_ptr_equal(MmGetSystemAddressForMdlSafe(m, 0), va);
	assert_int_equal(m->Size, sizeof(MDL) + span * sizeof(PFN_NUMBER));
	assert_true(m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
	assert_null(m->Process);
	PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
	for (ULONG i = 0; i < span; i++)
		assert_int_equal(pfn[i], ((uintptr_t)va >> 12) + i);
	UINT arr;
	NdisGetBufferPhysicalArraySize(m, &arr);
	assert_int_equal(arr, span);
}

static void test_any_range(void **state)
{
	(void)state;
	/* strict: an exhausted pool fails (ndis.sys's never does:
	 * test_pool_never_runs_out) */
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_FAIL);
	NDIS_HANDLE h = bpool(8);
	struct {
		size_t off;
		UINT len;
	} r[] = {{0, 1},	 {1, 4095},	     {4095, 2},
		 {100, 8192},	 {4096, 4096},	     {7, 16 * 4096 - 7},
		 {7, 16 * 4096}, {3, 40 * 4096 + 5}, {0, 0}};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		PNDIS_BUFFER b = buf(h, mem + r[i].off, r[i].len);
		check_mdl(b, mem + r[i].off, r[i].len);
		UINT off, len;
		NdisQueryBufferOffset(b, &off, &len);
		assert_int_equal(off, r[i].off & 4095);
		assert_int_equal(len, r[i].len);
		NdisFreeBuffer(b);
	}
	/* many-page ones still count against the pool */
	PNDIS_BUFFER big[8];
	for (int i = 0; i < 8; i++)
		big[i] = buf(h, mem + i, 30 * 4096);
	NDIS_STATUS st;
	PNDIS_BUFFER x = (PNDIS_BUFFER)1;
	NdisAllocateBuffer(&st, &x, h, mem, 10);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(x);
	for (int i = 0; i < 8; i++)
		NdisFreeBuffer(big[i]);
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_REPORT);
	x = buf(h, mem, 10);
	NdisFreeBuffer(x);
	NdisFreeBufferPool(h);
}

static void test_pool_limits(void **state)
{
	(void)state;
	/* strict (mode fail): today's refusals */
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_FAIL);
	unsigned long bad = count("pool.clamped");
	NDIS_STATUS st;
	NDIS_HANDLE h = (NDIS_HANDLE)1;
	NdisAllocateBufferPool(&st, &h, 0);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.clamped"), bad + 1);

	h = bpool(2);
	PNDIS_BUFFER a = buf(h, mem, 1), b = buf(h, mem + 1, 1), c;
	NdisAllocateBuffer(&st, &c, h, mem, 1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(c);
	NdisFreeBuffer(a);
	c = buf(h, mem + 2, 3);
	assert_ptr_equal(c, a);
	NdisFreeBuffer(b);
	NdisFreeBuffer(c);
	NdisFreeBufferPool(h);
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_REPORT);

	h = bpool(0x10000); /* buffer pools have no 0xFFFF limit */
	NdisFreeBufferPool(h);
}

/* As ndis.sys: a buffer pool never runs out (past NumberOfDescriptors
 * the MDL comes from outside the pool, reported), a pool of 0 is
 * SUCCESS with a NULL handle, and the handle is not needed. */
static void test_pool_never_runs_out(void **state)
{
	(void)state;
	NDIS_STATUS st;
	NDIS_HANDLE h = (NDIS_HANDLE)1;
	unsigned long cl = count("pool.clamped");
	unsigned long ign = count("pool.param-ignored");
	NdisAllocateBufferPool(&st, &h, 0);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_null(h);
	assert_int_equal(count("pool.clamped"), cl + 1);
	PNDIS_BUFFER x = buf(h, mem, 100);
	assert_int_equal(MmGetMdlByteCount(x), 100);
	assert_ptr_equal(MmGetMdlVirtualAddress(x), mem);
	assert_int_equal(count("pool.param-ignored"), ign + 1);
	NdisFreeBuffer(x);
	NdisFreeBufferPool(h);
	int junk;
	x = buf(&junk, mem + 3, 5);
	assert_int_equal(count("pool.param-ignored"), ign + 2);
	NdisFreeBuffer(x);
	/* a pool of 2: the third and fourth from outside, the accounting
	 * kept; all four freed, the pool reused */
	h = bpool(2);
	PNDIS_BUFFER b[4];
	for (int i = 0; i < 4; i++)
		b[i] = buf(h, mem + i, 10 + i);
	assert_int_equal(count("pool.clamped"), cl + 3);
	for (int i = 0; i < 4; i++)
		assert_int_equal(MmGetMdlByteCount(b[i]), 10 + i);
	for (int i = 0; i < 4; i++)
		NdisFreeBuffer(b[i]);
	b[0] = buf(h, mem, 1);
	NdisFreeBuffer(b[0]);
	NdisFreeBufferPool(h);
}

static void test_copy_buffer(void **state)
{
	(void)state;
	NDIS_HANDLE h = bpool(4);
	PNDIS_BUFFER src = buf(h, mem + 100, 9000), part;
	NDIS_STATUS st;
	NdisCopyBuffer(&st, &part, h, src, 5000, 100);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	check_mdl(part, mem + 5100, 100);
	assert_true(part->MdlFlags & MDL_PARTIAL);
	NdisFreeBuffer(part);
	NdisCopyBuffer(&st, &part, h, src, 9000, 1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(part);
	NdisCopyBuffer(&st, &part, h, src, 0, 9000);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisFreeBuffer(part);
	NdisFreeBuffer(src);
	NdisFreeBufferPool(h);
}

static void test_bad_frees(void **state)
{
	(void)state;
	unsigned long dbl = count("pool.double-free");
	unsigned long unk = count("pool.free-unknown");
	unsigned long cross = count("pool.cross-free");
	unsigned long out = count("pool.free-outstanding");
	NDIS_HANDLE h = bpool(3);
	PNDIS_BUFFER a = buf(h, mem, 10);
	NdisFreeBuffer(a);
	NdisFreeBuffer(a);
	assert_int_equal(count("pool.double-free"), dbl + 1);

	/* an MDL the driver built itself (the second of two: the inline
	 * free reads the 16 bytes in front) */
	static struct {
		MDL m;
		PFN_NUMBER pfn[2];
	} own[2] __attribute__((aligned(64)));
	MmInitializeMdl(&own[1].m, mem, 100);
	NdisFreeBuffer(&own[1].m);
	assert_int_equal(count("pool.free-unknown"), unk + 1);

	/* an MDL of NdisAllocateMdl freed with NdisFreeBuffer: reported,
	 * and it goes back where it came from */
	PMDL m = NdisAllocateMdl(NULL, mem, 10);
	assert_non_null(m);
	NdisFreeBuffer(m);
	assert_int_equal(count("pool.cross-free"), cross + 1);
	NdisFreeMdl(m);
	assert_int_equal(count("pool.double-free"), dbl + 2);

	/* a packet is not a buffer: reported, not freed */
	NDIS_STATUS st;
	NDIS_HANDLE pp;
	PNDIS_PACKET p;
	NdisAllocatePacketPool(&st, &pp, 1, 0);
	NdisAllocatePacket(&st, &p, pp);
	NdisFreeBuffer((PNDIS_BUFFER)p);
	assert_int_equal(count("pool.cross-free"), cross + 2);
	NdisFreePacket(p);
	NdisFreePacketPool(pp);

	/* the pool is intact: 3 distinct descriptors */
	PNDIS_BUFFER b[3];
	for (int i = 0; i < 3; i++) {
		b[i] = buf(h, mem + i, 1);
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(b[i], b[k]);
	}
	NdisFreeBufferPool(h);
	assert_int_equal(count("pool.free-outstanding"), out + 1);
	for (int i = 0; i < 3; i++)
		NdisFreeBuffer(b[i]);
	unsigned long badh = count("pool.bad-handle");
	NdisFreeBufferPool(h);
	assert_int_equal(count("pool.bad-handle"), badh + 1);
}

static void test_mdl(void **state)
{
	(void)state;
	PMDL m[300];
	for (int i = 0; i < 300; i++) { /* more than one slab */
		m[i] = NdisAllocateMdl(NULL, mem + 7 * i, 1000 + i);
		assert_non_null(m[i]);
		check_mdl(m[i], mem + 7 * i, 1000 + i);
	}
	PMDL big = NdisAllocateMdl(NULL, mem + 1, 50 * 4096);
	check_mdl(big, mem + 1, 50 * 4096);
	NdisFreeMdl(big);
	for (int i = 0; i < 300; i++)
		NdisFreeMdl(m[i]);
	unsigned long dbl = count("pool.double-free");
	PMDL x = NdisAllocateMdl(NULL, mem, 1);
	NdisFreeMdl(x);
	NdisFreeMdl(x);
	assert_int_equal(count("pool.double-free"), dbl + 1);
	KIRQL old;
	unsigned long irql = count("irql.too-high");
	KeRaiseIrql(DIRQL, &old);
	x = NdisAllocateMdl(NULL, mem, 1);
	KeLowerIrql(old);
	assert_null(x);
	assert_int_equal(count("irql.too-high"), irql + 1);
}

static void test_bulk(void **state)
{
	(void)state;
	NDIS_HANDLE h = bpool(64);
	PMDL b[32], c[32], d[1];
	void *va[32];
	uint32_t len[32];
	for (int i = 0; i < 32; i++) {
		va[i] = mem + 4000 + i * 100;
		len[i] = i == 5 ? 20 * 4096 : 200;
	}
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, b, va, len, 32), 32);
	for (int i = 0; i < 32; i++)
		check_mdl(b[i], va[i], len[i]);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, c, va, len, 32), 32);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, d, va, len, 1), 0);
	assert_int_equal(ndisdma_buffer_free_bulk(h, b, 32), 0);
	for (int i = 0; i < 32; i++)
		NdisFreeBuffer(c[i]);
	assert_int_equal(ndisdma_buffer_alloc_bulk(NULL, b, va, len, 1),
			 -EINVAL);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, b, va, len, 32), 32);
	assert_int_equal(ndisdma_buffer_free_bulk(h, b, 32), 0);
	/* a batch of neighbours (no big MDL) freed twice: 32 reported, the
	 * pool whole */
	for (int i = 0; i < 32; i++)
		len[i] = 200;
	unsigned long dbl = count("pool.double-free");
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, b, va, len, 32), 32);
	assert_int_equal(ndisdma_buffer_free_bulk(h, b, 32), 0);
	assert_int_equal(ndisdma_buffer_free_bulk(h, b, 32), 32);
	assert_int_equal(count("pool.double-free"), dbl + 32);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, b, va, len, 32), 32);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, c, va, len, 32), 32);
	assert_int_equal(ndisdma_buffer_alloc_bulk(h, d, va, len, 1), 0);
	for (int i = 0; i < 32; i++) {
		check_mdl(b[i], va[i], len[i]);
		check_mdl(c[i], va[i], len[i]);
	}
	assert_int_equal(ndisdma_buffer_free_bulk(h, b, 32), 0);
	assert_int_equal(ndisdma_buffer_free_bulk(h, c, 32), 0);
	NdisFreeBufferPool(h);
}

/* fn 0: the inline calls of the headers; 1: the library's functions */
static void alloc_via(int fn, NDIS_STATUS *st, PNDIS_BUFFER *b, NDIS_HANDLE h,
		      void *va, UINT len)
{
	if (fn)
		(NdisAllocateBuffer)(st, b, h, va, len);
	else
		NdisAllocateBuffer(st, b, h, va, len);
}

static void free_via(int fn, PNDIS_BUFFER b)
{
	if (fn)
		(NdisFreeBuffer)(b);
	else
		NdisFreeBuffer(b);
}

static int bulk_alloc_via(int fn, NDIS_HANDLE h, PMDL *b, void *const *va,
			  const uint32_t *len, unsigned n)
{
	return fn ? (ndisdma_buffer_alloc_bulk)(h, b, va, len, n)
		  : ndisdma_buffer_alloc_bulk(h, b, va, len, n);
}

static int bulk_free_via(int fn, NDIS_HANDLE h, PMDL *b, unsigned n)
{
	return fn ? (ndisdma_buffer_free_bulk)(h, b, n)
		  : ndisdma_buffer_free_bulk(h, b, n);
}

/* Every field NdisAllocateBuffer sets, exactly. */
static void check_fresh(PMDL m, void *va, UINT len)
{
	check_mdl(m, va, len);
	assert_int_equal(m->MdlFlags, MDL_ALLOCATED_FIXED_SIZE |
					  MDL_SOURCE_IS_NONPAGED_POOL);
}

/* What a driver may do to a buffer it holds. */
static void scribble(PMDL m)
{
	m->Next = m;
	m->MdlFlags = 0x7777;
	m->Size = 12;
	m->ByteCount = 1;
	m->ByteOffset = 4095;
	m->MappedSystemVa = NULL;
	m->StartVa = NULL;
	MmGetMdlPfnArray(m)[0] = 0xdead;
}

/* The inline NdisAllocateBuffer / NdisFreeBuffer and bulk calls of the
 * headers and the library's functions, each way round: the same fields,
 * the same limits, the same reports. */
static void test_inline_and_functions(void **state)
{
	(void)state;
	/* strict: an exhausted pool and a bad handle fail */
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_FAIL);
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_FAIL);
	for (int fn = 0; fn < 2; fn++) {
		unsigned long dbl = count("pool.double-free");
		unsigned long par = count("pool.bad-params");
		unsigned long badh = count("pool.param-ignored");
		unsigned long irql = count("irql.too-high");
		unsigned long unk = count("pool.free-unknown");
		unsigned long cross = count("pool.cross-free");
		/* 64: the thread's cache holds 32, room for the batches */
		NDIS_HANDLE h = bpool(64);
		NDIS_STATUS st;
		PNDIS_BUFFER b[64], x, y;
		/* 16 pages in the descriptor, 17 from the heap, an empty
		 * range, one page, a range ending on a page boundary */
		static const struct {
			size_t off;
			UINT len;
		} r[] = {{100, 16 * 4096 - 100},
			 {100, 16 * 4096 - 99},
			 {0, 0},
			 {4095, 1},
			 {5, 4091},
			 {4000, 200}};
		for (int round = 0; round < 50; round++) {
			for (int i = 0; i < 64; i++) {
				void *va = mem + r[i % 6].off;
				alloc_via(fn, &st, &b[i], h, va, r[i % 6].len);
				assert_int_equal(st, NDIS_STATUS_SUCCESS);
				check_fresh(b[i], va, r[i % 6].len);
				scribble(b[i]);
			}
			alloc_via(fn, &st, &x, h, mem, 10);
			assert_int_equal(st, NDIS_STATUS_FAILURE);
			assert_null(x);
			for (int i = 0; i < 64; i++)
				free_via((fn + i + round) & 1, b[i]);
		}
		/* misuse: NULL outputs, bad handles, the IRQL */
		alloc_via(fn, NULL, &x, h, mem, 10);
		st = 0;
		alloc_via(fn, &st, NULL, h, mem, 10);
		assert_int_equal(st, NDIS_STATUS_FAILURE);
		assert_int_equal(count("pool.bad-params"), par + 2);
		static uint64_t junk[16] __attribute__((aligned(64)));
		alloc_via(fn, &st, &x, junk, mem, 10);
		assert_int_equal(st, NDIS_STATUS_FAILURE);
		assert_null(x);
		NDIS_HANDLE pp;
		NdisAllocatePacketPool(&st, &pp, 4, 0);
		alloc_via(fn, &st, &x, pp, mem, 10);
		assert_int_equal(st, NDIS_STATUS_FAILURE);
		assert_int_equal(count("pool.param-ignored"), badh + 2);
		KIRQL old;
		KeRaiseIrql(DIRQL, &old);
		alloc_via(fn, &st, &x, h, mem, 10);
		KeLowerIrql(old);
		assert_int_equal(st, NDIS_STATUS_FAILURE);
		assert_int_equal(count("irql.too-high"), irql + 1);
		/* double (with room in the cache), foreign and cross frees */
		x = buf(h, mem, 10);
		y = buf(h, mem, 10);
		free_via(fn, x);
		free_via(fn, x);
		assert_int_equal(count("pool.double-free"), dbl + 1);
		free_via(fn, y);
		static struct {
			MDL m;
			PFN_NUMBER pfn[2];
		} own[2] __attribute__((aligned(64)));
		MmInitializeMdl(&own[1].m, mem, 100);
		free_via(fn, &own[1].m);
		assert_int_equal(count("pool.free-unknown"), unk + 1);
		PNDIS_PACKET pk;
		NdisAllocatePacket(&st, &pk, pp);
		assert_int_equal(st, NDIS_STATUS_SUCCESS);
		free_via(fn, (PNDIS_BUFFER)pk); /* not freed */
		assert_int_equal(NdisPacketPoolUsage(pp), 1);
		NdisFreePacket(pk);
		PMDL m = NdisAllocateMdl(NULL, mem, 10);
		free_via(fn, m); /* goes back to the MDL pool */
		assert_int_equal(count("pool.cross-free"), cross + 2);
		NdisFreePacketPool(pp);

		NdisFreeBufferPool(h);

		/* bulk, on a new pool whose first batch is neighbours: a
		 * batch the inline path takes, one with a range of 17
		 * pages and one with an empty range (the function's) */
		h = bpool(64);
		PMDL a[16], c[1];
		void *va[16];
		uint32_t len[16];
		for (int i = 0; i < 16; i++) {
			va[i] = mem + 4096 * i + 66;
			len[i] = 1514;
		}
		for (int k = 0; k < 3; k++) {
			if (k == 1)
				len[7] = 16 * 4096;
			if (k == 2) {
				len[7] = 0;
				va[7] = mem + 8192;
			}
			/* even rounds free the batch as a batch, odd ones
			 * each through the function, which finds a header
			 * a fill ran over */
			for (int round = 0; round < 4; round++) {
				assert_int_equal(
				    bulk_alloc_via(fn, h, a, va, len, 16), 16);
				for (int i = 0; i < 16; i++) {
					check_fresh(a[i], va[i], len[i]);
					scribble(a[i]);
				}
				if (round & 1) {
					for (int i = 0; i < 16; i++)
						(NdisFreeBuffer)(a[i]);
				} else {
					assert_int_equal(
					    bulk_free_via(fn, h, a, 16), 0);
				}
			}
		}
		assert_int_equal(count("pool.free-unknown"), unk + 1);
		/* a batch freed twice: every one reported, the pool whole */
		for (int i = 0; i < 16; i++)
			len[i] = 100;
		assert_int_equal(bulk_alloc_via(fn, h, a, va, len, 16), 16);
		assert_int_equal(bulk_free_via(fn, h, a, 16), 0);
		assert_int_equal(bulk_free_via(fn, h, a, 16), 16);
		assert_int_equal(count("pool.double-free"), dbl + 17);
		/* all 64 still there */
		for (int i = 0; i < 4; i++)
			assert_int_equal(
			    bulk_alloc_via(fn, h, &b[16 * i], va, len, 16), 16);
		assert_int_equal(bulk_alloc_via(fn, h, c, va, len, 1), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(bulk_free_via(fn, h, &b[16 * i], 16),
					 0);
		assert_int_equal(bulk_alloc_via(fn, NULL, a, va, len, 1),
				 -EINVAL);
		assert_int_equal(bulk_free_via(fn, NULL, a, 1), -EINVAL);
		NdisFreeBufferPool(h);
	}
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_REPORT);
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_REPORT);
}

struct xfer {
	NDIS_HANDLE pool;
	_Atomic(PNDIS_BUFFER) slot;
	_Atomic int done;
	_Atomic unsigned long errors;
};

static void *freer(void *arg)
{
	struct xfer *x = arg;
	for (;;) {
		PNDIS_BUFFER b = atomic_exchange(&x->slot, NULL);
		if (b) {
			if (MmGetMdlByteCount(b) == 0)
				atomic_fetch_add(&x->errors, 1);
			NdisFreeBuffer(b);
		} else if (atomic_load(&x->done)) {
			break;
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void test_cross_thread(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	struct xfer x = {.pool = bpool(16)};
	pthread_t t;
	pthread_create(&t, NULL, freer, &x);
	for (unsigned long i = 0; i < 100000; i++) {
		NDIS_STATUS st;
		PNDIS_BUFFER b;
		NdisAllocateBuffer(&st, &b, x.pool, mem + (i % 4096),
				   1 + (i % 9000));
		if (st != NDIS_STATUS_SUCCESS) {
			atomic_fetch_add(&x.errors, 1);
			continue;
		}
		while (atomic_load(&x.slot))
			sched_yield();
		atomic_store(&x.slot, b);
	}
	while (atomic_load(&x.slot))
		sched_yield();
	atomic_store(&x.done, 1);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&x.errors), 0);
	NdisFreeBufferPool(x.pool);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_any_range),
	    cmocka_unit_test(test_pool_limits),
	    cmocka_unit_test(test_pool_never_runs_out),
	    cmocka_unit_test(test_copy_buffer),
	    cmocka_unit_test(test_bad_frees),
	    cmocka_unit_test(test_mdl),
	    cmocka_unit_test(test_bulk),
	    cmocka_unit_test(test_inline_and_functions),
	    cmocka_unit_test(test_cross_thread),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
