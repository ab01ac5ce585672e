/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/nbl.h - NDIS 6 descriptors: NET_BUFFER_LIST pools,
 * NET_BUFFER_LIST and NET_BUFFER (layouts of NDIS 6.20 on x64), their
 * accessor macros, and NdisAllocateMdl / NdisFreeMdl. Included by
 * <ndis.h>.
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
} NDIS_NET_BUFFER_LIST_INFO, *PNDIS_NET_BUFFER_LIST_INFO;

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
 * NET_BUFFER (NdisAllocateNetBufferAndNetBufferList); ContextSize bytes
 * of NET_BUFFER_LIST_CONTEXT come preallocated with each. DataSize is
 * accepted and not used. Returns the pool handle, or NULL: an unknown
 * NdisHandle ("handle.unknown"), a NULL or malformed Parameters (header
 * type NDIS_OBJECT_TYPE_DEFAULT, revision 1, size at least
 * NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1; ContextSize a
 * multiple of MEMORY_ALLOCATION_ALIGNMENT: "pool.bad-params"), IRQL
 * above DISPATCH_LEVEL, or no memory. */
NDIS_HANDLE NdisAllocateNetBufferListPool(
	NDIS_HANDLE NdisHandle, PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);
/* Free a NET_BUFFER_LIST pool. With NET_BUFFER_LISTs outstanding the
 * misuse is reported ("pool.free-outstanding") and the pool dies when
 * the last returns. An unknown handle is reported ("pool.bad-handle"). */
VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);
/* Allocate a NET_BUFFER_LIST without NET_BUFFERs (FirstNetBuffer NULL),
 * every field zero but NdisPoolHandle and Context. With ContextSize +
 * ContextBackFill > 0 a NET_BUFFER_LIST_CONTEXT is attached whose data
 * area is ContextSize bytes (NET_BUFFER_LIST_CONTEXT_DATA_SIZE) with
 * ContextBackFill bytes free before it; the pool's preallocated context
 * is used when large enough. Returns NULL when memory runs out, the
 * handle is unknown ("pool.bad-handle") or the pool is being freed. */
PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
					   USHORT ContextSize,
					   USHORT ContextBackFill);
/* As NdisAllocateNetBufferList, from a pool created with
 * fAllocateNetBuffer, with one NET_BUFFER describing DataLength bytes at
 * DataOffset into MdlChain (CurrentMdl / CurrentMdlOffset locate
 * DataOffset in the chain). Returns NULL as NdisAllocateNetBufferList,
 * and for a pool without NET_BUFFERs ("pool.bad-params"). */
PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(
	NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill,
	PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength);
/* Return a NET_BUFFER_LIST (and the NET_BUFFER allocated with it) to its
 * pool; the MDLs are not freed. A double free, a foreign pointer or a
 * changed NdisPoolHandle is reported ("pool.double-free",
 * "pool.free-unknown", "pool.cross-free"); the pool stays intact. */
VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);

/* ---- MDLs ---- */

/* An MDL for [VirtualAddress, VirtualAddress + Length), any alignment:
 * built for nonpaged memory (MappedSystemVa set), Next NULL. NdisHandle
 * (an adapter or driver handle) is not checked. Returns NULL when memory
 * runs out or above DISPATCH_LEVEL. */
PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress,
		     UINT Length);
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
#endif

#ifdef __cplusplus
}
#endif
#endif
