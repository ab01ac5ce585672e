/* SPDX-License-Identifier: MIT */
/* Halt against everything (issue 16 §1-5): two halts at once, NDIS and
 * native calls racing halt, the simulated device racing halt, halt and
 * unload from inside a callback, concurrent starts on one driver. Each
 * race runs many rounds so that TSan and ASan see the window. */
#include "testlib.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ROUNDS 100
/* small chunks: a round costs a fraction of a millisecond, not 40 */
#define RACE_URI "sim:chunk=64K"

static _Atomic int halts_run;

static void count_halt(NDIS_HANDLE h)
{
	(void)h;
	atomic_fetch_add(&halts_run, 1);
}

/* ---- two halts at once: one runs, the other gets -EINVAL ---- */

static pthread_barrier_t two;

static void *halter(void *arg)
{
	pthread_barrier_wait(&two);
	return (void *)(intptr_t)ndisdma_adapter_halt(arg);
}

static void test_two_halts(void **s)
{
	(void)s;
	tl.halt = count_halt;
	assert_int_equal(ndisdma_driver_load(tl_entry5, "race", &tl.drv), 0);
	for (int i = 0; i < ROUNDS; i++) {
		ndisdma_adapter *a;
		assert_int_equal(ndisdma_adapter_start(tl.drv, RACE_URI, &a),
				 0);
		atomic_store(&halts_run, 0);
		pthread_barrier_init(&two, NULL, 2);
		pthread_t t[2];
		void *rc[2];
		for (int k = 0; k < 2; k++)
			pthread_create(&t[k], NULL, halter, a);
		for (int k = 0; k < 2; k++)
			pthread_join(t[k], &rc[k]);
		pthread_barrier_destroy(&two);
		int r0 = (int)(intptr_t)rc[0], r1 = (int)(intptr_t)rc[1];
		assert_true((r0 == 0 && r1 == -EINVAL) ||
			    (r1 == 0 && r0 == -EINVAL));
		assert_int_equal(atomic_load(&halts_run), 1);
	}
	ndisdma_driver_unload(tl.drv);
}

/* ---- NDIS calls racing halt ---- */

struct racer {
	NDIS_HANDLE h;
	ndisdma_adapter *a;
	_Atomic int *stop;
	pthread_barrier_t *go;
	long after; /* calls that found the adapter gone */
};

static VOID complete_free(NDIS_HANDLE ctx, PVOID va, PNDIS_PHYSICAL_ADDRESS pa,
			  ULONG len, PVOID context)
{
	/* at DISPATCH_LEVEL the block cannot be freed: halt reclaims it */
	(void)ctx, (void)context, (void)va, (void)pa, (void)len;
}

static void *ndis_racer(void *arg)
{
	struct racer *r = arg;
	pthread_barrier_wait(r->go);
	for (unsigned n = 0; !atomic_load(r->stop); n++) {
		NDIS_STATUS st = NDIS_STATUS_FAILURE;
		if (n % 8 == 0)
			st = NdisMAllocateSharedMemoryAsync(r->h, 256, TRUE,
							    NULL);
		PVOID va;
		NDIS_PHYSICAL_ADDRESS pa;
		NdisMAllocateSharedMemory(r->h, 128, FALSE, &va, &pa);
		if (va)
			NdisMFreeSharedMemory(r->h, 128, FALSE, va, pa);
		(void)ndisdma_adapter_context(r->a);
		struct ndisdma_stats stats;
		if (ndisdma_adapter_stats(r->a, &stats) == -EINVAL &&
		    st != NDIS_STATUS_PENDING && !va)
			r->after++;
	}
	return NULL;
}

static void test_ndis_calls_race_halt(void **s)
{
	(void)s;
	tl.complete5 = complete_free;
	assert_int_equal(ndisdma_driver_load(tl_entry5, "race", &tl.drv), 0);
	unsigned long unknown = ndisdma_verifier_count("handle.unknown");
	long after = 0;
	for (int i = 0; i < ROUNDS / 2; i++) {
		ndisdma_adapter *a;
		assert_int_equal(ndisdma_adapter_start(tl.drv, RACE_URI, &a),
				 0);
		_Atomic int stop = 0;
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 3);
		struct racer r[2];
		pthread_t t[2];
		for (int k = 0; k < 2; k++) {
			r[k] = (struct racer){tl.handle, a, &stop, &go, 0};
			pthread_create(&t[k], NULL, ndis_racer, &r[k]);
		}
		pthread_barrier_wait(&go);
		usleep((useconds_t)(i % 5) * 100);
		assert_true(ndisdma_adapter_halt(a) >= 0);
		usleep(200); /* let the racers call the halted adapter */
		atomic_store(&stop, 1);
		for (int k = 0; k < 2; k++) {
			pthread_join(t[k], NULL);
			after += r[k].after;
		}
		pthread_barrier_destroy(&go);
		/* the handle is gone: the documented failure, reported */
		PVOID va = (PVOID)1;
		NDIS_PHYSICAL_ADDRESS pa;
		NdisMAllocateSharedMemory(tl.handle, 64, FALSE, &va, &pa);
		assert_null(va);
	}
	assert_true(after > 0);
	assert_true(ndisdma_verifier_count("handle.unknown") > unknown);
	ndisdma_driver_unload(tl.drv);
}

/* ---- the simulated device racing halt ---- */

static PVOID dev_va;
static NDIS_PHYSICAL_ADDRESS dev_pa;

static void alloc_block(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 4096, TRUE, &dev_va, &dev_pa);
}

static void free_block(NDIS_HANDLE h)
{
	NdisMFreeSharedMemory(h, 4096, TRUE, dev_va, dev_pa);
}

struct dev_racer {
	ndisdma_sim *sim;
	uint64_t addr;
	_Atomic int *stop;
	pthread_barrier_t *go;
	long gone;
};

static void *dev_race(void *arg)
{
	struct dev_racer *r = arg;
	unsigned char buf[512];
	memset(buf, 0x5A, sizeof(buf));
	pthread_barrier_wait(r->go);
	while (!atomic_load(r->stop)) {
		int a =
		    ndisdma_sim_dma_write(r->sim, r->addr, buf, sizeof(buf));
		int b = ndisdma_sim_dma_read(r->sim, r->addr, buf, sizeof(buf));
		assert_true(a == 0 || a == -EINVAL || a == -EFAULT);
		assert_true(b == 0 || b == -EINVAL || b == -EFAULT);
		if (a == -EINVAL && b == -EINVAL)
			r->gone++;
	}
	return NULL;
}

static void test_sim_dma_races_halt(void **s)
{
	(void)s;
	tl.init = alloc_block;
	tl.halt = free_block;
	assert_int_equal(ndisdma_driver_load(tl_entry5, "race", &tl.drv), 0);
	long gone = 0;
	for (int i = 0; i < ROUNDS; i++) {
		ndisdma_adapter *a;
		assert_int_equal(ndisdma_adapter_start(tl.drv, RACE_URI, &a),
				 0);
		ndisdma_sim *sim = ndisdma_adapter_sim(a);
		assert_non_null(sim);
		_Atomic int stop = 0;
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 3);
		struct dev_racer r[2];
		pthread_t t[2];
		for (int k = 0; k < 2; k++) {
			/* each its own bytes: two device writes to the
			 * same bytes would race in the device model */
			r[k] = (struct dev_racer){
			    sim, (uint64_t)dev_pa.QuadPart + 1024u * k, &stop,
			    &go, 0};
			pthread_create(&t[k], NULL, dev_race, &r[k]);
		}
		pthread_barrier_wait(&go);
		usleep((useconds_t)(i % 4) * 100);
		assert_int_equal(ndisdma_adapter_halt(a), 0);
		usleep(200);
		atomic_store(&stop, 1);
		for (int k = 0; k < 2; k++) {
			pthread_join(t[k], NULL);
			gone += r[k].gone;
		}
		pthread_barrier_destroy(&go);
	}
	assert_true(gone > 0);
	ndisdma_driver_unload(tl.drv);
}

/* ---- halt and unload from inside a callback: refused, no deadlock ---- */

static _Atomic int cb_halt_rc, cb_unload_done, cb_start_rc;
static char cb_error[256];
static PVOID cb_va;
static NDIS_PHYSICAL_ADDRESS cb_pa;

static VOID complete_halts(NDIS_HANDLE ctx, PVOID va, PNDIS_PHYSICAL_ADDRESS pa,
			   ULONG len, PVOID context)
{
	(void)ctx, (void)context;
	atomic_store(&cb_halt_rc, ndisdma_adapter_halt(tl.ad));
	snprintf(cb_error, sizeof(cb_error), "%s", ndisdma_last_error());
	ndisdma_driver_unload(tl.drv); /* refused: the driver stays */
	ndisdma_adapter *other = NULL;
	atomic_store(&cb_start_rc,
		     ndisdma_adapter_start(tl.drv, "sim", &other));
	cb_va = va; /* freed from the test thread (PASSIVE_LEVEL) */
	cb_pa = *pa;
	(void)len;
	atomic_store(&cb_unload_done, 1);
}

static void test_halt_from_callback(void **s)
{
	(void)s;
	tl.complete5 = complete_halts;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(
	    NdisMAllocateSharedMemoryAsync(tl.handle, 512, TRUE, NULL),
	    NDIS_STATUS_PENDING);
	for (int i = 0; i < 10000 && !atomic_load(&cb_unload_done); i++)
		usleep(1000);
	assert_int_equal(atomic_load(&cb_unload_done), 1);
	assert_int_equal(atomic_load(&cb_halt_rc), -EDEADLK);
	assert_int_equal(atomic_load(&cb_start_rc), -EDEADLK);
	assert_non_null(strstr(cb_error, "callback"));
	/* both still work from the outside */
	assert_non_null(ndisdma_adapter_context(tl.ad));
	NdisMFreeSharedMemory(tl.handle, 512, TRUE, cb_va, cb_pa);
	assert_int_equal(tl_stop(), 0);
}

/* ---- concurrent starts on one driver, and an unload racing them ---- */

static NDIS_STATUS fail_every_third(void)
{
	static _Atomic unsigned n;
	return atomic_fetch_add(&n, 1) % 3 == 2 ? NDIS_STATUS_FAILURE
						: NDIS_STATUS_SUCCESS;
}

static void init_maybe_fail(NDIS_HANDLE h)
{
	(void)h;
}

struct starter {
	ndisdma_driver *drv;
	pthread_barrier_t *go;
	int started, refused;
};

static NDIS_STATUS (*init_result)(void);

static void *starter(void *arg)
{
	struct starter *st = arg;
	pthread_barrier_wait(st->go);
	for (int i = 0; i < ROUNDS / 3; i++) {
		ndisdma_adapter *a;
		int rc = ndisdma_adapter_start(st->drv, RACE_URI, &a);
		(void)ndisdma_driver_last_init_status(st->drv);
		(void)ndisdma_driver_last_init_leaks(st->drv);
		if (rc == 0) {
			st->started++;
			/* unload may have halted it already: 0 or -EINVAL */
			int h = ndisdma_adapter_halt(a);
			assert_true(h == 0 || h == -EINVAL);
		} else {
			assert_true(rc == -EIO || rc == -EINVAL);
			st->refused++;
		}
	}
	return NULL;
}

static NDIS_STATUS status_init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m,
			       UINT n, NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	NdisMSetAttributesEx(h, &tl, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	init_maybe_fail(h);
	return init_result();
}

static VOID plain_halt(NDIS_HANDLE ctx)
{
	(void)ctx;
}

static NTSTATUS entry_concurrent(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE w;
	NdisMInitializeWrapper(&w, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = status_init;
	c.HaltHandler = plain_halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c)) == NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static void run_starters(bool unload_midway)
{
	init_result = fail_every_third;
	ndisdma_driver *drv;
	assert_int_equal(ndisdma_driver_load(entry_concurrent, "starts", &drv),
			 0);
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 4);
	struct starter st[3];
	pthread_t t[3];
	for (int k = 0; k < 3; k++) {
		st[k] = (struct starter){drv, &go, 0, 0};
		pthread_create(&t[k], NULL, starter, &st[k]);
	}
	pthread_barrier_wait(&go);
	if (unload_midway) {
		usleep(2000);
		ndisdma_driver_unload(drv);
	}
	int started = 0;
	for (int k = 0; k < 3; k++) {
		pthread_join(t[k], NULL);
		started += st[k].started;
	}
	pthread_barrier_destroy(&go);
	assert_true(started > 0);
	if (!unload_midway) {
		assert_int_equal(ndisdma_driver_last_init_leaks(drv), 0);
		ndisdma_driver_unload(drv);
	}
	/* gone either way */
	assert_int_equal(ndisdma_driver_last_init_leaks(drv), -EINVAL);
}

static void test_concurrent_starts(void **s)
{
	(void)s;
	run_starters(false);
}

static void test_unload_races_starts(void **s)
{
	(void)s;
	run_starters(true);
}

int main(int argc, char **argv)
{
	if (argc > 1) /* one test by name (a glob) */
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_two_halts, tl_setup),
	    cmocka_unit_test_setup(test_ndis_calls_race_halt, tl_setup),
	    cmocka_unit_test_setup(test_sim_dma_races_halt, tl_setup),
	    cmocka_unit_test_setup(test_halt_from_callback, tl_setup),
	    cmocka_unit_test_setup(test_concurrent_starts, tl_setup),
	    cmocka_unit_test_setup(test_unload_races_starts, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
