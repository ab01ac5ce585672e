/* SPDX-License-Identifier: MIT */
/*
 * test_load_file.c - ndisdma_driver_load_file: a miniport shared object
 * loaded, started on sim, halted clean and dlclose'd at unload; the
 * failures (no file, not a shared object, no DriverEntry, an undefined
 * symbol, a failing DriverEntry) each with its errno and a sentence that
 * names the cause.
 */
#include <ndisdma/ndisdma.h>

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether the object is mapped in this process right now. */
static int is_loaded(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		return 0;
	dlclose(h);
	return 1;
}

static void test_good_start_halt_unload(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	assert_false(is_loaded(LF_GOOD));
	ndisdma_driver *drv = NULL;
	assert_int_equal(ndisdma_driver_load_file(LF_GOOD, &drv), 0);
	assert_non_null(drv);
	assert_true(is_loaded(LF_GOOD));
	ndisdma_adapter *ad;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	ndisdma_driver_unload(drv);
	assert_false(is_loaded(LF_GOOD)); /* dlclose'd at unload */
	assert_int_equal(ndisdma_verifier_count(NULL) - before, 0);
}

/* Two loads of one file: two drivers, one mapping that goes away with
 * the second unload. */
static void test_twice(void **state)
{
	(void)state;
	ndisdma_driver *a, *b;
	assert_int_equal(ndisdma_driver_load_file(LF_GOOD, &a), 0);
	assert_int_equal(ndisdma_driver_load_file(LF_GOOD, &b), 0);
	assert_ptr_not_equal(a, b);
	ndisdma_driver_unload(a);
	assert_true(is_loaded(LF_GOOD));
	ndisdma_adapter *ad;
	assert_int_equal(ndisdma_adapter_start(b, "sim", &ad), 0);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	ndisdma_driver_unload(b);
	assert_false(is_loaded(LF_GOOD));
}

/* A path without '/' is relative to the current directory. */
static void test_relative(void **state)
{
	(void)state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(LF_DIR), 0);
	const char *base = strrchr(LF_GOOD, '/') + 1;
	ndisdma_driver *drv;
	int rc = ndisdma_driver_load_file(base, &drv);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 0);
	ndisdma_driver_unload(drv);
}

static void test_missing_file(void **state)
{
	(void)state;
	ndisdma_driver *drv = (ndisdma_driver *)1;
	assert_int_equal(
	    ndisdma_driver_load_file("/nonexistent/dir/miniport.so", &drv),
	    -ENOENT);
	assert_null(drv);
	assert_non_null(strstr(ndisdma_last_error(), "/nonexistent/dir/"));
	assert_non_null(
	    strstr(ndisdma_last_error(), "No such file or directory"));
	/* no library search: a bare name that only LD_LIBRARY_PATH has */
	assert_int_equal(ndisdma_driver_load_file("libc.so.6", &drv), -ENOENT);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	ndisdma_driver *drv;
	assert_int_equal(ndisdma_driver_load_file(NULL, &drv), -EINVAL);
	assert_int_equal(ndisdma_driver_load_file("", &drv), -EINVAL);
	assert_int_equal(ndisdma_driver_load_file(LF_GOOD, NULL), -EINVAL);
	/* a directory, a file that is not ELF */
	assert_int_equal(ndisdma_driver_load_file(LF_DIR, &drv), -ENOEXEC);
	char tmp[] = "/tmp/lf_notelfXXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	assert_int_equal(ndisdma_driver_load_file(tmp, &drv), -ENOEXEC);
	assert_non_null(strstr(ndisdma_last_error(), "cannot load"));
	unlink(tmp);
}

static void test_no_driver_entry(void **state)
{
	(void)state;
	ndisdma_driver *drv;
	assert_int_equal(ndisdma_driver_load_file(LF_NOENTRY_SO, &drv),
			 -ENOEXEC);
	assert_null(drv);
	assert_non_null(strstr(ndisdma_last_error(), "no DriverEntry"));
	assert_false(is_loaded(LF_NOENTRY_SO));
}

static void test_undefined_symbol(void **state)
{
	(void)state;
	ndisdma_driver *drv;
	assert_int_equal(ndisdma_driver_load_file(LF_UNDEF_SO, &drv), -ENOEXEC);
	assert_null(drv);
	assert_non_null(
	    strstr(ndisdma_last_error(), "NdisFunctionNobodyDefines"));
	assert_non_null(strstr(ndisdma_last_error(), "undefined symbol"));
	assert_false(is_loaded(LF_UNDEF_SO));
}

static void test_entry_fails(void **state)
{
	(void)state;
	ndisdma_driver *drv;
	assert_int_equal(ndisdma_driver_load_file(LF_FAIL_SO, &drv), -EIO);
	assert_null(drv);
	assert_non_null(strstr(ndisdma_last_error(), "lf_fail"));
	assert_non_null(strstr(ndisdma_last_error(), "DriverEntry failed"));
	assert_int_equal((uint32_t)ndisdma_last_entry_status(), 0xC0000001u);
	assert_false(is_loaded(LF_FAIL_SO));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_start_halt_unload),
	    cmocka_unit_test(test_twice),
	    cmocka_unit_test(test_relative),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_no_driver_entry),
	    cmocka_unit_test(test_undefined_symbol),
	    cmocka_unit_test(test_entry_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
