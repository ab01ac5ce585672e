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

/* SAL annotations drivers are written with: no meaning here. */
#include "sal.h"

#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))

typedef void VOID, *PVOID, **PPVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR, CCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef char *PCCHAR;
typedef unsigned char UCHAR, *PUCHAR, BOOLEAN, *PBOOLEAN, BYTE, *PBYTE;
typedef const unsigned char *PCUCHAR;
typedef int16_t SHORT, CSHORT, *PSHORT;
typedef uint16_t USHORT, *PUSHORT, WORD, *PWORD;
/* WCHAR is 16 bits. C++ driver source built with -fshort-wchar (module
 * ndisdma-driver) gets wchar_t itself, so that L"..." converts to PCWSTR
 * as under the WDK; C gets uint16_t, which is wchar_t under the flag. */
#if defined(__cplusplus) && defined(__SIZEOF_WCHAR_T__) &&                     \
    __SIZEOF_WCHAR_T__ == 2
typedef wchar_t WCHAR;
#else
typedef uint16_t WCHAR;
#endif
typedef WCHAR *PWCHAR, *PWSTR, *LPWSTR, *PWCH;
typedef const WCHAR *PCWSTR, *LPCWSTR, *PCWCH;
typedef int32_t LONG, *PLONG, INT, *PINT, NTSTATUS, *PNTSTATUS, LONG32,
    *PLONG32, INT32, *PINT32, BOOL;
typedef uint32_t ULONG, *PULONG, UINT, *PUINT, DWORD, *PDWORD, ULONG32,
    *PULONG32, UINT32, *PUINT32, DWORD32, LOGICAL, *PLOGICAL;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64, *PINT64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, UINT64, *PUINT64,
    DWORD64, *PDWORD64;
typedef int8_t INT8, *PINT8;
typedef uint8_t UINT8, *PUINT8;
typedef int16_t INT16, *PINT16;
typedef uint16_t UINT16, *PUINT16;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, SIZE_T, *PSIZE_T, KSPIN_LOCK,
    *PKSPIN_LOCK, UINT_PTR, *PUINT_PTR, DWORD_PTR;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR, *PINT_PTR, SSIZE_T;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;
typedef void *HANDLE, **PHANDLE;
typedef LONG KPRIORITY;
typedef CCHAR KPROCESSOR_MODE;
#define KernelMode 0
#define UserMode 1
typedef UCHAR KIRQL, *PKIRQL;

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
	{                                                                      \
		{                                                              \
			(ULONG)(Low), (LONG)(High)                             \
		}                                                              \
	}

typedef void *NDIS_HANDLE, **PNDIS_HANDLE;
typedef LONG NDIS_STATUS, *PNDIS_STATUS;

/* Counted strings: Length and MaximumLength in bytes, Buffer not
 * necessarily NUL-terminated. */
typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING, NDIS_STRING, *PNDIS_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
	USHORT Length;
	USHORT MaximumLength;
	PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING,
    NDIS_ANSI_STRING, *PNDIS_ANSI_STRING;
typedef const STRING *PCANSI_STRING;

/* The kernel objects a miniport only passes on are opaque: the driver
 * object DriverEntry receives (for NdisMInitializeWrapper /
 * NdisMRegisterMiniportDriver), the device objects of
 * NdisMGetDeviceProperty and MiniportProcessSGList, IRPs. */
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _IRP IRP, *PIRP;
typedef struct _FILE_OBJECT FILE_OBJECT, *PFILE_OBJECT;

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *RESTRICTED_POINTER PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
	struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* ---- status codes: NTSTATUS, NDIS_STATUS, NDIS_ERROR_CODE ---- */
#include "status.h"

/* ---- IRQL ---- */
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
		  (PAGE_SIZE - 1)) >>                                          \
		 PAGE_SHIFT))

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
/* MmGetSystemAddressForMdlSafe's Priority (MdlMapping* flags may be or-ed
 * in). */
typedef enum _MM_PAGE_PRIORITY {
	LowPagePriority,
	NormalPagePriority = 16,
	HighPagePriority = 32
} MM_PAGE_PRIORITY;
#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000

#define MmGetSystemAddressForMdlSafe(m, prio)                                  \
	((void)(prio), (m)->MappedSystemVa)
#define NDIS_BUFFER_LINKAGE(b) ((b)->Next)
#define NDIS_MDL_LINKAGE(m) ((m)->Next)

/* Describe [Va, Va+Length) with an MDL the caller provides (sized for the
 * page span). Cannot fail. */
#define MmInitializeMdl(m, va, len)                                            \
	do {                                                                   \
		(m)->Next = NULL;                                              \
		(m)->Size =                                                    \
		    (CSHORT)(sizeof(MDL) +                                     \
			     sizeof(PFN_NUMBER) *                              \
				 ADDRESS_AND_SIZE_TO_SPAN_PAGES((va), (len))); \
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
