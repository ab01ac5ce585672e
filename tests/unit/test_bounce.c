/* SPDX-License-Identifier: MIT */
/* Bounce buffers: on sim:iommu=no host memory lies above 4 GiB, so a
 * 32-bit adapter's mappings go through bounce areas in shared memory;
 * the data must arrive byte-exact both ways, be counted, and running out
 * of bounce space must fail cleanly without corrupting anything. */
#include "testlib.h"
#include "mdl_helpers.h"

#define MAXBUF 4096

static NDIS_DMA_SIZE width;

static void init_regs(NDIS_HANDLE h)
{
	assert_int_equal(NdisMAllocateMapRegisters(h, 0, width, 4, MAXBUF),
			 NDIS_STATUS_SUCCESS);
}

static void halt_free(NDIS_HANDLE h)
{
	NdisMFreeMapRegisters(h);
}

static void start(const char *uri, NDIS_DMA_SIZE w)
{
	width = w;
	tl.dma = TL_DMA_NONE;
	tl.init = init_regs;
	tl.halt = halt_free;
	assert_int_equal(tl_start(uri), 0);
}

static void test_bounce_to_device(void **s)
{
	(void)s;
	start("sim:iommu=no,dma-bits=32", NDIS_DMA_32BITS);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 11);
	unsigned char copy[3000];
	memcpy(copy, mem + 1001, sizeof(copy));
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 1001, 3000); /* crosses a page */
	NDIS_PHYSICAL_ADDRESS_UNIT u[2];
	UINT n = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 0, TRUE, u, &n);
	/* one contiguous unit in the bounce area, below 4 GiB */
	assert_int_equal(n, 1);
	assert_int_equal(u[0].Length, 3000);
	assert_true(u[0].PhysicalAddress.QuadPart + 3000 <= 0x100000000ll);
	/* the device reads exactly the buffer's bytes */
	device_reads_units(sim, u, n, copy, sizeof(copy));
	unsigned char x;
	assert_int_equal(ndisdma_sim_dma_read(
			     sim, u[0].PhysicalAddress.QuadPart + 3000, &x, 1),
			 -EFAULT);
	/* and may not write it */
	assert_int_equal(
	    RULE_DELTA("device.perm",
		       ndisdma_sim_dma_write(sim, u[0].PhysicalAddress.QuadPart,
					     "zz", 2)),
	    1);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_maps, 1);
	assert_int_equal(st.bounce_bytes_in, 3000);
	assert_int_equal(st.map_active, 1);
	assert_true(st.bounce_area_bytes >= MAXBUF);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 0);
	/* a send is not copied back */
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_bytes_out, 0);
	assert_memory_equal(mem + 1001, copy, sizeof(copy));
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_bounce_from_device(void **s)
{
	(void)s;
	start("sim:iommu=no,dma-bits=32", NDIS_DMA_32BITS);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 12);
	unsigned char orig[2 * 4096];
	memcpy(orig, mem, sizeof(orig));
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 4000, 1514);
	NDIS_PHYSICAL_ADDRESS_UNIT u[2];
	UINT n = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 1, FALSE, u, &n);
	assert_int_equal(n, 1);
	/* the device writes the first 1000 bytes of the frame */
	unsigned char frame[1000];
	for (int i = 0; i < 1000; i++)
		frame[i] = (unsigned char)(255 - i);
	assert_int_equal(ndisdma_sim_dma_write(sim,
					       u[0].PhysicalAddress.QuadPart,
					       frame, sizeof(frame)),
			 0);
	/* not in the buffer before completion (it is in the bounce area) */
	assert_memory_equal(mem, orig, sizeof(orig));
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 1);
	/* after: exactly what the device wrote, the rest unchanged, and
	 * nothing outside the buffer touched */
	assert_memory_equal(mem + 4000, frame, 1000);
	assert_memory_equal(mem + 5000, orig + 5000, 514);
	assert_memory_equal(mem, orig, 4000);
	assert_memory_equal(mem + 5514, orig + 5514, sizeof(orig) - 5514);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_bytes_out, 1514);
	assert_int_equal(st.bounce_bytes_in, 1514);
	/* the next mapping on the register reuses its bounce area and sees
	 * its own bytes, not the last frame's */
	memset(mem + 4000, 0x77, 1514);
	n = 2;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 1, TRUE, u, &n);
	unsigned char back[1514], want[1514];
	memset(want, 0x77, sizeof(want));
	assert_int_equal(ndisdma_sim_dma_read(sim,
					      u[0].PhysicalAddress.QuadPart,
					      back, sizeof(back)),
			 0);
	assert_memory_equal(back, want, sizeof(want));
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 1);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_no_bounce_when_reachable(void **s)
{
	(void)s;
	/* a 64-bit adapter reaches host memory above 4 GiB */
	start("sim:iommu=no", NDIS_DMA_64BITS);
	unsigned char *mem = pages(1, 13);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 5, 100);
	NDIS_PHYSICAL_ADDRESS_UNIT u[1];
	UINT n = 1;
	NdisMStartBufferPhysicalMapping(tl.handle, m, 0, TRUE, u, &n);
	assert_int_equal(n, 1);
	assert_true(u[0].PhysicalAddress.QuadPart >= 0x100000000ll);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_maps, 0);
	NdisMCompleteBufferPhysicalMapping(tl.handle, m, 0);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_bounce_exhaustion(void **s)
{
	(void)s;
	/* room for two registers' bounce areas only */
	start("sim:iommu=no,dma-bits=32,limit=8192", NDIS_DMA_32BITS);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(3, 14);
	unsigned char orig[3 * 4096];
	memcpy(orig, mem, sizeof(orig));
	struct mdlbuf b[3];
	NDIS_PHYSICAL_ADDRESS_UNIT u[3][2];
	UINT n[3];
	for (int i = 0; i < 3; i++) {
		n[i] = 2;
		unsigned long all = ndisdma_verifier_count(NULL);
		NdisMStartBufferPhysicalMapping(
		    tl.handle, mk_mdl(&b[i], mem + 4096 * i + 3, 500), i, FALSE,
		    u[i], &n[i]);
		/* running out is not a misuse: no report */
		assert_int_equal(ndisdma_verifier_count(NULL), all);
	}
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 1);
	assert_int_equal(n[2], 0);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_failures, 1);
	assert_int_equal(st.map_active, 2);
	/* the two that worked still carry their data */
	unsigned char d0[500], d1[500];
	memset(d0, 0xD0, sizeof(d0));
	memset(d1, 0xD1, sizeof(d1));
	assert_int_equal(ndisdma_sim_dma_write(
			     sim, u[0][0].PhysicalAddress.QuadPart, d0, 500),
			 0);
	assert_int_equal(ndisdma_sim_dma_write(
			     sim, u[1][0].PhysicalAddress.QuadPart, d1, 500),
			 0);
	NdisMCompleteBufferPhysicalMapping(tl.handle, &b[0].m, 0);
	NdisMCompleteBufferPhysicalMapping(tl.handle, &b[1].m, 1);
	/* register 2 maps nothing: completing it is a misuse */
	assert_int_equal(RULE_DELTA("mapreg.complete-wrong",
				    NdisMCompleteBufferPhysicalMapping(
					tl.handle, &b[2].m, 2)),
			 1);
	assert_memory_equal(mem + 3, d0, 500);
	assert_memory_equal(mem + 4096 + 3, d1, 500);
	assert_memory_equal(mem + 8192, orig + 8192, 4096);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void halt_forgets(NDIS_HANDLE h)
{
	(void)h;
}

static void test_halt_with_bounced_mapping(void **s)
{
	(void)s;
	width = NDIS_DMA_32BITS;
	tl.dma = TL_DMA_NONE;
	tl.init = init_regs;
	tl.halt = halt_forgets;
	assert_int_equal(tl_start("sim:iommu=no,dma-bits=32"), 0);
	unsigned char *mem = pages(1, 15);
	struct mdlbuf b;
	NDIS_PHYSICAL_ADDRESS_UNIT u[1];
	UINT n = 1;
	NdisMStartBufferPhysicalMapping(tl.handle, mk_mdl(&b, mem, 64), 0,
					FALSE, u, &n);
	assert_int_equal(n, 1);
	/* the driver frees its buffer; halt must not copy into it */
	free(mem);
	assert_int_equal(tl_stop(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_bounce_to_device, tl_setup),
	    cmocka_unit_test_setup(test_bounce_from_device, tl_setup),
	    cmocka_unit_test_setup(test_no_bounce_when_reachable, tl_setup),
	    cmocka_unit_test_setup(test_bounce_exhaustion, tl_setup),
	    cmocka_unit_test_setup(test_halt_with_bounced_mapping, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
