/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/types.h - Windows kernel base types as NDIS drivers see them,
 * in the LLP64 model (ULONG and LONG are 32 bits, pointers 64), NDIS_STATUS
 * codes, IRQL, and the MDL (NDIS_BUFFER). Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_TYPES_H
#define NDISDMA_NDIS_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SAL-style annotations drivers are written with: no meaning here. */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _IRQL_requires_(x)
#define _IRQL_requires_max_(x)
#define UNREFERENCED_PARAMETER(p) ((void)(p))

typedef void VOID, *PVOID;
typedef char CHAR, *PCHAR, CCHAR;
typedef unsigned char UCHAR, *PUCHAR, BOOLEAN, *PBOOLEAN, BYTE;
typedef int16_t SHORT, CSHORT, *PSHORT;
typedef uint16_t USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR;
typedef int32_t LONG, *PLONG, INT, *PINT, NTSTATUS;
typedef uint32_t ULONG, *PULONG, UINT, *PUINT, DWORD;
typedef int64_t LONGLONG, *PLONGLONG, LONG64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, SIZE_T, KSPIN_LOCK, *PKSPIN_LOCK;
typedef intptr_t LONG_PTR;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	};
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;

#define NdisGetPhysicalAddressHigh(a) ((a).HighPart)
#define NdisGetPhysicalAddressLow(a) ((a).LowPart)
#define NdisSetPhysicalAddressHigh(a, v) ((a).HighPart = (v))
#define NdisSetPhysicalAddressLow(a, v) ((a).LowPart = (v))
#define NDIS_PHYSICAL_ADDRESS_CONST(Low, High)                                 \
	{ { (ULONG)(Low), (LONG)(High) } }

typedef void *NDIS_HANDLE, **PNDIS_HANDLE;
typedef LONG NDIS_STATUS, *PNDIS_STATUS;

typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING, NDIS_STRING, *PNDIS_STRING;

/* The driver object is opaque: DriverEntry passes it on to
 * NdisMInitializeWrapper / NdisMRegisterMiniportDriver. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

/* ---- status codes ---- */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000)
#define STATUS_PENDING ((NTSTATUS)0x00000103)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009A)
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)

#define NDIS_STATUS_SUCCESS ((NDIS_STATUS)0x00000000)
#define NDIS_STATUS_PENDING ((NDIS_STATUS)0x00000103)
#define NDIS_STATUS_NOT_RECOGNIZED ((NDIS_STATUS)0x00010001)
#define NDIS_STATUS_NOT_COPIED ((NDIS_STATUS)0x00010002)
#define NDIS_STATUS_NOT_ACCEPTED ((NDIS_STATUS)0x00010003)
#define NDIS_STATUS_FAILURE ((NDIS_STATUS)0xC0000001)
#define NDIS_STATUS_INVALID_PARAMETER ((NDIS_STATUS)0xC000000D)
#define NDIS_STATUS_RESOURCES ((NDIS_STATUS)0xC000009A)
#define NDIS_STATUS_NOT_SUPPORTED ((NDIS_STATUS)0xC00000BB)
#define NDIS_STATUS_CLOSING ((NDIS_STATUS)0xC0010002)
#define NDIS_STATUS_BAD_VERSION ((NDIS_STATUS)0xC0010004)
#define NDIS_STATUS_BAD_CHARACTERISTICS ((NDIS_STATUS)0xC0010005)
#define NDIS_STATUS_ADAPTER_NOT_FOUND ((NDIS_STATUS)0xC0010006)
#define NDIS_STATUS_OPEN_FAILED ((NDIS_STATUS)0xC0010007)
#define NDIS_STATUS_INVALID_PACKET ((NDIS_STATUS)0xC001000F)
#define NDIS_STATUS_INVALID_LENGTH ((NDIS_STATUS)0xC0010014)
#define NDIS_STATUS_INVALID_DATA ((NDIS_STATUS)0xC0010015)
#define NDIS_STATUS_BUFFER_TOO_SHORT ((NDIS_STATUS)0xC0010016)
#define NDIS_STATUS_UNSUPPORTED_MEDIA ((NDIS_STATUS)0xC0010019)
#define NDIS_STATUS_RESOURCE_CONFLICT ((NDIS_STATUS)0xC001001E)

/* ---- IRQL ---- */
typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define DIRQL 3 /* the device's interrupt level, as the host models it */
#define HIGH_LEVEL 15

/* The calling thread's emulated IRQL. Each thread starts at PASSIVE_LEVEL;
 * NDIS spin locks, DPC and interrupt callbacks raise it. Cannot fail. */
KIRQL KeGetCurrentIrql(void);
/* Raise to NewIrql and store the previous level in *OldIrql. Raising to a
 * level below the current one is a caller bug: reported (rule
 * "irql.raise-lower") and the level is left as is. */
void KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
/* Lower back to NewIrql. Lowering above the current level is reported
 * (rule "irql.lower-raise") and ignored. */
void KeLowerIrql(KIRQL NewIrql);
KIRQL KeRaiseIrqlToDpcLevel(void);

/* ---- spin locks ---- */
typedef struct _NDIS_SPIN_LOCK {
	KSPIN_LOCK SpinLock;
	KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

/* Spin locks raise the caller to DISPATCH_LEVEL while held, as NDIS does.
 * None of these can fail. */
void NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock);
void NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock);
void NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
void NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
/* Already at DISPATCH_LEVEL: acquire without changing IRQL. */
void NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
void NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);

/* ---- memory helpers drivers use ---- */
#define NdisZeroMemory(d, n) memset((d), 0, (n))
#define NdisFillMemory(d, n, c) memset((d), (c), (n))
#define NdisMoveMemory(d, s, n) memcpy((d), (s), (n))
#define NdisEqualMemory(a, b, n) (memcmp((a), (b), (n)) == 0)
#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlFillMemory(d, n, c) memset((d), (c), (n))
#define RtlEqualMemory(a, b, n) (memcmp((a), (b), (n)) == 0)

/* ---- pages ---- */
#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12u
#define BYTE_OFFSET(va) ((ULONG)((ULONG_PTR)(va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(va) ((PVOID)((ULONG_PTR)(va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, size)                               \
	((ULONG)((((ULONG_PTR)(va) & (PAGE_SIZE - 1)) + (size) +               \
		  (PAGE_SIZE - 1)) >> PAGE_SHIFT))

/* ---- MDL: memory descriptor list; NDIS_BUFFER is an MDL ---- */
typedef struct _MDL {
	struct _MDL *Next;
	CSHORT Size;
	CSHORT MdlFlags;
	struct _EPROCESS *Process;
	PVOID MappedSystemVa;
	PVOID StartVa;
	ULONG ByteCount;
	ULONG ByteOffset;
} MDL, *PMDL;

typedef MDL NDIS_BUFFER, *PNDIS_BUFFER;

#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010

#define MmGetMdlVirtualAddress(m)                                              \
	((PVOID)((PCHAR)((m)->StartVa) + (m)->ByteOffset))
#define MmGetMdlByteCount(m) ((m)->ByteCount)
#define MmGetMdlByteOffset(m) ((m)->ByteOffset)
#define MmGetMdlPfnArray(m) ((PPFN_NUMBER)((m) + 1))
#define MmGetSystemAddressForMdlSafe(m, prio)                                  \
	((void)(prio), (m)->MappedSystemVa)
#define NDIS_BUFFER_LINKAGE(b) ((b)->Next)
#define NDIS_MDL_LINKAGE(m) ((m)->Next)

/* Describe [Va, Va+Length) with an MDL the caller provides (sized for the
 * page span). Cannot fail. */
#define MmInitializeMdl(m, va, len)                                            \
	do {                                                                   \
		(m)->Next = NULL;                                              \
		(m)->Size = (CSHORT)(sizeof(MDL) +                             \
				     sizeof(PFN_NUMBER) *                      \
					     ADDRESS_AND_SIZE_TO_SPAN_PAGES(   \
						     (va), (len)));            \
		(m)->MdlFlags = 0;                                             \
		(m)->Process = NULL;                                           \
		(m)->StartVa = PAGE_ALIGN(va);                                 \
		(m)->ByteOffset = BYTE_OFFSET(va);                             \
		(m)->ByteCount = (ULONG)(len);                                 \
		(m)->MappedSystemVa = NULL;                                    \
	} while (0)

/* (for the library and its inline fast paths) Fill the MDL m for
 * [va, va+len), which spans `span` pages, as a buffer pool's descriptor:
 * Next NULL, Size for `span` page-frame entries, MDL_ALLOCATED_FIXED_SIZE
 * | MDL_SOURCE_IS_NONPAGED_POOL, MappedSystemVa = va, and the entries
 * after it (user space: the virtual page numbers). Cannot fail. */
static inline void ndisdma_mdl_fill_(PMDL m, void *va, ULONG len, ULONG span)
{
	m->Next = NULL;
	m->Size = (CSHORT)(sizeof(MDL) + sizeof(PFN_NUMBER) * span);
	m->MdlFlags = MDL_ALLOCATED_FIXED_SIZE | MDL_SOURCE_IS_NONPAGED_POOL;
	m->Process = NULL;
	m->MappedSystemVa = va;
	m->StartVa = PAGE_ALIGN(va);
	m->ByteCount = len;
	m->ByteOffset = BYTE_OFFSET(va);
	PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
	PFN_NUMBER first = (ULONG_PTR)va >> PAGE_SHIFT;
	for (ULONG i = 0; i < span; i++)
		pfn[i] = first + i;
}

/* Mark an MDL that describes resident memory as mapped (user space: all
 * memory the process addresses is its own system VA). Cannot fail. */
void MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);

#if defined(__cplusplus)
static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 8 bytes");
#else
_Static_assert(sizeof(ULONG) == 4, "LLP64: ULONG is 32 bits");
_Static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER is 8 bytes");
_Static_assert(offsetof(LARGE_INTEGER, HighPart) == 4, "HighPart at 4");
_Static_assert(sizeof(void *) != 8 || sizeof(MDL) == 48,
	       "MDL has the x64 layout (0x30 bytes)");
_Static_assert(sizeof(void *) != 8 || offsetof(MDL, ByteCount) == 40,
	       "MDL.ByteCount at 0x28 on x64");
#endif

#ifdef __cplusplus
}
#endif
#endif
