/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/nbl.h - NDIS 6 descriptors: NET_BUFFER_LIST pools,
 * NET_BUFFER_LIST and NET_BUFFER (layouts of NDIS 6.20 on x64), their
 * accessor macros, NET_BUFFER_LIST contexts, NET_BUFFER pools, the
 * data-start calls (retreat, advance, NdisGetDataBuffer), and
 * NdisAllocateMdl / NdisFreeMdl. Included by <ndis.h>.
 *
 * All functions may be called at IRQL <= DISPATCH_LEVEL; above that the
 * call is reported ("irql.too-high") and fails as its comment says.
 * Allocation and free are thread-safe; a NET_BUFFER_LIST may be freed on
 * another thread than the one that allocated it.
 */
#ifndef NDISDMA_NDIS_NBL_H
#define NDISDMA_NDIS_NBL_H

#include "types.h"
#include "dma.h"
#include "miniport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MEMORY_ALLOCATION_ALIGNMENT 16
#define NDIS_ALIGN16 __attribute__((aligned(MEMORY_ALLOCATION_ALIGNMENT)))

/* An interlocked singly linked list head (x64: 16 bytes, 16-aligned). */
typedef union NDIS_ALIGN16 _SLIST_HEADER {
	struct {
		ULONGLONG Alignment;
		ULONGLONG Region;
	};
} SLIST_HEADER, *PSLIST_HEADER;

typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NET_BUFFER_LIST_CONTEXT NET_BUFFER_LIST_CONTEXT,
    *PNET_BUFFER_LIST_CONTEXT;
typedef struct _NET_BUFFER_SHARED_MEMORY NET_BUFFER_SHARED_MEMORY,
    *PNET_BUFFER_SHARED_MEMORY;

typedef union _NET_BUFFER_DATA_LENGTH {
	ULONG DataLength;
	SIZE_T stDataLength;
} NET_BUFFER_DATA_LENGTH, *PNET_BUFFER_DATA_LENGTH;

typedef struct _NET_BUFFER_DATA {
	PNET_BUFFER Next;
	PMDL CurrentMdl;
	ULONG CurrentMdlOffset;
	union {
		ULONG DataLength;
		SIZE_T stDataLength;
	};
	PMDL MdlChain;
	ULONG DataOffset;
} NET_BUFFER_DATA, *PNET_BUFFER_DATA;

typedef union _NET_BUFFER_HEADER {
	NET_BUFFER_DATA NetBufferData;
	SLIST_HEADER Link;
} NET_BUFFER_HEADER, *PNET_BUFFER_HEADER;

struct _NET_BUFFER {
	union {
		struct {
			PNET_BUFFER Next;
			PMDL CurrentMdl;
			ULONG CurrentMdlOffset;
			union {
				ULONG DataLength;
				SIZE_T stDataLength;
			};
			PMDL MdlChain;
			ULONG DataOffset;
		};
		SLIST_HEADER Link;
		NET_BUFFER_HEADER NetBufferHeader;
	};
	USHORT ChecksumBias;
	USHORT Reserved;
	NDIS_HANDLE NdisPoolHandle;
	NDIS_ALIGN16 PVOID NdisReserved[2];
	NDIS_ALIGN16 PVOID ProtocolReserved[6];
	NDIS_ALIGN16 PVOID MiniportReserved[4];
	NDIS_PHYSICAL_ADDRESS DataPhysicalAddress;
	union {
		PNET_BUFFER_SHARED_MEMORY SharedMemoryInfo;
		PSCATTER_GATHER_LIST ScatterGatherList;
	};
};

struct _NET_BUFFER_LIST_CONTEXT {
	PNET_BUFFER_LIST_CONTEXT Next;
	USHORT Size;
	USHORT Offset;
	NDIS_ALIGN16 UCHAR ContextData[];
};

/* NET_BUFFER_LIST information types as of NDIS 6.20. */
typedef enum _NDIS_NET_BUFFER_LIST_INFO {
	TcpIpChecksumNetBufferListInfo,
	TcpOffloadBytesTransferred = TcpIpChecksumNetBufferListInfo,
	IPsecOffloadV1NetBufferListInfo,
	IPsecOffloadV2NetBufferListInfo = IPsecOffloadV1NetBufferListInfo,
	TcpLargeSendNetBufferListInfo,
	TcpReceiveNoPush = TcpLargeSendNetBufferListInfo,
	ClassificationHandleNetBufferListInfo,
	Ieee8021QNetBufferListInfo,
	NetBufferListCancelId,
	MediaSpecificInformation,
	NetBufferListFrameType,
	NetBufferListProtocolId = NetBufferListFrameType,
	NetBufferListHashValue,
	NetBufferListHashInfo,
	WfpNetBufferListInfo,
	IPsecOffloadV2TunnelNetBufferListInfo,
	IPsecOffloadV2HeaderNetBufferListInfo,
	NetBufferListCorrelationId,
	NetBufferListFilteringInfo,
	MediaSpecificInformationEx,
	NblOriginalInterfaceIfIndex,
	NblReAuthWfpFlowContext = NblOriginalInterfaceIfIndex,
	TcpReceiveBytesTransferred,
	MaxNetBufferListInfo
} NDIS_NET_BUFFER_LIST_INFO,
    *PNDIS_NET_BUFFER_LIST_INFO;

typedef union _NET_BUFFER_LIST_HEADER {
	struct {
		PNET_BUFFER_LIST Next;
		PNET_BUFFER FirstNetBuffer;
	};
	SLIST_HEADER Link;
} NET_BUFFER_LIST_HEADER, *PNET_BUFFER_LIST_HEADER;

struct _NET_BUFFER_LIST {
	union {
		struct {
			PNET_BUFFER_LIST Next;
			PNET_BUFFER FirstNetBuffer;
		};
		SLIST_HEADER Link;
		NET_BUFFER_LIST_HEADER NetBufferListHeader;
	};
	PNET_BUFFER_LIST_CONTEXT Context;
	PNET_BUFFER_LIST ParentNetBufferList;
	NDIS_HANDLE NdisPoolHandle;
	NDIS_ALIGN16 PVOID NdisReserved[2];
	NDIS_ALIGN16 PVOID ProtocolReserved[4];
	NDIS_ALIGN16 PVOID MiniportReserved[2];
	PVOID Scratch;
	NDIS_HANDLE SourceHandle;
	ULONG NblFlags;
	LONG ChildRefCount;
	ULONG Flags;
	union {
		NDIS_STATUS Status;
		ULONG NdisReserved2;
	};
	PVOID NetBufferListInfo[MaxNetBufferListInfo];
};

/* ---- accessors ---- */
#define NET_BUFFER_LIST_NEXT_NBL(_NBL) ((_NBL)->Next)
#define NET_BUFFER_LIST_FIRST_NB(_NBL) ((_NBL)->FirstNetBuffer)
#define NET_BUFFER_LIST_FLAGS(_NBL) ((_NBL)->Flags)
#define NET_BUFFER_LIST_NBL_FLAGS(_NBL) ((_NBL)->NblFlags)
#define NET_BUFFER_LIST_STATUS(_NBL) ((_NBL)->Status)
#define NET_BUFFER_LIST_INFO(_NBL, _Id) ((_NBL)->NetBufferListInfo[(_Id)])
#define NET_BUFFER_LIST_MINIPORT_RESERVED(_NBL) ((_NBL)->MiniportReserved)
#define NET_BUFFER_LIST_PROTOCOL_RESERVED(_NBL) ((_NBL)->ProtocolReserved)
#define NET_BUFFER_LIST_CONTEXT_DATA_START(_NBL)                               \
	((PVOID)((_NBL)->Context->ContextData + (_NBL)->Context->Offset))
#define NET_BUFFER_LIST_CONTEXT_DATA_SIZE(_NBL)                                \
	((ULONG)((_NBL)->Context->Size - (_NBL)->Context->Offset))
#define NdisGetPoolFromNetBufferList(_NBL) ((_NBL)->NdisPoolHandle)

#define NET_BUFFER_NEXT_NB(_NB) ((_NB)->Next)
#define NET_BUFFER_FIRST_MDL(_NB) ((_NB)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(_NB) ((_NB)->DataLength)
#define NET_BUFFER_DATA_OFFSET(_NB) ((_NB)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(_NB) ((_NB)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(_NB) ((_NB)->CurrentMdlOffset)
#define NET_BUFFER_CHECKSUM_BIAS(_NB) ((_NB)->ChecksumBias)
#define NET_BUFFER_MINIPORT_RESERVED(_NB) ((_NB)->MiniportReserved)
#define NET_BUFFER_PROTOCOL_RESERVED(_NB) ((_NB)->ProtocolReserved)
#define NdisGetPoolFromNetBuffer(_NB) ((_NB)->NdisPoolHandle)

/* ---- pools ---- */

#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP 0x02
#define NDIS_PROTOCOL_ID_IPX 0x06
#define NDIS_PROTOCOL_ID_NBF 0x07
#define NDIS_PROTOCOL_ID_MAX 0x0F
#define NDIS_PROTOCOL_ID_MASK 0x0F

typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	UCHAR ProtocolId;
	BOOLEAN fAllocateNetBuffer;
	USHORT ContextSize;
	ULONG PoolTag;
	ULONG DataSize;
	ULONG Flags;
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;

#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1                 \
	(offsetof(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize) + sizeof(ULONG))

/* Create a NET_BUFFER_LIST pool. NdisHandle is the miniport adapter
 * handle (the pool then belongs to the adapter: halt reclaims it) or a
 * driver handle. The pool grows as needed: allocation fails only when
 * memory runs out. fAllocateNetBuffer gives each NET_BUFFER_LIST a
 * NET_BUFFER; ContextSize bytes of NET_BUFFER_LIST_CONTEXT come
 * preallocated with each. DataSize != 0 (only with fAllocateNetBuffer)
 * preallocates with each an MDL and DataSize bytes of data that
 * NdisAllocateNetBufferList hands out described by the NET_BUFFER.
 * Returns the pool handle, or NULL: an unknown NdisHandle
 * ("handle.unknown"), a NULL or malformed Parameters (header type
 * NDIS_OBJECT_TYPE_DEFAULT, revision 1, size at least
 * NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1; ContextSize a
 * multiple of MEMORY_ALLOCATION_ALIGNMENT; DataSize != 0 without
 * fAllocateNetBuffer: "pool.bad-params"), IRQL above DISPATCH_LEVEL
 * ("irql.too-high"), or no memory. */
NDIS_HANDLE
NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
			      PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);
/* Free a NET_BUFFER_LIST pool. With NET_BUFFER_LISTs outstanding the
 * misuse is reported ("pool.free-outstanding") and the pool dies when
 * the last returns. An unknown handle is reported ("pool.bad-handle"). */
VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);
/* Allocate a NET_BUFFER_LIST, every field zero but NdisPoolHandle,
 * Context and FirstNetBuffer. From a pool without fAllocateNetBuffer
 * FirstNetBuffer is NULL; with it, FirstNetBuffer is the preallocated
 * NET_BUFFER: all zero (no MDL) when the pool's DataSize is 0, else
 * describing the preallocated data (MdlChain = CurrentMdl = an MDL of
 * DataSize bytes, 64-byte aligned; DataOffset 0, DataLength DataSize).
 * With ContextSize + ContextBackFill > 0 a NET_BUFFER_LIST_CONTEXT is
 * attached whose data area is ContextSize bytes
 * (NET_BUFFER_LIST_CONTEXT_DATA_SIZE) with ContextBackFill bytes free
 * before it; the pool's preallocated context is used when large enough.
 * Returns NULL when memory runs out, the handle is unknown or the pool
 * is being freed ("pool.bad-handle"), or above DISPATCH_LEVEL
 * ("irql.too-high"). */
PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
					   USHORT ContextSize,
					   USHORT ContextBackFill);
/* As NdisAllocateNetBufferList, from a pool created with
 * fAllocateNetBuffer and DataSize 0, with the NET_BUFFER describing
 * DataLength bytes at DataOffset into MdlChain (CurrentMdl /
 * CurrentMdlOffset locate DataOffset in the chain). Returns NULL as
 * NdisAllocateNetBufferList, for a pool without NET_BUFFERs or with a
 * DataSize ("pool.bad-params"), and when DataOffset + DataLength does
 * not fit in the chain or a NULL chain comes with a non-zero DataOffset
 * or DataLength ("nb.data-range"). */
PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
    NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill,
    PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength);
/* Return a NET_BUFFER_LIST (and the NET_BUFFER, MDL and data allocated
 * with it) to its pool; the driver's MDLs are not freed. Contexts that
 * NdisAllocateNetBufferListContext added and were not released are
 * freed with it. MDLs that NdisRetreatNetBufferDataStart put in front of
 * its NET_BUFFER and that were not advanced away are reported
 * ("nb.retreat-mdl") and freed when NDIS allocated them. A double free,
 * a foreign pointer or a changed NdisPoolHandle is reported
 * ("pool.double-free", "pool.free-unknown", "pool.cross-free"); the
 * pool stays intact. Cannot fail otherwise. */
VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);

/* Add ContextSize bytes of context in front of the NET_BUFFER_LIST's
 * current context data: by lowering NET_BUFFER_LIST_CONTEXT.Offset when
 * the backfill is large enough, else by chaining a new
 * NET_BUFFER_LIST_CONTEXT of ContextSize + ContextBackFill bytes
 * (16-byte aligned) in front. PoolTag is accepted and not used.
 * Returns NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES when memory runs
 * out; NDIS_STATUS_FAILURE for a NULL NetBufferList or ContextSize 0 or
 * a size not a multiple of sizeof(void *) ("pool.bad-params"), or above
 * DISPATCH_LEVEL ("irql.too-high"). */
NDIS_STATUS NdisAllocateNetBufferListContext(PNET_BUFFER_LIST NetBufferList,
					     USHORT ContextSize,
					     USHORT ContextBackFill,
					     ULONG PoolTag);
/* Release ContextSize bytes of context: raise Offset; a context that
 * NdisAllocateNetBufferListContext allocated is freed once all of it is
 * released. Releasing more than the current context holds (or a NULL
 * NetBufferList) is reported ("pool.bad-params") and changes nothing. */
VOID NdisFreeNetBufferListContext(PNET_BUFFER_LIST NetBufferList,
				  USHORT ContextSize);

/* ---- NET_BUFFER pools ---- */

typedef struct _NET_BUFFER_POOL_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG PoolTag;
	ULONG DataSize;
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;

#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1
#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1                      \
	(offsetof(NET_BUFFER_POOL_PARAMETERS, DataSize) + sizeof(ULONG))

/* Create a pool of stand-alone NET_BUFFERs. NdisHandle as for
 * NdisAllocateNetBufferListPool (an adapter handle makes the pool the
 * adapter's: halt reclaims it, "halt.leak-object"). DataSize 0: the pool
 * serves NdisAllocateNetBuffer; DataSize != 0: it serves
 * NdisAllocateNetBufferMdlAndData, each NET_BUFFER coming with an MDL
 * and DataSize bytes of data in the same descriptor. The pool grows as
 * needed. Returns the handle, or NULL: an unknown NdisHandle
 * ("handle.unknown"), a NULL or malformed Parameters (type
 * NDIS_OBJECT_TYPE_DEFAULT, revision 1, size at least
 * NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1: "pool.bad-params"),
 * IRQL above DISPATCH_LEVEL ("irql.too-high"), or no memory. */
NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
				      PNET_BUFFER_POOL_PARAMETERS Parameters);
/* Free a NET_BUFFER pool. With NET_BUFFERs outstanding the misuse is
 * reported ("pool.free-outstanding") and the pool dies when the last
 * returns. An unknown or already freed handle is reported
 * ("pool.bad-handle"). Cannot fail otherwise. */
VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle);
/* Allocate a NET_BUFFER (every field zero but those set here) describing
 * DataLength bytes at DataOffset into MdlChain; CurrentMdl /
 * CurrentMdlOffset locate DataOffset in the chain; NdisPoolHandle is the
 * pool. Returns NULL when memory runs out, the handle is no live
 * NET_BUFFER pool ("pool.bad-handle"), the pool has a DataSize (it is
 * for NdisAllocateNetBufferMdlAndData: "pool.bad-params"), DataOffset +
 * DataLength does not fit in the chain or a NULL chain comes with a
 * non-zero DataOffset or DataLength ("nb.data-range"), or above
 * DISPATCH_LEVEL ("irql.too-high"). */
PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain,
				  ULONG DataOffset, SIZE_T DataLength);
/* Allocate a NET_BUFFER with an MDL and the pool's DataSize bytes of
 * data (64-byte aligned), all in one descriptor: MdlChain = CurrentMdl =
 * that MDL, DataOffset 0, CurrentMdlOffset 0, DataLength DataSize.
 * Returns NULL as NdisAllocateNetBuffer, and for a pool whose DataSize
 * is 0 ("pool.bad-params"). */
PNET_BUFFER NdisAllocateNetBufferMdlAndData(NDIS_HANDLE PoolHandle);
/* Return a NET_BUFFER of NdisAllocateNetBuffer(MdlAndData) to its pool;
 * the driver's MDLs are not freed. Retreat MDLs still chained are
 * handled as by NdisFreeNetBufferList. The NET_BUFFER of a
 * NET_BUFFER_LIST (it goes with its list) is reported
 * ("pool.cross-free") and not freed; double and foreign frees and a
 * changed NdisPoolHandle as for NdisFreeNetBufferList. */
VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer);

/* ---- data start ---- */

/* NetAllocateMdl: an MDL describing at least *BufferSize bytes of
 * memory (NULL on failure). NetFreeMdl frees one. */
typedef PMDL (*NET_BUFFER_ALLOCATE_MDL_HANDLER)(PULONG BufferSize);
typedef VOID (*NET_BUFFER_FREE_MDL_HANDLER)(PMDL Mdl);

/* Add DataOffsetDelta bytes of used data space in front of the data.
 * With DataOffset >= DataOffsetDelta only DataOffset, DataLength and
 * CurrentMdl(Offset) change. Otherwise the backfill there is used up and
 * a new MDL of DataOffsetDelta - DataOffset + DataBackFill bytes is
 * chained in front (DataOffset becomes DataBackFill): from
 * AllocateMdlHandler when given, else from NDIS's memory. The data
 * already there stays where it is. Returns NDIS_STATUS_SUCCESS;
 * NDIS_STATUS_RESOURCES when the MDL cannot be had (the NET_BUFFER is
 * unchanged); NDIS_STATUS_FAILURE for a NULL NetBuffer
 * ("pool.bad-params"), a handler MDL smaller than asked
 * ("nb.retreat-mdl"), a DataLength that would overflow, or above
 * DISPATCH_LEVEL ("irql.too-high"). */
NDIS_STATUS NdisRetreatNetBufferDataStart(
    PNET_BUFFER NetBuffer, ULONG DataOffsetDelta, ULONG DataBackFill,
    NET_BUFFER_ALLOCATE_MDL_HANDLER AllocateMdlHandler);
/* Release DataOffsetDelta bytes of used data space at the front: raise
 * DataOffset, lower DataLength, move CurrentMdl(Offset). With FreeMdl,
 * the MDLs that NdisRetreatNetBufferDataStart chained in front and that
 * now hold no data are unlinked and freed: NDIS's own, and a driver's
 * NetAllocateMdl ones through FreeMdlHandler (without it they stay in
 * the chain: "nb.retreat-mdl"). The driver's own MDLs are never freed.
 * Advancing past DataLength ("nb.data-range"), a NULL NetBuffer
 * ("pool.bad-params") or IRQL above DISPATCH_LEVEL ("irql.too-high")
 * is reported and changes nothing. */
VOID NdisAdvanceNetBufferDataStart(PNET_BUFFER NetBuffer, ULONG DataOffsetDelta,
				   BOOLEAN FreeMdl,
				   NET_BUFFER_FREE_MDL_HANDLER FreeMdlHandler);
/* The first BytesNeeded bytes of the NET_BUFFER's data, contiguous, at
 * an address that is AlignOffset more than a multiple of AlignMultiple
 * (a power of two; 1 = any): a pointer into the current MDL when the
 * bytes lie in it and are so aligned, else a copy in Storage (returned;
 * it must itself be so aligned), else NULL. NULL also when DataLength <
 * BytesNeeded (not a misuse); for a NULL NetBuffer, AlignMultiple 0 or
 * not a power of two, AlignOffset >= AlignMultiple, or a Storage not
 * aligned as asked ("pool.bad-params"); when the chain ends before
 * the bytes do ("nb.data-range"); above DISPATCH_LEVEL
 * ("irql.too-high"). */
PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
			UINT AlignMultiple, UINT AlignOffset);

/* ---- MDLs ---- */

/* An MDL for [VirtualAddress, VirtualAddress + Length), any alignment:
 * built for nonpaged memory (MappedSystemVa set), Next NULL. NdisHandle
 * (an adapter or driver handle) is not checked. Returns NULL when memory
 * runs out or above DISPATCH_LEVEL. */
PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length);
/* Free an MDL from NdisAllocateMdl. Double and foreign frees are
 * reported as for NdisFreeNetBufferList. */
VOID NdisFreeMdl(PMDL Mdl);

#if !defined(__cplusplus)
_Static_assert(sizeof(SLIST_HEADER) == 16, "SLIST_HEADER is 16 bytes");
_Static_assert(sizeof(void *) != 8 || sizeof(NET_BUFFER) == 0xB0,
	       "NET_BUFFER is 0xB0 bytes on x64 (NDIS 6.20)");
_Static_assert(sizeof(void *) != 8 || offsetof(NET_BUFFER, DataOffset) == 40,
	       "NET_BUFFER.DataOffset at 0x28");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NET_BUFFER, NdisPoolHandle) == 56,
	       "NET_BUFFER.NdisPoolHandle at 0x38");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NET_BUFFER, MiniportReserved) == 128,
	       "NET_BUFFER.MiniportReserved at 0x80");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NET_BUFFER_LIST, NdisReserved) == 48,
	       "NET_BUFFER_LIST.NdisReserved at 0x30");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NET_BUFFER_LIST, MiniportReserved) == 96,
	       "NET_BUFFER_LIST.MiniportReserved at 0x60");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NET_BUFFER_LIST, NetBufferListInfo) == 144,
	       "NET_BUFFER_LIST.NetBufferListInfo at 0x90");
_Static_assert(sizeof(NET_BUFFER_LIST_CONTEXT) == 16,
	       "NET_BUFFER_LIST_CONTEXT header is 16 bytes");
_Static_assert(sizeof(NET_BUFFER_LIST_POOL_PARAMETERS) == 20,
	       "NET_BUFFER_LIST_POOL_PARAMETERS is 20 bytes");
_Static_assert(sizeof(NET_BUFFER_POOL_PARAMETERS) == 12,
	       "NET_BUFFER_POOL_PARAMETERS is 12 bytes");
_Static_assert(offsetof(NET_BUFFER_POOL_PARAMETERS, PoolTag) == 4 &&
		   offsetof(NET_BUFFER_POOL_PARAMETERS, DataSize) == 8,
	       "NET_BUFFER_POOL_PARAMETERS: PoolTag at 4, DataSize at 8");
_Static_assert(NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 == 12,
	       "revision 1 is the whole structure");
#endif

#ifdef __cplusplus
}
#endif
#endif
