/* SPDX-License-Identifier: MIT */
/* Verifier modes (report / fail / abort, NDISDMA_VERIFY), fault
 * injection (n-th, random, NDISDMA_FAULT) and the sweep harness over the
 * example miniport. */
#include "testlib.h"
#include "ringnic.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void double_free_mem(void)
{
	PVOID p;
	NdisAllocateMemoryWithTag(&p, 8, 'edoM');
	NdisFreeMemory(p, 8, 0);
	NdisFreeMemory(p, 8, 0);
}

static void test_modes(void **s)
{
	(void)s;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	ndisdma_verifier_set_output(mem);
	/* report: a line and a count */
	assert_int_equal(RULE_DELTA("mem.double-free", double_free_mem()), 1);
	fflush(mem);
	assert_non_null(strstr(buf, "[mem.double-free]"));
	size_t after_report = len;
	/* fail: a count and a line too (the call fails in both: Windows
	 * bug-checks on a double free) */
	assert_int_equal(
	    ndisdma_verifier_set_mode("mem.double-free", NDISDMA_VERIFY_FAIL),
	    1);
	assert_int_equal(RULE_DELTA("mem.double-free", double_free_mem()), 1);
	fflush(mem);
	assert_true(len > after_report);
	/* a rule where Windows lets the call through (mem.free-length:
	 * NdisFreeMemory ignores Length when MemoryFlags is 0): report mode
	 * frees the block, fail mode keeps it */
	PVOID p;
	assert_int_equal(NdisAllocateMemoryWithTag(&p, 8, 'edoM'), 0);
	assert_int_equal(RULE_DELTA("mem.free-length", NdisFreeMemory(p, 9, 0)),
			 1);
	assert_int_equal(RULE_DELTA("mem.double-free", NdisFreeMemory(p, 8, 0)),
			 1);
	assert_int_equal(NdisAllocateMemoryWithTag(&p, 8, 'edoM'), 0);
	ndisdma_verifier_set_mode("mem.free-length", NDISDMA_VERIFY_FAIL);
	assert_int_equal(RULE_DELTA("mem.free-length", NdisFreeMemory(p, 9, 0)),
			 1);
	assert_int_equal(RULE_DELTA("mem.double-free", NdisFreeMemory(p, 8, 0)),
			 0);
	ndisdma_verifier_set_mode("mem.free-length", NDISDMA_VERIFY_REPORT);
	/* families and errors */
	assert_true(ndisdma_verifier_set_mode("shm.*", NDISDMA_VERIFY_FAIL) >
		    5);
	assert_int_equal(ndisdma_verifier_set_mode("nope", NDISDMA_VERIFY_FAIL),
			 -ENOENT);
	assert_int_equal(ndisdma_verifier_set_mode("*", 7), -EINVAL);
	assert_true(ndisdma_verifier_set_mode("*", NDISDMA_VERIFY_REPORT) > 30);
	ndisdma_verifier_set_output(NULL);
	fclose(mem);
	free(buf);
}

static void test_abort_mode(void **s)
{
	(void)s;
	pid_t pid = fork();
	if (pid == 0) {
		ndisdma_verifier_set_output(NULL);
		ndisdma_verifier_set_mode("mem.double-free",
					  NDISDMA_VERIFY_ABORT);
		freopen("/dev/null", "w", stderr);
		double_free_mem();
		_exit(0); /* not reached */
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
}

/* a fresh process, so that the environment is read at start-up */
static int run_child(const char *what, const char *var, const char *val)
{
	pid_t pid = fork();
	if (pid == 0) {
		setenv(var, val, 1);
		freopen("/dev/null", "w", stderr);
		execl("/proc/self/exe", "test_verifier", what, (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static void test_environment(void **s)
{
	(void)s;
	assert_int_equal(
	    run_child("double-free", "NDISDMA_VERIFY", "mem.*=abort"),
	    128 + SIGABRT);
	assert_int_equal(run_child("double-free", "NDISDMA_VERIFY", "fail"), 0);
	/* the 2nd general allocation fails */
	assert_int_equal(run_child("alloc3", "NDISDMA_FAULT", "mem=2"), 2);
	assert_int_equal(run_child("alloc3", "NDISDMA_FAULT", "mem=p:1"), 7);
	assert_int_equal(run_child("alloc3", "NDISDMA_FAULT", ""), 0);
}

static int child(const char *what)
{
	if (!strcmp(what, "double-free")) {
		double_free_mem();
		return 0;
	}
	/* alloc3: a bit per failed allocation */
	int mask = 0;
	for (int i = 0; i < 3; i++) {
		PVOID p;
		if (NdisAllocateMemoryWithTag(&p, 16, 'dlhc'))
			mask |= 1 << i;
		else
			NdisFreeMemory(p, 16, 0);
	}
	return mask;
}

static PVOID fv;
static NDIS_PHYSICAL_ADDRESS fp;
static void alloc_then_free(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 100, TRUE, &fv, &fp);
	if (fv)
		NdisMFreeSharedMemory(h, 100, TRUE, fv, fp);
}

static void test_nth_and_random(void **s)
{
	(void)s;
	tl.init = alloc_then_free;
	ndisdma_fault_nth(NDISDMA_FAULT_SHM, 1);
	assert_int_equal(tl_start("sim"), 0);
	assert_null(fv);
	assert_int_equal(fp.QuadPart, 0);
	assert_int_equal(tl_stop(), 0);
	/* disarmed after firing */
	tl_reset();
	tl.init = alloc_then_free;
	assert_int_equal(tl_start("sim"), 0);
	assert_non_null(fv);
	assert_int_equal(tl_stop(), 0);
	/* map registers */
	tl_reset();
	ndisdma_fault_nth(NDISDMA_FAULT_MAPREG, 1);
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl.dma_status, NDIS_STATUS_RESOURCES);
	assert_int_equal(tl_stop(), 0);
	/* pools */
	NDIS_STATUS st;
	NDIS_HANDLE pool;
	ndisdma_fault_nth(NDISDMA_FAULT_POOL, 1);
	NdisAllocatePacketPool(&st, &pool, 8, 0);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	NdisAllocatePacketPool(&st, &pool, 8, 0);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisFreePacketPool(pool);
	/* random: deterministic for a seed, about p of the time */
	int fails[2] = {0, 0};
	for (int run = 0; run < 2; run++) {
		ndisdma_fault_random(NDISDMA_FAULT_MEM, 0.25, 99);
		for (int i = 0; i < 400; i++) {
			PVOID p;
			if (NdisAllocateMemoryWithTag(&p, 8, 'dnar'))
				fails[run] |= 0, fails[run]++;
			else
				NdisFreeMemory(p, 8, 0);
		}
	}
	ndisdma_fault_reset();
	assert_int_equal(fails[0], fails[1]);
	assert_true(fails[0] > 60 && fails[0] < 140);
	assert_int_equal(ndisdma_fault_nth((enum ndisdma_fault_kind)9, 1),
			 -EINVAL);
	assert_int_equal(ndisdma_fault_random(NDISDMA_FAULT_MEM, 1.5, 1),
			 -EINVAL);
}

static void test_async_fault(void **s)
{
	(void)s;
	/* ringnic asks for 4 async buffers: the 2nd fails, init still
	 * succeeds, the completion got NULL / 0, and halt is clean */
	ndisdma_driver *d;
	ndisdma_adapter *a;
	assert_int_equal(ndisdma_driver_load(ringnic5_driver_entry, "rn", &d),
			 0);
	ndisdma_fault_nth(NDISDMA_FAULT_SHM_ASYNC, 2);
	assert_int_equal(ndisdma_adapter_start(d, "sim", &a), 0);
	struct ringnic *nic = ndisdma_adapter_context(a);
	struct ndisdma_stats st;
	for (int i = 0; i < 5000; i++) {
		ndisdma_adapter_stats(a, &st);
		if (!st.async_pending)
			break;
		usleep(1000);
	}
	NdisAcquireSpinLock(&nic->lock);
	unsigned ok = nic->async_done, failed = nic->async_failed;
	NdisReleaseSpinLock(&nic->lock);
	assert_int_equal(ok, 3);
	assert_int_equal(failed, 1);
	assert_int_equal(ndisdma_adapter_halt(a), 0);
	ndisdma_driver_unload(d);
	ndisdma_fault_reset();
}

static void test_sweep_ringnic(void **s)
{
	(void)s;
	unsigned long points, dirty;
	assert_int_equal(ndisdma_fault_sweep(ringnic5_driver_entry, "rn5",
					     "sim", &points, &dirty),
			 0);
	assert_true(points >= 40); /* context, map registers, 34 + 4 blocks */
	assert_int_equal(dirty, 0);
	assert_int_equal(ndisdma_fault_sweep(ringnic6_driver_entry, "rn6",
					     "sim", &points, &dirty),
			 0);
	assert_true(points >= 39);
	assert_int_equal(dirty, 0);
}

/* a driver that forgets its first block when the second fails */
static NDIS_STATUS leaky_init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
			      UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	static int ctx;
	NdisMSetAttributesEx(h, &ctx, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	if (NdisMInitializeScatterGatherDma(h, TRUE, 4096))
		return NDIS_STATUS_FAILURE;
	PVOID a, b;
	NDIS_PHYSICAL_ADDRESS pa, pb;
	NdisMAllocateSharedMemory(h, 64, TRUE, &a, &pa);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	NdisMAllocateSharedMemory(h, 64, TRUE, &b, &pb);
	if (!b)
		return NDIS_STATUS_RESOURCES; /* the bug: a is not freed */
	NdisMFreeSharedMemory(h, 64, TRUE, a, pa);
	NdisMFreeSharedMemory(h, 64, TRUE, b, pb);
	return NDIS_STATUS_SUCCESS;
}
static VOID leaky_halt(NDIS_HANDLE c)
{
	(void)c;
}
static NTSTATUS leaky_entry(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, o, p, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = leaky_init;
	c.HaltHandler = leaky_halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c));
}

static void test_sweep_finds_leak(void **s)
{
	(void)s;
	unsigned long points, dirty;
	assert_int_equal(
	    ndisdma_fault_sweep(leaky_entry, "leaky", "sim", &points, &dirty),
	    1);
	assert_int_equal(points, 2);
	assert_int_equal(dirty, 1);
}

/* guard bytes: damage before and after a block is found on demand, at
 * free and at halt; correct use finds nothing */
static void guards(NDIS_HANDLE h)
{
	PVOID v;
	NDIS_PHYSICAL_ADDRESS p;
	NdisMAllocateSharedMemory(h, 100, TRUE, &v, &p);
	unsigned char *b = v;
	memset(b, 0x11, 100); /* all of it: fine */
	assert_int_equal(ndisdma_verifier_check((ndisdma_adapter *)h), 0);
	b[100] = 0x22; /* one past the end */
	assert_int_equal(
	    RULE_DELTA("shm.guard-overrun",
		       assert_int_equal(
			   ndisdma_verifier_check((ndisdma_adapter *)h), 1)),
	    1);
	b[-1] = 0x33; /* one before the start */
	assert_int_equal(RULE_DELTA("shm.guard-underrun",
				    NdisMFreeSharedMemory(h, 100, TRUE, v, p)),
			 1);
	/* a block left to halt with a damaged guard */
	NdisMAllocateSharedMemory(h, 64, TRUE, &v, &p);
	((unsigned char *)v)[64] = 0;
}

static void test_guards(void **s)
{
	(void)s;
	tl.init = guards;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    RULE_DELTA("shm.guard-overrun", assert_int_equal(tl_stop(), 1)), 1);
	assert_int_equal(ndisdma_verifier_check(NULL), -EINVAL);
}

/* poison: a CPU write into freed shared memory is found when the memory
 * is handed out again */
static void write_after_free(NDIS_HANDLE h)
{
	PVOID v, w[16];
	NDIS_PHYSICAL_ADDRESS p, q[16];
	NdisMAllocateSharedMemory(h, 100, TRUE, &v, &p);
	NdisMFreeSharedMemory(h, 100, TRUE, v, p);
	((unsigned char *)v)[10] = 0x99; /* the bug */
	unsigned long before = ndisdma_verifier_count("shm.write-after-free");
	for (int i = 0; i < 16; i++) /* wraps around the one 4 KiB chunk */
		NdisMAllocateSharedMemory(h, 100, TRUE, &w[i], &q[i]);
	assert_int_equal(
	    ndisdma_verifier_count("shm.write-after-free") - before, 1);
	for (int i = 0; i < 16; i++)
		if (w[i])
			NdisMFreeSharedMemory(h, 100, TRUE, w[i], q[i]);
	/* correct use: free, reuse, nothing reported */
	for (int i = 0; i < 16; i++)
		NdisMAllocateSharedMemory(h, 100, TRUE, &w[i], &q[i]);
	assert_int_equal(
	    ndisdma_verifier_count("shm.write-after-free") - before, 1);
	for (int i = 0; i < 16; i++)
		if (w[i])
			NdisMFreeSharedMemory(h, 100, TRUE, w[i], q[i]);
}

static void test_write_after_free(void **s)
{
	(void)s;
	tl.init = write_after_free;
	assert_int_equal(tl_start("sim:chunk=4096"), 0);
	assert_int_equal(tl_stop(), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child(argv[1]);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_modes, tl_setup),
	    cmocka_unit_test_setup(test_abort_mode, tl_setup),
	    cmocka_unit_test_setup(test_environment, tl_setup),
	    cmocka_unit_test_setup(test_nth_and_random, tl_setup),
	    cmocka_unit_test_setup(test_async_fault, tl_setup),
	    cmocka_unit_test_setup(test_sweep_ringnic, tl_setup),
	    cmocka_unit_test_setup(test_sweep_finds_leak, tl_setup),
	    cmocka_unit_test_setup(test_guards, tl_setup),
	    cmocka_unit_test_setup(test_write_after_free, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
