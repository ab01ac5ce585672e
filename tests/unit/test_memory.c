/* SPDX-License-Identifier: MIT */
/* General memory: NdisAllocateMemory(WithTag)(Priority), frees, per-tag
 * counters; IRQL and spin locks. */
#include "testlib.h"

#include <pthread.h>

static void test_with_tag_counters(void **s)
{
	(void)s;
	PVOID a, b;
	uint64_t bytes, out, total;
	assert_int_equal(ndisdma_tag_usage('1gaT', &bytes, &out, &total),
			 -ENOENT);
	assert_int_equal(NdisAllocateMemoryWithTag(&a, 100, '1gaT'),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(NdisAllocateMemoryWithTag(&b, 50, '1gaT'),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal((uintptr_t)a % 16, 0);
	assert_int_equal(ndisdma_tag_usage('1gaT', &bytes, &out, &total), 0);
	assert_int_equal(bytes, 150);
	assert_int_equal(out, 2);
	NdisFreeMemory(a, 100, 0);
	NdisFreeMemory(b, 0, 0); /* length 0: NDIS lets it pass */
	assert_int_equal(ndisdma_tag_usage('1gaT', &bytes, &out, &total), 0);
	assert_int_equal(bytes, 0);
	assert_int_equal(out, 0);
	assert_int_equal(total, 2);
	/* length 0: ndis.sys has no check, the pool returns a block; strict
	 * in mode fail */
	assert_int_equal(
	    RULE_DELTA("mem.zero-length",
		       assert_int_equal(NdisAllocateMemoryWithTag(&a, 0, 'x'),
					NDIS_STATUS_SUCCESS)),
	    1);
	assert_non_null(a);
	NdisFreeMemory(a, 0, 0);
	ndisdma_verifier_set_mode("mem.zero-length", NDISDMA_VERIFY_FAIL);
	assert_int_equal(RULE_DELTA("mem.zero-length",
				    NdisAllocateMemoryWithTag(&a, 0, 'x')),
			 1);
	assert_null(a);
	ndisdma_verifier_set_mode("mem.zero-length", NDISDMA_VERIFY_REPORT);
	assert_int_equal(
	    RULE_DELTA("mem.double-free", NdisFreeMemory(b, 50, 0)), 1);
	int local;
	assert_int_equal(
	    RULE_DELTA("mem.free-unknown", NdisFreeMemory(&local, 4, 0)), 1);
}

static void test_allocate_memory_flags(void **s)
{
	(void)s;
	PVOID a;
	NDIS_PHYSICAL_ADDRESS any;
	any.QuadPart = -1;
	assert_int_equal(
	    NdisAllocateMemory(
		&a, 10000, NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED, any),
	    NDIS_STATUS_SUCCESS);
	assert_int_equal((uintptr_t)a % 4096, 0);
	memset(a, 1, 10000);
	assert_int_equal(
	    RULE_DELTA("mem.free-flags",
		       NdisFreeMemory(a, 10000, NDIS_MEMORY_CONTIGUOUS)),
	    1);
	/* a wrong Length: fail mode keeps the block, report mode frees it
	 * (NdisFreeMemory ignores Length) */
	ndisdma_verifier_set_mode("mem.free-length", NDISDMA_VERIFY_FAIL);
	assert_int_equal(RULE_DELTA("mem.free-length",
				    NdisFreeMemory(a, 9999,
						   NDIS_MEMORY_CONTIGUOUS |
						       NDIS_MEMORY_NONCACHED)),
			 1);
	ndisdma_verifier_set_mode("mem.free-length", NDISDMA_VERIFY_REPORT);
	assert_int_equal(RULE_DELTA("mem.free-length",
				    NdisFreeMemory(a, 9999,
						   NDIS_MEMORY_CONTIGUOUS |
						       NDIS_MEMORY_NONCACHED)),
			 1);
	assert_int_equal(RULE_DELTA("mem.double-free",
				    NdisFreeMemory(a, 10000,
						   NDIS_MEMORY_CONTIGUOUS |
						       NDIS_MEMORY_NONCACHED)),
			 1);
	/* HighestAcceptableAddress counts only with CONTIGUOUS */
	NDIS_PHYSICAL_ADDRESS low;
	low.QuadPart = 0xFFFFFF;
	assert_int_equal(
	    RULE_DELTA("mem.highest-address",
		       assert_int_equal(NdisAllocateMemory(&a, 64, 0, low),
					NDIS_STATUS_SUCCESS)),
	    0);
	NdisFreeMemory(a, 64, 0);
	assert_int_equal(
	    RULE_DELTA(
		"mem.highest-address",
		assert_int_equal(
		    NdisAllocateMemory(&a, 64, NDIS_MEMORY_CONTIGUOUS, low),
		    NDIS_STATUS_FAILURE)),
	    1);
	assert_null(a);
	/* unknown flag bits: ignored, the known bit wins */
	assert_int_equal(
	    RULE_DELTA("mem.flags-unknown",
		       assert_int_equal(NdisAllocateMemory(&a, 64, 0x80, any),
					NDIS_STATUS_SUCCESS)),
	    1);
	NdisFreeMemory(a, 64, 0);
	assert_int_equal(
	    RULE_DELTA(
		"mem.flags-unknown",
		assert_int_equal(NdisAllocateMemory(
				     &a, 64, 0x80 | NDIS_MEMORY_NONCACHED, any),
				 NDIS_STATUS_SUCCESS)),
	    1);
	NdisFreeMemory(a, 64, NDIS_MEMORY_NONCACHED);
	ndisdma_verifier_set_mode("mem.flags-unknown", NDISDMA_VERIFY_FAIL);
	assert_int_equal(
	    RULE_DELTA("mem.flags-unknown",
		       assert_int_equal(NdisAllocateMemory(&a, 64, 0x80, any),
					NDIS_STATUS_FAILURE)),
	    1);
	ndisdma_verifier_set_mode("mem.flags-unknown", NDISDMA_VERIFY_REPORT);
	/* contiguous memory: PASSIVE only */
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(
	    RULE_DELTA("irql.too-high",
		       NdisAllocateMemory(&a, 64, NDIS_MEMORY_CONTIGUOUS, any)),
	    1);
	KeLowerIrql(old);
}

static void tagprio(NDIS_HANDLE h)
{
	PVOID p = NdisAllocateMemoryWithTagPriority(h, 77, 'PgaT',
						    NormalPoolPriority);
	assert_non_null(p);
	assert_int_equal(
	    RULE_DELTA("mem.free-tag",
		       NdisFreeMemoryWithTagPriority(h, p, 'XgaT')),
	    1);
	NdisFreeMemoryWithTagPriority(h, p, 'PgaT');
	/* NdisFreeMemory with flags 0 is the documented NDIS 6 free of this
	 * memory, whatever Length says */
	p = NdisAllocateMemoryWithTagPriority(h, 77, 'PgaT',
					      NormalPoolPriority);
	assert_int_equal(
	    ndisdma_verifier_count(NULL) - ndisdma_verifier_count(NULL), 0);
	unsigned long before = ndisdma_verifier_count(NULL);
	NdisFreeMemory(p, 5, 0);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
	assert_int_equal(
	    RULE_DELTA("mem.double-free", NdisFreeMemory(p, 77, 0)), 1);
	/* a handle that is neither adapter nor driver: ndis.sys does not use
	 * it (the memory belongs to the adapter in context) */
	int x;
	assert_int_equal(
	    RULE_DELTA("mem.bad-handle", p = NdisAllocateMemoryWithTagPriority(
					     &x, 8, 'a', NormalPoolPriority)),
	    1);
	assert_non_null(p);
	NdisFreeMemory(p, 0, 0);
	ndisdma_verifier_set_mode("mem.bad-handle", NDISDMA_VERIFY_FAIL);
	assert_int_equal(
	    RULE_DELTA("mem.bad-handle",
		       assert_null(NdisAllocateMemoryWithTagPriority(
			   NULL, 8, 'a', NormalPoolPriority))),
	    1);
	ndisdma_verifier_set_mode("mem.bad-handle", NDISDMA_VERIFY_REPORT);
	/* leaked on purpose: owned by the adapter, reclaimed at halt */
	assert_non_null(NdisAllocateMemoryWithTagPriority(h, 8, 'kaeL',
							  NormalPoolPriority));
}

static void test_tag_priority(void **s)
{
	(void)s;
	tl.init = tagprio;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    RULE_DELTA("halt.leak-memory", assert_int_equal(tl_stop(), 1)), 1);
}

static void test_irql(void **s)
{
	(void)s;
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	assert_int_equal(old, PASSIVE_LEVEL);
	assert_int_equal(
	    RULE_DELTA("irql.raise-lower", KeRaiseIrql(PASSIVE_LEVEL, &old)),
	    1);
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	KeLowerIrql(PASSIVE_LEVEL);
	assert_int_equal(
	    RULE_DELTA("irql.lower-raise", KeLowerIrql(DISPATCH_LEVEL)), 1);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static NDIS_SPIN_LOCK sl;
static long counter;
static void *spin(void *a)
{
	(void)a;
	for (int i = 0; i < 100000; i++) {
		NdisAcquireSpinLock(&sl);
		assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
		counter++;
		NdisReleaseSpinLock(&sl);
	}
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	return NULL;
}

static void test_spin_lock(void **s)
{
	(void)s;
	NdisAllocateSpinLock(&sl);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, 300000);
	NdisFreeSpinLock(&sl);
}

static void test_flush_rules(void **s)
{
	(void)s;
	assert_int_equal(RULE_DELTA("flush.null", NdisFlushBuffer(NULL, TRUE)),
			 1);
	assert_int_equal(
	    RULE_DELTA("flush.null", KeFlushIoBuffers(NULL, TRUE, TRUE)), 1);
	char buf[100];
	MDL m;
	MmInitializeMdl(&m, buf, sizeof(buf));
	MmBuildMdlForNonPagedPool(&m);
	assert_ptr_equal(MmGetMdlVirtualAddress(&m), buf);
	assert_int_equal(MmGetMdlByteCount(&m), 100);
	assert_ptr_equal(m.MappedSystemVa, buf);
	unsigned long all = ndisdma_verifier_count(NULL);
	NdisFlushBuffer(&m, TRUE);
	KeFlushIoBuffers(&m, FALSE, TRUE);
	assert_int_equal(ndisdma_verifier_count(NULL), all);
	KIRQL old;
	KeRaiseIrql(DIRQL, &old);
	assert_int_equal(RULE_DELTA("irql.too-high", NdisFlushBuffer(&m, TRUE)),
			 1);
	KeLowerIrql(old);
}

static PVOID uva;
static NDIS_PHYSICAL_ADDRESS upa;
static void update_rules(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 256, TRUE, &uva, &upa);
	unsigned long all = ndisdma_verifier_count(NULL);
	NdisMUpdateSharedMemory(h, 256, uva, upa);
	NDIS_PHYSICAL_ADDRESS mid = upa;
	mid.QuadPart += 16;
	NdisMUpdateSharedMemory(h, 16, (char *)uva + 16, mid);
	assert_int_equal(ndisdma_verifier_count(NULL), all);
	assert_int_equal(RULE_DELTA("shm.update-range",
				    NdisMUpdateSharedMemory(h, 257, uva, upa)),
			 1);
	assert_int_equal(RULE_DELTA("shm.update-range",
				    NdisMUpdateSharedMemory(h, 16, uva, mid)),
			 1);
	NdisMFreeSharedMemory(h, 256, TRUE, uva, upa);
}

static void test_update_rules(void **s)
{
	(void)s;
	tl.init = update_rules;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_with_tag_counters, tl_setup),
	    cmocka_unit_test_setup(test_allocate_memory_flags, tl_setup),
	    cmocka_unit_test_setup(test_tag_priority, tl_setup),
	    cmocka_unit_test_setup(test_irql, tl_setup),
	    cmocka_unit_test_setup(test_spin_lock, tl_setup),
	    cmocka_unit_test_setup(test_flush_rules, tl_setup),
	    cmocka_unit_test_setup(test_update_rules, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
