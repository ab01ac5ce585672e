/* SPDX-License-Identifier: MIT */
/*
 * assert.h - ND_ASSERT(cond): an invariant of the library's own state (an
 * arena free list in address order, an adapter's reference count, a pool
 * cache's bounds), checked in debug and sanitizer builds and compiled out
 * of release builds, as SQLite's mem5.c asserts and NetBSD's KASSERT.
 *
 * Enabled when NDISDMA_ASSERT is defined (CMake option NDISDMA_ASSERT: on
 * by default for Debug builds and sanitizer builds, off otherwise). A
 * failed assertion is a bug in ndisdma, never the driver's misuse (that is
 * the verifier's job): it prints the condition, file, line and function to
 * stderr and aborts. When disabled the condition is not evaluated (it must
 * have no side effects) but is still compiled, so it cannot rot.
 */
#ifndef NDISDMA_ASSERT_H
#define NDISDMA_ASSERT_H

/* Print "ndisdma: assertion `cond' failed at file:line (func)" and abort.
 * Does not return. */
void nd_assert_fail(const char *cond, const char *file, int line,
		    const char *func) __attribute__((noreturn, cold));

#ifdef NDISDMA_ASSERT
#define ND_ASSERT(cond)                                                        \
	(__builtin_expect(!!(cond), 1)                                         \
	     ? (void)0                                                         \
	     : nd_assert_fail(#cond, __FILE__, __LINE__, __func__))
#else
#define ND_ASSERT(cond) ((void)sizeof(!(cond)))
#endif

#endif
