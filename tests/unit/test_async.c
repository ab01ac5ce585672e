/* SPDX-License-Identifier: MIT */
/* NdisMAllocateSharedMemoryAsync (NDIS 5) and ...AsyncEx (NDIS 6): the
 * completion handler's arguments, failure, no handler, halt with requests
 * pending, many threads requesting and freeing at once. */
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define MAXC 4096
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct done {
	NDIS_HANDLE ctx;
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	ULONG len;
	PVOID context;
	KIRQL irql;
} done[MAXC];
static int ndone;

static VOID complete(NDIS_HANDLE ctx, PVOID va, PNDIS_PHYSICAL_ADDRESS pa,
		     ULONG len, PVOID context)
{
	pthread_mutex_lock(&lock);
	if (ndone < MAXC)
		done[ndone++] = (struct done){ctx, va,	    *pa,
					      len, context, KeGetCurrentIrql()};
	pthread_mutex_unlock(&lock);
}

static void reset_done(void)
{
	pthread_mutex_lock(&lock);
	ndone = 0;
	pthread_mutex_unlock(&lock);
}

static int get_ndone(void)
{
	pthread_mutex_lock(&lock);
	int n = ndone;
	pthread_mutex_unlock(&lock);
	return n;
}

static void wait_for(int n)
{
	for (int i = 0; i < 10000 && get_ndone() < n; i++)
		usleep(1000);
	assert_int_equal(get_ndone(), n);
}

static void free_done(NDIS_HANDLE h)
{
	for (int i = 0; i < ndone; i++)
		if (done[i].va)
			NdisMFreeSharedMemory(h, done[i].len, TRUE, done[i].va,
					      done[i].pa);
}

static void test_async5(void **s)
{
	(void)s;
	reset_done();
	tl.complete5 = complete;
	tl.halt = free_done;
	assert_int_equal(tl_start("sim:limit=1M"), 0);
	/* from DISPATCH_LEVEL, as from a DPC */
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(NdisMAllocateSharedMemoryAsync(tl.handle, 3000, TRUE,
							(PVOID)0x1234),
			 NDIS_STATUS_PENDING);
	/* over the limit: completes with NULL and 0 */
	assert_int_equal(NdisMAllocateSharedMemoryAsync(tl.handle, 2u << 20,
							TRUE, (PVOID)0x99),
			 NDIS_STATUS_PENDING);
	KeLowerIrql(old);
	wait_for(2);
	assert_ptr_equal(done[0].ctx, &tl); /* the context, not the handle */
	assert_non_null(done[0].va);
	assert_true(done[0].pa.QuadPart >= 0x100000000ll);
	assert_int_equal(done[0].len, 3000);
	assert_ptr_equal(done[0].context, (PVOID)0x1234);
	assert_int_equal(done[0].irql, DISPATCH_LEVEL);
	assert_null(done[1].va);
	assert_int_equal(done[1].pa.QuadPart, 0);
	assert_ptr_equal(done[1].context, (PVOID)0x99);
	/* the block is shared with the device */
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	assert_int_equal(
	    ndisdma_sim_dma_write(sim, done[0].pa.QuadPart, "hi", 3), 0);
	assert_string_equal((char *)done[0].va, "hi");
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.async_pending, 0);
	assert_int_equal(st.async_completed, 2);
	assert_int_equal(tl_stop(), 0);
}

static void test_async_rules(void **s)
{
	(void)s;
	/* no completion handler */
	assert_int_equal(tl_start("sim"), 0);
	unsigned long n =
	    RULE_DELTA("shm.async-no-handler",
		       assert_int_equal(NdisMAllocateSharedMemoryAsync(
					    tl.handle, 64, TRUE, NULL),
					NDIS_STATUS_FAILURE));
	assert_int_equal(n, 1);
	/* above DISPATCH_LEVEL */
	KIRQL old;
	KeRaiseIrql(DIRQL, &old);
	assert_int_equal(
	    RULE_DELTA("irql.too-high", NdisMAllocateSharedMemoryAsync(
					    tl.handle, 64, TRUE, NULL)),
	    1);
	KeLowerIrql(old);
	/* unknown handle */
	int x;
	assert_int_equal(NdisMAllocateSharedMemoryAsync(&x, 64, TRUE, NULL),
			 NDIS_STATUS_FAILURE);
	assert_int_equal(tl_stop(), 0);
	/* length 0 */
	tl_reset();
	tl.complete5 = complete;
	assert_int_equal(tl_start("sim"), 0);
	TL_STRICT("shm.zero-length");
	assert_int_equal(RULE_DELTA("shm.zero-length",
				    NdisMAllocateSharedMemoryAsync(tl.handle, 0,
								   TRUE, NULL)),
			 1);
	TL_DEFAULT("shm.zero-length");
	assert_int_equal(tl_stop(), 0);
	/* NDIS 6 without SharedMemAllocateCompleteHandler */
	tl_reset();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_SG6_64;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(RULE_DELTA("shm.async-no-handler",
				    NdisMAllocateSharedMemoryAsyncEx(
					tl.dma_handle, 64, TRUE, NULL)),
			 1);
	assert_int_equal(
	    RULE_DELTA("sgdma.bad-handle",
		       NdisMAllocateSharedMemoryAsyncEx(&x, 64, TRUE, NULL)),
	    1);
	assert_int_equal(tl_stop(), 0);
}

static void test_async6(void **s)
{
	(void)s;
	reset_done();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_SG6_32;
	tl.complete6 = complete;
	tl.halt = free_done;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    NdisMAllocateSharedMemoryAsyncEx(tl.dma_handle, 512, FALSE, &tl),
	    NDIS_STATUS_PENDING);
	wait_for(1);
	assert_ptr_equal(done[0].ctx, &tl);
	assert_non_null(done[0].va);
	assert_true(done[0].pa.QuadPart + 512 <= 0x100000000ll);
	done[0].len = 512;
	/* free with the same Cached the test used (FALSE) */
	NdisMFreeSharedMemory(tl.handle, 512, FALSE, done[0].va, done[0].pa);
	done[0].va = NULL;
	assert_int_equal(tl_stop(), 0);
}

/* Halt while requests are pending: they complete before MiniportHalt, so
 * the driver frees them there; requests made in halt are refused. */
static void halt_requests_more(NDIS_HANDLE h)
{
	assert_int_equal(NdisMAllocateSharedMemoryAsync(h, 64, TRUE, NULL),
			 NDIS_STATUS_FAILURE);
	free_done(h);
}

static void test_halt_with_pending(void **s)
{
	(void)s;
	reset_done();
	tl.complete5 = complete;
	tl.halt = halt_requests_more;
	assert_int_equal(tl_start("sim"), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(NdisMAllocateSharedMemoryAsync(
				     tl.handle, 100 + i, TRUE, NULL),
				 NDIS_STATUS_PENDING);
	unsigned long n =
	    RULE_DELTA("shm.async-halting", assert_int_equal(tl_stop(), 0));
	assert_int_equal(n, 1);
	assert_int_equal(get_ndone(), 200);
}

/* ... and a driver that does not free them: halt reclaims each */
static void test_halt_pending_leaked(void **s)
{
	(void)s;
	reset_done();
	tl.complete5 = complete;
	assert_int_equal(tl_start("sim"), 0);
	for (int i = 0; i < 50; i++)
		NdisMAllocateSharedMemoryAsync(tl.handle, 64, TRUE, NULL);
	assert_int_equal(tl_stop(), 50);
}

/* many threads request and free at once on one adapter */
#define THREADS 4
#define PER 200
static void *hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < PER; i++) {
		NDIS_STATUS st = NdisMAllocateSharedMemoryAsync(
		    tl.handle, 64 + (i * 37) % 5000, TRUE, NULL);
		assert_int_equal(st, NDIS_STATUS_PENDING);
		/* free whatever completed so far and is not yet freed */
		pthread_mutex_lock(&lock);
		for (int k = 0; k < ndone; k++)
			if (done[k].va && done[k].len % 2 == (unsigned)i % 2) {
				struct done d = done[k];
				done[k].va = NULL;
				pthread_mutex_unlock(&lock);
				NdisMFreeSharedMemory(tl.handle, d.len, TRUE,
						      d.va, d.pa);
				pthread_mutex_lock(&lock);
			}
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void test_threads(void **s)
{
	(void)s;
	reset_done();
	tl.complete5 = complete;
	tl.halt = free_done;
	assert_int_equal(tl_start("sim"), 0);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	wait_for(THREADS * PER);
	for (int i = 0; i < ndone; i++)
		assert_true(!done[i].va || done[i].pa.QuadPart != 0);
	assert_int_equal(tl_stop(), 0);
}

/* several adapters initialize on several threads at once; each keeps
 * its handle in its own context (no shared test state) */
static void alloc_free_loop(NDIS_HANDLE h)
{
	PVOID v[32];
	NDIS_PHYSICAL_ADDRESS p[32];
	for (int r = 0; r < 10; r++) {
		for (int i = 0; i < 32; i++)
			NdisMAllocateSharedMemory(h, 1 + i * 100, TRUE, &v[i],
						  &p[i]);
		for (int i = 0; i < 32; i++) {
			assert_non_null(v[i]);
			NdisMFreeSharedMemory(h, 1 + i * 100, TRUE, v[i], p[i]);
		}
	}
}

static NDIS_STATUS par_init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m, UINT n,
			    NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	NDIS_HANDLE *ctx;
	if (NdisAllocateMemoryWithTag((PVOID *)&ctx, sizeof(*ctx), 'rapt'))
		return NDIS_STATUS_RESOURCES;
	*ctx = h;
	NdisMSetAttributesEx(h, ctx, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	if (NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 2, 2048))
		return NDIS_STATUS_FAILURE;
	alloc_free_loop(h);
	return NDIS_STATUS_SUCCESS;
}

static VOID par_halt(NDIS_HANDLE ctx)
{
	NdisMFreeMapRegisters(*(NDIS_HANDLE *)ctx);
	NdisFreeMemory(ctx, sizeof(NDIS_HANDLE), 0);
}

static NTSTATUS par_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = par_init;
	c.HaltHandler = par_halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c)) ? STATUS_UNSUCCESSFUL
						       : STATUS_SUCCESS;
}

static _Atomic int par_failures;

static void *start_many(void *arg)
{
	(void)arg;
	for (int k = 0; k < 5; k++) {
		ndisdma_driver *d;
		ndisdma_adapter *a;
		if (ndisdma_driver_load(par_entry, "par", &d) ||
		    ndisdma_adapter_start(d, "sim:dma-bits=32", &a) ||
		    ndisdma_adapter_halt(a) != 0)
			par_failures++;
		ndisdma_driver_unload(d);
	}
	return NULL;
}

static void test_parallel_adapters(void **s)
{
	(void)s;
	pthread_t t[THREADS];
	unsigned long reports = ndisdma_verifier_count(NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, start_many, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(par_failures, 0);
	assert_int_equal(ndisdma_verifier_count(NULL), reports);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_async5, tl_setup),
	    cmocka_unit_test_setup(test_async_rules, tl_setup),
	    cmocka_unit_test_setup(test_async6, tl_setup),
	    cmocka_unit_test_setup(test_halt_with_pending, tl_setup),
	    cmocka_unit_test_setup(test_halt_pending_leaked, tl_setup),
	    cmocka_unit_test_setup(test_threads, tl_setup),
	    cmocka_unit_test_setup(test_parallel_adapters, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
