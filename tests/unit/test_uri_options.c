/* SPDX-License-Identifier: MIT */
/* Bus URI parsing (issue 16 §14): every malformed option or PCI address
 * is refused with -EINVAL and a sentence that names what is wrong; the
 * valid spellings next to them are accepted. */
#include "testlib.h"

/* Start on uri and expect -EINVAL with `words` in the error sentence. */
static void refused(const char *uri, const char *words)
{
	tl_reset();
	int rc = tl_start(uri);
	if (rc != -EINVAL || !strstr(ndisdma_last_error(), words))
		fail_msg("'%s': rc %d, error '%s' (want -EINVAL, '%s')", uri,
			 rc, ndisdma_last_error(), words);
	tl_stop();
}

static void accepted(const char *uri)
{
	tl_reset();
	int rc = tl_start(uri);
	if (rc != 0)
		fail_msg("'%s': rc %d, error '%s'", uri, rc,
			 ndisdma_last_error());
	assert_int_equal(tl_stop(), 0);
}

static void test_sizes(void **s)
{
	(void)s;
	refused("sim:limit=-1", "limit");
	refused("sim:limit=+5M", "limit");
	refused("sim:limit= 5M", "limit");
	refused("sim:limit=1Ki", "limit");
	refused("sim:limit=1Mx", "limit");
	refused("sim:limit=1MiBx", "limit");
	refused("sim:limit=18446744073709551616", "limit");
	refused("sim:limit=16777216T", "limit");
	refused("sim:limit=0x", "limit");
	refused("sim:chunk=3000", "chunk");
	refused("sim:dma-bits=-32", "dma-bits");
	refused("sim:dma-bits=0x20", "dma-bits");
	refused("sim:fill=-1", "fill");
	refused("sim:fill=0x100", "fill");
	accepted("sim:limit=1KiB");
	accepted("sim:limit=64K");
	accepted("sim:limit=2MB");
	accepted("sim:limit=0x100000");
	accepted("sim:limit=4096,chunk=64K,fill=0xC3,poison=60");
}

static void test_duplicate_keys(void **s)
{
	(void)s;
	refused("sim:limit=1M,limit=2M", "given twice");
	refused("sim:coherent=no,dma-bits=32,coherent=yes", "given twice");
	refused("vfio:0000:00:02.0,dma-bits=32,dma-bits=64", "given twice");
}

static void test_pci_addresses(void **s)
{
	(void)s;
	refused("vfio:100000000:00:02.0", "not a PCI address");
	refused("vfio:10000:00:02.0", "out of range");
	refused("vfio:0000:00:02.0x", "not a PCI address");
	refused("vfio:0000:00:02.0 ", "not a PCI address");
	refused("vfio:0000:00:02", "not a PCI address");
	refused("vfio:0000:00:20.0", "out of range");
	refused("vfio:0000:00:02.8", "out of range");
	refused("vfio:0x00:00:02.0", "not a PCI address");
	refused("uio:-1:00:02.0", "not a PCI address");
	refused("uio:0000:100:02.0", "out of range");
	/* well formed: parsed, then the device is not there */
	tl_reset();
	assert_int_equal(tl_start("vfio:7f:1f.7"), -ENODEV);
	tl_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_sizes, tl_setup),
	    cmocka_unit_test_setup(test_duplicate_keys, tl_setup),
	    cmocka_unit_test_setup(test_pci_addresses, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
