/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/oid.h - object identifiers (OIDs) and the completion calls
 * of MiniportQueryInformation / MiniportSetInformation and MiniportReset
 * (NDIS 5.x); the OID values are in <ndisdma/ndis/oids.h>. Included by
 * <ndis.h>.
 *
 * The host sends one request at a time, as NDIS does; a handler that
 * returns NDIS_STATUS_PENDING completes it later with
 * NdisMQueryInformationComplete / NdisMSetInformationComplete, until then
 * it may write the InformationBuffer and the BytesWritten / BytesNeeded
 * variables the host passed (they stay valid).
 */
#ifndef NDISDMA_NDIS_OID_H
#define NDISDMA_NDIS_OID_H

#include "oids.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Complete the query the host's last MiniportQueryInformation call
 * returned NDIS_STATUS_PENDING for, with its final status (the handler
 * has written InformationBuffer and *BytesWritten / *BytesNeeded by now).
 * IRQL <= DISPATCH_LEVEL. A completion with no query pending (twice, or
 * never asked for: rules "oid.complete-twice" / "oid.complete-no-request")
 * or an unknown handle is reported and ignored, as NDIS ignores it. */
VOID NdisMQueryInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
				   NDIS_STATUS Status);
/* The same for MiniportSetInformation. */
VOID NdisMSetInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
				 NDIS_STATUS Status);
/* Complete a MiniportReset that returned NDIS_STATUS_PENDING.
 * AddressingReset TRUE: the host sets the packet filter, lookahead and
 * multicast list again. IRQL <= DISPATCH_LEVEL. Without a reset in
 * progress it is reported ("reset.complete-no-reset") and ignored. */
VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status,
			BOOLEAN AddressingReset);

#ifdef __cplusplus
}
#endif
#endif
