/* SPDX-License-Identifier: MIT */
/* The simulated device side: DMA into a block is seen through the VA and
 * the reverse; every access outside what the driver gave faults with the
 * rule that names its cause; the example miniport end to end. */
#include "testlib.h"
#include "ringnic.h"

static PVOID va;
static NDIS_PHYSICAL_ADDRESS pa;
static PVOID va2;
static NDIS_PHYSICAL_ADDRESS pa2;

static void two_blocks(NDIS_HANDLE h)
{
	NdisMAllocateSharedMemory(h, 100, TRUE, &va, &pa);
	NdisMAllocateSharedMemory(h, 4096, FALSE, &va2, &pa2);
}

static void free_first(NDIS_HANDLE h)
{
	(void)h;
}

static void test_views(void **s)
{
	(void)s;
	tl.init = two_blocks;
	tl.halt = free_first;
	assert_int_equal(tl_start("sim"), 0);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	assert_non_null(sim);
	/* device writes, CPU reads */
	unsigned char in[100], out[100];
	for (int i = 0; i < 100; i++)
		in[i] = (unsigned char)(i * 7);
	assert_int_equal(ndisdma_sim_dma_write(sim, pa.QuadPart, in, 100), 0);
	assert_memory_equal(va, in, 100);
	/* CPU writes, device reads */
	memset(va2, 0xE1, 4096);
	unsigned char big[4096];
	assert_int_equal(ndisdma_sim_dma_read(sim, pa2.QuadPart, big, 4096), 0);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(big[i], 0xE1);
	/* one byte past the block's end: faults, nothing copied */
	memset(out, 0, sizeof(out));
	assert_int_equal(
	    RULE_DELTA("device.unmapped",
		       assert_int_equal(
			   ndisdma_sim_dma_read(sim, pa.QuadPart + 1, out, 100),
			   -EFAULT)),
	    1);
	assert_int_equal(out[0], 0);
	/* exactly the block: fine; the last byte alone: fine */
	assert_int_equal(ndisdma_sim_dma_read(sim, pa.QuadPart + 99, out, 1),
			 0);
	/* before the block */
	assert_int_equal(ndisdma_sim_dma_write(sim, pa.QuadPart - 1, in, 2),
			 -EFAULT);
	/* nowhere */
	assert_int_equal(
	    RULE_DELTA("device.unmapped",
		       ndisdma_sim_dma_read(sim, 0x70000000, out, 4)),
	    1);
	/* the truncation bug: the high 32 bits dropped */
	assert_true(pa.QuadPart >= 0x100000000ll);
	assert_int_equal(
	    RULE_DELTA(
		"device.truncated",
		assert_int_equal(ndisdma_sim_dma_read(sim, pa.LowPart, out, 4),
				 -EFAULT)),
	    1);
	/* device use-after-free */
	NDIS_HANDLE h = tl.handle;
	/* free outside init is allowed (PASSIVE) */
	NdisMFreeSharedMemory(h, 100, TRUE, va, pa);
	assert_int_equal(
	    RULE_DELTA(
		"device.stale",
		assert_int_equal(ndisdma_sim_dma_write(sim, pa.QuadPart, in, 4),
				 -EFAULT)),
	    1);
	NdisMFreeSharedMemory(h, 4096, FALSE, va2, pa2);
	assert_int_equal(ndisdma_sim_dma_read(NULL, 0, out, 1), -EINVAL);
	assert_int_equal(tl_stop(), 0);
}

static void run_ringnic(ndisdma_driver_entry entry, unsigned bugs,
			int *halt_result, int *moved)
{
	ndisdma_driver *d;
	ndisdma_adapter *a;
	ringnic_set_bugs(bugs);
	assert_int_equal(ndisdma_driver_load(entry, "ringnic", &d), 0);
	assert_int_equal(ndisdma_adapter_start(d, "sim", &a), 0);
	struct ringnic *nic = ndisdma_adapter_context(a);
	ndisdma_sim *sim = ndisdma_adapter_sim(a);
	*moved = 0;
	for (int f = 0; f < 40; f++) {
		unsigned char frame[1514], got[2048];
		ULONG len = 60 + (ULONG)f * 37;
		for (ULONG i = 0; i < len; i++)
			frame[i] = (unsigned char)(i ^ f);
		assert_int_equal(ringnic_send(nic, frame, len),
				 NDIS_STATUS_SUCCESS);
		int rc = ringnic_device_loopback(nic, sim);
		if (rc != 1)
			break;
		assert_int_equal(ringnic_receive(nic, got, sizeof(got)), len);
		assert_memory_equal(frame, got, len);
		(*moved)++;
	}
	*halt_result = ndisdma_adapter_halt(a);
	ndisdma_driver_unload(d);
	ringnic_set_bugs(0);
}

static void test_ringnic_clean(void **s)
{
	(void)s;
	int halt, moved;
	unsigned long before = ndisdma_verifier_count(NULL);
	run_ringnic(ringnic5_driver_entry, 0, &halt, &moved);
	assert_int_equal(moved, 40);
	assert_int_equal(halt, 0);
	run_ringnic(ringnic6_driver_entry, 0, &halt, &moved);
	assert_int_equal(moved, 40);
	assert_int_equal(halt, 0);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

static void test_ringnic_bugs_caught(void **s)
{
	(void)s;
	int halt, moved;
	unsigned long t = ndisdma_verifier_count("device.truncated");
	run_ringnic(ringnic5_driver_entry, RINGNIC_BUG_TRUNCATE_ADDRESS, &halt,
		    &moved);
	assert_int_equal(moved, 0);
	assert_true(ndisdma_verifier_count("device.truncated") > t);
	assert_int_equal(halt, 0);
	unsigned long l = ndisdma_verifier_count("halt.leak-shm");
	run_ringnic(ringnic6_driver_entry, RINGNIC_BUG_LEAK_TX_BUFFER, &halt,
		    &moved);
	assert_int_equal(moved, 40);
	assert_int_equal(halt, 1);
	assert_int_equal(ndisdma_verifier_count("halt.leak-shm") - l, 1);
}

/* correct use fires no rule, on every simulated configuration */
static void test_correct_use_is_silent(void **s)
{
	(void)s;
	const char *uris[] = {"sim",
			      "sim:dma-bits=32",
			      "sim:dma-bits=24",
			      "sim:coherent=no",
			      "sim:iommu=no,dma-bits=32",
			      "sim:fill=none,poison=none",
			      "sim:chunk=64K"};
	ndisdma_driver_entry entries[] = {ringnic5_driver_entry,
					  ringnic6_driver_entry};
	unsigned long before = ndisdma_verifier_count(NULL);
	for (size_t u = 0; u < sizeof(uris) / sizeof(uris[0]); u++)
		for (int e = 0; e < 2; e++) {
			ndisdma_driver *d;
			ndisdma_adapter *a;
			assert_int_equal(
			    ndisdma_driver_load(entries[e], "ok", &d), 0);
			assert_int_equal(ndisdma_adapter_start(d, uris[u], &a),
					 0);
			struct ringnic *nic = ndisdma_adapter_context(a);
			ndisdma_sim *sim = ndisdma_adapter_sim(a);
			for (int f = 0; f < 20; f++) {
				unsigned char fr[256], got[2048];
				memset(fr, f, sizeof(fr));
				assert_int_equal(
				    ringnic_send(nic, fr, sizeof(fr)),
				    NDIS_STATUS_SUCCESS);
				assert_int_equal(
				    ringnic_device_loopback(nic, sim), 1);
				assert_int_equal(
				    ringnic_receive(nic, got, sizeof(got)),
				    sizeof(fr));
				assert_memory_equal(fr, got, sizeof(fr));
			}
			assert_int_equal(ndisdma_verifier_check(a), 0);
			assert_int_equal(ndisdma_adapter_halt(a), 0);
			ndisdma_driver_unload(d);
		}
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_views, tl_setup),
	    cmocka_unit_test_setup(test_ringnic_clean, tl_setup),
	    cmocka_unit_test_setup(test_ringnic_bugs_caught, tl_setup),
	    cmocka_unit_test_setup(test_correct_use_is_silent, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
