/* SPDX-License-Identifier: MIT */
/*
 * test_bus_pci.c - the vfio and uio buses on a machine without a device
 * for them: URIs are parsed, failures carry a sentence that says what to
 * do, and the device-access API says -ENOTSUP on the simulated bus. (The
 * buses with a device are tested in tests/qemu.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ringnic.h"

static ndisdma_driver *drv;

static int setup(void **state)
{
	(void)state;
	return ndisdma_driver_load(ringnic5_driver_entry, "pci-test", &drv);
}

static int teardown(void **state)
{
	(void)state;
	ndisdma_driver_unload(drv);
	return 0;
}

static int start(const char *uri)
{
	ndisdma_adapter *ad = NULL;
	int rc = ndisdma_adapter_start(drv, uri, &ad);
	if (!rc)
		ndisdma_adapter_halt(ad);
	return rc;
}

static void bad_addresses_are_einval(void **state)
{
	(void)state;
	assert_int_equal(start("vfio:"), -EINVAL);
	assert_non_null(strstr(ndisdma_last_error(), "PCI address"));
	assert_int_equal(start("vfio:zz"), -EINVAL);
	assert_non_null(strstr(ndisdma_last_error(), "not a PCI address"));
	assert_int_equal(start("uio:0000:00:20.0"), -EINVAL);
	assert_non_null(strstr(ndisdma_last_error(), "out of range"));
}

static void unknown_options_are_einval(void **state)
{
	(void)state;
	assert_int_equal(start("vfio:0000:00:02.0,frobnicate=1"), -EINVAL);
	assert_non_null(strstr(ndisdma_last_error(), "unknown option"));
	assert_int_equal(start("uio:00:02.0,dma-bits=99"), -EINVAL);
	assert_non_null(strstr(ndisdma_last_error(), "bad value"));
}

/* No such function on any machine: domain ffff. */
static void missing_device_is_enodev_with_advice(void **state)
{
	(void)state;
	int rc = start("vfio:ffff:ff:1f.7,dma-bits=32");
	assert_int_equal(rc, -ENODEV);
	const char *e = ndisdma_last_error();
	assert_true(strstr(e, "no PCI device ffff:ff:1f.7") ||
		    strstr(e, "modprobe vfio-pci"));
	assert_int_equal(start("uio:ffff:ff:1f.7"), -ENODEV);
	assert_non_null(strstr(ndisdma_last_error(), "no PCI device"));
}

static void device_access_on_sim_is_enotsup(void **state)
{
	(void)state;
	ndisdma_adapter *ad;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	void *va;
	size_t len;
	int fd;
	uint32_t v;
	assert_int_equal(ndisdma_adapter_bar(ad, 0, &va, &len), -ENOTSUP);
	/* the simulated device's interrupt line exists (test_interrupts.c) */
	assert_int_equal(ndisdma_adapter_irq_fd(ad, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(ndisdma_adapter_irq_wait(ad, 0), 0);
	assert_int_equal(ndisdma_adapter_irq_unmask(ad), 0);
	/* config space exists on sim; without a device model no function
	 * answers (all ones), as on a real bus */
	assert_int_equal(ndisdma_adapter_cfg_read(ad, 0, &v, 4), 0);
	assert_int_equal(v, 0xFFFFFFFFu);
	assert_int_equal(ndisdma_adapter_cfg_write(ad, 0, &v, 4), 0);
	assert_int_equal(ndisdma_adapter_reset(ad), -ENOTSUP);
	assert_int_equal(ndisdma_adapter_bar(ad, 0, NULL, &len), -EINVAL);
	const char *kind;
	int iommu;
	unsigned bits;
	assert_int_equal(ndisdma_adapter_bus_info(ad, &kind, &iommu, &bits), 0);
	assert_string_equal(kind, "sim");
	assert_int_equal(iommu, 1);
	assert_int_equal(bits, 64);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	/* A halted adapter is no longer live. */
	assert_int_equal(ndisdma_adapter_irq_fd(ad, &fd), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_addresses_are_einval),
	    cmocka_unit_test(unknown_options_are_einval),
	    cmocka_unit_test(missing_device_is_enodev_with_advice),
	    cmocka_unit_test(device_access_on_sim_is_enotsup),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
