/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/packet.h - NDIS 5.1 descriptors: packet pools and
 * NDIS_PACKET (with its out-of-band data and per-packet information),
 * buffer pools and NDIS_BUFFER (an MDL, <ndisdma/ndis/types.h>), and the
 * calls that chain and query buffers. Included by <ndis.h>.
 *
 * Every function here may be called at IRQL <= DISPATCH_LEVEL (pool
 * creation and destruction: PASSIVE_LEVEL..DISPATCH_LEVEL as NDIS allows);
 * above that the call is reported (rule "irql.too-high") and fails the
 * way its comment says. Allocation and free are thread-safe; a descriptor
 * may be freed on another thread than the one that allocated it.
 */
#ifndef NDISDMA_NDIS_PACKET_H
#define NDISDMA_NDIS_PACKET_H

#include "types.h"
#include "oids.h"
#include "../pool_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _NDIS_PACKET_POOL NDIS_PACKET_POOL, *PNDIS_PACKET_POOL;

/* ---- NDIS_PACKET (x64 layout of the NDIS 5.1 headers) ---- */

typedef struct _NDIS_PACKET_PRIVATE {
	UINT PhysicalCount;	    /* pages the chained buffers span */
	UINT TotalLength;	    /* bytes in all chained buffers */
	PNDIS_BUFFER Head;	    /* first buffer of the chain */
	PNDIS_BUFFER Tail;	    /* last buffer of the chain */
	PNDIS_PACKET_POOL Pool;	    /* the pool the packet came from */
	UINT Count;		    /* buffers chained */
	ULONG Flags;		    /* NdisGetPacketFlags */
	BOOLEAN ValidCounts;	    /* counts above are current */
	UCHAR NdisPacketFlags;	    /* fPACKET_* */
	USHORT NdisPacketOobOffset; /* offset of NDIS_PACKET_OOB_DATA */
} NDIS_PACKET_PRIVATE, *PNDIS_PACKET_PRIVATE;

#define fPACKET_WRAPPER_RESERVED 0x3F
#define fPACKET_CONTAINS_MEDIA_SPECIFIC_INFO 0x40
#define fPACKET_ALLOCATED_BY_NDIS 0x80

#define NDIS_FLAGS_PROTOCOL_ID_MASK 0x0000000F
#define NDIS_FLAGS_MULTICAST_PACKET 0x00000010
#define NDIS_FLAGS_RESERVED2 0x00000020
#define NDIS_FLAGS_RESERVED3 0x00000040
#define NDIS_FLAGS_DONT_LOOPBACK 0x00000080
#define NDIS_FLAGS_IS_LOOPBACK_PACKET 0x00000100
#define NDIS_FLAGS_LOOPBACK_ONLY 0x00000200
#define NDIS_FLAGS_RESERVED4 0x00000400
#define NDIS_FLAGS_DOUBLE_BUFFERED 0x00000800
#define NDIS_FLAGS_SENT_AT_DPC 0x00001000
#define NDIS_FLAGS_USES_SG_BUFFER_LIST 0x00002000

typedef struct _NDIS_PACKET {
	NDIS_PACKET_PRIVATE Private;
	union {
		struct {
			UCHAR MiniportReserved[2 * sizeof(PVOID)];
			UCHAR WrapperReserved[2 * sizeof(PVOID)];
		};
		struct {
			UCHAR MiniportReservedEx[3 * sizeof(PVOID)];
			UCHAR WrapperReservedEx[sizeof(PVOID)];
		};
		struct {
			UCHAR MacReserved[4 * sizeof(PVOID)];
		};
	};
	ULONG_PTR Reserved[2];
	UCHAR ProtocolReserved[1]; /* ProtocolReservedLength bytes */
} NDIS_PACKET, *PNDIS_PACKET, **PPNDIS_PACKET;

/* What a miniport passes as ProtocolReservedLength when it needs none of
 * its own (the size NDIS documents for miniports). */
#define PROTOCOL_RESERVED_SIZE_IN_PACKET (4 * sizeof(PVOID))

/* ---- out-of-band data and per-packet information ---- */

typedef struct _NDIS_PACKET_OOB_DATA {
	union {
		ULONGLONG TimeToSend;
		ULONGLONG TimeSent;
	};
	ULONGLONG TimeReceived;
	UINT HeaderSize;
	UINT SizeMediaSpecificInfo;
	PVOID MediaSpecificInformation;
	NDIS_STATUS Status;
} NDIS_PACKET_OOB_DATA, *PNDIS_PACKET_OOB_DATA;

typedef enum _NDIS_PER_PACKET_INFO {
	TcpIpChecksumPacketInfo,
	IpSecPacketInfo,
	TcpLargeSendPacketInfo,
	ClassificationHandlePacketInfo,
	NdisReserved,
	ScatterGatherListPacketInfo,
	Ieee8021QInfo,
	OriginalPacketInfo,
	PacketCancelId,
	OriginalNetBufferList,
	CachedNetBufferList,
	ShortPacketPaddingInfo,
	MaxPerPacketInfo
} NDIS_PER_PACKET_INFO,
    *PNDIS_PER_PACKET_INFO;

typedef struct _NDIS_PACKET_EXTENSION {
	PVOID NdisPacketInfo[MaxPerPacketInfo];
} NDIS_PACKET_EXTENSION, *PNDIS_PACKET_EXTENSION;

/* ndisdma keeps a state byte for every packet in its pool (reached
 * through the 16-byte header in front of the packet: cookie, index,
 * pool, whose first members are the state array and its size). The
 * macros that hand out the out-of-band data or the per-packet
 * information for writing set NDISDMA_PACKET_OOB_WRITTEN there, and
 * those that change Private (NdisSetPacketFlags, ...) and every ndisdma
 * call that does set NDISDMA_PACKET_PRIVATE_WRITTEN, so that a free knows
 * what it must put back for the next NdisAllocatePacket; the NDIS_GET_*
 * macros only read and set nothing. Nothing is marked for a pointer that
 * is not a pool's packet. Not for drivers to use directly. */
#define NDISDMA_PACKET_OOB_WRITTEN 0x02
#define NDISDMA_PACKET_PRIVATE_WRITTEN 0x04
/* The packet's state byte, or NULL for a pointer that is not a pool's
 * packet. */
static inline unsigned char *ndisdma_packet_st_(PNDIS_PACKET p)
{
	const struct nd_pool_hdr *h = nd_pool_hdr_raw(p);
	if (h->cookie == NDISDMA_COOKIE_AT_(h) && h->index < h->pool->st_cap)
		return (unsigned char *)(uintptr_t)&h->pool->st[h->index];
	return 0;
}
static inline void ndisdma_packet_mark_(PNDIS_PACKET p, unsigned char m)
{
	unsigned char *st = ndisdma_packet_st_(p);
	if (st)
		*st |= m;
}
/* The packet's marks (NDISDMA_PACKET_*_WRITTEN), 0 for a pointer that
 * is not a pool's packet: for tests. */
static inline unsigned char ndisdma_packet_marks_(PNDIS_PACKET p)
{
	const unsigned char *st = ndisdma_packet_st_(p);
	return st ? *st & (NDISDMA_PACKET_OOB_WRITTEN |
			   NDISDMA_PACKET_PRIVATE_WRITTEN)
		  : 0;
}
static inline PUCHAR ndisdma_packet_oob_(PNDIS_PACKET p)
{
	return (PUCHAR)p + p->Private.NdisPacketOobOffset;
}
static inline PUCHAR ndisdma_packet_oob_w_(PNDIS_PACKET p)
{
	ndisdma_packet_mark_(p, NDISDMA_PACKET_OOB_WRITTEN);
	return (PUCHAR)p + p->Private.NdisPacketOobOffset;
}
static inline PNDIS_PACKET_PRIVATE ndisdma_packet_private_w_(PNDIS_PACKET p)
{
	ndisdma_packet_mark_(p, NDISDMA_PACKET_PRIVATE_WRITTEN);
	return &p->Private;
}

#define NDIS_OOB_DATA_FROM_PACKET(_P)                                          \
	((PNDIS_PACKET_OOB_DATA)ndisdma_packet_oob_w_(_P))
#define NDIS_PACKET_EXTENSION_FROM_PACKET(_P)                                  \
	((PNDIS_PACKET_EXTENSION)(ndisdma_packet_oob_w_(_P) +                  \
				  sizeof(NDIS_PACKET_OOB_DATA)))
#define NDIS_PER_PACKET_INFO_FROM_PACKET(_P, _Id)                              \
	(NDIS_PACKET_EXTENSION_FROM_PACKET(_P)->NdisPacketInfo[(_Id)])
/* the read-only forms the NDIS_GET_* macros use */
#define NDISDMA_OOB_R_(_P)                                                     \
	((const NDIS_PACKET_OOB_DATA *)ndisdma_packet_oob_(_P))
#define NDISDMA_PPI_R_(_P, _Id)                                                \
	(((const NDIS_PACKET_EXTENSION *)(ndisdma_packet_oob_(_P) +            \
					  sizeof(NDIS_PACKET_OOB_DATA)))       \
	     ->NdisPacketInfo[(_Id)])
#define NDIS_GET_ORIGINAL_PACKET(_P)                                           \
	((PNDIS_PACKET)NDISDMA_PPI_R_(_P, OriginalPacketInfo))
#define NDIS_SET_ORIGINAL_PACKET(_P, _O)                                       \
	(NDIS_PER_PACKET_INFO_FROM_PACKET(_P, OriginalPacketInfo) = (PVOID)(_O))
#define NDIS_GET_PACKET_STATUS(_P) (NDISDMA_OOB_R_(_P)->Status)
#define NDIS_SET_PACKET_STATUS(_P, _S)                                         \
	(NDIS_OOB_DATA_FROM_PACKET(_P)->Status = (_S))
#define NDIS_GET_PACKET_HEADER_SIZE(_P) (NDISDMA_OOB_R_(_P)->HeaderSize)
#define NDIS_SET_PACKET_HEADER_SIZE(_P, _S)                                    \
	(NDIS_OOB_DATA_FROM_PACKET(_P)->HeaderSize = (_S))
#define NDIS_GET_PACKET_TIME_TO_SEND(_P) (NDISDMA_OOB_R_(_P)->TimeToSend)
#define NDIS_SET_PACKET_TIME_TO_SEND(_P, _T)                                   \
	(NDIS_OOB_DATA_FROM_PACKET(_P)->TimeToSend = (_T))
#define NDIS_GET_PACKET_TIME_SENT(_P) (NDISDMA_OOB_R_(_P)->TimeSent)
#define NDIS_GET_PACKET_TIME_RECEIVED(_P) (NDISDMA_OOB_R_(_P)->TimeReceived)
#define NDIS_SET_PACKET_TIME_RECEIVED(_P, _T)                                  \
	(NDIS_OOB_DATA_FROM_PACKET(_P)->TimeReceived = (_T))
#define NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(_P, _I, _S)                        \
	do {                                                                   \
		*(_I) = NDISDMA_OOB_R_(_P)->MediaSpecificInformation;          \
		*(_S) = NDISDMA_OOB_R_(_P)->SizeMediaSpecificInfo;             \
	} while (0)
#define NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(_P, _I, _S)                        \
	do {                                                                   \
		ndisdma_packet_private_w_(_P)->NdisPacketFlags |=              \
		    fPACKET_CONTAINS_MEDIA_SPECIFIC_INFO;                      \
		NDIS_OOB_DATA_FROM_PACKET(_P)->MediaSpecificInformation =      \
		    (_I);                                                      \
		NDIS_OOB_DATA_FROM_PACKET(_P)->SizeMediaSpecificInfo = (_S);   \
	} while (0)

/* Per-packet information (NDIS 5.1 ndis.h): the cancel id of
 * MiniportCancelSendPackets, the protocol that sent the packet (the
 * NDIS_PROTOCOL_ID_* bits of its flags), the checksum offload and 802.1Q
 * tag words. */
#define NDIS_GET_PACKET_CANCEL_ID(_P)                                          \
	((PVOID)NDISDMA_PPI_R_(_P, PacketCancelId))
#define NDIS_SET_PACKET_CANCEL_ID(_P, _cId)                                    \
	(NDIS_PER_PACKET_INFO_FROM_PACKET(_P, PacketCancelId) = (PVOID)(_cId))
#define NDIS_GET_PACKET_PROTOCOL_TYPE(_P)                                      \
	((_P)->Private.Flags & NDIS_PROTOCOL_ID_MASK)

typedef struct _NDIS_TCP_IP_CHECKSUM_PACKET_INFO {
	union {
		struct {
			ULONG NdisPacketChecksumV4 : 1;
			ULONG NdisPacketChecksumV6 : 1;
			ULONG NdisPacketTcpChecksum : 1;
			ULONG NdisPacketUdpChecksum : 1;
			ULONG NdisPacketIpChecksum : 1;
		} Transmit;
		struct {
			ULONG NdisPacketTcpChecksumFailed : 1;
			ULONG NdisPacketUdpChecksumFailed : 1;
			ULONG NdisPacketIpChecksumFailed : 1;
			ULONG NdisPacketTcpChecksumSucceeded : 1;
			ULONG NdisPacketUdpChecksumSucceeded : 1;
			ULONG NdisPacketIpChecksumSucceeded : 1;
			ULONG NdisPacketLoopback : 1;
		} Receive;
		ULONG Value;
	};
} NDIS_TCP_IP_CHECKSUM_PACKET_INFO, *PNDIS_TCP_IP_CHECKSUM_PACKET_INFO;

typedef struct _NDIS_PACKET_8021Q_INFO {
	union {
		struct {
			UINT32 UserPriority : 3;
			UINT32 CanonicalFormatId : 1;
			UINT32 VlanId : 12;
			UINT32 Reserved : 16;
		} TagHeader;
		PVOID Value;
	};
} NDIS_PACKET_8021Q_INFO, *PNDIS_PACKET_8021Q_INFO;

#define NdisGetPacketFlags(_P) ((_P)->Private.Flags)
#define NdisSetPacketFlags(_P, _F)                                             \
	(ndisdma_packet_private_w_(_P)->Flags |= (_F))
#define NdisClearPacketFlags(_P, _F)                                           \
	(ndisdma_packet_private_w_(_P)->Flags &= ~(_F))
#define NdisGetPoolFromPacket(_P) ((NDIS_HANDLE)(_P)->Private.Pool)
#define NDIS_PACKET_FIRST_NDIS_BUFFER(_P) ((_P)->Private.Head)
#define NDIS_PACKET_LAST_NDIS_BUFFER(_P) ((_P)->Private.Tail)
#define NDIS_PACKET_VALID_COUNTS(_P) ((_P)->Private.ValidCounts)
#define NdisBufferLength(_B) MmGetMdlByteCount(_B)
#define NdisBufferVirtualAddress(_B) MmGetSystemAddressForMdlSafe((_B), 0)

/* ---- packet pools ---- */

/* Create a pool of NumberOfDescriptors packet descriptors, each with
 * ProtocolReservedLength bytes of ProtocolReserved (rounded up to 16
 * bytes; the out-of-band data follows, 16-byte aligned). Sets *Status to
 * NDIS_STATUS_SUCCESS and *PoolHandle; or to NDIS_STATUS_RESOURCES with
 * *PoolHandle NULL when there are 0 descriptors or more than 0xFFFF
 * (reported: "pool.bad-size"), ProtocolReservedLength leaves no room for
 * the out-of-band data in 64 KiB ("pool.bad-size"), memory runs out, or
 * the IRQL is above DISPATCH_LEVEL. A pool created inside
 * MiniportInitialize belongs to that adapter: halt reclaims it. */
VOID NdisAllocatePacketPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			    UINT NumberOfDescriptors,
			    UINT ProtocolReservedLength);
/* As NdisAllocatePacketPool, plus NumberOfOverflowDescriptors handed out
 * only when all fixed descriptors are allocated. At most 0xFFFF
 * descriptors in all; fails as NdisAllocatePacketPool does. */
VOID NdisAllocatePacketPoolEx(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			      UINT NumberOfDescriptors,
			      UINT NumberOfOverflowDescriptors,
			      UINT ProtocolReservedLength);
/* Free a packet pool. When packets are still allocated the misuse is
 * reported ("pool.free-outstanding") and the pool is destroyed when the
 * last of them is freed; the handle may not be used again either way.
 * An unknown handle is reported ("pool.bad-handle") and ignored. */
VOID NdisFreePacketPool(NDIS_HANDLE PoolHandle);
/* Packets allocated from the pool now (0 for an unknown handle, which is
 * reported). A snapshot when other threads allocate concurrently. */
UINT NdisPacketPoolUsage(NDIS_HANDLE PoolHandle);
/* Allocate a packet: Private fields initialised (no buffers, ValidCounts
 * TRUE, Pool set), out-of-band data and per-packet information zeroed,
 * reserved areas left as they are. Never blocks. Sets *Status to
 * NDIS_STATUS_SUCCESS and *Packet, or NDIS_STATUS_RESOURCES and *Packet
 * NULL when the pool is empty (fixed and overflow), the handle is
 * unknown ("pool.bad-handle") or the pool is being freed. */
VOID NdisAllocatePacket(PNDIS_STATUS Status, PNDIS_PACKET *Packet,
			NDIS_HANDLE PoolHandle);
/* Return a packet to its pool (the buffers chained to it are not
 * freed). A packet freed twice ("pool.double-free"), one whose
 * Private.Pool was changed to another pool ("pool.cross-free": it goes
 * back to its own pool) or a pointer no pool allocated
 * ("pool.free-unknown") is reported; the pool stays intact. */
VOID NdisFreePacket(PNDIS_PACKET Packet);

/* NdisAllocatePacket and NdisFreePacket are also inline, as DPDK's
 * rte_mempool_get/put are: the calls above written in a driver compile
 * to the per-thread cache's pop or push with every check the functions
 * make (handle, NULL outputs, IRQL; the free's header, Private and state
 * byte), and call the functions for anything else, which report what is
 * wrong and take the slow paths. Taking the address of either name, or
 * writing (NdisAllocatePacket)(...), uses the function. Define
 * NDISDMA_NO_INLINE before including <ndis.h> to call the functions
 * always (the behaviour is the same). */
#if !defined(NDISDMA_NO_INLINE)
static inline __attribute__((always_inline)) void
ndisdma_packet_alloc_(PNDIS_STATUS Status, PNDIS_PACKET *Packet,
		      NDIS_HANDLE PoolHandle)
{
	const struct nd_dpool_head *dp =
	    (const struct nd_dpool_head *)PoolHandle;
	struct nd_tls *t = &ndisdma_tls_;
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_PACKET_ &&
				 Status != 0 && Packet != 0 &&
				 t->self.irql <= DISPATCH_LEVEL,
			     1)) {
		/* a free packet is in its allocation state */
		void *o = nd_pcache_pop(t, dp->pool, dp->slot);
		if (__builtin_expect(o != 0, 1)) {
			*Packet = (PNDIS_PACKET)o;
			*Status = NDIS_STATUS_SUCCESS;
			return;
		}
	}
	(NdisAllocatePacket)(Status, Packet, PoolHandle);
}

/* (reads the 16 bytes in front of a pointer the driver passes before it
 * knows the pointer is a packet: no AddressSanitizer check there) */
static inline NDISDMA_NO_ASAN_ void ndisdma_packet_free_(PNDIS_PACKET Packet)
{
	if (__builtin_expect(nd_hdr_readable(Packet), 1)) {
		const struct nd_pool_hdr *h = nd_pool_hdr_raw(Packet);
		if (__builtin_expect(h->cookie == NDISDMA_COOKIE_AT_(h), 1)) {
			struct nd_pool *pool = h->pool;
			NDISDMA_ATOMIC_(uint8_t) *st =
			    nd_pool_line_live(h, pool);
			if (__builtin_expect(st != 0, 1) &&
			    __builtin_expect(nd_pcache_push(&ndisdma_tls_, pool,
							    pool->slot, st,
							    Packet),
					     1))
				return;
		}
	}
	(NdisFreePacket)(Packet);
}

#define NdisAllocatePacket(_S, _P, _H) ndisdma_packet_alloc_((_S), (_P), (_H))
#define NdisFreePacket(_P) ndisdma_packet_free_(_P)
#endif
/* Unchain all buffers (they are not freed) and mark the counts stale, as
 * before reuse of a packet. Cannot fail (NULL is ignored). */
VOID NdisReinitializePacket(PNDIS_PACKET Packet);
/* Walk the buffer chain and store PhysicalCount, Count and TotalLength,
 * setting ValidCounts. Cannot fail. */
VOID NdisRecalculatePacketCounts(PNDIS_PACKET Packet);

/* ---- querying packets and buffers ---- */

/* Any of the OPTIONAL outputs may be NULL. PhysicalBufferCount counts
 * the pages the buffers span (one per page of each buffer), BufferCount
 * the buffers, TotalPacketLength the bytes. Recounts when ValidCounts is
 * FALSE. Cannot fail. */
VOID NdisQueryPacket(PNDIS_PACKET Packet, PUINT PhysicalBufferCount OPTIONAL,
		     PUINT BufferCount OPTIONAL,
		     PNDIS_BUFFER *FirstBuffer OPTIONAL,
		     PUINT TotalPacketLength OPTIONAL);
/* The packet's total length. Cannot fail. */
VOID NdisQueryPacketLength(PNDIS_PACKET Packet, PUINT TotalPacketLength);
/* *FirstBuffer, its virtual address and length, and the packet's total
 * length (all 0/NULL for a packet without buffers). Cannot fail. */
VOID NdisGetFirstBufferFromPacket(PNDIS_PACKET Packet,
				  PNDIS_BUFFER *FirstBuffer,
				  PVOID *FirstBufferVA, PUINT FirstBufferLength,
				  PUINT TotalBufferLength);
/* As NdisGetFirstBufferFromPacket; the mapping cannot fail in user space
 * so Priority is ignored and *FirstBufferVA is NULL only without a
 * buffer. */
VOID NdisGetFirstBufferFromPacketSafe(PNDIS_PACKET Packet,
				      PNDIS_BUFFER *FirstBuffer,
				      PVOID *FirstBufferVA,
				      PUINT FirstBufferLength,
				      PUINT TotalBufferLength, ULONG Priority);
/* Insert a buffer (or a chain of buffers linked by Next) at the head /
 * the tail of the packet's chain; the counts become stale. Cannot fail;
 * NULL arguments are ignored. */
VOID NdisChainBufferAtFront(PNDIS_PACKET Packet, PNDIS_BUFFER Buffer);
VOID NdisChainBufferAtBack(PNDIS_PACKET Packet, PNDIS_BUFFER Buffer);
/* Remove the first / last buffer; *Buffer is it (its Next cleared), or
 * NULL when the packet has none. A NULL Packet or Buffer is reported
 * ("pool.bad-params") and nothing is unchained. Cannot fail otherwise. */
VOID NdisUnchainBufferAtFront(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer);
VOID NdisUnchainBufferAtBack(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer);

/* ---- buffer pools and buffers (MDLs) ---- */

/* Create a pool of NumberOfDescriptors buffer descriptors. Sets *Status
 * to NDIS_STATUS_SUCCESS and *PoolHandle, or NDIS_STATUS_RESOURCES and
 * NULL (0 descriptors: "pool.bad-size"; out of memory; IRQL). Halt
 * reclaims a pool created inside MiniportInitialize. */
VOID NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			    UINT NumberOfDescriptors);
/* Free a buffer pool; with buffers outstanding as NdisFreePacketPool. */
VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle);
/* Describe [VirtualAddress, VirtualAddress + Length) - any range, any
 * alignment - with a buffer descriptor (an MDL: StartVa the page,
 * ByteOffset, ByteCount, MappedSystemVa, one page-frame entry per page
 * spanned, Next NULL). Sets *Status to NDIS_STATUS_SUCCESS and *Buffer,
 * or NDIS_STATUS_FAILURE and *Buffer NULL when the pool is empty, the
 * handle unknown ("pool.bad-handle") or memory runs out. Never blocks. */
VOID NdisAllocateBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
			NDIS_HANDLE PoolHandle, PVOID VirtualAddress,
			UINT Length);
/* Return a buffer descriptor to its pool (not the memory it describes).
 * Double / foreign frees are reported as for NdisFreePacket. */
VOID NdisFreeBuffer(PNDIS_BUFFER Buffer);
/* The buffer's virtual address (if VirtualAddress is not NULL) and
 * length. Cannot fail. */
VOID NdisQueryBuffer(PNDIS_BUFFER Buffer, PVOID *VirtualAddress OPTIONAL,
		     PUINT Length);
VOID NdisQueryBufferSafe(PNDIS_BUFFER Buffer, PVOID *VirtualAddress OPTIONAL,
			 PUINT Length, ULONG Priority);
/* The byte offset of the buffer's start in its first page, and its
 * length. Cannot fail. */
VOID NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length);
/* *NextBuffer = the buffer after CurrentBuffer, or NULL. Cannot fail. */
VOID NdisGetNextBuffer(PNDIS_BUFFER CurrentBuffer, PNDIS_BUFFER *NextBuffer);
/* Set the number of bytes the buffer describes (the MDL's ByteCount), as
 * ndis.sys does: Length should not exceed what the buffer was allocated
 * with; NULL is ignored. Cannot fail. */
VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length);
/* NdisGetBufferPhysicalArraySize: see <ndisdma/ndis/mapping.h>. */
/* Make a partial buffer: a descriptor from PoolHandle describing Length
 * bytes at Offset inside SourceBuffer. Fails as NdisAllocateBuffer, and
 * with NDIS_STATUS_FAILURE when the range exceeds SourceBuffer. */
VOID NdisCopyBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
		    NDIS_HANDLE PoolHandle, PVOID MemoryDescriptor, UINT Offset,
		    UINT Length);

/* NdisAllocateBuffer and NdisFreeBuffer are inline as the packet calls
 * are: the allocation of a range spanning at most 16 pages is the cache's
 * pop and the MDL's fill; the free of a buffer pool's own descriptor,
 * exactly LIVE, is the cache's push. Everything else (a big range, an
 * MDL from NdisAllocateMdl or the heap, a bad handle or pointer, an
 * empty or full cache) calls the functions, which report it. */
#if !defined(NDISDMA_NO_INLINE)
static inline __attribute__((always_inline)) void
ndisdma_buffer_alloc_(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
		      NDIS_HANDLE PoolHandle, PVOID VirtualAddress, UINT Length)
{
	const struct nd_dpool_head *dp =
	    (const struct nd_dpool_head *)PoolHandle;
	struct nd_tls *t = &ndisdma_tls_;
	ULONG span = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);
	if (__builtin_expect(NDISDMA_DPOOL_IN_(dp) &&
				 dp->magic == NDISDMA_DP_BUFFER_ &&
				 Status != 0 && Buffer != 0 &&
				 span <= NDISDMA_MDL_INLINE_PFNS_ &&
				 t->self.irql <= DISPATCH_LEVEL,
			     1)) {
		void *o = nd_pcache_pop(t, dp->pool, dp->slot);
		if (__builtin_expect(o != 0, 1)) {
			ndisdma_mdl_fill_((PMDL)o, VirtualAddress, Length,
					  span);
			*Buffer = (PNDIS_BUFFER)o;
			*Status = NDIS_STATUS_SUCCESS;
			return;
		}
	}
	(NdisAllocateBuffer)(Status, Buffer, PoolHandle, VirtualAddress,
			     Length);
}

/* (reads the 16 bytes in front of the pointer first, as the packet's) */
static inline NDISDMA_NO_ASAN_ void ndisdma_buffer_free_(PNDIS_BUFFER Buffer)
{
	if (__builtin_expect(nd_hdr_readable(Buffer), 1)) {
		const struct nd_pool_hdr *h = nd_pool_hdr_raw(Buffer);
		if (__builtin_expect(h->cookie == NDISDMA_COOKIE_AT_(h), 1)) {
			struct nd_pool *pool = h->pool;
			NDISDMA_ATOMIC_(uint8_t) *st = &pool->st[h->index];
			if (__builtin_expect(
				pool->tag == NDISDMA_DP_BUFFER_ &&
				    h->index < pool->st_cap &&
				    NDISDMA_LD_(st, NDISDMA_RLX_) ==
					NDISDMA_ST_LIVE_,
				1) &&
			    __builtin_expect(nd_pcache_push(&ndisdma_tls_, pool,
							    pool->slot, st,
							    Buffer),
					     1))
				return;
		}
	}
	(NdisFreeBuffer)(Buffer);
}

#define NdisAllocateBuffer(_S, _B, _H, _V, _L)                                 \
	ndisdma_buffer_alloc_((_S), (_B), (_H), (_V), (_L))
#define NdisFreeBuffer(_B) ndisdma_buffer_free_(_B)
#endif

#if !defined(__cplusplus)
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NDIS_PACKET_PRIVATE, NdisPacketOobOffset) == 42,
	       "NDIS_PACKET_PRIVATE x64 layout");
_Static_assert(sizeof(void *) != 8 || sizeof(NDIS_PACKET_PRIVATE) == 48,
	       "NDIS_PACKET_PRIVATE is 0x30 bytes on x64");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NDIS_PACKET, MiniportReserved) == 48,
	       "MiniportReserved at 0x30 on x64");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NDIS_PACKET, ProtocolReserved) == 96,
	       "ProtocolReserved at 0x60 on x64");
_Static_assert(sizeof(void *) != 8 || sizeof(NDIS_PACKET_OOB_DATA) == 40,
	       "NDIS_PACKET_OOB_DATA is 0x28 bytes on x64");
_Static_assert(MaxPerPacketInfo == 12, "NDIS 5.1 per-packet info count");
#endif

#ifdef __cplusplus
}
#endif
#endif
