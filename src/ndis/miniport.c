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
	if (!d || nd_driver_from_object(SystemSpecific1) != d) {
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
			  !d ? "outside DriverEntry"
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
	struct nd_driver *d = nd_driver_from_handle(NdisWrapperHandle);
	if (!d) {
		nd_report(ND_RULE_HANDLE_UNKNOWN, NULL,
			  (uintptr_t)NdisWrapperHandle, 0, ND_SITE(),
			  "NdisTerminateWrapper: not a wrapper handle");
		return;
	}
	d->wrapper_open = false;
	d->ndis_major = 0;
}

NDIS_STATUS NdisMRegisterMiniportDriver(
	PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
	NDIS_HANDLE MiniportDriverContext,
	PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c, PNDIS_HANDLE out)
{
	(void)RegistryPath;
	const void *site = ND_SITE();
	struct nd_driver *d = entry_driver();
	if (!d || nd_driver_from_object(DriverObject) != d || d->ndis_major) {
		nd_report(ND_RULE_MINIPORT_REGISTER, NULL,
			  (uintptr_t)DriverObject, 0, site,
			  "NdisMRegisterMiniportDriver: %s",
			  !d ? "outside DriverEntry"
			  : d->ndis_major ? "a miniport is already registered"
					  : "not DriverEntry's driver object");
		return NDIS_STATUS_FAILURE;
	}
	if (!c || !out)
		return NDIS_STATUS_INVALID_PARAMETER;
	*out = NULL;
	if (c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	size_t need;
	switch (c->Header.Revision) {
	case NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1:
		need = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
		break;
	case NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2:
		need = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
		break;
	default:
		return NDIS_STATUS_BAD_VERSION;
	}
	if (c->Header.Size < need)
		return NDIS_STATUS_BAD_CHARACTERISTICS;
	if (c->MajorNdisVersion != 6)
		return NDIS_STATUS_BAD_VERSION;
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
	struct nd_driver *d = nd_driver_from_handle(h);
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
	struct nd_adapter *ad = nd_adapter_lookup(h, "NdisMSetAttributesEx",
						  site);
	if (!ad)
		return;
	if (!nd_in_init(ad) || ad->drv->ndis_major == 6) {
		nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, 0, site,
			  "NdisMSetAttributesEx %s",
			  ad->drv->ndis_major == 6
				  ? "from an NDIS 6 miniport (use "
				    "NdisMSetMiniportAttributes)"
				  : "outside MiniportInitialize");
		return;
	}
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
	struct nd_adapter *ad =
		nd_adapter_lookup(h, "NdisMSetMiniportAttributes", site);
	if (!ad || !a)
		return NDIS_STATUS_INVALID_PARAMETER;
	if (!nd_in_init(ad)) {
		nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, 0, site,
			  "NdisMSetMiniportAttributes outside "
			  "MiniportInitializeEx");
		return NDIS_STATUS_FAILURE;
	}
	if (a->Header.Type !=
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)
		return NDIS_STATUS_SUCCESS; /* general, offload...: not ours */
	if (a->Header.Revision !=
		    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 ||
	    a->Header.Size <
		    NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1) {
		nd_report(ND_RULE_MINIPORT_ATTRIBUTES, ad, 0, a->Header.Size,
			  site,
			  "registration attributes with revision %u size %u",
			  a->Header.Revision, a->Header.Size);
		return NDIS_STATUS_INVALID_PARAMETER;
	}
	const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES *r =
		&a->RegistrationAttributes;
	set_attributes(ad, r->MiniportAdapterContext,
		       r->AttributeFlags & NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER,
		       r->AttributeFlags);
	return NDIS_STATUS_SUCCESS;
}
