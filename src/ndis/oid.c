/* SPDX-License-Identifier: MIT */
/*
 * oid.c - completions of the host's OID requests and of a reset:
 * NdisMQueryInformationComplete, NdisMSetInformationComplete,
 * NdisMResetComplete. IRQL <= DISPATCH_LEVEL (Microsoft's reference
 * pages). src/core/request.c sends the requests.
 */
#include "../core/datapath.h"

static struct nd_adapter *completer(NDIS_HANDLE h, const char *fn,
				    const void *site)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, fn, site);
	if (!ad || !nd_dp_of(ad))
		return NULL;
	nd_irql_at_most(DISPATCH_LEVEL, fn, ad, site);
	return ad;
}

VOID NdisMQueryInformationComplete(NDIS_HANDLE h, NDIS_STATUS Status)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    completer(h, "NdisMQueryInformationComplete", site);
	if (ad)
		nd_dp_request_complete(ad, false, Status, site);
}

VOID NdisMSetInformationComplete(NDIS_HANDLE h, NDIS_STATUS Status)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    completer(h, "NdisMSetInformationComplete", site);
	if (ad)
		nd_dp_request_complete(ad, true, Status, site);
}

VOID NdisMResetComplete(NDIS_HANDLE h, NDIS_STATUS Status,
			BOOLEAN AddressingReset)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad = completer(h, "NdisMResetComplete", site);
	if (ad)
		nd_dp_reset_complete(ad, Status, AddressingReset, site);
}
