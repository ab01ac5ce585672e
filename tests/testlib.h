/* SPDX-License-Identifier: MIT */
/*
 * testlib.h - a scriptable miniport for tests: the test sets what
 * MiniportInitialize and MiniportHalt do (tl.init / tl.halt run inside
 * them), which attributes and DMA registration the adapter makes, and
 * starts it on a bus URI. NDIS 5.1 and NDIS 6 flavours.
 */
#ifndef NDISDMA_TESTLIB_H
#define NDISDMA_TESTLIB_H

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

enum tl_dma {
	TL_DMA_NONE,
	TL_DMA_MAPREG24,
	TL_DMA_MAPREG32,
	TL_DMA_MAPREG64,
	TL_DMA_SG32, /* NDIS 5 scatter-gather, 32-bit */
	TL_DMA_SG64,
	TL_DMA_SG6_32, /* NDIS 6 NdisMRegisterScatterGatherDma */
	TL_DMA_SG6_64,
};

struct tl_state {
	/* set by the test */
	int ndis6;
	ULONG attrs;  /* NdisMSetAttributesEx flags; BUS_MASTER by
			 default (see tl_reset) */
	int no_attrs; /* skip the attributes call */
	enum tl_dma dma;
	NDIS_STATUS init_status;
	void (*init)(NDIS_HANDLE h);
	void (*halt)(NDIS_HANDLE h);
	W_ALLOCATE_COMPLETE_HANDLER complete5;
	MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER complete6;
	/* filled in */
	NDIS_HANDLE handle, dma_handle;
	PNDIS_MINIPORT_INIT_PARAMETERS
	params6; /* during MiniportInitializeEx */
	NDIS_STATUS dma_status;
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	int context_tag; /* the adapter context is &tl */
};

static struct tl_state tl;

static void tl_reset(void)
{
	memset(&tl, 0, sizeof(tl));
	tl.attrs = NDIS_ATTRIBUTE_BUS_MASTER;
	tl.dma = TL_DMA_MAPREG64;
}

static VOID tl_sg_list(PDEVICE_OBJECT d, PVOID r, PSCATTER_GATHER_LIST l,
		       PVOID c)
{
	(void)d, (void)r, (void)l, (void)c;
}

static void tl_register_dma(NDIS_HANDLE h)
{
	switch (tl.dma) {
	case TL_DMA_NONE:
		break;
	case TL_DMA_MAPREG24:
	case TL_DMA_MAPREG32:
	case TL_DMA_MAPREG64:
		tl.dma_status = NdisMAllocateMapRegisters(
		    h, 0, (NDIS_DMA_SIZE)(tl.dma - TL_DMA_MAPREG24), 4, 4096);
		break;
	case TL_DMA_SG32:
	case TL_DMA_SG64:
		tl.dma_status = NdisMInitializeScatterGatherDma(
		    h, tl.dma == TL_DMA_SG64, 65536);
		break;
	case TL_DMA_SG6_32:
	case TL_DMA_SG6_64: {
		NDIS_SG_DMA_DESCRIPTION d;
		memset(&d, 0, sizeof(d));
		d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
		d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
		d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
		d.Flags =
		    tl.dma == TL_DMA_SG6_64 ? NDIS_SG_DMA_64_BIT_ADDRESS : 0;
		d.MaximumPhysicalMapping = 65536;
		d.ProcessSGListHandler = tl_sg_list;
		d.SharedMemAllocateCompleteHandler = tl.complete6;
		tl.dma_status =
		    NdisMRegisterScatterGatherDma(h, &d, &tl.dma_handle);
		break;
	}
	}
}

static NDIS_STATUS tl_initialize5(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
				  UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	tl.handle = h;
	if (!tl.no_attrs)
		NdisMSetAttributesEx(h, &tl, 0, tl.attrs, NdisInterfacePci);
	tl_register_dma(h);
	if (tl.init)
		tl.init(h);
	return tl.init_status;
}

static void tl_unregister_dma(NDIS_HANDLE h)
{
	if (tl.dma_status != NDIS_STATUS_SUCCESS)
		return;
	if (tl.dma >= TL_DMA_MAPREG24 && tl.dma <= TL_DMA_MAPREG64)
		NdisMFreeMapRegisters(h);
	if (tl.dma_handle)
		NdisMDeregisterScatterGatherDma(tl.dma_handle);
	tl.dma_handle = NULL;
}

static VOID tl_halt5(NDIS_HANDLE ctx)
{
	if (!tl.no_attrs)
		assert_ptr_equal(ctx, &tl);
	if (tl.halt)
		tl.halt(tl.handle);
	tl_unregister_dma(tl.handle);
}

static NTSTATUS tl_entry5(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = tl_initialize5;
	c.HaltHandler = tl_halt5;
	c.AllocateCompleteHandler = tl.complete5;
	return NdisMRegisterMiniport(w, &c, sizeof(c)) == NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static NDIS_STATUS tl_initialize6(NDIS_HANDLE h, NDIS_HANDLE dctx,
				  PNDIS_MINIPORT_INIT_PARAMETERS p)
{
	(void)dctx;
	tl.handle = h;
	tl.params6 = p;
	if (!tl.no_attrs) {
		NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES r;
		memset(&r, 0, sizeof(r));
		r.Header.Type =
		    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
		r.Header.Revision =
		    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
		r.Header.Size = sizeof(r);
		r.MiniportAdapterContext = &tl;
		r.AttributeFlags = (tl.attrs & NDIS_ATTRIBUTE_BUS_MASTER)
				       ? NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER
				       : 0;
		assert_int_equal(NdisMSetMiniportAttributes(
				     h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&r),
				 NDIS_STATUS_SUCCESS);
	}
	tl_register_dma(h);
	if (tl.init)
		tl.init(h);
	return tl.init_status;
}

static VOID tl_halt6(NDIS_HANDLE ctx, NDIS_HALT_ACTION a)
{
	(void)a;
	tl_halt5(ctx);
}

static NTSTATUS tl_entry6(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
	c.MajorNdisVersion = 6;
	c.InitializeHandlerEx = tl_initialize6;
	c.HaltHandlerEx = tl_halt6;
	NDIS_HANDLE h;
	return NdisMRegisterMiniportDriver(obj, path, NULL, &c, &h) ==
		       NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

/* Load the driver and start an adapter on uri; returns start's result. */
static int tl_start(const char *uri)
{
	assert_int_equal(ndisdma_driver_load(tl.ndis6 ? tl_entry6 : tl_entry5,
					     "testmp", &tl.drv),
			 0);
	return ndisdma_adapter_start(tl.drv, uri, &tl.ad);
}

/* Halt (returning halt's result) and unload. */
static int tl_stop(void)
{
	int n = tl.ad ? ndisdma_adapter_halt(tl.ad) : 0;
	tl.ad = NULL;
	ndisdma_driver_unload(tl.drv);
	tl.drv = NULL;
	return n;
}

/* Count a rule's reports across a statement. */
#define RULE_DELTA(id, stmt)                                                   \
	({                                                                     \
		unsigned long before_ = ndisdma_verifier_count(id);            \
		stmt;                                                          \
		ndisdma_verifier_count(id) - before_;                          \
	})

static int tl_setup(void **state)
{
	(void)state;
	tl_reset();
	ndisdma_verifier_set_output(NULL);
	ndisdma_verifier_set_mode("*", NDISDMA_VERIFY_REPORT);
	return 0;
}

/* The strict mode of one rule (its call fails even where Windows lets it
 * through), and back to the default. */
#define TL_STRICT(id) ndisdma_verifier_set_mode(id, NDISDMA_VERIFY_FAIL)
#define TL_DEFAULT(id) ndisdma_verifier_set_mode(id, NDISDMA_VERIFY_REPORT)

#endif
