/* SPDX-License-Identifier: MIT */
/*
 * test_resources.c - what a miniport learns of its hardware on sim:
 * NdisMQueryAdapterResources (the BARs and the interrupt as Windows lists
 * them, the too-small buffer protocol), NdisMPciAssignResources,
 * NdisReadPciSlotInformation / NdisWritePciSlotInformation, and the
 * config.context rule.
 */
#include "../testlib.h"
#include "hw_model.h"

_Static_assert(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20,
	       "the descriptor is packed to 4 as in wdm.h (x64: 20 bytes)");
_Static_assert(offsetof(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors) == 8,
	       "list header");

static struct {
	union {
		NDIS_RESOURCE_LIST l;
		char raw[512];
	} u;
	UINT size, small_size;
	NDIS_STATUS st, small_st;
	PNDIS_RESOURCE_LIST assigned;
	NDIS_STATUS assign_st;
	uint8_t cfg[64];
	ULONG cfg_got;
} r;

static void init_query(NDIS_HANDLE h)
{
	r.small_size = 8;
	NdisMQueryAdapterResources(&r.small_st, h, &r.u.l, &r.small_size);
	r.size = sizeof(r.u);
	NdisMQueryAdapterResources(&r.st, h, &r.u.l, &r.size);
	r.assign_st = NdisMPciAssignResources(h, 0, &r.assigned);
	r.cfg_got = NdisReadPciSlotInformation(h, 0, 0, r.cfg, 64);
}

static int setup(void **state)
{
	tl_setup(state);
	ndisdma_verifier_reset_counts();
	hm_reset();
	memset(&r, 0, sizeof(r));
	tl.dma = TL_DMA_NONE;
	tl.init = init_query;
	return 0;
}

static uint32_t cfg32(unsigned off)
{
	return r.cfg[off] | (uint32_t)r.cfg[off + 1] << 8 |
	       (uint32_t)r.cfg[off + 2] << 16 | (uint32_t)r.cfg[off + 3] << 24;
}

static void resources_list_bars_and_interrupt(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	size_t need = 8 + 3 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR);
	assert_int_equal(r.small_st, NDIS_STATUS_RESOURCES);
	assert_int_equal(r.small_size, need);
	assert_int_equal(r.st, NDIS_STATUS_SUCCESS);
	assert_int_equal(r.size, need);
	assert_int_equal(r.cfg_got, 64);
	NDIS_RESOURCE_LIST *l = &r.u.l;
	assert_int_equal(l->Version, 1);
	assert_int_equal(l->Count, 3);
	CM_PARTIAL_RESOURCE_DESCRIPTOR *d = l->PartialDescriptors;
	/* BAR 0: memory, where config space says */
	assert_int_equal(d[0].Type, CmResourceTypeMemory);
	assert_int_equal(d[0].ShareDisposition, CmResourceShareDeviceExclusive);
	assert_int_equal(d[0].Flags, CM_RESOURCE_MEMORY_READ_WRITE);
	assert_int_equal(d[0].u.Memory.Start.QuadPart, cfg32(0x10) & ~15u);
	assert_int_equal(d[0].u.Memory.Length, HM_MEM_SIZE);
	/* BAR 2: ports */
	assert_int_equal(d[1].Type, CmResourceTypePort);
	assert_true(d[1].Flags & CM_RESOURCE_PORT_IO);
	assert_int_equal(d[1].u.Port.Start.QuadPart, cfg32(0x18) & ~3u);
	assert_int_equal(d[1].u.Port.Length, HM_IO_SIZE);
	/* the interrupt: Interrupt Line as level and vector */
	assert_int_equal(d[2].Type, CmResourceTypeInterrupt);
	assert_int_equal(d[2].ShareDisposition, CmResourceShareShared);
	assert_int_equal(d[2].Flags, CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE);
	assert_int_equal(d[2].u.Interrupt.Level, r.cfg[0x3c]);
	assert_int_equal(d[2].u.Interrupt.Vector, r.cfg[0x3c]);
	assert_int_equal(d[2].u.Interrupt.Affinity, 1);
	/* NdisMPciAssignResources: the same list, NDIS's memory */
	assert_int_equal(r.assign_st, NDIS_STATUS_SUCCESS);
	assert_non_null(r.assigned);
	assert_memory_equal(r.assigned, l, need);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	assert_int_equal(tl_stop(), 0); /* the list is freed at halt */
}

static void without_model_no_resources(void **s)
{
	(void)s;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(r.st, NDIS_STATUS_SUCCESS);
	assert_int_equal(r.u.l.Count, 0);
	assert_int_equal(cfg32(0), 0xFFFFFFFFu);
	assert_int_equal(tl_stop(), 0);
}

static void no_interrupt_pin_no_interrupt(void **s)
{
	(void)s;
	hm.cfg.interrupt_pin = 0;
	hm.cfg.bar[2].size = 0;
	hm.cfg.bar[5].size = 64 * 1024; /* a second memory BAR */
	assert_int_equal(hm_start(), 0);
	assert_int_equal(r.u.l.Count, 2);
	CM_PARTIAL_RESOURCE_DESCRIPTOR *d = r.u.l.PartialDescriptors;
	assert_int_equal(d[1].Type, CmResourceTypeMemory);
	assert_int_equal(d[1].u.Memory.Length, 64 * 1024);
	assert_int_equal(tl_stop(), 0);
}

static void slot_information(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(cfg32(0), HM_VENDOR | (uint32_t)HM_DEVICE << 16);
	NDIS_HANDLE h = tl.handle;
	USHORT cmd = 0x0006;
	assert_int_equal(NdisWritePciSlotInformation(h, 0, 4, &cmd, 2), 2);
	USHORT back = 0;
	assert_int_equal(NdisReadPciSlotInformation(h, 7, 4, &back, 2), 2);
	assert_int_equal(back, 6);
	uint8_t big[8];
	assert_int_equal(NdisReadPciSlotInformation(h, 0, 252, big, 8), 0);
	assert_int_equal(NdisReadPciSlotInformation(h, 0, 0, NULL, 8), 0);
	assert_int_equal(
	    RULE_DELTA("handle.unknown",
		       assert_int_equal(
			   NdisReadPciSlotInformation(&r, 0, 0, big, 4), 0)),
	    1);
	assert_int_equal(
	    RULE_DELTA("handle.unknown",
		       assert_int_equal(
			   NdisWritePciSlotInformation(&r, 0, 0, big, 4), 0)),
	    1);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old); /* allowed up to DISPATCH */
	assert_int_equal(NdisReadPciSlotInformation(h, 0, 0, big, 4), 4);
	KeLowerIrql(old);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 0);
	assert_int_equal(tl_stop(), 0);
}

static void query_in_halt(NDIS_HANDLE h)
{
	UINT size = sizeof(r.u);
	NdisMQueryAdapterResources(&r.st, h, &r.u.l, &size);
}

static void query_outside_initialize_is_reported_and_works(void **s)
{
	(void)s;
	tl.init = NULL;
	tl.halt = query_in_halt;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(
	    RULE_DELTA("config.context", assert_int_equal(tl_stop(), 0)), 1);
	assert_int_equal(r.st, NDIS_STATUS_SUCCESS);
	assert_int_equal(r.u.l.Count, 3);
}

static void bad_arguments(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	NDIS_STATUS st = 0;
	UINT size = 100;
	assert_int_equal(
	    RULE_DELTA("handle.unknown",
		       NdisMQueryAdapterResources(&st, &size, &r.u.l, &size)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	PNDIS_RESOURCE_LIST l = (PNDIS_RESOURCE_LIST)1;
	assert_int_equal(NdisMPciAssignResources(&size, 0, &l),
			 NDIS_STATUS_FAILURE);
	assert_null(l);
	assert_int_equal(NdisMPciAssignResources(tl.handle, 0, NULL),
			 NDIS_STATUS_FAILURE);
	/* a NULL list with a size: only the size */
	size = 0;
	NdisMQueryAdapterResources(&st, tl.handle, NULL, &size);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_int_equal(size, 8 + 3 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR));
	assert_int_equal(tl_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(resources_list_bars_and_interrupt, setup),
	    cmocka_unit_test_setup(without_model_no_resources, setup),
	    cmocka_unit_test_setup(no_interrupt_pin_no_interrupt, setup),
	    cmocka_unit_test_setup(slot_information, setup),
	    cmocka_unit_test_setup(
		query_outside_initialize_is_reported_and_works, setup),
	    cmocka_unit_test_setup(bad_arguments, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
