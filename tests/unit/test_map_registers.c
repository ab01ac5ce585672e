/* SPDX-License-Identifier: MIT */
/* Map registers: NdisMStartBufferPhysicalMapping /
 * NdisMCompleteBufferPhysicalMapping over MDLs that cross pages and start
 * at odd offsets, the device reaching exactly the mapped bytes through the
 * sim IOMMU, widths, directions, and every map-register rule. */
#include "testlib.h"
#include "mdl_helpers.h"

#define NREGS 4
#define MAXBUF 8192

static NDIS_STATUS alloc_status;

static void init_mapregs(NDIS_HANDLE h)
{
	alloc_status =
	    NdisMAllocateMapRegisters(h, 0, NDIS_DMA_64BITS, NREGS, MAXBUF);
}

static void halt_free(NDIS_HANDLE h)
{
	NdisMFreeMapRegisters(h);
}

static void start_mapregs(const char *uri)
{
	tl.dma = TL_DMA_NONE;
	tl.init = init_mapregs;
	tl.halt = halt_free;
	assert_int_equal(tl_start(uri), 0);
	assert_int_equal(alloc_status, NDIS_STATUS_SUCCESS);
}

static void test_chain_odd_offsets(void **s)
{
	(void)s;
	start_mapregs("sim");
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(4, 1);
	struct mdlbuf b[3];
	/* a chain: 5000 bytes at offset 100 (two pages), 3 bytes across a
	 * page boundary, and a zero-length buffer */
	PMDL m0 = mk_mdl(&b[0], mem + 100, 5000);
	PMDL m1 = mk_mdl(&b[1], mem + 3 * 4096 - 1, 3);
	PMDL m2 = mk_mdl(&b[2], mem + 7, 0);
	m0->Next = m1;
	m1->Next = m2;
	UINT need[3];
	NdisGetBufferPhysicalArraySize(m0, &need[0]);
	NdisGetBufferPhysicalArraySize(m1, &need[1]);
	NdisGetBufferPhysicalArraySize(m2, &need[2]);
	assert_int_equal(need[0], 2);
	assert_int_equal(need[1], 2);
	assert_int_equal(need[2], 0);

	NDIS_PHYSICAL_ADDRESS_UNIT u[3][4];
	UINT n[3];
	int r = 0;
	for (PMDL m = m0; m; m = m->Next, r++) {
		n[r] = 4;
		if (MmGetMdlByteCount(m) == 0) {
			assert_int_equal(
			    RULE_DELTA("mapreg.zero-length",
				       NdisMStartBufferPhysicalMapping(
					   tl.handle, m, r, TRUE, u[r], &n[r])),
			    1);
			assert_int_equal(n[r], 0);
			continue;
		}
		NdisMStartBufferPhysicalMapping(tl.handle, m, r, TRUE, u[r],
						&n[r]);
		assert_int_equal(n[r], 2);
		/* the first unit keeps the buffer's offset in its page */
		assert_int_equal(u[r][0].PhysicalAddress.LowPart & 4095,
				 BYTE_OFFSET(MmGetMdlVirtualAddress(m)));
		/* 64-bit adapter on sim: above 4 GiB */
		assert_true(u[r][0].PhysicalAddress.QuadPart >= 0x100000000ll);
		device_reads_units(sim, u[r], n[r], MmGetMdlVirtualAddress(m),
				   MmGetMdlByteCount(m));
	}
	assert_int_equal(u[0][0].Length, 4096 - 100);
	assert_int_equal(u[0][1].Length, 5000 - (4096 - 100));
	assert_int_equal(u[1][0].Length, 1);
	assert_int_equal(u[1][1].Length, 2);

	/* exactly the mapped bytes: one byte past the end faults, and one
	 * byte before the start */
	unsigned char x;
	uint64_t end = u[0][1].PhysicalAddress.QuadPart + u[0][1].Length;
	unsigned long all = ndisdma_verifier_count(NULL);
	assert_int_equal(ndisdma_sim_dma_read(sim, end, &x, 1), -EFAULT);
	assert_int_equal(ndisdma_sim_dma_read(
			     sim, u[0][0].PhysicalAddress.QuadPart - 1, &x, 1),
			 -EFAULT);
	assert_int_equal(ndisdma_verifier_count(NULL) - all, 2);
	/* a read spanning the last byte and one past: nothing copied */
	unsigned char two[2] = {0, 0};
	assert_int_equal(ndisdma_sim_dma_read(sim, end - 1, two, 2), -EFAULT);
	assert_int_equal(two[0], 0);

	struct ndisdma_stats st;
	assert_int_equal(ndisdma_adapter_stats(tl.ad, &st), 0);
	assert_int_equal(st.map_active, 2);
	assert_int_equal(st.maps, 2);
	assert_int_equal(st.bounce_maps, 0);

	NdisMCompleteBufferPhysicalMapping(tl.handle, m0, 0);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m1, 1);
	/* after completion the device reaches nothing there */
	assert_int_equal(
	    RULE_DELTA("device.stale",
		       ndisdma_sim_dma_read(
			   sim, u[0][0].PhysicalAddress.QuadPart, &x, 1)),
	    1);
	assert_int_equal(ndisdma_adapter_stats(tl.ad, &st), 0);
	assert_int_equal(st.map_active, 0);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_more_mappings_than_registers(void **s)
{
	(void)s;
	start_mapregs("sim");
	unsigned char *mem = pages(2, 2);
	struct mdlbuf b[NREGS + 1];
	PMDL m[NREGS + 1];
	NDIS_PHYSICAL_ADDRESS_UNIT u[4];
	UINT n;
	for (int i = 0; i <= NREGS; i++)
		m[i] = mk_mdl(&b[i], mem + 64 * i + 1, 60);
	for (int i = 0; i < NREGS; i++) {
		n = 4;
		NdisMStartBufferPhysicalMapping(tl.handle, m[i], i, FALSE, u,
						&n);
		assert_int_equal(n, 1);
	}
	/* a fifth register does not exist */
	n = 4;
	assert_int_equal(
	    RULE_DELTA("mapreg.index",
		       NdisMStartBufferPhysicalMapping(tl.handle, m[NREGS],
						       NREGS, FALSE, u, &n)),
	    1);
	assert_int_equal(n, 0);
	/* register 0 is in use */
	n = 4;
	assert_int_equal(RULE_DELTA("mapreg.busy",
				    NdisMStartBufferPhysicalMapping(
					tl.handle, m[NREGS], 0, FALSE, u, &n)),
			 1);
	assert_int_equal(n, 0);
	/* complete with the wrong buffer: nothing changes */
	assert_int_equal(
	    RULE_DELTA("mapreg.complete-wrong",
		       NdisMCompleteBufferPhysicalMapping(tl.handle, m[0], 1)),
	    1);
	/* complete out of range */
	assert_int_equal(
	    RULE_DELTA("mapreg.index",
		       NdisMCompleteBufferPhysicalMapping(tl.handle, m[0], 99)),
	    1);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, NREGS);
	for (int i = 0; i < NREGS; i++)
		NdisMCompleteBufferPhysicalMapping(tl.handle, m[i], i);
	/* complete a register that maps nothing */
	assert_int_equal(
	    RULE_DELTA("mapreg.complete-wrong",
		       NdisMCompleteBufferPhysicalMapping(tl.handle, m[0], 0)),
	    1);
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, 0);
	/* now register 0 is free again */
	n = 4;
	NdisMStartBufferPhysicalMapping(tl.handle, m[NREGS], 0, FALSE, u, &n);
	assert_int_equal(n, 1);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m[NREGS], 0);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_array_and_length(void **s)
{
	(void)s;
	start_mapregs("sim");
	unsigned char *mem = pages(4, 3);
	struct mdlbuf b[2];
	PMDL m = mk_mdl(&b[0], mem + 4000, 200); /* two pages */
	NDIS_PHYSICAL_ADDRESS_UNIT u[4];
	UINT n = 1;
	assert_int_equal(RULE_DELTA("mapreg.array-too-small",
				    NdisMStartBufferPhysicalMapping(
					tl.handle, m, 0, TRUE, u, &n)),
			 1);
	assert_int_equal(n, 0);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, 0);
	/* the register is still free, and the IOVAs were given back */
	n = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 0, TRUE, u, &n);
	assert_int_equal(n, 2);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 0);
	/* longer than MaximumBufferSize */
	PMDL big = mk_mdl(&b[1], mem + 1, MAXBUF + 1);
	n = 4;
	assert_int_equal(
	    RULE_DELTA("mapreg.too-long", NdisMStartBufferPhysicalMapping(
					      tl.handle, big, 1, TRUE, u, &n)),
	    1);
	assert_int_equal(n, 0);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_write_to_device_is_read_only(void **s)
{
	(void)s;
	start_mapregs("sim");
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 4);
	struct mdlbuf b[2];
	PMDL tx = mk_mdl(&b[0], mem + 10, 100);
	PMDL rx = mk_mdl(&b[1], mem + 4096 + 10, 100);
	NDIS_PHYSICAL_ADDRESS_UNIT ut[2], ur[2];
	UINT nt = 2, nr = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, tx, 0, TRUE, ut, &nt);
	NdisMStartBufferPhysicalMapping(tl.handle, rx, 1, FALSE, ur, &nr);
	assert_int_equal(nt, 1);
	assert_int_equal(nr, 1);
	unsigned char data[100];
	memset(data, 0x5A, sizeof(data));
	unsigned char before = mem[10];
	/* the device may not write a WriteToDevice mapping */
	assert_int_equal(
	    RULE_DELTA("device.perm",
		       assert_int_equal(
			   ndisdma_sim_dma_write(
			       sim, ut[0].PhysicalAddress.QuadPart, data, 100),
			   -EFAULT)),
	    1);
	assert_int_equal(mem[10], before);
	/* but it writes a receive mapping, straight into the buffer */
	assert_int_equal(ndisdma_sim_dma_write(
			     sim, ur[0].PhysicalAddress.QuadPart, data, 100),
			 0);
	assert_memory_equal(mem + 4096 + 10, data, 100);
	NdisMCompleteBufferPhysicalMapping(tl.handle, tx, 0);
	NdisMCompleteBufferPhysicalMapping(tl.handle, rx, 1);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static PVOID shm_va;
static NDIS_PHYSICAL_ADDRESS shm_pa;

static void init_mapregs_shm(NDIS_HANDLE h)
{
	init_mapregs(h);
	NdisMAllocateSharedMemory(h, 3000, TRUE, &shm_va, &shm_pa);
}

static void halt_free_shm(NDIS_HANDLE h)
{
	NdisMFreeSharedMemory(h, 3000, TRUE, shm_va, shm_pa);
	NdisMFreeMapRegisters(h);
}

static void test_buffer_in_shared_memory(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	tl.init = init_mapregs_shm;
	tl.halt = halt_free_shm;
	assert_int_equal(tl_start("sim"), 0);
	assert_non_null(shm_va);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, (char *)shm_va + 33, 2000);
	NDIS_PHYSICAL_ADDRESS_UNIT u[2];
	UINT n = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 0, TRUE, u, &n);
	/* the block is contiguous in device space: one unit, inside it */
	assert_int_equal(n, 1);
	assert_int_equal(u[0].PhysicalAddress.QuadPart, shm_pa.QuadPart + 33);
	assert_int_equal(u[0].Length, 2000);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 0);
	assert_int_equal(tl_stop(), 0);
}

static void init_mapregs_w(NDIS_HANDLE h, NDIS_DMA_SIZE w)
{
	alloc_status = NdisMAllocateMapRegisters(h, 0, w, NREGS, MAXBUF);
}
static void init24(NDIS_HANDLE h)
{
	init_mapregs_w(h, NDIS_DMA_24BITS);
}
static void init32(NDIS_HANDLE h)
{
	init_mapregs_w(h, NDIS_DMA_32BITS);
}

static void map_below(uint64_t limit)
{
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(3, 5);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 4095, 4098);
	NDIS_PHYSICAL_ADDRESS_UNIT u[4];
	UINT n = 4;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 2, TRUE, u, &n);
	assert_int_equal(n, 3);
	for (UINT i = 0; i < n; i++)
		assert_true((uint64_t)u[i].PhysicalAddress.QuadPart +
				u[i].Length - 1 <=
			    limit);
	device_reads_units(sim, u, n, mem + 4095, 4098);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 2);
	free(mem);
}

static void test_widths(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	tl.init = init24;
	tl.halt = halt_free;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(alloc_status, NDIS_STATUS_SUCCESS);
	map_below(0xFFFFFF);
	assert_int_equal(tl_stop(), 0);
	tl_reset();
	tl.dma = TL_DMA_NONE;
	tl.init = init32;
	tl.halt = halt_free;
	assert_int_equal(tl_start("sim"), 0);
	map_below(0xFFFFFFFF);
	assert_int_equal(tl_stop(), 0);
	/* a 64-bit adapter on a 32-bit device: the device's width wins */
	tl_reset();
	start_mapregs("sim:dma-bits=32");
	map_below(0xFFFFFFFF);
	assert_int_equal(tl_stop(), 0);
}

static struct mdlbuf init_mdl;
static unsigned char *init_mem;

static void init_map_then_free(NDIS_HANDLE h)
{
	init_mapregs(h);
	PMDL m = mk_mdl(&init_mdl, init_mem + 5, 50);
	NDIS_PHYSICAL_ADDRESS_UNIT u[1];
	UINT n = 1;
	NdisMStartBufferPhysicalMapping(h, m, 3, TRUE, u, &n);
	assert_int_equal(n, 1);
	/* freeing with a mapping outstanding is refused */
	assert_int_equal(
	    RULE_DELTA("mapreg.free-busy", NdisMFreeMapRegisters(h)), 1);
	/* the registers are still there: register 3 is still busy */
	n = 1;
	assert_int_equal(
	    RULE_DELTA("mapreg.busy",
		       NdisMStartBufferPhysicalMapping(h, m, 3, TRUE, u, &n)),
	    1);
	NdisMCompleteBufferPhysicalMapping(h, m, 3);
	NdisMFreeMapRegisters(h);
	/* and now they are gone */
	n = 1;
	assert_int_equal(
	    RULE_DELTA("mapreg.index",
		       NdisMStartBufferPhysicalMapping(h, m, 0, TRUE, u, &n)),
	    1);
	/* allocate again for the halt handler to free */
	init_mapregs(h);
}

static void test_free_with_mappings_outstanding(void **s)
{
	(void)s;
	init_mem = pages(1, 6);
	tl.dma = TL_DMA_NONE;
	tl.init = init_map_then_free;
	tl.halt = halt_free;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0);
	free(init_mem);
}

static void halt_forgets(NDIS_HANDLE h)
{
	/* MiniportHalt frees the registers with a mapping outstanding */
	assert_int_equal(
	    RULE_DELTA("mapreg.free-busy", NdisMFreeMapRegisters(h)), 1);
}

static void test_halt_reclaims_mappings(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	tl.init = init_mapregs;
	tl.halt = halt_forgets;
	assert_int_equal(tl_start("sim"), 0);
	unsigned char *mem = pages(1, 7);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem, 64);
	NDIS_PHYSICAL_ADDRESS_UNIT u[1];
	UINT n = 1;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 0, FALSE, u, &n);
	assert_int_equal(n, 1);
	/* one mapping and the registers themselves */
	unsigned long before = ndisdma_verifier_count("halt.leak-object");
	assert_int_equal(tl_stop(), 2);
	assert_int_equal(ndisdma_verifier_count("halt.leak-object") - before,
			 2);
	free(mem);
}

static void test_counts_array_size_sg_adapter_irql(void **s)
{
	(void)s;
	UINT c = 0;
	assert_int_equal(NdisQueryMapRegisterCount(NdisInterfacePci, &c),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(c, NDIS_MAX_MAP_REGISTERS);
	assert_int_equal(NdisQueryMapRegisterCount(NdisInterfacePci, NULL),
			 NDIS_STATUS_INVALID_PARAMETER);
	UINT n = 7;
	NdisGetBufferPhysicalArraySize(NULL, &n);
	assert_int_equal(n, 0);
	struct mdlbuf b;
	NdisGetBufferPhysicalArraySize(mk_mdl(&b, (void *)0x10000, 4096), &n);
	assert_int_equal(n, 1);
	NdisGetBufferPhysicalArraySize(mk_mdl(&b, (void *)0x10001, 4096), &n);
	assert_int_equal(n, 2);

	/* an adapter with scatter-gather DMA has no map registers */
	tl.dma = TL_DMA_SG64;
	assert_int_equal(tl_start("sim"), 0);
	unsigned char *mem = pages(1, 8);
	NDIS_PHYSICAL_ADDRESS_UNIT u[1];
	n = 1;
	assert_int_equal(
	    RULE_DELTA("mapreg.index",
		       NdisMStartBufferPhysicalMapping(
			   tl.handle, mk_mdl(&b, mem, 10), 0, TRUE, u, &n)),
	    1);
	assert_int_equal(n, 0);
	assert_int_equal(tl_stop(), 0);

	/* above DISPATCH_LEVEL */
	tl_reset();
	start_mapregs("sim");
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	n = 1;
	NdisMStartBufferPhysicalMapping(tl.handle, mk_mdl(&b, mem, 10), 0, TRUE,
					u, &n);
	assert_int_equal(n, 1);
	NdisMCompleteBufferPhysicalMapping(tl.handle, &b.m, 0);
	KeRaiseIrql(DIRQL, &old);
	n = 1;
	assert_int_equal(
	    RULE_DELTA("irql.too-high", NdisMStartBufferPhysicalMapping(
					    tl.handle, &b.m, 0, TRUE, u, &n)),
	    1);
	assert_int_equal(n, 0);
	KeLowerIrql(PASSIVE_LEVEL);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_chain_odd_offsets, tl_setup),
	    cmocka_unit_test_setup(test_more_mappings_than_registers, tl_setup),
	    cmocka_unit_test_setup(test_array_and_length, tl_setup),
	    cmocka_unit_test_setup(test_write_to_device_is_read_only, tl_setup),
	    cmocka_unit_test_setup(test_buffer_in_shared_memory, tl_setup),
	    cmocka_unit_test_setup(test_widths, tl_setup),
	    cmocka_unit_test_setup(test_free_with_mappings_outstanding,
				   tl_setup),
	    cmocka_unit_test_setup(test_halt_reclaims_mappings, tl_setup),
	    cmocka_unit_test_setup(test_counts_array_size_sg_adapter_irql,
				   tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
