/* SPDX-License-Identifier: MIT */
/* DriverEntry, NDIS 5 / NDIS 6 registration, attributes, DMA
 * registration: every documented failure. */
#include "testlib.h"

static NDIS_STATUS reg_status;
static NDIS_MINIPORT_CHARACTERISTICS c5;
static UINT c5_len;

static NDIS_STATUS dummy_init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
			      UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)sel, (void)m, (void)n, (void)h, (void)cfg;
	return NDIS_STATUS_SUCCESS;
}
static VOID dummy_halt(NDIS_HANDLE c)
{
	(void)c;
}

static NTSTATUS entry5(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	reg_status = NdisMRegisterMiniport(w, &c5, c5_len);
	return reg_status == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS
						 : STATUS_UNSUCCESSFUL;
}

static NDIS_STATUS try5(void)
{
	ndisdma_driver *d = NULL;
	int rc = ndisdma_driver_load(entry5, "r5", &d);
	if (!rc)
		ndisdma_driver_unload(d);
	else
		assert_null(d);
	return reg_status;
}

static void test_ndis5_characteristics(void **s)
{
	(void)s;
	memset(&c5, 0, sizeof(c5));
	c5.MajorNdisVersion = 5;
	c5.MinorNdisVersion = 1;
	c5.InitializeHandler = dummy_init;
	c5.HaltHandler = dummy_halt;
	c5_len = sizeof(c5);
	assert_int_equal(try5(), NDIS_STATUS_SUCCESS);
	c5_len = sizeof(c5) - 1; /* too short for 5.1 */
	assert_int_equal(try5(), NDIS_STATUS_BAD_VERSION);
	c5.MinorNdisVersion = 0; /* a 5.0 length is enough for 5.0 */
	c5_len =
	    offsetof(NDIS_MINIPORT_CHARACTERISTICS, CancelSendPacketsHandler);
	assert_int_equal(try5(), NDIS_STATUS_SUCCESS);
	c5.MajorNdisVersion = 4;
	c5_len = offsetof(NDIS_MINIPORT_CHARACTERISTICS, CoCreateVcHandler);
	assert_int_equal(try5(), NDIS_STATUS_SUCCESS);
	c5.MajorNdisVersion = 7;
	c5_len = sizeof(c5);
	assert_int_equal(try5(), NDIS_STATUS_BAD_VERSION);
	c5.MajorNdisVersion = 5;
	c5.HaltHandler = NULL;
	assert_int_equal(try5(), NDIS_STATUS_BAD_CHARACTERISTICS);
	c5.HaltHandler = dummy_halt;
	c5.InitializeHandler = NULL;
	assert_int_equal(try5(), NDIS_STATUS_BAD_CHARACTERISTICS);
}

static NDIS_MINIPORT_DRIVER_CHARACTERISTICS c6;
static NDIS_STATUS init6(NDIS_HANDLE h, NDIS_HANDLE d,
			 PNDIS_MINIPORT_INIT_PARAMETERS p)
{
	(void)h, (void)d, (void)p;
	return NDIS_STATUS_SUCCESS;
}
static VOID halt6(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
	(void)c, (void)a;
}
static int unloaded;
static VOID unload6(PDRIVER_OBJECT o)
{
	(void)o;
	unloaded++;
}

static NTSTATUS entry6(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE h;
	reg_status = NdisMRegisterMiniportDriver(obj, path, NULL, &c6, &h);
	return reg_status == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS
						 : STATUS_UNSUCCESSFUL;
}

static NDIS_STATUS try6(void)
{
	ndisdma_driver *d;
	if (!ndisdma_driver_load(entry6, "r6", &d))
		ndisdma_driver_unload(d);
	return reg_status;
}

static void test_ndis6_characteristics(void **s)
{
	(void)s;
	memset(&c6, 0, sizeof(c6));
	c6.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	c6.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	c6.MajorNdisVersion = 6;
	c6.InitializeHandlerEx = init6;
	c6.HaltHandlerEx = halt6;
	c6.UnloadHandler = unload6;
	unloaded = 0;
	assert_int_equal(try6(), NDIS_STATUS_SUCCESS);
	assert_int_equal(unloaded, 1);
	/* NDIS 6.0/6.1: ndis.sys checks only Size; a wrong Type or Revision
	 * is reported and registers (strict: refused) */
	c6.Header.Type = 0x80;
	assert_int_equal(
	    RULE_DELTA("miniport.characteristics",
		       assert_int_equal(try6(), NDIS_STATUS_SUCCESS)),
	    1);
	TL_STRICT("miniport.characteristics");
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS);
	c6.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c6.Header.Revision = 9;
	assert_int_equal(try6(), NDIS_STATUS_BAD_VERSION);
	TL_DEFAULT("miniport.characteristics");
	assert_int_equal(
	    RULE_DELTA("miniport.characteristics",
		       assert_int_equal(try6(), NDIS_STATUS_SUCCESS)),
	    1);
	c6.Header.Size = 135;
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS);
	/* NDIS 6.20: Type, Revision >= 2, Size >= 152 */
	c6.MinorNdisVersion = 20;
	c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c6.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS); /* size */
	c6.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	assert_int_equal(try6(), NDIS_STATUS_SUCCESS);
	c6.Header.Type = 0x80;
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS);
	c6.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	assert_int_equal(try6(), NDIS_STATUS_BAD_VERSION);
	/* NDIS 6.80: revision 3, 160 bytes on x64 */
	c6.MinorNdisVersion = 80;
	c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS);
	c6.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3;
	assert_int_equal(try6(), NDIS_STATUS_BAD_VERSION);
	c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3;
	assert_int_equal(try6(), NDIS_STATUS_SUCCESS);
	assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1,
			 sizeof(void *) == 8 ? 136 : 72);
	assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3,
			 sizeof(void *) == 8 ? 160 : 84);
	c6.MajorNdisVersion = 5;
	assert_int_equal(try6(), NDIS_STATUS_BAD_VERSION);
	c6.MajorNdisVersion = 6;
	c6.HaltHandlerEx = NULL;
	assert_int_equal(try6(), NDIS_STATUS_BAD_CHARACTERISTICS);
}

static NTSTATUS entry_fails(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	(void)o, (void)p;
	PVOID m;
	NdisAllocateMemoryWithTag(&m, 32, 'lief'); /* and leaks it */
	return STATUS_INSUFFICIENT_RESOURCES;
}
static NTSTATUS entry_registers_nothing(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	(void)o, (void)p;
	return STATUS_SUCCESS;
}

static void test_driver_entry_failures(void **s)
{
	(void)s;
	ndisdma_driver *d = (ndisdma_driver *)1;
	unsigned long leaks = ndisdma_verifier_count("unload.leak-memory");
	assert_int_equal(ndisdma_driver_load(entry_fails, "f", &d), -EIO);
	assert_null(d);
	assert_int_equal(ndisdma_last_entry_status(),
			 STATUS_INSUFFICIENT_RESOURCES);
	assert_int_equal(ndisdma_verifier_count("unload.leak-memory") - leaks,
			 1);
	assert_int_equal(ndisdma_driver_load(entry_registers_nothing, "n", &d),
			 -ENOENT);
	assert_int_equal(ndisdma_driver_load(NULL, "n", &d), -EINVAL);
	/* registration outside DriverEntry */
	NDIS_HANDLE w = (NDIS_HANDLE)1;
	assert_int_equal(
	    RULE_DELTA("miniport.wrapper",
		       NdisMInitializeWrapper(&w, NULL, NULL, NULL)),
	    1);
	assert_null(w);
	assert_int_equal(RULE_DELTA("miniport.register",
				    NdisMRegisterMiniport(w, &c5, sizeof(c5))),
			 1);
	/* starting on an unknown driver */
	ndisdma_adapter *a;
	int x;
	assert_int_equal(ndisdma_adapter_start((ndisdma_driver *)&x, "sim", &a),
			 -EINVAL);
	assert_int_equal(ndisdma_adapter_halt((ndisdma_adapter *)&x), -EINVAL);
}

/* attributes: missing, outside initialize, bad NDIS 6 header */
static void test_attributes(void **s)
{
	(void)s;
	tl.no_attrs = 1;
	tl.dma = TL_DMA_NONE;
	assert_int_equal(RULE_DELTA("miniport.no-attributes",
				    assert_int_equal(tl_start("sim"), 0)),
			 1);
	assert_null(ndisdma_adapter_context(tl.ad));
	/* outside MiniportInitialize: reported, applied as ndis.sys does */
	assert_int_equal(RULE_DELTA("miniport.attributes",
				    NdisMSetAttributesEx(tl.handle, &tl, 0, 0,
							 NdisInterfacePci)),
			 1);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &tl);
	TL_STRICT("miniport.attributes");
	assert_int_equal(RULE_DELTA("miniport.attributes",
				    NdisMSetAttributesEx(tl.handle, NULL, 0, 0,
							 NdisInterfacePci)),
			 1);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &tl);
	TL_DEFAULT("miniport.attributes");
	assert_int_equal(tl_stop(), 0);

	tl_reset();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	assert_int_equal(tl_start("sim"), 0);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &tl);
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES r;
	memset(&r, 0, sizeof(r));
	r.Header.Type =
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	r.Header.Revision = 1;
	r.Header.Size = sizeof(r);
	/* outside InitializeEx, revision 2 (NDIS 6.30), a revision 7 of a
	 * short size: reported where misuse, applied */
	r.MiniportAdapterContext = &c6;
	assert_int_equal(
	    RULE_DELTA(
		"miniport.attributes",
		assert_int_equal(
		    NdisMSetMiniportAttributes(
			tl.handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r),
		    NDIS_STATUS_SUCCESS)),
	    1);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &c6);
	r.Header.Revision = 7;
	r.Header.Size = 8;
	assert_int_equal(
	    RULE_DELTA("miniport.attributes",
		       NdisMSetMiniportAttributes(
			   tl.handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r)),
	    2);
	TL_STRICT("miniport.attributes");
	assert_int_equal(NdisMSetMiniportAttributes(
			     tl.handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r),
			 NDIS_STATUS_FAILURE); /* outside InitializeEx */
	TL_DEFAULT("miniport.attributes");
	r.MiniportAdapterContext = &tl;
	r.Header.Revision = 2;
	r.Header.Size = sizeof(r);
	assert_int_equal(
	    RULE_DELTA("miniport.attributes",
		       NdisMSetMiniportAttributes(
			   tl.handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r)),
	    1);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &tl);
	assert_int_equal(tl_stop(), 0);
}

static NDIS_STATUS sg_status[8];
static NDIS_HANDLE sg_handle;
static ULONG sg_size;
static void sg_registrations(NDIS_HANDLE h)
{
	NDIS_SG_DMA_DESCRIPTION d;
	memset(&d, 0, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.MaximumPhysicalMapping = 16384;
	d.ProcessSGListHandler = tl_sg_list;
	NDIS_SG_DMA_DESCRIPTION bad = d;
	bad.Header.Type = 0x80;
	sg_status[0] = NdisMRegisterScatterGatherDma(h, &bad, &sg_handle);
	bad = d;
	bad.Header.Revision = 0;
	sg_status[1] = NdisMRegisterScatterGatherDma(h, &bad, &sg_handle);
	bad = d;
	bad.Header.Size = 8;
	sg_status[2] = NdisMRegisterScatterGatherDma(h, &bad, &sg_handle);
	bad = d;
	bad.Header.Size = 0;
	sg_status[3] = NdisMRegisterScatterGatherDma(h, &bad, &sg_handle);
	sg_status[4] = NdisMRegisterScatterGatherDma(h, &d, &sg_handle);
	sg_size = d.ScatterGatherListSize;
	sg_status[5] = NdisMRegisterScatterGatherDma(h, &d, &sg_handle);
	/* and a block below 4 GiB: the 64-bit flag was not set */
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 100, TRUE, &v, &p);
	assert_non_null(v);
	assert_true(p.QuadPart + 100 <= 0x100000000ll);
	NdisMFreeSharedMemory(h, 100, TRUE, v, p);
}

static void test_sg_dma_registration(void **s)
{
	(void)s;
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	tl.init = sg_registrations;
	TL_STRICT("dma.register-twice"); /* ndis.sys lets a second through */
	unsigned long bad = ndisdma_verifier_count("dma.bad-params");
	unsigned long twice = ndisdma_verifier_count("dma.register-twice");
	assert_int_equal(tl_start("sim"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sg_status[i], NDIS_STATUS_INVALID_PARAMETER);
	assert_int_equal(sg_status[4], NDIS_STATUS_SUCCESS);
	assert_int_equal(sg_status[5], NDIS_STATUS_FAILURE);
	assert_int_equal(ndisdma_verifier_count("dma.bad-params") - bad, 4);
	assert_int_equal(ndisdma_verifier_count("dma.register-twice") - twice,
			 1);
	/* a list for 16 KiB: 5 elements (4 pages + 1 for an offset) */
	assert_int_equal(sg_size, sizeof(SCATTER_GATHER_LIST) +
				      5 * sizeof(SCATTER_GATHER_ELEMENT));
	/* the registration was not released by halt: reclaimed, counted */
	assert_int_equal(
	    RULE_DELTA("halt.leak-object", assert_int_equal(tl_stop(), 1)), 1);
	int x;
	assert_int_equal(
	    RULE_DELTA("sgdma.bad-handle", NdisMDeregisterScatterGatherDma(&x)),
	    1);
}

static NDIS_STATUS mr[6];
static void mapreg_params(NDIS_HANDLE h)
{
	mr[0] = NdisMAllocateMapRegisters(h, 0, (NDIS_DMA_SIZE)3, 4, 4096);
	mr[1] = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 0, 4096);
	mr[2] = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 65, 4096);
	mr[3] = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 64, 0);
	mr[4] = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 64, 4096);
	mr[5] = NdisMInitializeScatterGatherDma(h, TRUE, 4096);
	NdisMFreeMapRegisters(h);
}

/* NDIS 6: a NULL ProcessSGListHandler registers (a driver that only
 * needs shared memory); asking for a list then is refused */
static NDIS_STATUS nohandler_status;
static void sg_no_handler(NDIS_HANDLE h)
{
	NDIS_SG_DMA_DESCRIPTION d;
	memset(&d, 0, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = 2; /* NDIS 6.85: accepted */
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 + 8;
	d.MaximumPhysicalMapping = 4096;
	nohandler_status = NdisMRegisterScatterGatherDma(h, &d, &sg_handle);
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 100, TRUE, &v, &p);
	assert_non_null(v);
	NdisMFreeSharedMemory(h, 100, TRUE, v, p);
}

static void test_sg_dma_no_handler(void **s)
{
	(void)s;
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	tl.init = sg_no_handler;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(nohandler_status, NDIS_STATUS_SUCCESS);
	assert_int_equal(
	    RULE_DELTA("sg.no-handler",
		       assert_int_equal(NdisMAllocateNetBufferSGList(
					    sg_handle, NULL, NULL, 0, NULL, 0),
					NDIS_STATUS_FAILURE)),
	    1);
	NdisMDeregisterScatterGatherDma(sg_handle);
	assert_int_equal(tl_stop(), 0);
}

/* What ndis.sys lets through, in the default mode: map registers with
 * a count of 0 or 65 and an unknown DmaSize, a second allocation (it
 * replaces the first), scatter-gather with MaximumPhysicalMapping 0 and
 * twice, a second NdisMRegisterScatterGatherDma; on a non-busmaster
 * NdisMAllocateMapRegisters is SUCCESS and allocates nothing. */
static NDIS_STATUS win[8];
static NDIS_HANDLE win_sg[2];
static void dma_as_windows(NDIS_HANDLE h)
{
	win[0] = NdisMAllocateMapRegisters(h, 0, (NDIS_DMA_SIZE)3, 0, 4096);
	win[1] = NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 65, 4096);
	win[2] = NdisMInitializeScatterGatherDma(h, TRUE, 0);
	win[3] = NdisMInitializeScatterGatherDma(h, TRUE, 4096);
	NdisMFreeMapRegisters(h);
}

static void sg6_twice(NDIS_HANDLE h)
{
	NDIS_SG_DMA_DESCRIPTION d;
	memset(&d, 0, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.MaximumPhysicalMapping = 4096;
	d.ProcessSGListHandler = tl_sg_list;
	win[4] = NdisMRegisterScatterGatherDma(h, &d, &win_sg[0]);
	win[5] = NdisMRegisterScatterGatherDma(h, &d, &win_sg[1]);
}

static void test_dma_as_windows(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	tl.init = dma_as_windows;
	unsigned long ign = ndisdma_verifier_count("dma.params-ignored");
	unsigned long twice = ndisdma_verifier_count("dma.register-twice");
	assert_int_equal(tl_start("sim"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(win[i], NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("dma.params-ignored") - ign, 3);
	assert_int_equal(ndisdma_verifier_count("dma.register-twice") - twice,
			 2);
	/* outside initialize: registered too (reported) */
	assert_int_equal(
	    RULE_DELTA(
		"dma.register-context",
		assert_int_equal(NdisMAllocateMapRegisters(
				     tl.handle, 0, NDIS_DMA_64BITS, 4, 4096),
				 NDIS_STATUS_SUCCESS)),
	    1);
	ndisdma_verifier_set_mode("mapreg.free-context", NDISDMA_VERIFY_REPORT);
	assert_int_equal(tl_stop(), 1); /* the map registers left: reclaimed */

	tl_reset();
	tl.attrs = 0;
	tl.dma = TL_DMA_NONE;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    RULE_DELTA(
		"mapreg.not-busmaster",
		assert_int_equal(NdisMAllocateMapRegisters(
				     tl.handle, 0, NDIS_DMA_64BITS, 4, 4096),
				 NDIS_STATUS_SUCCESS)),
	    1);
	assert_int_equal(tl_stop(), 0); /* nothing was allocated */

	tl_reset();
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	tl.init = sg6_twice;
	twice = ndisdma_verifier_count("dma.register-twice");
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(win[4], NDIS_STATUS_SUCCESS);
	assert_int_equal(win[5], NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count("dma.register-twice") - twice,
			 1);
	/* the second replaced the first, whose handle is gone */
	assert_int_equal(RULE_DELTA("sgdma.bad-handle",
				    NdisMDeregisterScatterGatherDma(win_sg[0])),
			 1);
	NdisMDeregisterScatterGatherDma(win_sg[1]);
	assert_int_equal(tl_stop(), 0);
}

static void test_map_register_params(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE;
	tl.init = mapreg_params;
	/* strict: today's refusals (ndis.sys takes all but the last) */
	TL_STRICT("dma.*");
	assert_int_equal(
	    RULE_DELTA("dma.bad-params",
		       RULE_DELTA("dma.params-ignored",
				  assert_int_equal(tl_start("sim"), 0))),
	    1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(mr[i], NDIS_STATUS_INVALID_PARAMETER);
	assert_int_equal(mr[4], NDIS_STATUS_SUCCESS);
	assert_int_equal(mr[5],
			 NDIS_STATUS_SUCCESS); /* no such check in ndis.sys */
	/* outside Initialize/Halt, and with none allocated */
	assert_int_equal(
	    RULE_DELTA("mapreg.free-context", NdisMFreeMapRegisters(tl.handle)),
	    1);
	assert_int_equal(
	    RULE_DELTA("dma.register-context",
		       NdisMAllocateMapRegisters(tl.handle, 0, NDIS_DMA_32BITS,
						 1, 4096)),
	    1);
	assert_int_equal(tl_stop(), 0);
}

static void free_twice(NDIS_HANDLE h)
{
	NdisMFreeMapRegisters(h);
}

static void test_free_map_registers_none(void **s)
{
	(void)s;
	tl.halt = free_twice; /* then tl_halt5 frees again */
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    RULE_DELTA("mapreg.free-none", assert_int_equal(tl_stop(), 0)), 1);
}

static void alignment(NDIS_HANDLE h)
{
	ULONG a = NdisMGetDmaAlignment(h);
	assert_true(a >= 16 && (a & (a - 1)) == 0);
}

static void test_dma_alignment_and_cpus(void **s)
{
	(void)s;
	tl.init = alignment;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0);
	tl_reset();
	tl.dma = TL_DMA_NONE;
	tl.init = alignment;
	assert_int_equal(RULE_DELTA("shm.no-dma-registration",
				    assert_int_equal(tl_start("sim"), 0)),
			 1);
	assert_int_equal(tl_stop(), 0);
	assert_true(NdisSystemProcessorCount() >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ndis5_characteristics, tl_setup),
	    cmocka_unit_test_setup(test_ndis6_characteristics, tl_setup),
	    cmocka_unit_test_setup(test_driver_entry_failures, tl_setup),
	    cmocka_unit_test_setup(test_attributes, tl_setup),
	    cmocka_unit_test_setup(test_sg_dma_registration, tl_setup),
	    cmocka_unit_test_setup(test_map_register_params, tl_setup),
	    cmocka_unit_test_setup(test_dma_as_windows, tl_setup),
	    cmocka_unit_test_setup(test_sg_dma_no_handler, tl_setup),
	    cmocka_unit_test_setup(test_free_map_registers_none, tl_setup),
	    cmocka_unit_test_setup(test_dma_alignment_and_cpus, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
