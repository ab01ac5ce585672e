/* SPDX-License-Identifier: MIT */
/*
 * interrupt.c - NdisMRegisterInterrupt, NdisMDeregisterInterrupt,
 * NdisMSynchronizeWithInterrupt (NDIS 5.x): checks and reports here, the
 * interrupt thread in core (intr.c).
 */
#include "../core/host.h"

#include <errno.h>

NDIS_STATUS NdisMRegisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
				   NDIS_HANDLE MiniportAdapterHandle,
				   UINT InterruptVector, UINT InterruptLevel,
				   BOOLEAN RequestIsr, BOOLEAN SharedInterrupt,
				   NDIS_INTERRUPT_MODE InterruptMode)
{
	const void *site = ND_SITE();
	(void)InterruptVector, (void)InterruptLevel, (void)InterruptMode;
	struct nd_adapter *ad = nd_adapter_lookup(
	    MiniportAdapterHandle, "NdisMRegisterInterrupt", site);
	if (!ad)
		return NDIS_STATUS_FAILURE;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMRegisterInterrupt", ad, site);
	if (!Interrupt) {
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad, 0, 0, site,
			  "NdisMRegisterInterrupt with a NULL interrupt "
			  "storage");
		return NDIS_STATUS_FAILURE;
	}
	if (!nd_in_init(ad))
		nd_report(ND_RULE_INTERRUPT_REGISTER_CONTEXT, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt outside MiniportInitialize");
	NDIS_MINIPORT_CHARACTERISTICS *c = &ad->drv->chars5;
	if (ad->drv->ndis_major != 5 && ad->drv->ndis_major != 4 &&
	    ad->drv->ndis_major != 3) {
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt from an NDIS %d miniport "
			  "(NDIS 6 registers with NdisMRegisterInterruptEx)",
			  ad->drv->ndis_major);
		return NDIS_STATUS_FAILURE;
	}
	if (!c->HandleInterruptHandler) {
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt: the miniport registered no "
			  "MiniportHandleInterrupt");
		return NDIS_STATUS_FAILURE;
	}
	if (SharedInterrupt && !RequestIsr)
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt: a shared interrupt needs "
			  "RequestIsr TRUE; MiniportISR is called anyway");
	bool call_isr = RequestIsr || SharedInterrupt;
	if (call_isr && !c->ISRHandler) {
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt with %s TRUE but the "
			  "miniport registered no MiniportISR",
			  RequestIsr ? "RequestIsr" : "SharedInterrupt");
		return NDIS_STATUS_FAILURE;
	}
	int rc = nd_intr_register(ad, Interrupt, call_isr, site);
	switch (rc) {
	case 0:
		break;
	case -EEXIST:
		nd_report(ND_RULE_INTERRUPT_REGISTER_TWICE, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMRegisterInterrupt: the adapter already has a "
			  "registered interrupt; refused");
		return NDIS_STATUS_FAILURE;
	case -ENOMEM:
		return NDIS_STATUS_RESOURCES;
	default:
		return NDIS_STATUS_RESOURCE_CONFLICT;
	}
	NdisZeroMemory(Interrupt, sizeof(*Interrupt));
	Interrupt->Miniport = ad;
	Interrupt->SharedInterrupt = SharedInterrupt;
	Interrupt->IsrRequested = RequestIsr;
	return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_intr_adapter(Interrupt);
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMDeregisterInterrupt", ad, site);
	if (nd_intr_deregister(Interrupt))
		nd_report(ND_RULE_INTERRUPT_NOT_REGISTERED, nd_self()->adapter,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMDeregisterInterrupt: %p holds no registered "
			  "interrupt",
			  (void *)Interrupt);
}

BOOLEAN NdisMSynchronizeWithInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
				      PVOID SynchronizeFunction,
				      PVOID SynchronizeContext)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = nd_intr_adapter(Interrupt);
	nd_irql_at_most(DIRQL, "NdisMSynchronizeWithInterrupt", ad, site);
	if (!SynchronizeFunction) {
		nd_report(ND_RULE_INTERRUPT_BAD_PARAMS, ad,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMSynchronizeWithInterrupt with a NULL "
			  "function");
		return FALSE;
	}
	BOOLEAN ret = FALSE;
	if (nd_intr_sync(Interrupt, (BOOLEAN(*)(PVOID))SynchronizeFunction,
			 SynchronizeContext, &ret))
		nd_report(ND_RULE_INTERRUPT_NOT_REGISTERED, nd_self()->adapter,
			  (uintptr_t)Interrupt, 0, site,
			  "NdisMSynchronizeWithInterrupt: %p holds no "
			  "registered interrupt; the function ran at DIRQL "
			  "unsynchronized",
			  (void *)Interrupt);
	return ret;
}
