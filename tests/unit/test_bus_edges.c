/* SPDX-License-Identifier: MIT */
/* Edges of the simulated bus a hostile or unlucky caller reaches: chunk
 * sizes (bounded, and costing only the memory blocks use), the device's
 * use-after-free named however long ago the block was freed, device
 * copies within the device's own memory, and buffers whose range wraps
 * the address space or whose ArraySize is missing. */
#include "testlib.h"
#include "mdl_helpers.h"

#include <unistd.h>

/* Resident set size in bytes. */
static size_t rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	unsigned long size = 0, res = 0;
	assert_int_equal(fscanf(f, "%lu %lu", &size, &res), 2);
	fclose(f);
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

static PVOID blk_va;
static NDIS_PHYSICAL_ADDRESS blk_pa;

static void alloc_3000(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 3000, TRUE, &blk_va, &blk_pa);
}

static void free_3000(NDIS_HANDLE h)
{
	NdisMFreeSharedMemory(h, 3000, TRUE, blk_va, blk_pa);
}

static void test_chunk_bounded(void **s)
{
	(void)s;
	/* over 1 GiB, not a power of two, below a page: refused */
	static const char *const bad[] = {"sim:chunk=2G", "sim:chunk=1T",
					  "sim:chunk=3M", "sim:chunk=1K"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tl_start(bad[i]), -EINVAL);
		assert_non_null(strstr(ndisdma_last_error(), "chunk"));
		ndisdma_driver_unload(tl.drv);
		tl.drv = NULL;
	}
}

static void test_chunk_costs_what_blocks_use(void **s)
{
	(void)s;
	tl.init = alloc_3000;
	tl.halt = free_3000;
	size_t before = rss();
	assert_int_equal(tl_start("sim:chunk=1G"), 0);
	assert_non_null(blk_va);
	/* the fill byte was written over the block, not over the chunk */
	assert_int_equal(((unsigned char *)blk_va)[2999], 0xAA);
	size_t grown = rss() - before;
	assert_true(grown < (32u << 20));
	assert_int_equal(tl_stop(), 0);
}

/* A block freed, then thousands of other blocks allocated and freed (in
 * MiniportInitialize): the device's access to the first is still named
 * stale, not unmapped. */
static NDIS_PHYSICAL_ADDRESS old_pa;

static void free_then_churn(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 3000, TRUE, &blk_va, &old_pa);
	assert_non_null(blk_va);
	NdisMFreeSharedMemory(h, 3000, TRUE, blk_va, old_pa);
	for (int i = 0; i < 3000; i++) {
		PVOID v;
		NDIS_PHYSICAL_ADDRESS p;
		NdisMAllocateSharedMemory(h, 64, TRUE, &v, &p);
		assert_non_null(v);
		assert_true(p.QuadPart != old_pa.QuadPart);
		NdisMFreeSharedMemory(h, 64, TRUE, v, p);
	}
	alloc_3000(h); /* next fit: lands after the churn, not on the old */
}

static void test_stale_long_ago(void **s)
{
	(void)s;
	tl.init = free_then_churn;
	tl.halt = free_3000;
	assert_int_equal(tl_start("sim"), 0);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char b[4] = {0};
	assert_true(blk_pa.QuadPart != old_pa.QuadPart);
	assert_int_equal(
	    RULE_DELTA("device.stale",
		       assert_int_equal(
			   ndisdma_sim_dma_write(sim, old_pa.QuadPart, b, 4),
			   -EFAULT)),
	    1);
	assert_int_equal(tl_stop(), 0);
}

/* The device copies from a source that overlaps its destination (both in
 * the same block): the bytes land as memmove would put them. */
static void test_device_copy_overlapping(void **s)
{
	(void)s;
	tl.init = alloc_3000;
	tl.halt = free_3000;
	assert_int_equal(tl_start("sim"), 0);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *p = blk_va;
	unsigned char want[200];
	for (int i = 0; i < 200; i++)
		p[i] = (unsigned char)i;
	memcpy(want, p, 200);
	/* destination 1 byte above the source, 199 bytes */
	assert_int_equal(
	    ndisdma_sim_dma_write(sim, blk_pa.QuadPart + 1, p, 199), 0);
	assert_int_equal(p[0], 0);
	assert_memory_equal(p + 1, want, 199);
	/* and below it */
	memcpy(p, want, 200);
	assert_int_equal(ndisdma_sim_dma_read(sim, blk_pa.QuadPart + 1, p, 199),
			 0);
	assert_memory_equal(p, want + 1, 199);
	assert_int_equal(tl_stop(), 0);
}

static void test_mapping_wraps_or_no_array_size(void **s)
{
	(void)s;
	tl.dma = TL_DMA_MAPREG64;
	assert_int_equal(tl_start("sim"), 0);
	NDIS_HANDLE h = tl.handle;
	struct mdlbuf mb;
	MmInitializeMdl(&mb.m, (void *)(UINTPTR_MAX - 100), 2048);
	NDIS_PHYSICAL_ADDRESS_UNIT u[8];
	UINT n = 8;
	assert_int_equal(
	    RULE_DELTA("mdl.wraps", NdisMStartBufferPhysicalMapping(
					h, &mb.m, 0, TRUE, u, &n)),
	    1);
	assert_int_equal(n, 0);
	/* the register stays free: a real buffer maps on it */
	unsigned char *mem = pages(1, 3);
	PMDL m = mk_mdl(&mb, mem, 1000);
	assert_int_equal(
	    RULE_DELTA("mapreg.array-too-small",
		       NdisMStartBufferPhysicalMapping(h, m, 0, TRUE, u, NULL)),
	    1);
	n = 8;
	NdisMStartBufferPhysicalMapping(h, m, 0, TRUE, u, &n);
	assert_int_equal(n, 1);
	NdisMCompleteBufferPhysicalMapping(h, m, 0);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup(test_chunk_bounded, tl_setup),
	    cmocka_unit_test_setup(test_chunk_costs_what_blocks_use, tl_setup),
	    cmocka_unit_test_setup(test_stale_long_ago, tl_setup),
	    cmocka_unit_test_setup(test_device_copy_overlapping, tl_setup),
	    cmocka_unit_test_setup(test_mapping_wraps_or_no_array_size,
				   tl_setup),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
