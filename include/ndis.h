/* SPDX-License-Identifier: MIT */
/*
 * ndis.h - the NDIS compatibility header of ndisdma.
 *
 * Miniport source written for Windows says `#include <ndis.h>`; with the
 * flags from `pkg-config --cflags ndisdma-driver` (driver source: 16-bit
 * wchar_t) or `ndisdma` (host programs) it gets this header, which
 * declares what ndisdma implements of NDIS: base types (LLP64), SAL
 * annotations, status codes, the kernel conveniences of the WDK
 * (Interlocked*, lists, DbgPrint, ...), counted strings, OIDs, resource
 * and PCI configuration layouts, IRQL, MDLs, miniport registration,
 * shared memory, DMA registration, map registers, system DMA, general
 * memory, and descriptors (NDIS_PACKET, NDIS_BUFFER/MDL,
 * NET_BUFFER_LIST). Each topic lives in its own header under
 * <ndisdma/ndis/>.
 */
#ifndef NDISDMA_NDIS_H
#define NDISDMA_NDIS_H

#include <string.h>

#include <ndisdma/ndis/types.h>
#include <ndisdma/ndis/wdk.h>
#include <ndisdma/ndis/strings.h>
#include <ndisdma/ndis/oids.h>
#include <ndisdma/ndis/resources.h>
#include <ndisdma/ndis/pci.h>
#include <ndisdma/ndis/miniport.h>
#include <ndisdma/ndis/dma.h>
#include <ndisdma/ndis/memory.h>
#include <ndisdma/ndis/registers.h>
#include <ndisdma/ndis/io.h>
#include <ndisdma/ndis/config.h>
#include <ndisdma/ndis/mapping.h>
#include <ndisdma/ndis/system_dma.h>
#include <ndisdma/ndis/packet.h>
#include <ndisdma/ndis/nbl.h>
#include <ndisdma/ndis/sglist.h>
#include <ndisdma/ndis/send.h>
#include <ndisdma/ndis/receive.h>
#include <ndisdma/ndis/oid.h>
#include <ndisdma/ndis/lifecycle.h>
#include <ndisdma/ndis/interrupt.h>
#include <ndisdma/ndis/timer.h>
#include <ndisdma/ndis/sync.h>

/* the inline bulk buffer calls, when <ndisdma/ndisdma.h> came first */
#ifdef NDISDMA_NDISDMA_H
#include <ndisdma/bulk_inline.h>
#endif

#endif
