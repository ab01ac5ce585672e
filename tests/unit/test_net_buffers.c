/* SPDX-License-Identifier: MIT */
/*
 * test_net_buffers.c - NDIS 6 NET_BUFFER pools and the data-start calls:
 * field values after NdisAllocateNetBuffer / NdisAllocateNetBufferMdlAndData
 * and after NdisAllocateNetBufferList from a pool with a DataSize (also
 * after the driver dirtied the list, its NET_BUFFER and the MDL);
 * NdisRetreatNetBufferDataStart within the backfill and past it (NDIS's
 * MDL, the driver's NetAllocateMdl, failures) and NdisAdvanceNetBufferDataStart
 * giving the MDLs back (LeakSanitizer checks they go); NdisGetDataBuffer
 * contiguous, split across MDLs, refused for alignment; NET_BUFFER_LIST
 * contexts; every misuse firing its rule; a pool freed with NET_BUFFERs
 * out; frees on another thread; halt reclaiming a pool.
 */
#include "testlib.h"
#include "nbl_helpers.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

static unsigned char mem[4 * 4096] __attribute__((aligned(4096)));

static int grp_setup(void **state)
{
	tl_setup(state);
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	ndisdma_verifier_set_output(NULL);
	return tl_start("sim");
}

static int grp_teardown(void **state)
{
	(void)state;
	if (tl.ad)
		tl_stop();
	return 0;
}

static NET_BUFFER_POOL_PARAMETERS nbp(ULONG data_size)
{
	NET_BUFFER_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	p.PoolTag = 0x6266656e;
	p.DataSize = data_size;
	return p;
}

static NDIS_HANDLE nb_pool_new(ULONG data_size)
{
	NET_BUFFER_POOL_PARAMETERS p = nbp(data_size);
	NDIS_HANDLE h = NdisAllocateNetBufferPool(tl.handle, &p);
	assert_non_null(h);
	return h;
}

static NDIS_HANDLE nbl_pool_new(BOOLEAN nb, USHORT ctx, ULONG data_size)
{
	return nbl_pool_make(tl.handle, nb, ctx, data_size);
}

static void test_pool_params(void **state)
{
	(void)state;
	NET_BUFFER_POOL_PARAMETERS p = nbp(0);
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBufferPool(tl.handle, NULL))),
	    1);
	p.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBufferPool(tl.handle, &p))),
	    1);
	p = nbp(0);
	p.Header.Size = 8;
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBufferPool(tl.handle, &p))),
	    1);
	p = nbp(0);
	assert_int_equal(
	    RULE_DELTA("handle.unknown", assert_null(NdisAllocateNetBufferPool(
					     (NDIS_HANDLE)&p, &p))),
	    1);
	/* DataSize without fAllocateNetBuffer */
	assert_int_equal(RULE_DELTA("pool.bad-params",
				    assert_null(nbl_pool_new(FALSE, 0, 128))),
			 1);
	/* above DISPATCH_LEVEL */
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
	assert_int_equal(
	    RULE_DELTA("irql.too-high",
		       assert_null(NdisAllocateNetBufferPool(tl.handle, &p))),
	    1);
	KeLowerIrql(old);
}

static void test_net_buffer_fields(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(0);
	PMDL m1 = NdisAllocateMdl(tl.handle, mem + 10, 100);
	PMDL m2 = NdisAllocateMdl(tl.handle, mem + 5000, 3000);
	m1->Next = m2;
	PNET_BUFFER nb = NdisAllocateNetBuffer(h, m1, 150, 1000);
	assert_non_null(nb);
	assert_int_equal((uintptr_t)nb % 16, 0);
	assert_null(NET_BUFFER_NEXT_NB(nb));
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m1);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 150);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1000);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m2);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 50);
	assert_ptr_equal(NdisGetPoolFromNetBuffer(nb), h);
	assert_int_equal(NET_BUFFER_CHECKSUM_BIAS(nb), 0);
	assert_null(nb->MiniportReserved[0]);
	assert_null(nb->ScatterGatherList);
	nb->MiniportReserved[0] = nb; /* dirty it: the next must be clean */
	NdisFreeNetBuffer(nb);

	nb = NdisAllocateNetBuffer(h, m1, 20, 30);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m1);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 20);
	assert_null(nb->MiniportReserved[0]);
	NdisFreeNetBuffer(nb);
	/* the whole chain, and an empty NET_BUFFER */
	nb = NdisAllocateNetBuffer(h, m1, 0, 3100);
	assert_non_null(nb);
	NdisFreeNetBuffer(nb);
	nb = NdisAllocateNetBuffer(h, NULL, 0, 0);
	assert_non_null(nb);
	assert_null(NET_BUFFER_FIRST_MDL(nb));
	assert_null(NET_BUFFER_CURRENT_MDL(nb));
	NdisFreeNetBuffer(nb);

	/* ranges outside the chain: ndis.sys does not validate them
	 * (reported, allocated); strict: refused */
	PNET_BUFFER loose;
	assert_int_equal(
	    RULE_DELTA("nb.alloc-range",
		       assert_non_null(
			   loose = NdisAllocateNetBuffer(h, m1, 3000, 101))),
	    1);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(loose), 101);
	NdisFreeNetBuffer(loose);
	NDIS_HANDLE l0 = nbl_pool_new(TRUE, 0, 0);
	PNET_BUFFER_LIST lnbl;
	assert_int_equal(
	    RULE_DELTA(
		"nb.alloc-range",
		assert_non_null(lnbl = NdisAllocateNetBufferAndNetBufferList(
				    l0, 0, 0, m1, 0, 3101))),
	    1);
	NdisFreeNetBufferList(lnbl);
	NdisFreeNetBufferListPool(l0);
	ndisdma_verifier_set_mode("nb.alloc-range", NDISDMA_VERIFY_FAIL);
	assert_int_equal(
	    RULE_DELTA("nb.alloc-range",
		       assert_null(NdisAllocateNetBuffer(h, NULL, 4, 0))),
	    1);
	assert_int_equal(
	    RULE_DELTA("nb.alloc-range",
		       assert_null(NdisAllocateNetBuffer(h, m1, 3000, 101))),
	    1);
	NDIS_HANDLE l = nbl_pool_new(TRUE, 0, 0);
	assert_int_equal(
	    RULE_DELTA("nb.alloc-range",
		       assert_null(NdisAllocateNetBufferAndNetBufferList(
			   l, 0, 0, m1, 0, 3101))),
	    1);
	NdisFreeNetBufferListPool(l);
	ndisdma_verifier_set_mode("nb.alloc-range", NDISDMA_VERIFY_REPORT);
	/* the wrong call for the pool, the wrong pool, no pool */
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBufferMdlAndData(h))),
	    1);
	assert_int_equal(
	    RULE_DELTA("pool.bad-handle", assert_null(NdisAllocateNetBuffer(
					      (NDIS_HANDLE)mem, NULL, 0, 0))),
	    1);
	m1->Next = NULL;
	NdisFreeMdl(m1);
	NdisFreeMdl(m2);
	unsigned long out = ndisdma_verifier_count("pool.free-outstanding");
	NdisFreeNetBufferPool(h);
	assert_int_equal(ndisdma_verifier_count("pool.free-outstanding"), out);
	assert_int_equal(
	    RULE_DELTA("pool.bad-handle", NdisFreeNetBufferPool(h)), 1);
}

static void test_mdl_and_data(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(1514);
	PNET_BUFFER a = NdisAllocateNetBufferMdlAndData(h);
	PNET_BUFFER b = NdisAllocateNetBufferMdlAndData(h);
	assert_non_null(a);
	assert_non_null(b);
	for (PNET_BUFFER nb = a; nb; nb = nb == a ? b : NULL) {
		PMDL m = NET_BUFFER_FIRST_MDL(nb);
		assert_non_null(m);
		assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m);
		assert_null(m->Next);
		assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 0);
		assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 0);
		assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1514);
		assert_int_equal(MmGetMdlByteCount(m), 1514);
		assert_ptr_equal(NdisGetPoolFromNetBuffer(nb), h);
		unsigned char *d = MmGetSystemAddressForMdlSafe(m, 0);
		assert_ptr_equal(d, MmGetMdlVirtualAddress(m));
		assert_int_equal((uintptr_t)d % 64, 0);
		/* the data is its own: write all of it (ASan) */
		memset(d, nb == a ? 0xA1 : 0xB2, 1514);
	}
	unsigned char *da = MmGetMdlVirtualAddress(NET_BUFFER_FIRST_MDL(a));
	unsigned char *db = MmGetMdlVirtualAddress(NET_BUFFER_FIRST_MDL(b));
	assert_true(da + 1514 <= db || db + 1514 <= da);
	assert_int_equal(da[1513], 0xA1);
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBuffer(h, NULL, 0, 0))),
	    1);
	NdisFreeNetBuffer(a);
	NdisFreeNetBuffer(b);
	NdisFreeNetBufferPool(h);

	/* a large DataSize spans pages: the MDL's page entries cover it */
	h = nb_pool_new(9000);
	a = NdisAllocateNetBufferMdlAndData(h);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(a), 9000);
	memset(MmGetMdlVirtualAddress(NET_BUFFER_FIRST_MDL(a)), 1, 9000);
	NdisFreeNetBuffer(a);
	NdisFreeNetBufferPool(h);
}

static void test_nbl_data_size(void **state)
{
	(void)state;
	NDIS_HANDLE h = nbl_pool_new(TRUE, 16, 2048);
	assert_non_null(h);
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(h, 16, 0);
	assert_non_null(nbl);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_non_null(nb);
	assert_null(NET_BUFFER_NEXT_NB(nb));
	PMDL m = NET_BUFFER_FIRST_MDL(nb);
	assert_non_null(m);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 0);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 2048);
	assert_int_equal(MmGetMdlByteCount(m), 2048);
	assert_int_equal((uintptr_t)MmGetMdlVirtualAddress(m) % 64, 0);
	assert_ptr_equal(NdisGetPoolFromNetBuffer(nb), h);
	memset(MmGetMdlVirtualAddress(m), 0x5A, 2048);
	memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0x33, 16);
	/* the driver may change the NET_BUFFER: the next one is whole again */
	NET_BUFFER_DATA_OFFSET(nb) = 14;
	NET_BUFFER_DATA_LENGTH(nb) = 100;
	NdisFreeNetBufferList(nbl);
	nbl = NdisAllocateNetBufferList(h, 0, 0);
	nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 0);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 2048);
	NdisFreeNetBufferList(nbl);
	/* Microsoft: NdisAllocateNetBufferAndNetBufferList only with
	 * DataSize 0 */
	PMDL mm = NdisAllocateMdl(tl.handle, mem, 64);
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisAllocateNetBufferAndNetBufferList(
			   h, 0, 0, mm, 0, 64))),
	    1);
	NdisFreeMdl(mm);
	/* the bulk call makes them the same way */
	PNET_BUFFER_LIST l[8];
	assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, 8), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(
		    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(l[i])),
		    2048);
	assert_int_equal(ndisdma_nbl_free_bulk(h, l, 8), 0);
	NdisFreeNetBufferListPool(h);
}

/* A DataSize pool's list comes back whole after the driver dirtied
 * every byte it may write of the list and its NET_BUFFER, and changed
 * the MDL (NdisAdjustMdlLength-style ByteCount, a chained Next, the
 * mapped address): one at a time and in bulk. */
static void test_nbl_data_size_dirty(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	NDIS_HANDLE h = nbl_pool_new(TRUE, 0, 1514);
	assert_non_null(h);
	enum { N = 8 };
	struct {
		PNET_BUFFER_LIST l;
		PNET_BUFFER nb;
		PMDL m;
		unsigned char mdl[sizeof(MDL) + 2 * sizeof(PFN_NUMBER)];
	} k[N];
	PNET_BUFFER_LIST l[N];
	assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, N), N);
	for (int i = 0; i < N; i++) {
		k[i].l = l[i];
		k[i].nb = NET_BUFFER_LIST_FIRST_NB(l[i]);
		k[i].m = NET_BUFFER_FIRST_MDL(k[i].nb);
		assert_non_null(k[i].m);
		assert_int_equal(MmGetMdlByteCount(k[i].m), 1514);
		memcpy(k[i].mdl, k[i].m, sizeof(k[i].mdl));
	}
	for (int round = 0; round < 4; round++) {
		/* rounds 0, 1: bulk; 2, 3: one at a time; the same lists
		 * come back (the thread's cache) */
		for (int i = 0; i < N; i++) {
			if (round >= 2)
				l[i] = NdisAllocateNetBufferList(h, 0, 0);
			int j = 0;
			while (j < N && k[j].l != l[i])
				j++;
			assert_true(j < N);
			struct nb_want d = {k[j].m, k[j].m, 0, 0, 1514};
			nbl_assert_fresh(l[i], h, k[j].nb, false, &d);
			assert_memory_equal(k[j].m, k[j].mdl, sizeof(k[j].mdl));
			nbl_dirty(l[i], k[j].nb);
			k[j].m->ByteCount = 60;
			k[j].m->Next = k[(j + 1) % N].m;
			k[j].m->MappedSystemVa = mem;
			if (round >= 2)
				NdisFreeNetBufferList(l[i]);
		}
		if (round < 2) {
			assert_int_equal(ndisdma_nbl_free_bulk(h, l, N), 0);
			if (round == 0)
				assert_int_equal(
				    ndisdma_nbl_alloc_bulk(h, l, N), N);
		}
	}
	NdisFreeNetBufferListPool(h);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* ---- retreat / advance ---- */

static int allocs, frees;
static ULONG short_by;

static PMDL drv_alloc_mdl(PULONG size)
{
	allocs++;
	ULONG n = *size - short_by;
	void *p = malloc(n);
	PMDL m = NdisAllocateMdl(tl.handle, p, n);
	return m;
}

static PMDL drv_alloc_fail(PULONG size)
{
	(void)size;
	return NULL;
}

static VOID drv_free_mdl(PMDL m)
{
	frees++;
	void *p = MmGetMdlVirtualAddress(m);
	NdisFreeMdl(m);
	free(p);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void test_retreat_advance(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(0);
	/* 64 bytes of backfill, then 1000 bytes of data */
	fill(mem, 1064, 3);
	PMDL m = NdisAllocateMdl(tl.handle, mem, 1064);
	PNET_BUFFER nb = NdisAllocateNetBuffer(h, m, 64, 1000);

	/* within the backfill: no MDL, only the offsets */
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 14, 0, NULL),
			 NDIS_STATUS_SUCCESS);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 50);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1014);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 50);
	NdisAdvanceNetBufferDataStart(nb, 14, TRUE, NULL);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 64);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1000);

	/* past it: 100 - 64 new bytes + 32 of backfill in an MDL of NDIS's */
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 100, 32, NULL),
			 NDIS_STATUS_SUCCESS);
	PMDL n = NET_BUFFER_FIRST_MDL(nb);
	assert_ptr_not_equal(n, m);
	assert_ptr_equal(n->Next, m);
	assert_int_equal(MmGetMdlByteCount(n), 36 + 32);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 32);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1100);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), n);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 32);
	/* the driver writes its header; the data stayed where it was */
	unsigned char *hdr = NdisGetDataBuffer(nb, 36, NULL, 1, 0);
	assert_non_null(hdr);
	memset(hdr, 0xEE, 36);
	static unsigned char all[1100];
	assert_ptr_equal(NdisGetDataBuffer(nb, 1100, all, 1, 0), all);
	for (int i = 0; i < 36; i++)
		assert_int_equal(all[i], 0xEE);
	assert_memory_equal(all + 36, mem, 1064);
	/* advance with FreeMdl gives the MDL back (LSan) */
	NdisAdvanceNetBufferDataStart(nb, 100, TRUE, NULL);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 64);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1000);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 64);

	/* FreeMdl FALSE keeps it for the next retreat, which fits in it */
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 100, 32, NULL),
			 NDIS_STATUS_SUCCESS);
	n = NET_BUFFER_FIRST_MDL(nb);
	NdisAdvanceNetBufferDataStart(nb, 100, FALSE, NULL);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), n);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 64 + 68);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 64);
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 80, 0, NULL),
			 NDIS_STATUS_SUCCESS);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), n);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), n);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 52);
	NdisAdvanceNetBufferDataStart(nb, 80, TRUE, NULL);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m);

	/* the driver's NetAllocateMdl / NetFreeMdl */
	allocs = frees = 0;
	assert_int_equal(
	    NdisRetreatNetBufferDataStart(nb, 200, 0, drv_alloc_mdl),
	    NDIS_STATUS_SUCCESS);
	assert_int_equal(allocs, 1);
	assert_int_equal(MmGetMdlByteCount(NET_BUFFER_FIRST_MDL(nb)), 136);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 0);
	/* FreeMdl without NetFreeMdl: it stays */
	assert_int_equal(
	    RULE_DELTA("nb.retreat-mdl",
		       NdisAdvanceNetBufferDataStart(nb, 200, TRUE, NULL)),
	    1);
	assert_int_equal(frees, 0);
	assert_ptr_not_equal(NET_BUFFER_FIRST_MDL(nb), m);
	NdisAdvanceNetBufferDataStart(nb, 0, TRUE, drv_free_mdl);
	assert_int_equal(frees, 1);
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 64);

	/* failures leave the NET_BUFFER as it was */
	assert_int_equal(
	    NdisRetreatNetBufferDataStart(nb, 200, 0, drv_alloc_fail),
	    NDIS_STATUS_RESOURCES);
	ndisdma_fault_nth(NDISDMA_FAULT_POOL, 1);
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 200, 0, NULL),
			 NDIS_STATUS_RESOURCES);
	ndisdma_fault_reset();
	short_by = 8;
	unsigned long before = ndisdma_verifier_count("nb.retreat-mdl");
	PMDL small = NULL;
	assert_int_equal(
	    NdisRetreatNetBufferDataStart(nb, 200, 0, drv_alloc_mdl),
	    NDIS_STATUS_FAILURE);
	short_by = 0;
	assert_int_equal(ndisdma_verifier_count("nb.retreat-mdl"), before + 1);
	(void)small;
	assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), m);
	assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 64);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1000);
	/* advancing past the data */
	assert_int_equal(
	    RULE_DELTA("nb.data-range",
		       NdisAdvanceNetBufferDataStart(nb, 1001, TRUE, NULL)),
	    1);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 1000);
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_int_equal(
			   NdisRetreatNetBufferDataStart(NULL, 1, 0, NULL),
			   NDIS_STATUS_FAILURE)),
	    1);
	NdisFreeNetBuffer(nb);

	/* freed with NDIS's MDL still holding data: reported, freed (LSan) */
	nb = NdisAllocateNetBuffer(h, m, 64, 1000);
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 128, 0, NULL),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(RULE_DELTA("nb.retreat-mdl", NdisFreeNetBuffer(nb)),
			 1);
	/* ... fully advanced but kept (FreeMdl FALSE): freed, no report */
	nb = NdisAllocateNetBuffer(h, m, 64, 1000);
	assert_int_equal(NdisRetreatNetBufferDataStart(nb, 128, 0, NULL),
			 NDIS_STATUS_SUCCESS);
	NdisAdvanceNetBufferDataStart(nb, 128, FALSE, NULL);
	assert_int_equal(RULE_DELTA("nb.retreat-mdl", NdisFreeNetBuffer(nb)),
			 0);
	/* the NET_BUFFER of a NET_BUFFER_LIST: the list's free does it */
	NDIS_HANDLE l = nbl_pool_new(TRUE, 0, 256);
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(l, 0, 0);
	assert_int_equal(NdisRetreatNetBufferDataStart(
			     NET_BUFFER_LIST_FIRST_NB(nbl), 54, 10, NULL),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(
	    RULE_DELTA("nb.retreat-mdl", NdisFreeNetBufferList(nbl)), 1);
	/* ... also when the driver had unlinked it from the list first
	 * (FirstNetBuffer replaced): it is still the list's own */
	nbl = NdisAllocateNetBufferList(l, 0, 0);
	PNET_BUFFER own = NET_BUFFER_LIST_FIRST_NB(nbl);
	NET_BUFFER_LIST_FIRST_NB(nbl) = NULL;
	assert_int_equal(NdisRetreatNetBufferDataStart(own, 54, 10, NULL),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(
	    RULE_DELTA("nb.retreat-mdl", NdisFreeNetBufferList(nbl)), 1);
	nbl = NdisAllocateNetBufferList(l, 0, 0);
	assert_ptr_equal(NET_BUFFER_LIST_FIRST_NB(nbl), own);
	/* back to its own data alone (the pool's DataSize, 256) */
	assert_int_equal(NET_BUFFER_DATA_OFFSET(own), 0);
	assert_int_equal(NET_BUFFER_DATA_LENGTH(own), 256);
	assert_non_null(NET_BUFFER_FIRST_MDL(own));
	assert_null(NET_BUFFER_FIRST_MDL(own)->Next);
	assert_int_equal(MmGetMdlByteCount(NET_BUFFER_FIRST_MDL(own)), 256);
	assert_int_equal(
	    RULE_DELTA("nb.retreat-mdl", NdisFreeNetBufferList(nbl)), 0);
	NdisFreeNetBufferListPool(l);
	NdisFreeMdl(m);
	NdisFreeNetBufferPool(h);
}

static void test_get_data_buffer(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(0);
	unsigned char *a = mem + 4096, *b = mem + 8192 + 100;
	fill(a, 16, 1);
	fill(b, 100, 50);
	PMDL m1 = NdisAllocateMdl(tl.handle, a, 16);
	PMDL m2 = NdisAllocateMdl(tl.handle, b, 100);
	m1->Next = m2;
	PNET_BUFFER nb = NdisAllocateNetBuffer(h, m1, 4, 112);
	/* contiguous: a pointer into the MDL */
	assert_ptr_equal(NdisGetDataBuffer(nb, 12, NULL, 1, 0), a + 4);
	assert_ptr_equal(NdisGetDataBuffer(nb, 8, NULL, 4, 0), a + 4);
	/* split across the MDLs: NULL, or a copy into Storage */
	assert_null(NdisGetDataBuffer(nb, 20, NULL, 1, 0));
	static unsigned char st[128] __attribute__((aligned(16)));
	memset(st, 0, sizeof(st));
	assert_ptr_equal(NdisGetDataBuffer(nb, 20, st, 1, 0), st);
	assert_memory_equal(st, a + 4, 12);
	assert_memory_equal(st + 12, b, 8);
	/* contiguous but not aligned as asked: a copy, or NULL */
	assert_null(NdisGetDataBuffer(nb, 8, NULL, 8, 0));
	assert_ptr_equal(NdisGetDataBuffer(nb, 8, NULL, 8, 4), a + 4);
	memset(st, 0, sizeof(st));
	assert_ptr_equal(NdisGetDataBuffer(nb, 8, st, 8, 0), st);
	assert_memory_equal(st, a + 4, 8);
	/* more than DataLength: NULL, not a misuse */
	assert_int_equal(
	    ndisdma_verifier_count(NULL), ({
		    unsigned long c0 = ndisdma_verifier_count(NULL);
		    assert_null(NdisGetDataBuffer(nb, 113, st, 1, 0));
		    c0;
	    }));
	/* the whole of it, from the second MDL on */
	NdisAdvanceNetBufferDataStart(nb, 12, FALSE, NULL);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m2);
	assert_ptr_equal(NdisGetDataBuffer(nb, 100, NULL, 1, 0), b);
	NdisRetreatNetBufferDataStart(nb, 12, 0, NULL);
	/* parameters ndis.sys does not check: reported, the data given
	 * all the same (in place when contiguous, else copied) */
	assert_int_equal(
	    RULE_DELTA(
		"pool.param-ignored",
		assert_ptr_equal(NdisGetDataBuffer(nb, 8, st, 3, 0), a + 4)),
	    1);
	assert_int_equal(
	    RULE_DELTA(
		"pool.param-ignored",
		assert_ptr_equal(NdisGetDataBuffer(nb, 8, st, 0, 0), a + 4)),
	    1);
	NdisAdvanceNetBufferDataStart(nb, 6, FALSE, NULL);
	assert_int_equal(
	    RULE_DELTA("pool.param-ignored",
		       assert_ptr_equal(NdisGetDataBuffer(nb, 8, st + 1, 8, 0),
					st + 1)),
	    1);
	assert_memory_equal(st + 1, a + 10, 6);
	assert_memory_equal(st + 7, b, 2);
	NdisRetreatNetBufferDataStart(nb, 6, 0, NULL);
	/* strict: NULL */
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_FAIL);
	assert_int_equal(
	    RULE_DELTA("pool.param-ignored",
		       assert_null(NdisGetDataBuffer(nb, 8, st, 3, 0))),
	    1);
	assert_int_equal(
	    RULE_DELTA("pool.param-ignored",
		       assert_null(NdisGetDataBuffer(nb, 8, st, 4, 4))),
	    1);
	NdisAdvanceNetBufferDataStart(nb, 6, FALSE, NULL);
	assert_int_equal(
	    RULE_DELTA("pool.param-ignored",
		       assert_null(NdisGetDataBuffer(nb, 8, st + 1, 8, 0))),
	    1);
	NdisRetreatNetBufferDataStart(nb, 6, 0, NULL);
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_REPORT);
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_null(NdisGetDataBuffer(NULL, 8, st, 1, 0))),
	    1);
	/* a DataLength the chain does not hold */
	NET_BUFFER_DATA_LENGTH(nb) = 120;
	assert_int_equal(
	    RULE_DELTA("nb.data-range",
		       assert_null(NdisGetDataBuffer(nb, 120, st, 1, 0))),
	    1);
	NdisFreeNetBuffer(nb);
	m1->Next = NULL;
	NdisFreeMdl(m1);
	NdisFreeMdl(m2);
	NdisFreeNetBufferPool(h);
}

static void test_nbl_context(void **state)
{
	(void)state;
	NDIS_HANDLE h = nbl_pool_new(FALSE, 32, 0);
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(h, 16, 16);
	PNET_BUFFER_LIST_CONTEXT base = nbl->Context;
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 16);
	/* within the backfill: the offset moves */
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 16, 0, 0),
			 NDIS_STATUS_SUCCESS);
	assert_ptr_equal(nbl->Context, base);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 32);
	/* past it: a new context in front */
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 24, 40, 0),
			 NDIS_STATUS_SUCCESS);
	assert_ptr_not_equal(nbl->Context, base);
	assert_ptr_equal(nbl->Context->Next, base);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 24);
	assert_int_equal((uintptr_t)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) %
			     sizeof(void *),
			 0);
	memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0x11, 24);
	NdisFreeNetBufferListContext(nbl, 24);
	assert_ptr_equal(nbl->Context, base);
	NdisFreeNetBufferListContext(nbl, 16);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 16);
	/* misuse */
	assert_int_equal(
	    RULE_DELTA("pool.bad-params",
		       assert_int_equal(
			   NdisAllocateNetBufferListContext(nbl, 12, 0, 0),
			   NDIS_STATUS_FAILURE)),
	    1);
	assert_int_equal(RULE_DELTA("pool.bad-params",
				    NdisFreeNetBufferListContext(nbl, 64)),
			 1);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 16);
	/* freed with an added context still on: it goes with it (LSan) */
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 64, 0, 0),
			 NDIS_STATUS_SUCCESS);
	NdisFreeNetBufferList(nbl);
	/* a list without a context gets one */
	nbl = NdisAllocateNetBufferList(h, 0, 0);
	assert_null(nbl->Context);
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 8, 8, 0),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 8);
	NdisFreeNetBufferListContext(nbl, 8);
	assert_null(nbl->Context);
	NdisFreeNetBufferList(nbl);
	NdisFreeNetBufferListPool(h);
}

static void test_bad_frees(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(0), g = nb_pool_new(0);
	PNET_BUFFER nb = NdisAllocateNetBuffer(h, NULL, 0, 0);
	NdisFreeNetBuffer(nb);
	assert_int_equal(RULE_DELTA("pool.double-free", NdisFreeNetBuffer(nb)),
			 1);
	nb = NdisAllocateNetBuffer(h, NULL, 0, 0);
	nb->NdisPoolHandle = g;
	assert_int_equal(RULE_DELTA("pool.cross-free", NdisFreeNetBuffer(nb)),
			 1);
	static NET_BUFFER fake[2] __attribute__((aligned(64)));
	assert_int_equal(
	    RULE_DELTA("pool.free-unknown", NdisFreeNetBuffer(&fake[1])), 1);
	/* the NET_BUFFER of a list is not freed on its own */
	NDIS_HANDLE l = nbl_pool_new(TRUE, 0, 0);
	PNET_BUFFER_LIST nbl =
	    NdisAllocateNetBufferAndNetBufferList(l, 0, 0, NULL, 0, 0);
	assert_int_equal(
	    RULE_DELTA("pool.cross-free",
		       NdisFreeNetBuffer(NET_BUFFER_LIST_FIRST_NB(nbl))),
	    1);
	NdisFreeNetBufferList(nbl);
	/* a list given to NdisFreeNetBuffer: another kind, not freed */
	PNET_BUFFER_LIST other = NdisAllocateNetBufferList(l, 0, 0);
	assert_int_equal(RULE_DELTA("pool.cross-free",
				    NdisFreeNetBuffer((PNET_BUFFER)other)),
			 1);
	NdisFreeNetBufferList(other);
	unsigned long out = ndisdma_verifier_count("pool.free-outstanding");
	NdisFreeNetBufferListPool(l);
	NdisFreeNetBufferPool(h);
	NdisFreeNetBufferPool(g);
	assert_int_equal(ndisdma_verifier_count("pool.free-outstanding"), out);
}

struct xfer {
	_Atomic(PNET_BUFFER) slot;
	_Atomic int done;
};

static void *freer(void *arg)
{
	struct xfer *x = arg;
	for (;;) {
		PNET_BUFFER n = atomic_exchange(&x->slot, NULL);
		if (n)
			NdisFreeNetBuffer(n);
		else if (atomic_load(&x->done))
			break;
		else
			sched_yield();
	}
	return NULL;
}

static void test_outstanding_and_threads(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	NDIS_HANDLE h = nb_pool_new(256);
	struct xfer x = {0};
	pthread_t t;
	pthread_create(&t, NULL, freer, &x);
	for (int i = 0; i < 50000; i++) {
		PNET_BUFFER n = NdisAllocateNetBufferMdlAndData(h);
		assert_non_null(n);
		memset(MmGetMdlVirtualAddress(NET_BUFFER_FIRST_MDL(n)), i, 256);
		while (atomic_load(&x.slot))
			sched_yield();
		atomic_store(&x.slot, n);
	}
	/* the pool freed with NET_BUFFERs out; the other thread frees the
	 * last ones and the pool goes then (LSan) */
	enum { N = 300 };
	PNET_BUFFER out[N];
	for (int i = 0; i < N; i++)
		out[i] = NdisAllocateNetBufferMdlAndData(h);
	while (atomic_load(&x.slot))
		sched_yield();
	assert_int_equal(
	    RULE_DELTA("pool.free-outstanding", NdisFreeNetBufferPool(h)), 1);
	for (int i = 0; i < N; i++) {
		while (atomic_load(&x.slot))
			sched_yield();
		atomic_store(&x.slot, out[i]);
	}
	while (atomic_load(&x.slot))
		sched_yield();
	atomic_store(&x.done, 1);
	pthread_join(t, NULL);
	assert_int_equal(ndisdma_verifier_count(NULL), before + 1);
	assert_int_equal(
	    RULE_DELTA("pool.bad-handle", NdisFreeNetBufferPool(h)), 1);
}

/* last: halts the adapter */
static void test_halt_reclaims(void **state)
{
	(void)state;
	NDIS_HANDLE h = nb_pool_new(64);
	assert_non_null(NdisAllocateNetBufferMdlAndData(h));
	unsigned long leak = ndisdma_verifier_count("halt.leak-object");
	assert_int_equal(tl_stop(), 1);
	assert_int_equal(ndisdma_verifier_count("halt.leak-object"), leak + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_params),
	    cmocka_unit_test(test_net_buffer_fields),
	    cmocka_unit_test(test_mdl_and_data),
	    cmocka_unit_test(test_nbl_data_size),
	    cmocka_unit_test(test_nbl_data_size_dirty),
	    cmocka_unit_test(test_retreat_advance),
	    cmocka_unit_test(test_get_data_buffer),
	    cmocka_unit_test(test_nbl_context),
	    cmocka_unit_test(test_bad_frees),
	    cmocka_unit_test(test_outstanding_and_threads),
	    cmocka_unit_test(test_halt_reclaims),
	};
	return cmocka_run_group_tests(tests, grp_setup, grp_teardown);
}
