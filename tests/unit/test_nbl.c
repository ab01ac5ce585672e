/* SPDX-License-Identifier: MIT */
/*
 * test_nbl.c - NDIS 6 NET_BUFFER_LIST pools: parameter checks, field
 * values of NET_BUFFER_LIST / NET_BUFFER / context after allocation,
 * CurrentMdl for offsets across an MDL chain, growth, pool destruction
 * with outstanding lists, double / cross / foreign frees, the bulk API,
 * halt reclaiming a pool made with the adapter handle, frees on
 * another thread, and lists coming back exactly as allocated after the
 * driver dirtied every byte it may write (one at a time, in bulk, on
 * the slow paths).
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "nbl_helpers.h"

static char mem[16 * 4096] __attribute__((aligned(4096)));

static unsigned long count(const char *rule)
{
	return ndisdma_verifier_count(rule);
}

/* ---- a minimal NDIS 6 miniport: its driver handle is the NdisHandle;
 * in MiniportInitializeEx it makes a pool with the adapter handle ---- */

static NDIS_HANDLE drv_handle, init_pool;
static bool free_in_halt;

static NDIS_STATUS mp_init(NDIS_HANDLE handle, NDIS_HANDLE dctx,
			   PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
	(void)dctx;
	(void)ip;
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg;
	memset(&reg, 0, sizeof(reg));
	reg.Header.Type =
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	reg.Header.Revision =
	    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	reg.Header.Size = sizeof(reg);
	reg.MiniportAdapterContext = handle;
	reg.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	reg.InterfaceType = NdisInterfacePci;
	NdisMSetMiniportAttributes(handle,
				   (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&reg);
	init_pool = nbl_pool_make(handle, TRUE, 0, 0);
	return init_pool ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static VOID mp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION a)
{
	(void)ctx;
	(void)a;
	if (free_in_halt)
		NdisFreeNetBufferListPool(init_pool);
}

static NTSTATUS mp_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = 6;
	c.MinorNdisVersion = 20;
	c.InitializeHandlerEx = mp_init;
	c.HaltHandlerEx = mp_halt;
	return NdisMRegisterMiniportDriver(obj, path, NULL, &c, &drv_handle) ==
		       NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static ndisdma_driver *drv;

static int setup(void **state)
{
	(void)state;
	ndisdma_verifier_set_output(NULL);
	return ndisdma_driver_load(mp_entry, "nblmp", &drv);
}

static int teardown(void **state)
{
	(void)state;
	ndisdma_driver_unload(drv);
	return 0;
}

static NDIS_HANDLE pool_new(BOOLEAN nb, USHORT ctx)
{
	NDIS_HANDLE h = nbl_pool_make(drv_handle, nb, ctx, 0);
	assert_non_null(h);
	return h;
}

static void test_params(void **state)
{
	(void)state;
	unsigned long bad = count("pool.bad-params");
	unsigned long unk = count("handle.unknown");
	NET_BUFFER_LIST_POOL_PARAMETERS p = nbl_params(FALSE, 0, 0);
	assert_null(NdisAllocateNetBufferListPool(drv_handle, NULL));
	p.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	p = nbl_params(FALSE, 4, 0); /* not a multiple of 8: as Windows */
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	assert_int_equal(count("pool.bad-params"), bad + 3);
	/* what ndis.sys does not check: Header.Size, ContextSize 8 (not
	 * 16), an unknown or NULL handle; reported, the pool made */
	unsigned long ign = count("pool.param-ignored");
	NDIS_HANDLE ok;
	p = nbl_params(FALSE, 0, 0);
	p.Header.Size = 8;
	assert_non_null(ok = NdisAllocateNetBufferListPool(drv_handle, &p));
	NdisFreeNetBufferListPool(ok);
	p = nbl_params(FALSE, 8, 0);
	assert_non_null(ok = NdisAllocateNetBufferListPool(drv_handle, &p));
	PNET_BUFFER_LIST x = NdisAllocateNetBufferList(ok, 8, 0);
	assert_non_null(x);
	assert_true(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(x) >= 8);
	NdisFreeNetBufferList(x);
	NdisFreeNetBufferListPool(ok);
	p = nbl_params(FALSE, 0, 0);
	assert_non_null(ok =
			    NdisAllocateNetBufferListPool((NDIS_HANDLE)&p, &p));
	NdisFreeNetBufferListPool(ok);
	assert_non_null(ok = NdisAllocateNetBufferListPool(NULL, &p));
	NdisFreeNetBufferListPool(ok);
	assert_int_equal(count("pool.param-ignored"), ign + 4);
	/* strict: refused */
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_FAIL);
	p.Header.Size = 8;
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	p = nbl_params(FALSE, 8, 0);
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	p = nbl_params(FALSE, 0, 0);
	assert_null(NdisAllocateNetBufferListPool((NDIS_HANDLE)&p, &p));
	assert_int_equal(count("pool.param-ignored"), ign + 7);
	ndisdma_verifier_set_mode("pool.param-ignored", NDISDMA_VERIFY_REPORT);
	assert_int_equal(count("handle.unknown"), unk);

	/* an NB from a pool without NBs */
	NDIS_HANDLE h = pool_new(FALSE, 0);
	assert_null(NdisAllocateNetBufferAndNetBufferList(h, 0, 0, NULL, 0, 0));
	assert_int_equal(count("pool.bad-params"), bad + 4);
	NdisFreeNetBufferListPool(h);
}

/* NdisAllocateNetBufferListContext with ContextSize 0: ndis.sys returns
 * success at once, whatever the backfill */
static void test_context_size_zero(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(FALSE, 0);
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(h, 0, 0);
	assert_non_null(nbl);
	PNET_BUFFER_LIST_CONTEXT c = nbl->Context;
	unsigned long all = ndisdma_verifier_count(NULL);
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 0, 3, 'xtcT'),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count(NULL), all);
	assert_ptr_equal(nbl->Context, c);
	/* a ContextSize not a multiple of 8 is refused, as on Windows */
	unsigned long bad = count("pool.bad-params");
	assert_int_equal(NdisAllocateNetBufferListContext(nbl, 4, 0, 'xtcT'),
			 NDIS_STATUS_FAILURE);
	assert_int_equal(count("pool.bad-params"), bad + 1);
	NdisFreeNetBufferList(nbl);
	NdisFreeNetBufferListPool(h);
}

static void test_fields(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(TRUE, 32);
	MDL *m1 = NdisAllocateMdl(drv_handle, mem + 10, 100);
	MDL *m2 = NdisAllocateMdl(drv_handle, mem + 5000, 3000);
	m1->Next = m2;
	PNET_BUFFER_LIST nbl =
	    NdisAllocateNetBufferAndNetBufferList(h, 16, 16, m1, 150, 1000);
	assert_non_null(nbl);
	assert_int_equal((uintptr_t)nbl % 16, 0);
	assert_null(NET_BUFFER_LIST_NEXT_NBL(nbl));
	assert_ptr_equal(NdisGetPoolFromNetBufferList(nbl), h);
	assert_null(nbl->ParentNetBufferList);
	assert_null(nbl->SourceHandle);
	assert_int_equal(nbl->ChildRefCount, 0);
	assert_int_equal(NET_BUFFER_LIST_FLAGS(nbl), 0);
	assert_int_equal(NET_BUFFER_LIST_STATUS(nbl), 0);
	for (int i = 0; i < MaxNetBufferListInfo; i++)
		assert_null(NET_BUFFER_LIST_INFO(nbl, i));
	assert_null(nbl->MiniportReserved[0]);

	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
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
	assert_null(nb->ScatterGatherList);
	assert_int_equal(nb->DataPhysicalAddress.QuadPart, 0);

	/* context: 16 bytes of data, at least 16 of backfill before it */
	assert_non_null(nbl->Context);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 16);
	assert_true(nbl->Context->Offset >= 16);
	assert_int_equal(
	    (uintptr_t)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) % 16, 0);
	memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0xCC, 16);
	NdisFreeNetBufferList(nbl);

	/* offset inside the first MDL; no context */
	nbl = NdisAllocateNetBufferAndNetBufferList(h, 0, 0, m1, 20, 30);
	nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m1);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 20);
	assert_null(nbl->Context);
	NdisFreeNetBufferList(nbl);

	/* a context larger than the pool's comes from the heap (LSan
	 * checks it is freed) */
	nbl = NdisAllocateNetBufferList(h, 256, 64);
	assert_non_null(nbl);
	/* a pool with fAllocateNetBuffer: NdisAllocateNetBufferList hands
	 * out the preallocated NET_BUFFER too (DataSize 0: no MDL, no
	 * data) */
	nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_non_null(nb);
	assert_null(NET_BUFFER_FIRST_MDL(nb));
	assert_null(NET_BUFFER_CURRENT_MDL(nb));
	assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 0);
	assert_ptr_equal(NdisGetPoolFromNetBuffer(nb), h);
	assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(nbl), 256);
	assert_true(nbl->Context->Offset >= 64);
	memset(NET_BUFFER_LIST_CONTEXT_DATA_START(nbl), 0xDD, 256);
	NdisFreeNetBufferList(nbl);

	m1->Next = NULL;
	NdisFreeMdl(m1);
	NdisFreeMdl(m2);
	NdisFreeNetBufferListPool(h);
}

static void test_growth_and_outstanding(void **state)
{
	(void)state;
	unsigned long out = count("pool.free-outstanding");
	NDIS_HANDLE h = pool_new(FALSE, 16);
	enum { N = 2000 };
	PNET_BUFFER_LIST *l = calloc(N, sizeof(*l));
	for (int i = 0; i < N; i++) {
		l[i] = NdisAllocateNetBufferList(h, 16, 0);
		assert_non_null(l[i]);
		NET_BUFFER_LIST_MINIPORT_RESERVED(l[i])[0] = l[i];
	}
	for (int i = 0; i < N; i++)
		assert_ptr_equal(NET_BUFFER_LIST_MINIPORT_RESERVED(l[i])[0],
				 l[i]);
	long mem_before = ndisdma_pool_memory(h);
	assert_true(mem_before > N * (long)sizeof(NET_BUFFER_LIST));
	NdisFreeNetBufferListPool(h);
	assert_int_equal(count("pool.free-outstanding"), out + 1);
	for (int i = 0; i < N; i++)
		NdisFreeNetBufferList(l[i]); /* the last destroys the pool */
	free(l);
	unsigned long badh = count("pool.bad-handle");
	NdisFreeNetBufferListPool(h);
	assert_int_equal(count("pool.bad-handle"), badh + 1);
}

static void test_bad_frees(void **state)
{
	(void)state;
	unsigned long dbl = count("pool.double-free");
	unsigned long cross = count("pool.cross-free");
	unsigned long unk = count("pool.free-unknown");
	NDIS_HANDLE a = pool_new(FALSE, 0), b = pool_new(FALSE, 0);
	PNET_BUFFER_LIST n = NdisAllocateNetBufferList(a, 64, 0);
	NdisFreeNetBufferList(n);
	NdisFreeNetBufferList(n); /* its heap context is not freed twice */
	assert_int_equal(count("pool.double-free"), dbl + 1);

	n = NdisAllocateNetBufferList(a, 0, 0);
	n->NdisPoolHandle = b;
	NdisFreeNetBufferList(n);
	assert_int_equal(count("pool.cross-free"), cross + 1);
	n = NdisAllocateNetBufferList(a, 0, 0);
	assert_int_equal(ndisdma_nbl_free_bulk(b, &n, 1), 1);
	assert_int_equal(count("pool.cross-free"), cross + 2);

	static NET_BUFFER_LIST fake[2] __attribute__((aligned(64)));
	NdisFreeNetBufferList(&fake[1]);
	assert_int_equal(count("pool.free-unknown"), unk + 1);

	/* the pools are whole: nothing outstanding (no report at free) */
	unsigned long out = count("pool.free-outstanding");
	NdisFreeNetBufferListPool(a);
	NdisFreeNetBufferListPool(b);
	assert_int_equal(count("pool.free-outstanding"), out);
}

static void test_bulk(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(TRUE, 0);
	PNET_BUFFER_LIST l[32];
	assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, 32), 32);
	for (int i = 0; i < 32; i++) {
		assert_ptr_equal(l[i]->NdisPoolHandle, h);
		assert_non_null(NET_BUFFER_LIST_FIRST_NB(l[i]));
		assert_null(NET_BUFFER_FIRST_MDL(l[i]->FirstNetBuffer));
	}
	assert_int_equal(ndisdma_nbl_free_bulk(h, l, 16), 0);
	for (int i = 16; i < 32; i++)
		NdisFreeNetBufferList(l[i]);
	assert_int_equal(ndisdma_nbl_alloc_bulk(NULL, l, 1), -EINVAL);
	unsigned long out = count("pool.free-outstanding");
	NdisFreeNetBufferListPool(h);
	assert_int_equal(count("pool.free-outstanding"), out);
}

static void test_halt_reclaims(void **state)
{
	(void)state;
	ndisdma_adapter *ad;
	unsigned long leak = count("halt.leak-object");
	free_in_halt = false;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	PNET_BUFFER_LIST n = NdisAllocateNetBufferList(init_pool, 0, 0);
	assert_non_null(n);
	assert_int_equal(ndisdma_adapter_halt(ad), 1);
	assert_int_equal(count("halt.leak-object"), leak + 1);

	free_in_halt = true;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	assert_int_equal(count("halt.leak-object"), leak + 1);
}

struct xfer {
	NDIS_HANDLE pool;
	_Atomic(PNET_BUFFER_LIST) slot;
	_Atomic int done;
};

static void *freer(void *arg)
{
	struct xfer *x = arg;
	for (;;) {
		PNET_BUFFER_LIST n = atomic_exchange(&x->slot, NULL);
		if (n)
			NdisFreeNetBufferList(n);
		else if (atomic_load(&x->done))
			break;
		else
			sched_yield();
	}
	return NULL;
}

static void test_cross_thread(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	struct xfer x = {.pool = pool_new(TRUE, 16)};
	pthread_t t;
	pthread_create(&t, NULL, freer, &x);
	for (int i = 0; i < 100000; i++) {
		PNET_BUFFER_LIST n = NdisAllocateNetBufferAndNetBufferList(
		    x.pool, (i & 1) ? 16 : 48, 0, NULL, 0, 0);
		assert_non_null(n);
		while (atomic_load(&x.slot))
			sched_yield();
		atomic_store(&x.slot, n);
	}
	while (atomic_load(&x.slot))
		sched_yield();
	atomic_store(&x.done, 1);
	pthread_join(t, NULL);
	NdisFreeNetBufferListPool(x.pool);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* ---- free lists come back exactly as allocated ----
 *
 * The lists are kept in their allocation state while free, and a free
 * puts back what the driver changed. Each test dirties every byte a
 * driver may write (all at once, then one 8-byte word at a time: a
 * piece the free overlooks shows alone), frees, and allocates again:
 * the per-thread cache is LIFO, so the same descriptors come back, and
 * every byte of them is checked. */

static const struct {
	BOOLEAN nb;
	USHORT ctx;
} kinds[] = {{TRUE, 0}, {FALSE, 0}, {TRUE, 32}, {FALSE, 32}};

static MDL *chain_a, *chain_b; /* 100 bytes, then 3000 */

static void chains_make(void)
{
	chain_a = NdisAllocateMdl(drv_handle, mem + 10, 100);
	chain_b = NdisAllocateMdl(drv_handle, mem + 5000, 3000);
	assert_non_null(chain_a);
	assert_non_null(chain_b);
	chain_a->Next = chain_b;
}

static void chains_free(void)
{
	chain_a->Next = NULL;
	NdisFreeMdl(chain_a);
	NdisFreeMdl(chain_b);
}

/* One list, taken in turn each way a driver takes one (variant v):
 * NdisAllocateNetBufferList, and for a pool with NET_BUFFERs
 * NdisAllocateNetBufferAndNetBufferList with a range in the chain's
 * first MDL and with one in its second; *d is what its NET_BUFFER must
 * describe. */
static PNET_BUFFER_LIST alloc_variant(NDIS_HANDLE h, BOOLEAN nb, unsigned v,
				      struct nb_want *d)
{
	memset(d, 0, sizeof(*d));
	if (!nb || v % 3 == 0)
		return NdisAllocateNetBufferList(h, 0, 0);
	if (v % 3 == 1) {
		*d = (struct nb_want){chain_a, chain_a, 20, 20, 30};
		return NdisAllocateNetBufferAndNetBufferList(h, 0, 0, chain_a,
							     20, 30);
	}
	*d = (struct nb_want){chain_a, chain_b, 50, 150, 1000};
	return NdisAllocateNetBufferAndNetBufferList(h, 0, 0, chain_a, 150,
						     1000);
}

static void test_dirty_reset_one(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	chains_make();
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		NDIS_HANDLE h = pool_new(kinds[k].nb, kinds[k].ctx);
		struct nb_want d;
		PNET_BUFFER_LIST l = alloc_variant(h, kinds[k].nb, 2, &d);
		assert_non_null(l);
		PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(l);
		assert_true(kinds[k].nb ? nb != NULL : nb == NULL);
		nbl_assert_fresh(l, h, nb, false, &d);
		/* everything at once */
		nbl_dirty(l, nb);
		NdisFreeNetBufferList(l);
		for (unsigned v = 0; v < 3; v++) {
			PNET_BUFFER_LIST again =
			    alloc_variant(h, kinds[k].nb, v, &d);
			assert_ptr_equal(again, l);
			nbl_assert_fresh(l, h, nb, false, &d);
			nbl_dirty(l, nb);
			NdisFreeNetBufferList(l);
		}
		/* one word at a time, the allocation taken each way */
		for (size_t w = 0; w < NBL_WORDS; w++) {
			assert_ptr_equal(alloc_variant(h, kinds[k].nb, w, &d),
					 l);
			nbl_assert_fresh(l, h, nb, false, &d);
			if (!nbl_dirty_word(l, nb, w)) {
				NdisFreeNetBufferList(l);
				continue;
			}
			NdisFreeNetBufferList(l);
			assert_ptr_equal(
			    alloc_variant(h, kinds[k].nb, w + 1, &d), l);
			nbl_assert_fresh(l, h, nb, false, &d);
			NdisFreeNetBufferList(l);
		}
		/* with a context (the pool's, or one from the heap), dirtied
		 * with the rest; none the next time */
		for (USHORT c = 16; c <= 64; c += 48) {
			assert_ptr_equal(NdisAllocateNetBufferList(h, c, 16),
					 l);
			assert_non_null(l->Context);
			assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(l),
					 c);
			nbl_assert_fresh(l, h, nb, true, NULL);
			memset(NET_BUFFER_LIST_CONTEXT_DATA_START(l), 0xEE, c);
			nbl_dirty(l, nb);
			NdisFreeNetBufferList(l);
			assert_ptr_equal(NdisAllocateNetBufferList(h, 0, 0), l);
			nbl_assert_fresh(l, h, nb, false, NULL);
			NdisFreeNetBufferList(l);
		}
		NdisFreeNetBufferListPool(h);
	}
	chains_free();
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* Where l is in the batch b of n, or -1. */
static int in_batch(PNET_BUFFER_LIST l, PNET_BUFFER_LIST *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (b[i] == l)
			return (int)i;
	return -1;
}

static void test_dirty_reset_bulk(void **state)
{
	(void)state;
	enum { N = 32 };
	unsigned long before = ndisdma_verifier_count(NULL);
	chains_make();
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		NDIS_HANDLE h = pool_new(kinds[k].nb, kinds[k].ctx);
		PNET_BUFFER_LIST l[N], first[N];
		PNET_BUFFER nbs[N];
		assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, N), N);
		for (int i = 0; i < N; i++) {
			first[i] = l[i];
			nbs[i] = NET_BUFFER_LIST_FIRST_NB(l[i]);
			assert_true(kinds[k].nb ? nbs[i] != NULL
						: nbs[i] == NULL);
			nbl_assert_fresh(l[i], h, nbs[i], false, NULL);
			nbl_dirty(l[i], nbs[i]);
		}
		assert_int_equal(ndisdma_nbl_free_bulk(h, l, N), 0);
		/* one word at a time; w == NBL_WORDS: all at once */
		for (size_t w = 0; w <= NBL_WORDS; w++) {
			assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, N), N);
			for (int i = 0; i < N; i++) {
				assert_ptr_equal(l[i], first[i]);
				nbl_assert_fresh(l[i], h, nbs[i], false, NULL);
				if (w == NBL_WORDS)
					nbl_dirty(l[i], nbs[i]);
				else
					nbl_dirty_word(l[i], nbs[i], w);
			}
			assert_int_equal(ndisdma_nbl_free_bulk(h, l, N), 0);
		}
		/* taken in bulk, dirtied, freed one at a time; taken one at
		 * a time, dirtied, freed in bulk */
		assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, N), N);
		for (int i = 0; i < N; i++) {
			nbl_assert_fresh(l[i], h, nbs[i], false, NULL);
			nbl_dirty(l[i], nbs[i]);
			NdisFreeNetBufferList(l[i]);
		}
		struct nb_want d;
		for (int i = 0; i < N; i++) {
			l[i] = alloc_variant(h, kinds[k].nb, (unsigned)i, &d);
			int j = in_batch(l[i], first, N);
			assert_true(j >= 0);
			nbl_assert_fresh(l[i], h, nbs[j], false, &d);
			nbl_dirty(l[i], nbs[j]);
		}
		assert_int_equal(ndisdma_nbl_free_bulk(h, l, N), 0);
		assert_int_equal(ndisdma_nbl_alloc_bulk(h, l, N), N);
		for (int i = 0; i < N; i++) {
			int j = in_batch(l[i], first, N);
			assert_true(j >= 0);
			nbl_assert_fresh(l[i], h, nbs[j], false, NULL);
		}
		assert_int_equal(ndisdma_nbl_free_bulk(h, l, N), 0);
		NdisFreeNetBufferListPool(h);
	}
	chains_free();
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* The lists of a thread that dirties and frees them, for the main
 * thread to take after the thread is gone. */
struct dirty_job {
	PNET_BUFFER_LIST *l;
	unsigned n;
};

static void *dirty_and_free(void *arg)
{
	struct dirty_job *j = arg;
	for (unsigned i = 0; i < j->n; i++) {
		nbl_dirty(j->l[i], NET_BUFFER_LIST_FIRST_NB(j->l[i]));
		NdisFreeNetBufferList(j->l[i]);
	}
	return NULL;
}

/* The frees that do not end in the thread's cache: a full cache (the
 * engine's slow free, through the pool's reset hook), another thread's
 * frees (its cache given back when it exits), a list whose
 * NdisPoolHandle the driver changed (pool.cross-free: back to its own
 * pool), a bulk free of another pool's list. */
static void test_dirty_reset_slow_paths(void **state)
{
	(void)state;
	enum { N = 1200 };
	NDIS_HANDLE h = pool_new(TRUE, 16), g = pool_new(TRUE, 16);
	PNET_BUFFER_LIST *l = calloc(N, sizeof(*l));
	assert_non_null(l);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			l[i] = NdisAllocateNetBufferList(h, 0, 0);
			assert_non_null(l[i]);
			nbl_assert_fresh(l[i], h,
					 NET_BUFFER_LIST_FIRST_NB(l[i]), false,
					 NULL);
		}
		if (round == 0) {
			/* more than any cache holds, freed here */
			for (int i = 0; i < N; i++) {
				nbl_dirty(l[i], NET_BUFFER_LIST_FIRST_NB(l[i]));
				NdisFreeNetBufferList(l[i]);
			}
		} else {
			struct dirty_job j = {l, N};
			pthread_t t;
			assert_int_equal(
			    pthread_create(&t, NULL, dirty_and_free, &j), 0);
			pthread_join(t, NULL);
		}
	}
	for (int i = 0; i < N; i++) {
		l[i] = NdisAllocateNetBufferList(h, 0, 0);
		nbl_assert_fresh(l[i], h, NET_BUFFER_LIST_FIRST_NB(l[i]), false,
				 NULL);
	}
	for (int i = 0; i < N; i++)
		NdisFreeNetBufferList(l[i]);
	free(l);

	/* NdisPoolHandle changed (with the rest): reported, back to h */
	PNET_BUFFER_LIST x = NdisAllocateNetBufferList(h, 0, 0);
	PNET_BUFFER xnb = NET_BUFFER_LIST_FIRST_NB(x);
	nbl_dirty(x, xnb);
	x->NdisPoolHandle = g;
	unsigned long cross = count("pool.cross-free");
	NdisFreeNetBufferList(x);
	assert_int_equal(count("pool.cross-free"), cross + 1);
	assert_ptr_equal(NdisAllocateNetBufferList(h, 0, 0), x);
	nbl_assert_fresh(x, h, xnb, false, NULL);
	/* given dirty to the bulk free of g: reported, back to h */
	nbl_dirty(x, xnb);
	assert_int_equal(ndisdma_nbl_free_bulk(g, &x, 1), 1);
	assert_int_equal(count("pool.cross-free"), cross + 2);
	assert_ptr_equal(NdisAllocateNetBufferList(h, 0, 0), x);
	nbl_assert_fresh(x, h, xnb, false, NULL);
	NdisFreeNetBufferList(x);
	unsigned long out = count("pool.free-outstanding");
	NdisFreeNetBufferListPool(h);
	NdisFreeNetBufferListPool(g);
	assert_int_equal(count("pool.free-outstanding"), out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_context_size_zero),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_growth_and_outstanding),
	    cmocka_unit_test(test_bad_frees),
	    cmocka_unit_test(test_bulk),
	    cmocka_unit_test(test_halt_reclaims),
	    cmocka_unit_test(test_cross_thread),
	    cmocka_unit_test(test_dirty_reset_one),
	    cmocka_unit_test(test_dirty_reset_bulk),
	    cmocka_unit_test(test_dirty_reset_slow_paths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
