/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/wdk.h - the kernel-mode conveniences WDK driver source
 * takes for granted: calling-convention and inline keywords, C_ASSERT,
 * FIELD_OFFSET / CONTAINING_RECORD / RTL_NUMBER_OF, ASSERT and PAGED_CODE,
 * DbgPrint and DbgBreakPoint, the Interlocked* family (full barriers, as
 * on Windows), the doubly and singly linked list helpers of wdm.h, and
 * NDIS's spin-lock-protected variants (NdisInterlocked*). Included by
 * <ndis.h>.
 */
#ifndef NDISDMA_NDIS_WDK_H
#define NDISDMA_NDIS_WDK_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- calling conventions and declaration keywords ---- */
/* x64 Windows has one calling convention; so does the host ABI here. */
#define NTAPI
#define NTAPI_INLINE
#define NTKERNELAPI
#define NTSYSAPI
#define NTHALAPI
#define NDIS_API
#define DDKAPI
#define STDCALL
#ifndef __stdcall
#define __stdcall
#endif
#ifndef __cdecl
#define __cdecl
#endif
#ifndef __fastcall
#define __fastcall
#endif
#define FASTCALL
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define DECLSPEC_NOTHROW
#define DECLSPEC_SELECTANY __attribute__((weak))
/* FORCEINLINE functions are inlined at every call (also at -O0), so a
 * header's FORCEINLINE definition never needs an out-of-line copy. */
#define FORCEINLINE __inline__ __attribute__((__always_inline__))
#ifndef __forceinline
#define __forceinline FORCEINLINE
#endif
#define NTAPI_INLINE
#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif
#endif

/* ---- compile-time helpers ---- */
#ifdef __cplusplus
#define C_ASSERT(e) static_assert((e), #e)
#else
#define C_ASSERT(e) _Static_assert((e), #e)
#endif
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define UFIELD_OFFSET(type, field) ((ULONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field)                                  \
	(FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_CONTAINS_FIELD(Struct, Size, Field)                                \
	((((PCHAR)(&(Struct)->Field)) + sizeof((Struct)->Field)) <=            \
	 (((PCHAR)(Struct)) + (Size)))
#define CONTAINING_RECORD(address, type, field)                                \
	((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define RTL_NUMBER_OF_V1(A) (sizeof(A) / sizeof((A)[0]))
#define RTL_NUMBER_OF_V2(A) RTL_NUMBER_OF_V1(A)
#define RTL_NUMBER_OF(A) RTL_NUMBER_OF_V1(A)
#define ARRAYSIZE(A) RTL_NUMBER_OF_V2(A)
#define _ARRAYSIZE(A) RTL_NUMBER_OF_V1(A)
#define ALIGN_DOWN_BY(length, alignment)                                       \
	((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment)-1))
#define ALIGN_UP_BY(length, alignment)                                         \
	(ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment)-1), alignment))
#define ALIGN_DOWN_POINTER_BY(address, alignment)                              \
	((PVOID)((ULONG_PTR)(address) & ~((ULONG_PTR)(alignment)-1)))
#define ALIGN_UP_POINTER_BY(address, alignment)                                \
	(ALIGN_DOWN_POINTER_BY(((ULONG_PTR)(address) + (alignment)-1),         \
			       alignment))
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define ROUND_TO_PAGES(Size)                                                   \
	(((ULONG_PTR)(Size) + PAGE_SIZE - 1) & ~((ULONG_PTR)PAGE_SIZE - 1))
#define BYTES_TO_PAGES(Size)                                                   \
	((ULONG)((ULONG_PTR)(Size) >> PAGE_SHIFT) +                            \
	 (((ULONG)(Size) & (PAGE_SIZE - 1)) != 0))
#if !defined(__cplusplus) && !defined(NOMINMAX)
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#endif
#define NDIS_STRING_CONST(x)                                                   \
	{                                                                      \
		sizeof(L##x) - 2, sizeof(L##x), (PWSTR)L##x                    \
	}
#define RTL_CONSTANT_STRING(s)                                                 \
	{                                                                      \
		sizeof(s) - sizeof((s)[0]), sizeof(s), (PWSTR)(s)              \
	}

/* Code-placement markers of the kernel's pageable sections: no meaning
 * in user space. */
#define NDIS_PAGEABLE_FUNCTION(f)
#define NDIS_PAGABLE_FUNCTION(f)
#define NDIS_INIT_FUNCTION(f)
#define PAGED_CODE_LOCKED()

/* ---- debugging ---- */
#ifndef DBG
#define DBG 0
#endif

/* Print like the kernel's DbgPrint to the process's standard error: the
 * Microsoft format conventions apply (%ld and %lx are 32 bits, %I64d and
 * %llx 64, %Id and %Ix pointer-sized; %wZ prints a UNICODE_STRING, %Z an
 * ANSI_STRING, %ws / %S / %ls a NUL-terminated WCHAR string, %wc / %C a
 * WCHAR, %p 16 upper-case hex digits). Not marked as printf-like:
 * these conventions differ from the host's. Returns STATUS_SUCCESS; a
 * NULL format prints nothing. Thread-safe; one call is one write. */
ULONG DbgPrint(PCSTR Format, ...);
/* DbgPrint with a component and a level: printed when Level is
 * DPFLTR_ERROR_LEVEL (or a mask with bit 0), what the default Windows
 * filter shows; otherwise dropped. Returns STATUS_SUCCESS. */
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_IHVNETWORK_ID 80
#define DPFLTR_IHVDRIVER_ID 77
/* Break into the debugger: raises SIGTRAP, which stops the process under
 * a debugger and ends it (with a core dump) otherwise - as a breakpoint
 * without a kernel debugger attached ends Windows. */
VOID DbgBreakPoint(VOID);

#if DBG
#define KdPrint(args) DbgPrint args
#define KdPrintEx(args) DbgPrintEx args
#define KdBreakPoint() DbgBreakPoint()
#define ASSERT(e)                                                              \
	((void)((!(e)) ? (DbgPrint("*** Assertion failed: %s\n***   Source "   \
				   "File: %s, line %d\n\n",                    \
				   #e, __FILE__, __LINE__),                    \
			  DbgBreakPoint(), 0)                                  \
		       : 1))
#define ASSERTMSG(msg, e)                                                      \
	((void)((!(e)) ? (DbgPrint("*** Assertion failed: %s\n***   Source "   \
				   "File: %s, line %d\n\n",                    \
				   (msg), __FILE__, __LINE__),                 \
			  DbgBreakPoint(), 0)                                  \
		       : 1))
/* In checked builds the kernel asserts that pageable code runs below
 * DISPATCH_LEVEL. */
#define PAGED_CODE()                                                           \
	do {                                                                   \
		if (KeGetCurrentIrql() > APC_LEVEL) {                          \
			DbgPrint("EX: Pageable code called at IRQL %d\n",      \
				 KeGetCurrentIrql());                          \
			DbgBreakPoint();                                       \
		}                                                              \
	} while (0)
#else
#define KdPrint(args) ((void)0)
#define KdPrintEx(args) ((void)0)
#define KdBreakPoint() ((void)0)
#define ASSERT(e) ((void)0)
#define ASSERTMSG(msg, e) ((void)0)
#define PAGED_CODE() ((void)0)
#endif
#define NT_ASSERT(e) ASSERT(e)
#define NT_VERIFY(e) ((e) ? TRUE : FALSE)
#define DBG_UNREFERENCED_PARAMETER_OK

/* ---- the Interlocked family: atomic, full barriers ---- */
#define NDISDMA_IL_(T, name, op)                                               \
	static inline T name(T volatile *Target, T Value)                      \
	{                                                                      \
		return op(Target, Value, __ATOMIC_SEQ_CST);                    \
	}
NDISDMA_IL_(LONG, _InterlockedExchange, __atomic_exchange_n)
NDISDMA_IL_(LONG, _InterlockedExchangeAdd, __atomic_fetch_add)
NDISDMA_IL_(LONG, _InterlockedOr, __atomic_fetch_or)
NDISDMA_IL_(LONG, _InterlockedAnd, __atomic_fetch_and)
NDISDMA_IL_(LONG, _InterlockedXor, __atomic_fetch_xor)
NDISDMA_IL_(LONG64, _InterlockedExchange64, __atomic_exchange_n)
NDISDMA_IL_(LONG64, _InterlockedExchangeAdd64, __atomic_fetch_add)
NDISDMA_IL_(LONG64, _InterlockedOr64, __atomic_fetch_or)
NDISDMA_IL_(LONG64, _InterlockedAnd64, __atomic_fetch_and)
NDISDMA_IL_(LONG64, _InterlockedXor64, __atomic_fetch_xor)
NDISDMA_IL_(CHAR, _InterlockedOr8, __atomic_fetch_or)
NDISDMA_IL_(CHAR, _InterlockedAnd8, __atomic_fetch_and)
NDISDMA_IL_(CHAR, _InterlockedXor8, __atomic_fetch_xor)
NDISDMA_IL_(SHORT, _InterlockedOr16, __atomic_fetch_or)
NDISDMA_IL_(SHORT, _InterlockedAnd16, __atomic_fetch_and)
NDISDMA_IL_(SHORT, _InterlockedXor16, __atomic_fetch_xor)
#undef NDISDMA_IL_

static inline LONG _InterlockedIncrement(LONG volatile *Addend)
{
	return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
static inline LONG _InterlockedDecrement(LONG volatile *Addend)
{
	return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
static inline LONG64 _InterlockedIncrement64(LONG64 volatile *Addend)
{
	return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
static inline LONG64 _InterlockedDecrement64(LONG64 volatile *Addend)
{
	return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
static inline SHORT _InterlockedIncrement16(SHORT volatile *Addend)
{
	return __atomic_add_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
static inline SHORT _InterlockedDecrement16(SHORT volatile *Addend)
{
	return __atomic_sub_fetch(Addend, 1, __ATOMIC_SEQ_CST);
}
/* Store Exchange if *Destination equals Comparand; the old value. */
static inline LONG _InterlockedCompareExchange(LONG volatile *Destination,
					       LONG Exchange, LONG Comparand)
{
	__atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return Comparand;
}
static inline LONG64 _InterlockedCompareExchange64(LONG64 volatile *Destination,
						   LONG64 Exchange,
						   LONG64 Comparand)
{
	__atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return Comparand;
}
static inline PVOID
_InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange,
				   PVOID Comparand)
{
	__atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return Comparand;
}
static inline PVOID _InterlockedExchangePointer(PVOID volatile *Target,
						PVOID Value)
{
	return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}
static inline BOOLEAN _interlockedbittestandset(LONG volatile *Base,
						LONG Offset)
{
	LONG bit = (LONG)(1u << (Offset & 31));
	return (__atomic_fetch_or(Base + (Offset >> 5), bit, __ATOMIC_SEQ_CST) &
		bit) != 0;
}
static inline BOOLEAN _interlockedbittestandreset(LONG volatile *Base,
						  LONG Offset)
{
	LONG bit = (LONG)(1u << (Offset & 31));
	return (__atomic_fetch_and(Base + (Offset >> 5), ~bit,
				   __ATOMIC_SEQ_CST) &
		bit) != 0;
}

#define InterlockedIncrement _InterlockedIncrement
#define InterlockedDecrement _InterlockedDecrement
#define InterlockedIncrement16 _InterlockedIncrement16
#define InterlockedDecrement16 _InterlockedDecrement16
#define InterlockedIncrement64 _InterlockedIncrement64
#define InterlockedDecrement64 _InterlockedDecrement64
#define InterlockedExchange _InterlockedExchange
#define InterlockedExchange64 _InterlockedExchange64
#define InterlockedExchangeAdd _InterlockedExchangeAdd
#define InterlockedExchangeAdd64 _InterlockedExchangeAdd64
#define InterlockedAdd(t, v) (_InterlockedExchangeAdd((t), (v)) + (v))
#define InterlockedAdd64(t, v) (_InterlockedExchangeAdd64((t), (v)) + (v))
#define InterlockedCompareExchange _InterlockedCompareExchange
#define InterlockedCompareExchange64 _InterlockedCompareExchange64
#define InterlockedCompareExchangePointer _InterlockedCompareExchangePointer
#define InterlockedExchangePointer _InterlockedExchangePointer
#define InterlockedOr _InterlockedOr
#define InterlockedAnd _InterlockedAnd
#define InterlockedXor _InterlockedXor
#define InterlockedOr8 _InterlockedOr8
#define InterlockedAnd8 _InterlockedAnd8
#define InterlockedXor8 _InterlockedXor8
#define InterlockedOr16 _InterlockedOr16
#define InterlockedAnd16 _InterlockedAnd16
#define InterlockedXor16 _InterlockedXor16
#define InterlockedOr64 _InterlockedOr64
#define InterlockedAnd64 _InterlockedAnd64
#define InterlockedXor64 _InterlockedXor64
#define InterlockedBitTestAndSet _interlockedbittestandset
#define InterlockedBitTestAndReset _interlockedbittestandreset
#define InterlockedIncrementNoFence InterlockedIncrement
#define InterlockedDecrementNoFence InterlockedDecrement

#define NdisInterlockedIncrement(Addend) InterlockedIncrement(Addend)
#define NdisInterlockedDecrement(Addend) InterlockedDecrement(Addend)
#define NdisInterlockedExchange(Target, Value)                                 \
	InterlockedExchange(Target, Value)
#define NdisInterlockedCompareExchange(D, E, C)                                \
	InterlockedCompareExchange(D, E, C)

#define KeMemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define KeMemoryBarrierWithoutFence() __asm__ __volatile__("" ::: "memory")
#define _ReadWriteBarrier() __asm__ __volatile__("" ::: "memory")
#define _ReadBarrier() _ReadWriteBarrier()
#define _WriteBarrier() _ReadWriteBarrier()
#if defined(__x86_64__) || defined(__i386__)
#define YieldProcessor() __builtin_ia32_pause()
#else
#define YieldProcessor() ((void)0)
#endif
#define KeYieldProcessor() YieldProcessor()

/* ---- doubly linked lists (wdm.h) ---- */
static inline VOID InitializeListHead(PLIST_ENTRY ListHead)
{
	ListHead->Flink = ListHead->Blink = ListHead;
}
static inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
	return (BOOLEAN)(ListHead->Flink == ListHead);
}
/* Unlink Entry; TRUE when the list is empty afterwards. */
static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
	PLIST_ENTRY Flink = Entry->Flink, Blink = Entry->Blink;
	Blink->Flink = Flink;
	Flink->Blink = Blink;
	return (BOOLEAN)(Flink == Blink);
}
/* Unlink and return the first entry (the head itself when empty). */
static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
	PLIST_ENTRY Entry = ListHead->Flink, Flink = Entry->Flink;
	ListHead->Flink = Flink;
	Flink->Blink = ListHead;
	return Entry;
}
static inline PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
	PLIST_ENTRY Entry = ListHead->Blink, Blink = Entry->Blink;
	ListHead->Blink = Blink;
	Blink->Flink = ListHead;
	return Entry;
}
static inline VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
	PLIST_ENTRY Blink = ListHead->Blink;
	Entry->Flink = ListHead;
	Entry->Blink = Blink;
	Blink->Flink = Entry;
	ListHead->Blink = Entry;
}
static inline VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
	PLIST_ENTRY Flink = ListHead->Flink;
	Entry->Flink = Flink;
	Entry->Blink = ListHead;
	Flink->Blink = Entry;
	ListHead->Flink = Entry;
}
/* Append the headless ring that starts at ListToAppend. */
static inline VOID AppendTailList(PLIST_ENTRY ListHead,
				  PLIST_ENTRY ListToAppend)
{
	PLIST_ENTRY ListEnd = ListHead->Blink;
	ListHead->Blink->Flink = ListToAppend;
	ListHead->Blink = ListToAppend->Blink;
	ListToAppend->Blink->Flink = ListHead;
	ListToAppend->Blink = ListEnd;
}
#define NdisInitializeListHead(h) InitializeListHead(h)

/* ---- singly linked lists ---- */
static inline PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
	PSINGLE_LIST_ENTRY First = ListHead->Next;
	if (First != NULL)
		ListHead->Next = First->Next;
	return First;
}
static inline VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead,
				 PSINGLE_LIST_ENTRY Entry)
{
	Entry->Next = ListHead->Next;
	ListHead->Next = Entry;
}

/* ---- NDIS's lists and counters under a driver's spin lock ----
 * Each holds SpinLock (raising to DISPATCH_LEVEL) around the operation,
 * as ndis.sys does, so they exclude the driver's own code that takes the
 * same lock. */
/* Insert at the head; the previous first entry, or NULL when the list
 * was empty. */
static inline PLIST_ENTRY
NdisInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
			      PNDIS_SPIN_LOCK SpinLock)
{
	NdisAcquireSpinLock(SpinLock);
	PLIST_ENTRY old = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
	InsertHeadList(ListHead, ListEntry);
	NdisReleaseSpinLock(SpinLock);
	return old;
}
/* Insert at the tail; the previous last entry, or NULL when empty. */
static inline PLIST_ENTRY
NdisInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
			      PNDIS_SPIN_LOCK SpinLock)
{
	NdisAcquireSpinLock(SpinLock);
	PLIST_ENTRY old = IsListEmpty(ListHead) ? NULL : ListHead->Blink;
	InsertTailList(ListHead, ListEntry);
	NdisReleaseSpinLock(SpinLock);
	return old;
}
/* The first entry, unlinked, or NULL when the list is empty. */
static inline PLIST_ENTRY
NdisInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PNDIS_SPIN_LOCK SpinLock)
{
	NdisAcquireSpinLock(SpinLock);
	PLIST_ENTRY e = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
	NdisReleaseSpinLock(SpinLock);
	return e;
}
static inline PSINGLE_LIST_ENTRY
NdisInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
			     PSINGLE_LIST_ENTRY ListEntry, PNDIS_SPIN_LOCK Lock)
{
	NdisAcquireSpinLock(Lock);
	PSINGLE_LIST_ENTRY old = ListHead->Next;
	PushEntryList(ListHead, ListEntry);
	NdisReleaseSpinLock(Lock);
	return old;
}
static inline PSINGLE_LIST_ENTRY
NdisInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PNDIS_SPIN_LOCK Lock)
{
	NdisAcquireSpinLock(Lock);
	PSINGLE_LIST_ENTRY e = PopEntryList(ListHead);
	NdisReleaseSpinLock(Lock);
	return e;
}
/* *Addend += Increment under SpinLock. */
static inline VOID NdisInterlockedAddUlong(PULONG Addend, ULONG Increment,
					   PNDIS_SPIN_LOCK SpinLock)
{
	NdisAcquireSpinLock(SpinLock);
	*Addend += Increment;
	NdisReleaseSpinLock(SpinLock);
}
/* (the WDK's spelling) Addend->QuadPart += Increment, atomically; the
 * lock argument is not needed for that. */
#define NdisInterlockedAddLargeInterger(Addend, Increment, Lock)               \
	((void)(Lock),                                                         \
	 (void)__atomic_fetch_add(&(Addend)->QuadPart, (LONGLONG)(Increment),  \
				  __ATOMIC_SEQ_CST))
#define NdisInterlockedAddLargeStatistic(Addend, Increment)                    \
	((void)_InterlockedExchangeAdd64(&(Addend)->QuadPart, (Increment)))

#ifdef __cplusplus
}
#endif
#endif
