/* SPDX-License-Identifier: MIT */
/*
 * test_nbl.c - NDIS 6 NET_BUFFER_LIST pools: parameter checks, field
 * values of NET_BUFFER_LIST / NET_BUFFER / context after allocation,
 * CurrentMdl for offsets across an MDL chain, growth, pool destruction
 * with outstanding lists, double / cross / foreign frees, the bulk API,
 * halt reclaiming a pool made with the adapter handle, and frees on
 * another thread.
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

static char mem[16 * 4096] __attribute__((aligned(4096)));

static unsigned long count(const char *rule)
{
	return ndisdma_verifier_count(rule);
}

/* ---- a minimal NDIS 6 miniport: its driver handle is the NdisHandle;
 * in MiniportInitializeEx it makes a pool with the adapter handle ---- */

static NDIS_HANDLE drv_handle, init_pool;
static bool free_in_halt;

static NET_BUFFER_LIST_POOL_PARAMETERS params(BOOLEAN nb, USHORT ctx)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	p.fAllocateNetBuffer = nb;
	p.ContextSize = ctx;
	p.PoolTag = 0x6c62656e;
	return p;
}

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
	NET_BUFFER_LIST_POOL_PARAMETERS p = params(TRUE, 0);
	init_pool = NdisAllocateNetBufferListPool(handle, &p);
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
	NET_BUFFER_LIST_POOL_PARAMETERS p = params(nb, ctx);
	NDIS_HANDLE h = NdisAllocateNetBufferListPool(drv_handle, &p);
	assert_non_null(h);
	return h;
}

static void test_params(void **state)
{
	(void)state;
	unsigned long bad = count("pool.bad-params");
	unsigned long unk = count("handle.unknown");
	NET_BUFFER_LIST_POOL_PARAMETERS p = params(FALSE, 0);
	assert_null(NdisAllocateNetBufferListPool(drv_handle, NULL));
	p.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	p = params(FALSE, 0);
	p.Header.Size = 8;
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	p = params(FALSE, 8); /* not a multiple of 16 */
	assert_null(NdisAllocateNetBufferListPool(drv_handle, &p));
	assert_int_equal(count("pool.bad-params"), bad + 4);
	p = params(FALSE, 0);
	assert_null(NdisAllocateNetBufferListPool((NDIS_HANDLE)&p, &p));
	assert_int_equal(count("handle.unknown"), unk + 1);

	/* an NB from a pool without NBs */
	NDIS_HANDLE h = pool_new(FALSE, 0);
	assert_null(NdisAllocateNetBufferAndNetBufferList(h, 0, 0, NULL, 0,
							  0));
	assert_int_equal(count("pool.bad-params"), bad + 5);
	NdisFreeNetBufferListPool(h);
}

static void test_fields(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(TRUE, 32);
	MDL *m1 = NdisAllocateMdl(drv_handle, mem + 10, 100);
	MDL *m2 = NdisAllocateMdl(drv_handle, mem + 5000, 3000);
	m1->Next = m2;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
		h, 16, 16, m1, 150, 1000);
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
	assert_int_equal((uintptr_t)NET_BUFFER_LIST_CONTEXT_DATA_START(nbl) %
				 16,
			 0);
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
	struct xfer x = { .pool = pool_new(TRUE, 16) };
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_growth_and_outstanding),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_halt_reclaims),
		cmocka_unit_test(test_cross_thread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
