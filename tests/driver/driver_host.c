/* SPDX-License-Identifier: MIT */
/* Load a miniport built as a shared object from WDK-style source
 * (wdkmp.c, built with the ndisdma-driver flags and -Wl,--no-undefined):
 * dlopen it, load it through its DriverEntry, start an adapter on the
 * simulated bus, run its self-test, halt it, and require no leak and no
 * verifier report. Exit status 0 on success. */
#include <ndisdma/ndisdma.h>

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

#define FAIL(...)                                                              \
	do {                                                                   \
		printf("driver_host: " __VA_ARGS__);                           \
		printf("\n");                                                  \
		return 1;                                                      \
	} while (0)

int main(int argc, char **argv)
{
	if (argc != 2)
		FAIL("usage: driver_host DRIVER.so");
	void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!so)
		FAIL("%s", dlerror());
	ndisdma_driver_entry entry =
		(ndisdma_driver_entry)dlsym(so, "DriverEntry");
	int32_t (*selftest)(void *) =
		(int32_t(*)(void *))dlsym(so, "WdkmpSelfTest");
	if (!entry || !selftest)
		FAIL("DriverEntry or WdkmpSelfTest not exported");
	ndisdma_driver *drv;
	int r = ndisdma_driver_load(entry, "wdkmp", &drv);
	if (r)
		FAIL("ndisdma_driver_load: %d (DriverEntry returned 0x%08x)", r,
		     (unsigned)ndisdma_last_entry_status());
	ndisdma_adapter *ad;
	r = ndisdma_adapter_start(drv, "sim", &ad);
	if (r)
		FAIL("ndisdma_adapter_start: %d (initialize 0x%08x)", r,
		     (unsigned)ndisdma_driver_last_init_status(drv));
	int32_t failures = selftest(ndisdma_adapter_context(ad));
	if (failures)
		FAIL("%d self-test checks failed", failures);
	int leaks = ndisdma_adapter_halt(ad);
	ndisdma_driver_unload(drv);
	unsigned long reports = ndisdma_verifier_count(NULL);
	if (leaks || reports)
		FAIL("%d leaks, %lu verifier reports", leaks, reports);
	dlclose(so);
	printf("driver_host: %s loaded, started, self-test passed, halted "
	       "clean\n",
	       argv[1]);
	return 0;
}
