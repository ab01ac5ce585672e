/* SPDX-License-Identifier: MIT */
/*
 * sync.c - NDIS events (a futex on the event's State word), stalls,
 * sleeps and the system time.
 */
#include "../core/core.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void futex_wait(LONG *word, LONG val, const struct timespec *rel)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, rel, NULL, 0);
}

static void futex_wake_all(LONG *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

VOID NdisInitializeEvent(PNDIS_EVENT Event)
{
	nd_irql_at_most(PASSIVE_LEVEL, "NdisInitializeEvent",
			nd_self()->adapter, ND_SITE());
	if (!Event)
		return;
	__atomic_store_n(&Event->State, 0, __ATOMIC_SEQ_CST);
	Event->Waiters = 0;
	Event->Reserved[0] = Event->Reserved[1] = NULL;
}

VOID NdisSetEvent(PNDIS_EVENT Event)
{
	nd_irql_at_most(DISPATCH_LEVEL, "NdisSetEvent", nd_self()->adapter,
			ND_SITE());
	if (!Event)
		return;
	__atomic_store_n(&Event->State, 1, __ATOMIC_SEQ_CST);
	futex_wake_all(&Event->State);
}

VOID NdisResetEvent(PNDIS_EVENT Event)
{
	nd_irql_at_most(DISPATCH_LEVEL, "NdisResetEvent", nd_self()->adapter,
			ND_SITE());
	if (!Event)
		return;
	__atomic_store_n(&Event->State, 0, __ATOMIC_SEQ_CST);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

BOOLEAN NdisWaitEvent(PNDIS_EVENT Event, UINT MsToWait)
{
	nd_irql_at_most(PASSIVE_LEVEL, "NdisWaitEvent", nd_self()->adapter,
			ND_SITE());
	if (!Event)
		return FALSE;
	uint64_t end =
	    MsToWait ? mono_ns() + (uint64_t)MsToWait * 1000000ull : 0;
	for (;;) {
		if (__atomic_load_n(&Event->State, __ATOMIC_SEQ_CST))
			return TRUE;
		if (!MsToWait) {
			futex_wait(&Event->State, 0, NULL);
			continue;
		}
		uint64_t now = mono_ns();
		if (now >= end)
			return FALSE;
		uint64_t left = end - now;
		struct timespec rel = {.tv_sec = (time_t)(left / 1000000000ull),
				       .tv_nsec = (long)(left % 1000000000ull)};
		futex_wait(&Event->State, 0, &rel);
	}
}

VOID NdisStallExecution(UINT MicrosecondsToStall)
{
	if (MicrosecondsToStall > 50)
		nd_report(ND_RULE_STALL_TOO_LONG, nd_self()->adapter,
			  MicrosecondsToStall, 0, ND_SITE(),
			  "NdisStallExecution(%u): stalls are meant to be at "
			  "most 50 microseconds",
			  MicrosecondsToStall);
	uint64_t end = mono_ns() + (uint64_t)MicrosecondsToStall * 1000ull;
	while (mono_ns() < end) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}

VOID NdisMSleep(ULONG MicrosecondsToSleep)
{
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMSleep", nd_self()->adapter,
			ND_SITE());
	struct timespec ts = {
	    .tv_sec = (time_t)(MicrosecondsToSleep / 1000000u),
	    .tv_nsec = (long)(MicrosecondsToSleep % 1000000u) * 1000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* 100 ns units between 1601-01-01 and 1970-01-01 */
#define ND_EPOCH_1601 116444736000000000ll

VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime)
{
	if (!pSystemTime)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pSystemTime->QuadPart =
	    ND_EPOCH_1601 + (LONGLONG)ts.tv_sec * 10000000ll + ts.tv_nsec / 100;
}
