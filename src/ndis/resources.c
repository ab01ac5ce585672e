/* SPDX-License-Identifier: MIT */
/*
 * resources.c - what a miniport learns about its hardware:
 * NdisMQueryAdapterResources and NdisMPciAssignResources (the resource
 * list core builds from the BARs and the interrupt),
 * NdisReadPciSlotInformation and NdisWritePciSlotInformation
 * (configuration space through the bus).
 */
#include "../core/hwio.h"

#include <errno.h>
#include <stdlib.h>

void NdisMQueryAdapterResources(PNDIS_STATUS Status,
				NDIS_HANDLE WrapperConfigurationContext,
				PNDIS_RESOURCE_LIST ResourceList,
				PUINT BufferSize)
{
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	struct nd_adapter *ad = nd_adapter_lookup(
	    WrapperConfigurationContext, "NdisMQueryAdapterResources", site);
	if (ad && BufferSize) {
		nd_irql_at_most(PASSIVE_LEVEL, "NdisMQueryAdapterResources", ad,
				site);
		if (!nd_in_init(ad))
			nd_report(ND_RULE_CONFIG_CONTEXT, ad, 0, 0, site,
				  "NdisMQueryAdapterResources with the "
				  "WrapperConfigurationContext outside "
				  "MiniportInitialize");
		size_t need;
		int rc =
		    nd_hwio_resources(ad, ResourceList, *BufferSize, &need);
		*BufferSize = (UINT)need;
		st = rc ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS;
	}
	if (Status)
		*Status = st;
}

NDIS_STATUS NdisMPciAssignResources(NDIS_HANDLE h, ULONG SlotNumber,
				    PNDIS_RESOURCE_LIST *AssignedResources)
{
	const void *site = ND_SITE();
	(void)SlotNumber;
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMPciAssignResources", site);
	if (AssignedResources)
		*AssignedResources = NULL;
	if (!ad || !AssignedResources || !ad->hwio)
		return NDIS_STATUS_FAILURE;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMPciAssignResources", ad, site);
	size_t need;
	nd_hwio_resources(ad, NULL, 0, &need);
	PNDIS_RESOURCE_LIST l = malloc(need);
	if (!l || nd_hwio_resources(ad, l, need, &need)) {
		free(l);
		return NDIS_STATUS_RESOURCES;
	}
	/* NDIS owns the list: the newest stays until halt */
	pthread_mutex_lock(&ad->hwio->lock);
	free(ad->hwio->assigned);
	ad->hwio->assigned = l;
	pthread_mutex_unlock(&ad->hwio->lock);
	*AssignedResources = l;
	return NDIS_STATUS_SUCCESS;
}

static ULONG slot_access(NDIS_HANDLE h, ULONG off, PVOID buf, ULONG len,
			 bool write, const void *site)
{
	const char *fn = write ? "NdisWritePciSlotInformation"
			       : "NdisReadPciSlotInformation";
	struct nd_adapter *ad = nd_adapter_lookup(h, fn, site);
	if (!ad || !buf || !len)
		return 0;
	nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site);
	const struct bus_ops *o = ad->bus->ops;
	int rc = write ? (o->cfg_write ? o->cfg_write(ad->bus, off, buf, len)
				       : -ENOTSUP)
		       : (o->cfg_read ? o->cfg_read(ad->bus, off, buf, len)
				      : -ENOTSUP);
	return rc ? 0 : len;
}

ULONG NdisReadPciSlotInformation(NDIS_HANDLE h, ULONG SlotNumber, ULONG Offset,
				 PVOID Buffer, ULONG Length)
{
	(void)SlotNumber;
	return slot_access(h, Offset, Buffer, Length, false, ND_SITE());
}

ULONG NdisWritePciSlotInformation(NDIS_HANDLE h, ULONG SlotNumber, ULONG Offset,
				  PVOID Buffer, ULONG Length)
{
	(void)SlotNumber;
	return slot_access(h, Offset, Buffer, Length, true, ND_SITE());
}
