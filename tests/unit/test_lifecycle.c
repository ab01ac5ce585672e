/* SPDX-License-Identifier: MIT */
/* The life of a hosted NDIS 5.1 adapter around its data path:
 * MiniportCheckForHang on its timer (NDISDMA_CHECK_FOR_HANG_MS here, 2 s
 * by default) and the MiniportReset it leads to, a pending reset with
 * NdisMResetComplete (an addressing reset sets the packet filter again),
 * ndisdma_adapter_miniport_reset, the shutdown handler
 * (NdisMRegisterAdapterShutdownHandler / Deregister,
 * ndisdma_adapter_shutdown, halt.leak-object when forgotten),
 * NdisWriteErrorLogEntry on the report stream, and the rules
 * reset.complete-no-reset, shutdown.not-registered, irql.too-high. */
#include "dp_miniport.h"

#include <stdio.h>

static int setup(void **state)
{
	(void)state;
	dpm_reset();
	ndisdma_verifier_reset_counts();
	ndisdma_verifier_set_output(NULL);
	return 0;
}

static void hang_then_reset(void **state)
{
	(void)state;
	setenv("NDISDMA_CHECK_FOR_HANG_MS", "20", 1);
	dpm_start("sim");
	unsetenv("NDISDMA_CHECK_FOR_HANG_MS");
	assert_true(dpm_wait(&dpm.hang_calls, 2));
	assert_int_equal(dpm.resets, 0);
	dpm.reset_addressing = TRUE;
	ULONG sets = dpm.filter_sets;
	__atomic_store_n(&dpm.hang, TRUE, __ATOMIC_SEQ_CST);
	assert_true(dpm_wait(&dpm.resets, 1));
	/* an addressing reset: the host sets the filter again */
	assert_true(dpm_wait(&dpm.filter_sets, sets + 1));
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.hangs, 1);
	assert_int_equal(c.resets, 1);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

static void *reset_completer(void *arg)
{
	(void)arg;
	dpm_wait(&dpm.resets, 1);
	nanosleep(&(struct timespec){0, 10000000}, NULL);
	NdisMResetComplete(dpm.handle, NDIS_STATUS_SUCCESS, FALSE);
	return NULL;
}

static void pending_reset(void **state)
{
	(void)state;
	dpm_start("sim");
	dpm.reset_pending = 1;
	pthread_t t;
	pthread_create(&t, NULL, reset_completer, NULL);
	assert_int_equal(ndisdma_adapter_miniport_reset(dpm.ad), 0);
	pthread_join(t, NULL);
	/* sends go on after it */
	unsigned char f[60] = {0};
	assert_int_equal(ndisdma_adapter_send(dpm.ad, f, sizeof(f)), 0);
	dpm_complete(1, NDIS_STATUS_SUCCESS);
	NdisMResetComplete(dpm.handle, NDIS_STATUS_SUCCESS, FALSE);
	assert_int_equal(ndisdma_verifier_count("reset.complete-no-reset"), 1);
	assert_int_equal(dpm_stop(), 0);
}

static void sync_reset(void **state)
{
	(void)state;
	dpm_start("sim");
	dpm.reset_addressing = TRUE;
	ULONG sets = dpm.filter_sets;
	assert_int_equal(ndisdma_adapter_miniport_reset(dpm.ad), 0);
	assert_int_equal(dpm.resets, 1);
	assert_true(dpm_wait(&dpm.filter_sets, sets + 1));
	assert_int_equal(ndisdma_adapter_miniport_reset(NULL), -EINVAL);
	assert_int_equal(dpm_stop(), 0);
}

static unsigned shut_calls;
static VOID on_shutdown(PVOID ctx)
{
	assert_ptr_equal(ctx, &shut_calls);
	shut_calls++;
}

static void reg_shutdown(NDIS_HANDLE h)
{
	NdisMRegisterAdapterShutdownHandler(h, &shut_calls, on_shutdown);
}

static void dereg_shutdown(NDIS_HANDLE h)
{
	NdisMDeregisterAdapterShutdownHandler(h);
}

static void shutdown_handler(void **state)
{
	(void)state;
	shut_calls = 0;
	dpm.init = reg_shutdown;
	dpm.halt = dereg_shutdown;
	dpm_start("sim");
	assert_int_equal(ndisdma_adapter_shutdown(dpm.ad), 0);
	assert_int_equal(shut_calls, 1);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	/* forgotten at halt */
	dpm_reset();
	dpm.init = reg_shutdown;
	dpm_start("sim");
	assert_int_equal(dpm_stop(), 1);
	assert_int_equal(ndisdma_verifier_count("halt.leak-object"), 1);
	/* deregistered without a registration */
	dpm_reset();
	dpm.halt = dereg_shutdown;
	dpm_start("sim");
	assert_int_equal(ndisdma_adapter_shutdown(dpm.ad), -ENOENT);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count("shutdown.not-registered"), 1);
}

static void register_at_dispatch(NDIS_HANDLE h)
{
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	NdisMRegisterAdapterShutdownHandler(h, &shut_calls, on_shutdown);
	KeLowerIrql(old);
	NdisMDeregisterAdapterShutdownHandler(h);
}

static void shutdown_irql(void **state)
{
	(void)state;
	dpm.init = register_at_dispatch;
	dpm_start("sim");
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 1);
	assert_int_equal(dpm_stop(), 0);
}

static void error_log(void **state)
{
	(void)state;
	dpm_start("sim");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	ndisdma_verifier_set_output(mem);
	NdisWriteErrorLogEntry(dpm.handle, NDIS_ERROR_CODE_HARDWARE_FAILURE, 2,
			       0x1234u, 0x5678u);
	ndisdma_verifier_set_output(NULL);
	fclose(mem);
	assert_non_null(strstr(text, "error-log"));
	assert_non_null(strstr(text, "code=0xc000138a"));
	assert_non_null(strstr(text, "0x1234 0x5678"));
	free(text);
	struct ndisdma_counters c;
	ndisdma_adapter_counters(dpm.ad, &c);
	assert_int_equal(c.errorlog_entries, 1);
	assert_int_equal(dpm_stop(), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(hang_then_reset, setup),
	    cmocka_unit_test_setup(pending_reset, setup),
	    cmocka_unit_test_setup(sync_reset, setup),
	    cmocka_unit_test_setup(shutdown_handler, setup),
	    cmocka_unit_test_setup(shutdown_irql, setup),
	    cmocka_unit_test_setup(error_log, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
