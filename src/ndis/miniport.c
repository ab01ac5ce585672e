/* SPDX-License-Identifier: MIT */
/*
 * miniport.c - registration of NDIS 5.x and NDIS 6 miniports from
 * DriverEntry, and the adapter attributes set from MiniportInitialize(Ex).
 */
#include "../core/core.h"

#include <string.h>

/* The driver whose DriverEntry the calling thread runs, or NULL. */
static struct nd_driver *entry_driver(void)
{
	struct nd_thread *t = nd_self();
	return t->callback == ND_CB_ENTRY ? t->driver : NULL;
}

VOID NdisMInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle,
			    PVOID SystemSpecific1, PVOID SystemSpecific2,
			    PVOID SystemSpecific3)
{
	(void)SystemSpecific2;
	(void)SystemSpecific3;
	const void *site = ND_SITE();
	if (!NdisWrapperHandle)
		return;
	*NdisWrapperHandle = NULL;
	struct nd_driver *d = entry_driver();
	if (!d || !nd_driver_object_is(SystemSpecific1, d)) {
		nd_report(ND_RULE_MINIPORT_WRAPPER, NULL,
			  (uintptr_t)SystemSpecific1, 0, site,
			  "NdisMInitializeWrapper %s",
			  d ? "with a driver object other than DriverEntry's"
			    : "outside DriverEntry");
		return;
	}
	d->wrapper_open = true;
	*NdisWrapperHandle = (NDIS_HANDLE)d;
}

NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
				  PNDIS_MINIPORT_CHARACTERISTICS c, UINT len)
{
	const void *site = ND_SITE();
	struct nd_driver *d = entry_driver();
	if (!d || NdisWrapperHandle != (NDIS_HANDLE)d || !d->wrapper_open ||
	    d->ndis_major) {
		nd_report(ND_RULE_MINIPORT_REGISTER, NULL,
			  (uintptr_t)NdisWrapperHandle, 0, site,
			  "NdisMRegisterMiniport: %s",
			  !d		  ? "outside DriverEntry"
			  : d->ndis_major ? "a miniport is already registered"
					  : "not a wrapper handle from "
					    "NdisMInitializeWrapper");
		return NDIS_STATUS_FAILURE;
	}
	if (!c)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	/* Each version's structure extends the previous one; read as much
	 * as the version the driver names has (ndis.h picks the layout a
	 * driver compiles with from NDIS5x_MINIPORT / NDIS40_MINIPORT). */
	size_t need;
	switch (c->MajorNdisVersion) {
	case 3:
		need = sizeof(NDIS30_MINIPORT_CHARACTERISTICS);
		break;
	case 4:
		need = sizeof(NDIS40_MINIPORT_CHARACTERISTICS);
		break;
	case 5:
		need = c->MinorNdisVersion >= 1
			   ? sizeof(NDIS51_MINIPORT_CHARACTERISTICS)
			   : sizeof(NDIS50_MINIPORT_CHARACTERISTICS);
		break;
	default:
		return NDIS_STATUS_BAD_VERSION;
	}
	if (len < need)
		return NDIS_STATUS_BAD_VERSION;
	if (!c->InitializeHandler || !c->HaltHandler)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	memset(&d->chars5, 0, sizeof(d->chars5));
	memcpy(&d->chars5, c, need);
	d->ndis_major = c->MajorNdisVersion;
	d->ndis_minor = c->MinorNdisVersion;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific)
{
	(void)SystemSpecific;
	struct nd_driver *d ND_DRIVER_AUTOPUT =
	    nd_driver_from_handle(NdisWrapperHandle);
	if (!d) {
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL,
			  (uintptr_t)NdisWrapperHandle, 0, ND_SITE(),
			  "NdisTerminateWrapper: not a wrapper handle");
		return;
	}
	d->wrapper_open = false;
	d->ndis_major = 0;
}

NDIS_STATUS NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject,
					PUNICODE_STRING RegistryPath,
					NDIS_HANDLE MiniportDriverContext,
					PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c,
					PNDIS_HANDLE out)
{
	(void)RegistryPath;
	const void *site = ND_SITE();
	struct nd_driver *d = entry_driver();
	if (!d || !nd_driver_object_is(DriverObject, d) || d->ndis_major) {
		nd_report(ND_RULE_MINIPORT_REGISTER, NULL,
			  (uintptr_t)DriverObject, 0, site,
			  "NdisMRegisterMiniportDriver: %s",
			  !d		  ? "outside DriverEntry"
			  : d->ndis_major ? "a miniport is already registered"
					  : "not DriverEntry's driver object");
		return NDIS_STATUS_FAILURE;
	}
	if (!c || !out)
		return NDIS_STATUS_INVALID_PARAMETER;
	*out = NULL;
	if (c->MajorNdisVersion != 6)
		return NDIS_STATUS_BAD_VERSION;
	/* ndis.sys checks by the NDIS version the driver names: 6.0/6.1
	 * only Size >= revision 1's; 6.20 on the Type, Revision >= 2 and
	 * Size >= revision 2's; 6.80 on Revision >= 3 and Size >= revision
	 * 3's (NDIS_MINIPORT_DRIVER_CHARACTERISTICS reference page). */
	UCHAR want_rev = c->MinorNdisVersion >= 80   ? 3
			 : c->MinorNdisVersion >= 20 ? 2
						     : 1;
	static const USHORT size_of[4] = {
	    0, NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1,
	    NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
	    NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3};
	bool type_ok =
	    c->Header.Type == NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	if (c->Header.Size < size_of[want_rev])
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	if (want_rev >= 2 && !type_ok)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	if (c->Header.Revision < want_rev)
		return NDIS_STATUS_BAD_VERSION;
	if ((!type_ok || c->Header.Revision > 3) &&
	    nd_report(ND_RULE_MINIPORT_CHARACTERISTICS, NULL, (uintptr_t)c,
		      c->Header.Size, site,
		      "NDIS 6.%u characteristics with Type 0x%x Revision %u "
		      "(want 0x%x, revision 1..3)",
		      c->MinorNdisVersion, c->Header.Type, c->Header.Revision,
		      NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS))
		return type_ok ? NDIS_STATUS_BAD_VERSION
			       : NDIS_STATUS_BAD_CHARACTERISTICS;
	/* the fields the revision has, and no more than the caller gave */
	UCHAR rev = c->Header.Revision >= 1 && c->Header.Revision <= 3
			? c->Header.Revision
			: want_rev;
	size_t need =
	    size_of[rev] < c->Header.Size ? size_of[rev] : c->Header.Size;
	if (!c->InitializeHandlerEx || !c->HaltHandlerEx)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	memset(&d->chars6, 0, sizeof(d->chars6));
	memcpy(&d->chars6, c, need);
	d->driver_context = MiniportDriverContext;
	d->ndis_major = 6;
	d->ndis_minor = c->MinorNdisVersion;
	*out = (NDIS_HANDLE)d;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE h)
{
	struct nd_driver *d ND_DRIVER_AUTOPUT = nd_driver_from_handle(h);
	if (!d || d->ndis_major != 6) {
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL, (uintptr_t)h, 0,
			  ND_SITE(),
			  "NdisMDeregisterMiniportDriver: not a handle from "
			  "NdisMRegisterMiniportDriver");
		return;
	}
	struct nd_thread *t = nd_self();
	/* From the unload handler the driver stays registered until
	 * ndisdma_driver_unload ends; from DriverEntry it is undone. */
	if (t->callback == ND_CB_ENTRY)
		d->ndis_major = 0;
}

/* Common part of the two attribute calls. */
static void set_attributes(struct nd_adapter *ad, NDIS_HANDLE context,
			   bool busmaster, ULONG flags)
{
	ad->context = context;
	ad->attr_flags = flags;
	ad->busmaster = busmaster;
	ad->attrs_set = true;
}

VOID NdisMSetAttributesEx(NDIS_HANDLE h, NDIS_HANDLE ctx, UINT hang,
			  ULONG flags, NDIS_INTERFACE_TYPE type)
{
	(void)type;
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMSetAttributesEx", site);
	if (!ad)
		return;
	/* ndis.sys applies them from anywhere (its NdisMSetMiniportAttributes
	 * calls this function). */
	if ((!nd_in_init(ad) || ad->drv->ndis_major == 6) &&
	    nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, 0, site,
		      "NdisMSetAttributesEx %s",
		      ad->drv->ndis_major == 6 ? "from an NDIS 6 miniport (use "
						 "NdisMSetMiniportAttributes)"
					       : "outside MiniportInitialize"))
		return;
	set_attributes(ad, ctx, flags & NDIS_ATTRIBUTE_BUS_MASTER, flags);
	/* NDIS checks for a hang every 2 s unless told a longer time,
	 * rounded up to whole 2 s periods (NdisMSetAttributesEx) */
	ad->hang_seconds = hang ? (hang + 1) / 2 * 2 : 0;
}

/* ndis.sys treats the NDIS 3.0 call as NdisMSetAttributesEx with the
 * default hang time (0) and the bus-master attribute. */
VOID NdisMSetAttributes(NDIS_HANDLE h, NDIS_HANDLE ctx, BOOLEAN BusMaster,
			NDIS_INTERFACE_TYPE type)
{
	NdisMSetAttributesEx(h, ctx, 0,
			     BusMaster ? NDIS_ATTRIBUTE_BUS_MASTER : 0, type);
}

NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE h,
				       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES a)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMSetMiniportAttributes", site);
	if (!ad || !a)
		return NDIS_STATUS_INVALID_PARAMETER;
	/* ndis.sys checks neither the caller nor the revision or size of the
	 * registration attributes: it translates the flags and applies them
	 * (revision 2 is NDIS 6.30's). */
	if (!nd_in_init(ad) &&
	    nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, 0, site,
		      "NdisMSetMiniportAttributes outside "
		      "MiniportInitializeEx"))
		return NDIS_STATUS_FAILURE;
	if (a->Header.Type !=
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)
		return NDIS_STATUS_SUCCESS; /* general, offload...: not ours */
	if ((a->Header.Revision < 1 || a->Header.Revision > 2 ||
	     a->Header.Size <
		 NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1) &&
	    nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, a->Header.Size, site,
		      "registration attributes with revision %u size %u",
		      a->Header.Revision, a->Header.Size))
		return NDIS_STATUS_INVALID_PARAMETER;
	const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES *r =
	    &a->RegistrationAttributes;
	set_attributes(ad, r->MiniportAdapterContext,
		       r->AttributeFlags & NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER,
		       r->AttributeFlags);
	return NDIS_STATUS_SUCCESS;
}
