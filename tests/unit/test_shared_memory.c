/* SPDX-License-Identifier: MIT */
/* NdisMAllocateSharedMemory / NdisMFreeSharedMemory: addresses, widths,
 * alignment, sizes, limits, the exact-match free rules, leaks at halt. */
#include "testlib.h"

#include <stdlib.h>

static PVOID va;
static NDIS_PHYSICAL_ADDRESS pa;
static ULONG want_len;

static void alloc_one(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, want_len, TRUE, &va, &pa);
}

static void free_one(NDIS_HANDLE h)
{
	if (va)
		NdisMFreeSharedMemory(h, want_len, TRUE, va, pa);
}

static void test_alloc_free_clean(void **s)
{
	(void)s;
	want_len = 1500;
	tl.init = alloc_one;
	tl.halt = free_one;
	assert_int_equal(tl_start("sim"), 0);
	assert_non_null(va);
	assert_true(pa.QuadPart != 0);
	struct ndisdma_stats st;
	assert_int_equal(ndisdma_adapter_stats(tl.ad, &st), 0);
	assert_int_equal(st.shm_blocks, 1);
	assert_true(st.shm_bytes >= 1500);
	assert_int_equal(tl_stop(), 0);
}

/* widths: every block lies below the adapter's limit; on sim a 64-bit
 * adapter's blocks lie above 4 GiB */
static void check_width(enum tl_dma dma, const char *uri, uint64_t lo,
			uint64_t hi)
{
	tl_reset();
	tl.dma = dma;
	want_len = 4096;
	tl.init = alloc_one;
	tl.halt = free_one;
	if (dma >= TL_DMA_SG6_32)
		tl.ndis6 = 1;
	assert_int_equal(tl_start(uri), 0);
	assert_non_null(va);
	uint64_t a = (uint64_t)pa.QuadPart;
	assert_true(a >= lo);
	assert_true(a + want_len - 1 <= hi);
	assert_int_equal((uintptr_t)va % NdisMGetDmaAlignment(tl.handle), 0);
	assert_int_equal(a % 64, 0);
	assert_int_equal(tl_stop(), 0);
}

static void test_address_widths(void **s)
{
	(void)s;
	check_width(TL_DMA_MAPREG24, "sim", 1, 0xFFFFFF);
	check_width(TL_DMA_MAPREG32, "sim", 1, 0xFFFFFFFFull);
	check_width(TL_DMA_MAPREG64, "sim", 0x100000000ull, UINT64_MAX);
	check_width(TL_DMA_SG32, "sim", 1, 0xFFFFFFFFull);
	check_width(TL_DMA_SG64, "sim", 0x100000000ull, UINT64_MAX);
	check_width(TL_DMA_SG6_32, "sim", 1, 0xFFFFFFFFull);
	check_width(TL_DMA_SG6_64, "sim", 0x100000000ull, UINT64_MAX);
	/* the device's width caps the driver's declaration */
	check_width(TL_DMA_MAPREG64, "sim:dma-bits=32", 1, 0xFFFFFFFFull);
	check_width(TL_DMA_MAPREG64, "sim:dma-bits=24", 1, 0xFFFFFF);
}

/* sizes from 1 byte to 64 MiB, each aligned and fully usable */
static ULONG sizes[] = {1,
			2,
			63,
			64,
			65,
			4095,
			4096,
			4097,
			65536,
			1u << 20,
			(2u << 20) - 1,
			2u << 20,
			(2u << 20) + 1,
			16u << 20,
			64u << 20};
static PVOID sva[16];
static NDIS_PHYSICAL_ADDRESS spa[16];

static void alloc_sizes(NDIS_HANDLE h)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		NdisMAllocateSharedMemory(h, sizes[i], FALSE, &sva[i], &spa[i]);
		assert_non_null(sva[i]);
		assert_int_equal((uintptr_t)sva[i] % 64, 0);
		/* first and last byte writable */
		((unsigned char *)sva[i])[0] = 1;
		((unsigned char *)sva[i])[sizes[i] - 1] = 2;
		NdisMFreeSharedMemory(h, sizes[i], FALSE, sva[i], spa[i]);
	}
}

static void test_sizes(void **s)
{
	(void)s;
	tl.init = alloc_sizes;
	assert_int_equal(tl_start("sim:limit=128M"), 0);
	assert_int_equal(tl_stop(), 0);
}

static void fail_cases(NDIS_HANDLE h)
{
	PVOID v = (PVOID)1;
	NDIS_PHYSICAL_ADDRESS p;
	p.QuadPart = 5;
	/* length 0: reported; ndis.sys rounds it up and allocates */
	assert_int_equal(
	    RULE_DELTA("shm.zero-length",
		       NdisMAllocateSharedMemory(h, 0, TRUE, &v, &p)),
	    1);
	assert_non_null(v);
	assert_true(p.QuadPart != 0);
	NdisMFreeSharedMemory(h, 0, TRUE, v, p);
	/* strict: NULL, address 0 */
	TL_STRICT("shm.zero-length");
	assert_int_equal(
	    RULE_DELTA("shm.zero-length",
		       NdisMAllocateSharedMemory(h, 0, TRUE, &v, &p)),
	    1);
	assert_null(v);
	assert_int_equal(p.QuadPart, 0);
	TL_DEFAULT("shm.zero-length");
	/* near ULONG_MAX: over any limit, fails cleanly, not a misuse */
	unsigned long all = ndisdma_verifier_count(NULL);
	NdisMAllocateSharedMemory(h, 0xFFFFFFFFu, TRUE, &v, &p);
	assert_null(v);
	assert_int_equal(p.QuadPart, 0);
	NdisMAllocateSharedMemory(h, 0xFFFFFFC1u, TRUE, &v, &p);
	assert_null(v);
	assert_int_equal(ndisdma_verifier_count(NULL), all);
	/* unknown handle */
	int dummy;
	assert_int_equal(
	    RULE_DELTA("handle.unknown",
		       NdisMAllocateSharedMemory(&dummy, 64, TRUE, &v, &p)),
	    1);
	assert_null(v);
	/* wrong IRQL */
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(RULE_DELTA("irql.too-high", NdisMAllocateSharedMemory(
							 h, 64, TRUE, &v, &p)),
			 1);
	KeLowerIrql(old);
	assert_null(v);
}

static void test_failures(void **s)
{
	(void)s;
	tl.init = fail_cases;
	assert_int_equal(tl_start("sim"), 0);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.shm_blocks, 0);
	assert_true(st.shm_failures >= 2);
	assert_int_equal(tl_stop(), 0);
}

static void test_outside_initialize(void **s)
{
	(void)s;
	assert_int_equal(tl_start("sim"), 0);
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	/* NDIS 5: documented for MiniportInitialize only; ndis.sys checks
	 * only IRQL and DMA registration, so it succeeds (reported) */
	assert_int_equal(
	    RULE_DELTA("shm.alloc-context",
		       NdisMAllocateSharedMemory(tl.handle, 64, TRUE, &v, &p)),
	    1);
	assert_non_null(v);
	NdisMFreeSharedMemory(tl.handle, 64, TRUE, v, p);
	TL_STRICT("shm.alloc-context");
	assert_int_equal(
	    RULE_DELTA("shm.alloc-context",
		       NdisMAllocateSharedMemory(tl.handle, 64, TRUE, &v, &p)),
	    1);
	assert_null(v);
	assert_int_equal(p.QuadPart, 0);
	assert_int_equal(tl_stop(), 0);
	/* NDIS 6: lazy allocation (restart, OID handler) is no misuse */
	tl_reset();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_SG6_64;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(RULE_DELTA(NULL, NdisMAllocateSharedMemory(
					      tl.handle, 64, TRUE, &v, &p)),
			 0);
	assert_non_null(v);
	NdisMFreeSharedMemory(tl.handle, 64, TRUE, v, p);
	assert_int_equal(tl_stop(), 0);
}

/* Frees ndis.sys lets through: a wrong Length or Cached frees the block;
 * at DISPATCH_LEVEL the free is deferred to the work thread. Halt then
 * reclaims nothing. */
static void frees_as_windows(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 1000, TRUE, &v, &p);
	assert_int_equal(RULE_DELTA("shm.free-length",
				    NdisMFreeSharedMemory(h, 999, TRUE, v, p)),
			 1);
	NdisMAllocateSharedMemory(h, 1000, TRUE, &v, &p);
	assert_int_equal(
	    RULE_DELTA("shm.free-cached",
		       NdisMFreeSharedMemory(h, 1000, FALSE, v, p)),
	    1);
	NdisMAllocateSharedMemory(h, 100000, TRUE, &v, &p);
	NdisMFreeSharedMemory(h, 4096, FALSE, v, p);
	NdisMAllocateSharedMemory(h, 512, TRUE, &v, &p);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	unsigned long irql = ndisdma_verifier_count("irql.too-high");
	unsigned long late = RULE_DELTA(
	    "shm.free-irql", NdisMFreeSharedMemory(h, 512, TRUE, v, p));
	KeLowerIrql(old);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), irql);
	assert_int_equal(late, tl.ndis6 ? 0 : 1);
}

static void test_frees_as_windows(void **s)
{
	(void)s;
	tl.init = frees_as_windows;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0); /* nothing left to reclaim */
	tl_reset();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_SG6_64;
	tl.init = frees_as_windows;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0);
}

/* strict: the NDIS 5 DISPATCH_LEVEL free is refused, the block kept and
 * reclaimed at halt */
static void free_at_dispatch(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 512, TRUE, &v, &p);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(RULE_DELTA("shm.free-irql",
				    NdisMFreeSharedMemory(h, 512, TRUE, v, p)),
			 1);
	KeLowerIrql(old);
}

static void test_free_at_dispatch_strict(void **s)
{
	(void)s;
	TL_STRICT("shm.free-irql");
	tl.init = free_at_dispatch;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 1);
}

static void test_no_dma_registration(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	want_len = 64;
	tl.init = alloc_one;
	unsigned long n = RULE_DELTA("shm.no-dma-registration",
				     assert_int_equal(tl_start("sim"), 0));
	assert_int_equal(n, 1);
	assert_null(va);
	assert_int_equal(tl_stop(), 0);
}

static void test_not_busmaster(void **s)
{
	(void)s;
	tl.attrs = 0;
	tl.dma = TL_DMA_NONE;
	want_len = 64;
	tl.init = alloc_one;
	unsigned long n = RULE_DELTA("dma.not-busmaster",
				     assert_int_equal(tl_start("sim"), 0));
	assert_int_equal(n, 1);
	assert_null(va);
	assert_int_equal(tl_stop(), 0);
	/* and registering map registers without the attribute fails */
	tl_reset();
	tl.attrs = 0;
	TL_STRICT("mapreg.not-busmaster");
	n = RULE_DELTA("mapreg.not-busmaster",
		       assert_int_equal(tl_start("sim"), 0));
	assert_int_equal(n, 1);
	assert_int_equal(tl.dma_status, NDIS_STATUS_NOT_SUPPORTED);
	assert_int_equal(tl_stop(), 0);
}

/* limit exhausted, then freed, then allocated again */
static void limit_cycle(NDIS_HANDLE h)
{
	PVOID v[5];
	NDIS_PHYSICAL_ADDRESS p[5];
	for (int i = 0; i < 4; i++) {
		NdisMAllocateSharedMemory(h, 256 * 1024, TRUE, &v[i], &p[i]);
		assert_non_null(v[i]);
	}
	NdisMAllocateSharedMemory(h, 256 * 1024, TRUE, &v[4], &p[4]);
	assert_null(v[4]);
	assert_int_equal(p[4].QuadPart, 0);
	/* retry smaller, as the seeds suggest: still nothing left */
	NdisMAllocateSharedMemory(h, 64, TRUE, &v[4], &p[4]);
	assert_null(v[4]);
	NdisMFreeSharedMemory(h, 256 * 1024, TRUE, v[1], p[1]);
	NdisMAllocateSharedMemory(h, 256 * 1024, TRUE, &v[4], &p[4]);
	assert_non_null(v[4]);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			NdisMFreeSharedMemory(h, 256 * 1024, TRUE, v[i], p[i]);
}

static void test_limit(void **s)
{
	(void)s;
	tl.init = limit_cycle;
	assert_int_equal(tl_start("sim:limit=1M"), 0);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.shm_limit, 1u << 20);
	assert_int_equal(st.shm_bytes_peak, 1u << 20);
	assert_int_equal(st.shm_blocks, 0);
	assert_int_equal(tl_stop(), 0);
}

/* every way a free can mismatch; the block survives each */
static void bad_frees(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p, q;
	NdisMAllocateSharedMemory(h, 1000, TRUE, &v, &p);
	assert_non_null(v);
	/* strict for the two ndis.sys lets through (test_frees_as_windows) */
	TL_STRICT("shm.free-length");
	TL_STRICT("shm.free-cached");
	assert_int_equal(RULE_DELTA("shm.free-length",
				    NdisMFreeSharedMemory(h, 999, TRUE, v, p)),
			 1);
	assert_int_equal(
	    RULE_DELTA("shm.free-cached",
		       NdisMFreeSharedMemory(h, 1000, FALSE, v, p)),
	    1);
	q.QuadPart = p.QuadPart + 64;
	assert_int_equal(RULE_DELTA("shm.free-address",
				    NdisMFreeSharedMemory(h, 1000, TRUE, v, q)),
			 1);
	q.QuadPart = p.QuadPart & 0xFFFFFFFF; /* truncated */
	assert_int_equal(RULE_DELTA("shm.free-address",
				    NdisMFreeSharedMemory(h, 1000, TRUE, v, q)),
			 1);
	char *mid = (char *)v + 128;
	q.QuadPart = p.QuadPart + 128;
	assert_int_equal(
	    RULE_DELTA("shm.free-subrange",
		       NdisMFreeSharedMemory(h, 512, TRUE, mid, q)),
	    1);
	char other[64];
	assert_int_equal(
	    RULE_DELTA("shm.free-va",
		       NdisMFreeSharedMemory(h, 1000, TRUE, other, p)),
	    1);
	q.QuadPart = 0x1234000;
	assert_int_equal(
	    RULE_DELTA("shm.free-unknown",
		       NdisMFreeSharedMemory(h, 1000, TRUE, other, q)),
	    1);
	/* the block is intact and usable: the device can still reach it */
	memset(v, 0x5A, 1000);
	NdisMFreeSharedMemory(h, 1000, TRUE, v, p);
	assert_int_equal(RULE_DELTA("shm.double-free",
				    NdisMFreeSharedMemory(h, 1000, TRUE, v, p)),
			 1);
}

static void test_bad_frees(void **s)
{
	(void)s;
	tl.init = bad_frees;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0);
}

static void leak_three(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	for (int i = 0; i < 3; i++)
		NdisMAllocateSharedMemory(h, 100 + i, TRUE, &v, &p);
	PVOID m;
	NdisAllocateMemoryWithTag(&m, 10, 'tset'); /* leaked too */
}

static void test_halt_reclaims_leaks(void **s)
{
	(void)s;
	tl.init = leak_three;
	assert_int_equal(tl_start("sim"), 0);
	unsigned long shm = ndisdma_verifier_count("halt.leak-shm");
	unsigned long mem = ndisdma_verifier_count("halt.leak-memory");
	assert_int_equal(tl_stop(), 4);
	assert_int_equal(ndisdma_verifier_count("halt.leak-shm") - shm, 3);
	assert_int_equal(ndisdma_verifier_count("halt.leak-memory") - mem, 1);
}

/* a failing initialize that leaks is cleaned up and counted */
static void test_failed_init_leaks(void **s)
{
	(void)s;
	tl.init = leak_three;
	tl.init_status = NDIS_STATUS_RESOURCES;
	assert_int_equal(ndisdma_driver_load(tl_entry5, "t", &tl.drv), 0);
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), -EIO);
	assert_null(tl.ad);
	assert_int_equal(ndisdma_driver_last_init_status(tl.drv),
			 NDIS_STATUS_RESOURCES);
	/* 3 blocks, 1 general allocation, and the map registers */
	assert_int_equal(ndisdma_driver_last_init_leaks(tl.drv), 5);
	tl_stop();
}

/* random sizes and frees: blocks never overlap, in host or device space;
 * what is written through one view is read through the other */
#define NB 300
static PVOID rv[NB];
static NDIS_PHYSICAL_ADDRESS rp[NB];
static ULONG rl[NB];

static void random_blocks(NDIS_HANDLE h)
{
	srand(12345);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < NB; i++) {
			if (rv[i] && rand() % 2) {
				NdisMFreeSharedMemory(h, rl[i], TRUE, rv[i],
						      rp[i]);
				rv[i] = NULL;
			}
			if (!rv[i]) {
				rl[i] =
				    1 + rand() % (rand() % 8 ? 3000 : 200000);
				NdisMAllocateSharedMemory(h, rl[i], TRUE,
							  &rv[i], &rp[i]);
				assert_non_null(rv[i]);
				memset(rv[i], i & 0xFF, rl[i]);
			}
		}
		for (int i = 0; i < NB; i++)
			for (int j = i + 1; j < NB; j++) {
				uintptr_t a = (uintptr_t)rv[i],
					  b = (uintptr_t)rv[j];
				assert_true(a + rl[i] <= b || b + rl[j] <= a);
				uint64_t x = (uint64_t)rp[i].QuadPart,
					 y = (uint64_t)rp[j].QuadPart;
				assert_true(x + rl[i] <= y || y + rl[j] <= x);
			}
		for (int i = 0; i < NB; i++) {
			unsigned char *p = rv[i];
			for (ULONG k = 0; k < rl[i]; k++)
				assert_int_equal(p[k], i & 0xFF);
		}
	}
}

static void free_random(NDIS_HANDLE h)
{
	for (int i = 0; i < NB; i++)
		if (rv[i]) {
			NdisMFreeSharedMemory(h, rl[i], TRUE, rv[i], rp[i]);
			rv[i] = NULL;
		}
}

static void test_random_no_overlap(void **s)
{
	(void)s;
	tl.init = random_blocks;
	tl.halt = free_random;
	assert_int_equal(tl_start("sim:limit=1G"), 0);
	/* the device sees each block's pattern */
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	assert_non_null(sim);
	for (int i = 0; i < NB; i++) {
		unsigned char *buf = malloc(rl[i]);
		assert_int_equal(
		    ndisdma_sim_dma_read(sim, rp[i].QuadPart, buf, rl[i]), 0);
		for (ULONG k = 0; k < rl[i]; k++)
			assert_int_equal(buf[k], i & 0xFF);
		free(buf);
	}
	assert_int_equal(tl_stop(), 0);
}

/* fill and poison patterns of the sim bus */
static void fill_check(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 100, TRUE, &v, &p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(((unsigned char *)v)[i], 0xC3);
	NdisMFreeSharedMemory(h, 100, TRUE, v, p);
	for (int i = 0; i < 100; i++) /* poisoned (memory stays mapped) */
		assert_int_equal(((unsigned char *)v)[i], 0x3C);
}

static void test_fill_poison(void **s)
{
	(void)s;
	tl.init = fill_check;
	assert_int_equal(tl_start("sim:fill=0xC3,poison=0x3C"), 0);
	assert_int_equal(tl_stop(), 0);
}

static void test_bad_uris(void **s)
{
	(void)s;
	const char *bad[] = {"nosuchbus",    "sim:dma-bits=7",
			     "sim:limit=0",  "sim:frobnicate=1",
			     "sim:fill=300", "sim:coherent=maybe"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tl_reset();
		assert_int_equal(tl_start(bad[i]), -EINVAL);
		assert_true(strlen(ndisdma_last_error()) > 0);
		tl_stop();
	}
	/* a real bus without the device: a clear sentence, not a crash */
	tl_reset();
	assert_int_equal(tl_start("vfio:0000:7f:1f.7"), -ENODEV);
	assert_non_null(strstr(ndisdma_last_error(), "vfio"));
	tl_reset();
	assert_int_equal(tl_start("uio:0000:7f:1f.7"), -ENODEV);
	assert_non_null(strstr(ndisdma_last_error(), "0000:7f:1f.7"));
	tl_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_alloc_free_clean, tl_setup),
	    cmocka_unit_test_setup(test_address_widths, tl_setup),
	    cmocka_unit_test_setup(test_sizes, tl_setup),
	    cmocka_unit_test_setup(test_failures, tl_setup),
	    cmocka_unit_test_setup(test_outside_initialize, tl_setup),
	    cmocka_unit_test_setup(test_no_dma_registration, tl_setup),
	    cmocka_unit_test_setup(test_not_busmaster, tl_setup),
	    cmocka_unit_test_setup(test_limit, tl_setup),
	    cmocka_unit_test_setup(test_bad_frees, tl_setup),
	    cmocka_unit_test_setup(test_frees_as_windows, tl_setup),
	    cmocka_unit_test_setup(test_free_at_dispatch_strict, tl_setup),
	    cmocka_unit_test_setup(test_halt_reclaims_leaks, tl_setup),
	    cmocka_unit_test_setup(test_failed_init_leaks, tl_setup),
	    cmocka_unit_test_setup(test_random_no_overlap, tl_setup),
	    cmocka_unit_test_setup(test_fill_poison, tl_setup),
	    cmocka_unit_test_setup(test_bad_uris, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
