/* SPDX-License-Identifier: MIT */
/* System DMA for a subordinate NIC: registering a channel (and then
 * shared memory without the busmaster attribute), the simulated 8237
 * channel's count running down, single/demand mode, auto-initialize,
 * bouncing on sim:iommu=no, and the system-DMA rules. */
#include "testlib.h"
#include "mdl_helpers.h"

static NDIS_HANDLE dma;
static NDIS_STATUS reg_status;
static NDIS_DMA_DESCRIPTION desc;
static BOOLEAN dma32;
static PVOID shm_va;
static NDIS_PHYSICAL_ADDRESS shm_pa;

static void set_desc(BOOLEAN demand, BOOLEAN autoinit, DMA_WIDTH w)
{
	memset(&desc, 0, sizeof(desc));
	desc.DemandMode = demand;
	desc.AutoInitialize = autoinit;
	desc.DmaChannelSpecified = TRUE;
	desc.DmaWidth = w;
	desc.DmaSpeed = Compatible;
	desc.DmaChannel = 3;
}

static void init_channel(NDIS_HANDLE h)
{
	reg_status = NdisMRegisterDmaChannel(&dma, h, 0, dma32, &desc, 8192);
	if (reg_status == NDIS_STATUS_SUCCESS)
		NdisMAllocateSharedMemory(h, 256, FALSE, &shm_va, &shm_pa);
}

static void halt_channel(NDIS_HANDLE h)
{
	if (shm_va)
		NdisMFreeSharedMemory(h, 256, FALSE, shm_va, shm_pa);
	shm_va = NULL;
	if (dma)
		NdisMDeregisterDmaChannel(dma);
	dma = NULL;
}

static void start(const char *uri)
{
	tl.attrs = 0; /* a subordinate NIC: not a busmaster */
	tl.dma = TL_DMA_NONE;
	tl.init = init_channel;
	tl.halt = halt_channel;
	assert_int_equal(tl_start(uri), 0);
	assert_int_equal(reg_status, NDIS_STATUS_SUCCESS);
	assert_non_null(dma);
}

static int setup(void **s)
{
	tl_setup(s);
	set_desc(FALSE, FALSE, Width8Bits);
	dma32 = FALSE;
	dma = NULL;
	shm_va = NULL;
	return 0;
}

static void test_to_device_counter(void **s)
{
	(void)s;
	start("sim");
	/* registering the channel let a non-busmaster allocate shared
	 * memory, below 16 MiB (24 address lines) */
	assert_non_null(shm_va);
	assert_true(shm_pa.QuadPart + 256 <= 0x1000000);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 21);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 3, 6000);
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, dma, m, 10, 2000, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(NdisMReadDmaCounter(dma), 2000);
	unsigned char got[8192];
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, got, 500),
			 500);
	assert_memory_equal(got, mem + 13, 500);
	assert_int_equal(NdisMReadDmaCounter(dma), 1500);
	/* asking for more than is left stops at terminal count */
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, got, 5000),
			 1500);
	assert_memory_equal(got, mem + 513, 1500);
	assert_int_equal(NdisMReadDmaCounter(dma), 0);
	struct ndisdma_sim_dma_channel c;
	assert_int_equal(ndisdma_sim_dma_channel_status(sim, 3, &c), 0);
	assert_true(c.programmed);
	assert_true(c.masked);
	assert_true(c.to_device);
	assert_int_equal(c.terminal_counts, 1);
	assert_int_equal(c.moved, 2000);
	assert_int_equal(c.bus_cycles, 2000); /* single mode, 8-bit */
	/* masked: nothing more moves */
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, got, 10), 0);
	/* another channel number has nothing registered */
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 2, got, 10),
			 -ENODEV);
	NdisMCompleteDmaTransfer(&st, dma, m, 10, 2000, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(NdisMReadDmaCounter(dma), 0);
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, got, 10),
			 -EAGAIN);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_from_device(void **s)
{
	(void)s;
	start("sim");
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 22);
	unsigned char orig[8192];
	memcpy(orig, mem, sizeof(orig));
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem, 8192);
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, dma, m, 4000, 300, FALSE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	unsigned char in[300];
	for (int i = 0; i < 300; i++)
		in[i] = (unsigned char)(i ^ 0xA5);
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, in, 300),
			 300);
	NdisMCompleteDmaTransfer(&st, dma, m, 4000, 300, FALSE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_memory_equal(mem + 4000, in, 300);
	assert_memory_equal(mem, orig, 4000);
	assert_memory_equal(mem + 4300, orig + 4300, 8192 - 4300);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_autoinit_demand_width(void **s)
{
	(void)s;
	set_desc(TRUE, TRUE, Width16Bits);
	start("sim");
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(1, 23);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem, 100);
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, dma, m, 0, 100, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	unsigned char got[256];
	/* 16-bit transfers: whole words only */
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, got, 251),
			 250);
	/* auto-initialize: the buffer is read round and round */
	assert_memory_equal(got, mem, 100);
	assert_memory_equal(got + 100, mem, 100);
	assert_memory_equal(got + 200, mem, 50);
	assert_int_equal(NdisMReadDmaCounter(dma), 50);
	struct ndisdma_sim_dma_channel c;
	ndisdma_sim_dma_channel_status(sim, 3, &c);
	assert_int_equal(c.terminal_counts, 2);
	assert_false(c.masked);
	assert_true(c.demand);
	assert_true(c.autoinit);
	assert_int_equal(c.bus_cycles, 1); /* one demand burst */
	NdisMCompleteDmaTransfer(&st, dma, m, 0, 100, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_bounced_channel(void **s)
{
	(void)s;
	start("sim:iommu=no");
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(1, 24);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem, 4096);
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, dma, m, 100, 1000, FALSE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	unsigned char in[1000];
	memset(in, 0x3C, sizeof(in));
	assert_int_equal(ndisdma_sim_dma_channel_transfer(sim, 3, in, 600),
			 600);
	NdisMCompleteDmaTransfer(&st, dma, m, 100, 1000, FALSE);
	assert_memory_equal(mem + 100, in, 600);
	struct ndisdma_stats ss;
	ndisdma_adapter_stats(tl.ad, &ss);
	assert_int_equal(ss.bounce_maps, 1);
	assert_int_equal(ss.bounce_bytes_out, 1000);
	/* the 400 bytes the device did not write came back unchanged */
	unsigned char *ref = pages(1, 24);
	assert_memory_equal(mem + 700, ref + 700, 400);
	free(ref);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_transfer_rules(void **s)
{
	(void)s;
	start("sim");
	unsigned char *mem = pages(3, 25);
	struct mdlbuf b, b2;
	PMDL m = mk_mdl(&b, mem, 3 * 4096);
	PMDL other = mk_mdl(&b2, mem, 100);
	NDIS_STATUS st;
	assert_int_equal(
	    RULE_DELTA("sysdma.complete-no-setup",
		       NdisMCompleteDmaTransfer(&st, dma, m, 0, 10, TRUE)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_int_equal(
	    RULE_DELTA("sysdma.too-long",
		       NdisMSetupDmaTransfer(&st, dma, m, 0, 8193, TRUE)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_int_equal(
	    RULE_DELTA("sysdma.range",
		       NdisMSetupDmaTransfer(&st, dma, other, 50, 51, TRUE)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_int_equal(
	    RULE_DELTA("sysdma.range",
		       NdisMSetupDmaTransfer(&st, dma, other, 0, 0, TRUE)),
	    1);
	NdisMSetupDmaTransfer(&st, dma, m, 0, 100, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(
	    RULE_DELTA("sysdma.setup-twice",
		       NdisMSetupDmaTransfer(&st, dma, m, 0, 100, TRUE)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_int_equal(
	    RULE_DELTA("sysdma.complete-mismatch",
		       NdisMCompleteDmaTransfer(&st, dma, m, 0, 99, TRUE)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	/* still set up */
	assert_int_equal(NdisMReadDmaCounter(dma), 100);
	NdisMCompleteDmaTransfer(&st, dma, m, 0, 100, TRUE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(
	    RULE_DELTA("handle.unknown", NdisMReadDmaCounter((NDIS_HANDLE)&st)),
	    1);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void init_bad(NDIS_HANDLE h)
{
	NDIS_HANDLE d;
	desc.DmaChannel = 9;
	assert_int_equal(
	    RULE_DELTA("dma.bad-params", reg_status = NdisMRegisterDmaChannel(
					     &d, h, 0, FALSE, &desc, 100)),
	    1);
	assert_int_equal(reg_status, NDIS_STATUS_INVALID_PARAMETER);
	assert_null(d);
	desc.DmaChannel = 1;
	desc.DmaPort = 5;
	TL_STRICT("dma.params-ignored");
	assert_int_equal(NdisMRegisterDmaChannel(&d, h, 0, FALSE, &desc, 100),
			 NDIS_STATUS_INVALID_PARAMETER);
	TL_DEFAULT("dma.params-ignored");
	desc.DmaPort = 0;
	assert_int_equal(NdisMRegisterDmaChannel(&dma, h, 0, FALSE, &desc, 100),
			 NDIS_STATUS_SUCCESS);
	TL_STRICT("dma.register-twice");
	assert_int_equal(RULE_DELTA("dma.register-twice",
				    reg_status = NdisMRegisterDmaChannel(
					&d, h, 0, FALSE, &desc, 100)),
			 1);
	assert_int_equal(reg_status, NDIS_STATUS_FAILURE);
	reg_status = NDIS_STATUS_SUCCESS;
}

static void halt_forgets(NDIS_HANDLE h)
{
	(void)h;
}

static void test_register_rules_and_leak(void **s)
{
	(void)s;
	tl.attrs = 0;
	tl.dma = TL_DMA_NONE;
	tl.init = init_bad;
	tl.halt = halt_forgets;
	assert_int_equal(tl_start("sim"), 0);
	/* outside initialize */
	NDIS_HANDLE d;
	assert_int_equal(RULE_DELTA("dma.register-context",
				    NdisMRegisterDmaChannel(&d, tl.handle, 0,
							    FALSE, &desc, 100)),
			 1);
	/* a transfer left set up and the channel never deregistered:
	 * halt reclaims the channel */
	unsigned char *mem = pages(1, 26);
	struct mdlbuf b;
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, dma, mk_mdl(&b, mem, 64), 0, 64, FALSE);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	free(mem);
	unsigned long before = ndisdma_verifier_count("halt.leak-object");
	assert_int_equal(tl_stop(), 1);
	assert_int_equal(ndisdma_verifier_count("halt.leak-object") - before,
			 1);
	dma = NULL;
}

/* What ndis.sys lets through: no DmaChannelSpecified (the DmaChannel
 * argument is used), a DmaPort, an unknown width; outside initialize; a
 * second channel. Each reported, each registered. */
static void test_register_as_windows(void **s)
{
	(void)s;
	tl.attrs = 0;
	tl.dma = TL_DMA_NONE;
	assert_int_equal(tl_start("sim"), 0);
	set_desc(FALSE, FALSE, Width8Bits);
	desc.DmaChannelSpecified = FALSE;
	desc.DmaChannel = 0;
	desc.DmaPort = 7;
	NDIS_HANDLE d1 = NULL, d2 = NULL;
	unsigned long ign = ndisdma_verifier_count("dma.params-ignored");
	unsigned long ctx = ndisdma_verifier_count("dma.register-context");
	assert_int_equal(
	    NdisMRegisterDmaChannel(&d1, tl.handle, 2, FALSE, &desc, 100),
	    NDIS_STATUS_SUCCESS);
	assert_non_null(d1);
	set_desc(FALSE, FALSE, (DMA_WIDTH)9);
	desc.DmaChannel = 5;
	unsigned long twice = ndisdma_verifier_count("dma.register-twice");
	assert_int_equal(
	    NdisMRegisterDmaChannel(&d2, tl.handle, 0, FALSE, &desc, 100),
	    NDIS_STATUS_SUCCESS);
	assert_non_null(d2);
	assert_int_equal(ndisdma_verifier_count("dma.params-ignored") - ign, 2);
	assert_int_equal(ndisdma_verifier_count("dma.register-context") - ctx,
			 2);
	assert_int_equal(ndisdma_verifier_count("dma.register-twice") - twice,
			 1);
	NdisMDeregisterDmaChannel(d2);
	NdisMDeregisterDmaChannel(d1);
	assert_int_equal(tl_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_to_device_counter, setup),
	    cmocka_unit_test_setup(test_from_device, setup),
	    cmocka_unit_test_setup(test_autoinit_demand_width, setup),
	    cmocka_unit_test_setup(test_bounced_channel, setup),
	    cmocka_unit_test_setup(test_transfer_rules, setup),
	    cmocka_unit_test_setup(test_register_rules_and_leak, setup),
	    cmocka_unit_test_setup(test_register_as_windows, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
