/* SPDX-License-Identifier: MIT */
/*
 * test_io.c - port and register I/O on the simulated device: mapped I/O
 * space whose every NdisRead/WriteRegister* reaches the device model,
 * registered port ranges whose NdisRawReadPort* / NdisRawWritePort* (and
 * Buffer forms, with an integer or a pointer port) reach it through an
 * IOADDR/IODATA window, and each io.* rule made to fire: accesses outside
 * a mapping or range, maps outside the BARs, unknown unmaps and
 * deregistrations, calls outside MiniportInitialize, IRQL, and what halt
 * reclaims.
 */
#include "../testlib.h"
#include "hw_model.h"

#include <pthread.h>

/* What the miniport found in its resources. */
static struct {
	uint64_t mem, port;
	ULONG mem_len, port_len;
	PVOID regs;  /* NdisMMapIoSpace of the whole memory BAR */
	PVOID ports; /* PortOffset */
	NDIS_STATUS map_st, port_st;
	int keep; /* do not unmap / deregister at halt */
	void (*in_halt)(NDIS_HANDLE h);
} io;

static void find_resources(NDIS_HANDLE h)
{
	union {
		NDIS_RESOURCE_LIST l;
		char raw[512];
	} u;
	UINT size = sizeof(u);
	NDIS_STATUS st;
	NdisMQueryAdapterResources(&st, h, &u.l, &size);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	/* through a pointer: PartialDescriptors is declared [1] */
	CM_PARTIAL_RESOURCE_DESCRIPTOR *all = u.l.PartialDescriptors;
	for (ULONG i = 0; i < u.l.Count; i++) {
		CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &all[i];
		if (d->Type == CmResourceTypeMemory) {
			io.mem = (uint64_t)d->u.Memory.Start.QuadPart;
			io.mem_len = d->u.Memory.Length;
		} else if (d->Type == CmResourceTypePort) {
			io.port = (uint64_t)d->u.Port.Start.QuadPart;
			io.port_len = d->u.Port.Length;
		}
	}
}

static void init_map_all(NDIS_HANDLE h)
{
	find_resources(h);
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)io.mem;
	io.map_st = NdisMMapIoSpace(&io.regs, h, pa, io.mem_len);
	io.port_st =
	    NdisMRegisterIoPortRange(&io.ports, h, (UINT)io.port, io.port_len);
}

static void halt_unmap_all(NDIS_HANDLE h)
{
	if (io.in_halt)
		io.in_halt(h);
	if (io.keep)
		return;
	if (io.map_st == NDIS_STATUS_SUCCESS)
		NdisMUnmapIoSpace(h, io.regs, io.mem_len);
	if (io.port_st == NDIS_STATUS_SUCCESS)
		NdisMDeregisterIoPortRange(h, (UINT)io.port, io.port_len,
					   io.ports);
}

static int setup(void **state)
{
	tl_setup(state);
	ndisdma_verifier_reset_counts();
	hm_reset();
	memset(&io, 0, sizeof(io));
	tl.dma = TL_DMA_NONE;
	tl.init = init_map_all;
	tl.halt = halt_unmap_all;
	return 0;
}

static void registers_reach_the_model(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(io.map_st, NDIS_STATUS_SUCCESS);
	assert_int_equal(io.mem_len, HM_MEM_SIZE);
	/* a simulated register address: only the macros take it */
	assert_true((ULONG_PTR)io.regs - NDISDMA_SIMIO_BASE <
		    NDISDMA_SIMIO_SPAN);
	PUCHAR r = io.regs;
	NdisWriteRegisterUlong((PULONG)(r + 0x10), 0xCAFEF00Du);
	assert_int_equal(hm.writes, 1);
	assert_int_equal(hm.last_bar, 0);
	assert_int_equal(hm.last_off, 0x10);
	assert_int_equal(hm.last_width, 4);
	assert_int_equal(hm.last_value, 0xCAFEF00Du);
	ULONG v = 0;
	NdisReadRegisterUlong((PULONG)(r + 0x10), &v);
	assert_int_equal(v, 0xCAFEF00Du);
	USHORT w = 0;
	NdisReadRegisterUshort((PUSHORT)(r + 0x12), &w);
	assert_int_equal(w, 0xCAFE);
	assert_int_equal(hm.last_width, 2);
	UCHAR c = 0;
	NdisReadRegisterUchar(r + 0x11, &c);
	assert_int_equal(c, 0xF0);
	NdisWriteRegisterUshort((PUSHORT)(r + 0x20), 0x1234);
	NdisWriteRegisterUchar(r + 0x22, 0x56);
	/* Register given as an integer, as drivers sometimes keep it */
	ULONG_PTR base = (ULONG_PTR)io.regs;
	NdisReadRegisterUlong(base + 0x20, &v);
	assert_int_equal(v, 0x00561234);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	assert_int_equal(tl_stop(), 0);
}

/* On vfio/uio the same macros are plain loads and stores. */
static void macros_are_plain_memory_outside_the_sim_range(void **s)
{
	(void)s;
	ULONG reg[4] = {0, 0x11223344, 0, 0};
	ULONG v;
	NdisReadRegisterUlong(&reg[1], &v);
	assert_int_equal(v, 0x11223344);
	NdisWriteRegisterUshort((PUSHORT)&reg[2], 0xBEEF);
	assert_int_equal(reg[2], 0xBEEF);
	NdisWriteRegisterUchar((PUCHAR)&reg[3], 0x7F);
	assert_int_equal(reg[3], 0x7F);
}

static void ports_reach_the_model(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(io.port_st, NDIS_STATUS_SUCCESS);
	assert_int_equal(io.port_len, HM_IO_SIZE);
	/* PortOffset is the port itself, as on x86 */
	assert_ptr_equal(io.ports, (PVOID)(ULONG_PTR)io.port);
	ULONG port = (ULONG)io.port;	   /* as read from the BAR */
	NdisRawWritePortUlong(port, 0x40); /* IOADDR */
	NdisRawWritePortUlong((PUCHAR)io.ports + 4, 0xA1B2C3D4u); /* IODATA */
	assert_int_equal(hm.last_bar, 2);
	assert_int_equal(hm.last_off, 4);
	ULONG v = 0;
	NdisRawReadPortUlong(port + 4, &v);
	assert_int_equal(v, 0xA1B2C3D4u);
	NdisRawReadPortUlong((PUCHAR)io.ports, &v);
	assert_int_equal(v, 0x40);
	USHORT w;
	NdisRawReadPortUshort(port + 4, &w);
	assert_int_equal(w, 0xC3D4);
	UCHAR c;
	NdisRawReadPortUchar(port + 4, &c);
	assert_int_equal(c, 0xD4);
	NdisRawWritePortUchar(port + 4, 0x99);
	NdisRawReadPortUlong(port + 4, &v);
	assert_int_equal(v, 0xA1B2C399u);
	NdisRawWritePortUshort(port + 4, 0x7766);
	NdisRawReadPortUlong(port + 4, &v);
	assert_int_equal(v, 0xA1B27766u);

	/* Buffer forms: repeated accesses at one port */
	ULONG out[3] = {1, 2, 3}, in[3] = {0};
	NdisRawWritePortUlong(port, 0x80);
	NdisRawWritePortBufferUlong(port + 4, out, 3);
	assert_int_equal(hm_get(0x80, 4), 3); /* the last one stays */
	NdisRawReadPortBufferUlong(port + 4, in, 3);
	assert_int_equal(in[0], 3);
	assert_int_equal(in[2], 3);
	USHORT ws[2];
	NdisRawReadPortBufferUshort((PVOID)io.ports + 4, ws, 2);
	assert_int_equal(ws[1], 3);
	UCHAR cs[2] = {5, 6};
	NdisRawWritePortBufferUchar(port + 4, cs, 2);
	assert_int_equal(hm_get(0x80, 4), 6);
	NdisRawReadPortBufferUchar(port + 4, cs, 2);
	assert_int_equal(cs[0], 6);
	NdisRawWritePortBufferUshort(port + 4, ws, 1);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	assert_int_equal(tl_stop(), 0);
}

static void init_small_range(NDIS_HANDLE h)
{
	find_resources(h);
	io.port_len = 8;
	io.port_st =
	    NdisMRegisterIoPortRange(&io.ports, h, (UINT)io.port, io.port_len);
	io.map_st = NDIS_STATUS_FAILURE;
}

static void port_outside_ranges_is_reported_and_still_reaches(void **s)
{
	(void)s;
	tl.init = init_small_range;
	assert_int_equal(hm_start(), 0);
	ULONG port = (ULONG)io.port;
	unsigned before = hm.reads;
	ULONG v;
	assert_int_equal(
	    RULE_DELTA("io.port-range", NdisRawReadPortUlong(port + 16, &v)),
	    1);
	assert_int_equal(hm.reads, before + 1); /* the device answered */
	/* an access straddling the range's end */
	assert_int_equal(
	    RULE_DELTA("io.port-range", NdisRawWritePortUlong(port + 6, 1)), 1);
	/* a port nobody decodes: all ones */
	UCHAR c = 0;
	assert_int_equal(
	    RULE_DELTA("io.port-range", NdisRawReadPortUchar(0xFFF0, &c)), 1);
	assert_int_equal(c, 0xFF);
	assert_int_equal(
	    RULE_DELTA("io.port-range", NdisRawReadPortUlong(port + 4, &v)), 0);
	assert_int_equal(tl_stop(), 0);
}

static void init_foreign_range(NDIS_HANDLE h)
{
	io.port = 0xFF00;
	io.port_len = 16;
	io.port_st = NdisMRegisterIoPortRange(&io.ports, h, 0xFF00, 16);
	io.map_st = NDIS_STATUS_FAILURE;
}

static void range_no_bar_decodes_is_reported_and_granted(void **s)
{
	(void)s;
	tl.init = init_foreign_range;
	unsigned long before = ndisdma_verifier_count("io.port-register");
	assert_int_equal(hm_start(), 0);
	assert_int_equal(ndisdma_verifier_count("io.port-register"),
			 before + 1);
	assert_int_equal(io.port_st, NDIS_STATUS_SUCCESS);
	USHORT w = 0;
	NdisRawReadPortUshort(0xFF02, &w); /* registered, nobody there */
	assert_int_equal(w, 0xFFFF);
	assert_int_equal(tl_stop(), 0);
}

static void deregister_unknown(NDIS_HANDLE h)
{
	NdisMDeregisterIoPortRange(h, (UINT)io.port, io.port_len + 1, io.ports);
}

static void deregistering_an_unknown_range_is_reported(void **s)
{
	(void)s;
	io.in_halt = deregister_unknown;
	unsigned long before = ndisdma_verifier_count("io.deregister-unknown");
	assert_int_equal(hm_start(), 0);
	assert_int_equal(tl_stop(), 0);
	assert_int_equal(ndisdma_verifier_count("io.deregister-unknown"),
			 before + 1);
}

static void init_partial_map(NDIS_HANDLE h)
{
	find_resources(h);
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)(io.mem + 0x100);
	io.mem_len = 0x100;
	io.map_st = NdisMMapIoSpace(&io.regs, h, pa, io.mem_len);
	io.port_st = NDIS_STATUS_FAILURE;
}

static void register_access_outside_its_mapping(void **s)
{
	(void)s;
	tl.init = init_partial_map;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(io.map_st, NDIS_STATUS_SUCCESS);
	PUCHAR r = io.regs;
	ULONG v = 0;
	NdisWriteRegisterUlong((PULONG)r, 0x5a5a5a5a);
	assert_int_equal(hm.last_off, 0x100); /* the mapping's offset */
	assert_int_equal(hm_get(0x100, 4), 0x5a5a5a5a);
	unsigned writes = hm.writes;
	assert_int_equal(
	    RULE_DELTA("io.mmio-range",
		       NdisReadRegisterUlong((PULONG)(r + 0xfe), &v)),
	    1);
	assert_int_equal(v, 0xFFFFFFFFu);
	assert_int_equal(
	    RULE_DELTA("io.mmio-range", NdisWriteRegisterUchar(r + 0x100, 1)),
	    1);
	assert_int_equal(hm.writes, writes); /* dropped */
	/* an address of no mapping in the simulated range */
	assert_int_equal(
	    RULE_DELTA("io.mmio-range",
		       NdisReadRegisterUlong((PULONG)(NDISDMA_SIMIO_BASE +
						      ((ULONG_PTR)4000 << 32)),
					     &v)),
	    1);
	assert_int_equal(tl_stop(), 0);
	/* after the unmap at halt, the old address finds nothing */
	assert_int_equal(
	    RULE_DELTA("io.mmio-range", NdisReadRegisterUlong((PULONG)r, &v)),
	    1);
	assert_int_equal(v, 0xFFFFFFFFu);
}

static NDIS_STATUS outside_st[3];
static void init_map_outside(NDIS_HANDLE h)
{
	find_resources(h);
	PVOID va = (PVOID)1;
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)(io.mem + io.mem_len); /* just past */
	outside_st[0] = NdisMMapIoSpace(&va, h, pa, 4);
	assert_null(va);
	pa.QuadPart = (LONGLONG)io.mem;
	outside_st[1] = NdisMMapIoSpace(&va, h, pa, io.mem_len + 4);
	pa.QuadPart = (LONGLONG)io.port; /* an I/O BAR is not memory */
	outside_st[2] = NdisMMapIoSpace(&va, h, pa, 4);
	io.map_st = io.port_st = NDIS_STATUS_FAILURE;
}

static void map_outside_every_memory_bar(void **s)
{
	(void)s;
	tl.init = init_map_outside;
	unsigned long before = ndisdma_verifier_count("io.map-outside");
	assert_int_equal(hm_start(), 0);
	assert_int_equal(ndisdma_verifier_count("io.map-outside"), before + 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(outside_st[i], NDIS_STATUS_RESOURCE_CONFLICT);
	assert_int_equal(tl_stop(), 0);
}

static void unmap_wrong(NDIS_HANDLE h)
{
	NdisMUnmapIoSpace(h, io.regs, io.mem_len - 4);	       /* length */
	NdisMUnmapIoSpace(h, (PUCHAR)io.regs + 4, io.mem_len); /* address */
	NdisMUnmapIoSpace(h, io.regs, io.mem_len);
	NdisMUnmapIoSpace(h, io.regs, io.mem_len); /* twice */
	io.map_st = NDIS_STATUS_FAILURE;
}

static void unmapping_what_is_not_mapped_is_reported(void **s)
{
	(void)s;
	io.in_halt = unmap_wrong;
	unsigned long before = ndisdma_verifier_count("io.unmap-unknown");
	assert_int_equal(hm_start(), 0);
	assert_int_equal(tl_stop(), 0);
	assert_int_equal(ndisdma_verifier_count("io.unmap-unknown"),
			 before + 3);
}

static void halt_reclaims_forgotten_ranges_and_mappings(void **s)
{
	(void)s;
	io.keep = 1;
	unsigned long before = ndisdma_verifier_count("halt.leak-object");
	assert_int_equal(hm_start(), 0);
	PVOID regs = io.regs;
	assert_int_equal(tl_stop(), 2);
	assert_int_equal(ndisdma_verifier_count("halt.leak-object"),
			 before + 2);
	/* both are gone: the mapping and the range no longer answer */
	ULONG v;
	assert_int_equal(RULE_DELTA("io.mmio-range",
				    NdisReadRegisterUlong((PULONG)regs, &v)),
			 1);
	assert_int_equal(
	    RULE_DELTA("io.port-range", NdisRawReadPortUlong(io.port, &v)), 1);
	assert_int_equal(v, 0xFFFFFFFFu); /* the device is gone too */
}

static void map_in_halt(NDIS_HANDLE h)
{
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)io.mem;
	assert_int_equal(NdisMMapIoSpace(&va, h, pa, 16), NDIS_STATUS_SUCCESS);
	NdisMUnmapIoSpace(h, va, 16);
	PVOID off;
	assert_int_equal(NdisMRegisterIoPortRange(&off, h, (UINT)io.port, 4),
			 NDIS_STATUS_SUCCESS);
	NdisMDeregisterIoPortRange(h, (UINT)io.port, 4, off);
}

static void io_setup_outside_initialize_is_reported_and_works(void **s)
{
	(void)s;
	io.in_halt = map_in_halt;
	unsigned long before = ndisdma_verifier_count("io.context");
	assert_int_equal(hm_start(), 0);
	assert_int_equal(ndisdma_verifier_count("io.context"), before);
	assert_int_equal(tl_stop(), 0);
	assert_int_equal(ndisdma_verifier_count("io.context"), before + 2);
}

static void init_at_dispatch(NDIS_HANDLE h)
{
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	init_map_all(h);
	KeLowerIrql(old);
}

static void io_setup_above_passive_is_reported(void **s)
{
	(void)s;
	tl.init = init_at_dispatch;
	unsigned long before = ndisdma_verifier_count("irql.too-high");
	assert_int_equal(hm_start(), 0);
	/* NdisMQueryAdapterResources, NdisMMapIoSpace,
	 * NdisMRegisterIoPortRange */
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), before + 3);
	assert_int_equal(io.map_st, NDIS_STATUS_SUCCESS); /* as Windows */
	assert_int_equal(tl_stop(), 0);
}

static void bad_arguments(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	PVOID va = (PVOID)1;
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)io.mem;
	assert_int_equal(
	    RULE_DELTA("handle.unknown",
		       assert_int_equal(NdisMMapIoSpace(&va, &va, pa, 4),
					NDIS_STATUS_FAILURE)),
	    1);
	assert_null(va);
	assert_int_equal(NdisMMapIoSpace(&va, tl.handle, pa, 0),
			 NDIS_STATUS_FAILURE);
	assert_int_equal(NdisMMapIoSpace(NULL, tl.handle, pa, 4),
			 NDIS_STATUS_FAILURE);
	PVOID off;
	assert_int_equal(NdisMRegisterIoPortRange(&off, tl.handle, 0x1000, 0),
			 NDIS_STATUS_FAILURE);
	assert_int_equal(NdisMRegisterIoPortRange(NULL, tl.handle, 0x1000, 4),
			 NDIS_STATUS_FAILURE);
	assert_int_equal(
	    RULE_DELTA("handle.unknown", NdisMUnmapIoSpace(&va, io.regs, 4)),
	    1);
	assert_int_equal(tl_stop(), 0);
}

/* Several threads on registers and ports at once (TSan), while another
 * maps and unmaps a second window. */
static void *hammer(void *arg)
{
	(void)arg;
	ULONG v;
	for (int i = 0; i < 2000; i++) {
		NdisWriteRegisterUlong((PUCHAR)io.regs + 4 * (i % 64), i);
		NdisReadRegisterUlong((PUCHAR)io.regs + 4 * (i % 64), &v);
		NdisRawReadPortUlong(io.port, &v);
	}
	return NULL;
}

static void concurrent_access(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = (LONGLONG)io.mem;
	for (int i = 0; i < 200; i++) {
		PVOID va;
		assert_int_equal(NdisMMapIoSpace(&va, tl.handle, pa, 64),
				 NDIS_STATUS_SUCCESS);
		NdisMUnmapIoSpace(tl.handle, va, 64);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(hm.writes, 3 * 2000);
	/* mapped from the host's thread, outside MiniportInitialize */
	assert_int_equal(ndisdma_verifier_count("io.context"), 200);
	assert_int_equal(ndisdma_verifier_count("io.mmio-range"), 0);
	assert_int_equal(tl_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(concurrent_access, setup),
	    cmocka_unit_test_setup(registers_reach_the_model, setup),
	    cmocka_unit_test_setup(
		macros_are_plain_memory_outside_the_sim_range, setup),
	    cmocka_unit_test_setup(ports_reach_the_model, setup),
	    cmocka_unit_test_setup(
		port_outside_ranges_is_reported_and_still_reaches, setup),
	    cmocka_unit_test_setup(range_no_bar_decodes_is_reported_and_granted,
				   setup),
	    cmocka_unit_test_setup(deregistering_an_unknown_range_is_reported,
				   setup),
	    cmocka_unit_test_setup(register_access_outside_its_mapping, setup),
	    cmocka_unit_test_setup(map_outside_every_memory_bar, setup),
	    cmocka_unit_test_setup(unmapping_what_is_not_mapped_is_reported,
				   setup),
	    cmocka_unit_test_setup(halt_reclaims_forgotten_ranges_and_mappings,
				   setup),
	    cmocka_unit_test_setup(
		io_setup_outside_initialize_is_reported_and_works, setup),
	    cmocka_unit_test_setup(io_setup_above_passive_is_reported, setup),
	    cmocka_unit_test_setup(bad_arguments, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
