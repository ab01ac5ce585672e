/* SPDX-License-Identifier: MIT */
/*
 * test_sim_regs.c - the simulated device's model: attach / detach around
 * an adapter's life, the configuration space it gets (identity, BARs that
 * size as PCI says, writable and read-only fields, the model's bytes above
 * 0x40), the bus addresses handed out, and ndisdma_sim_set_regs' errors.
 */
#include "../testlib.h"
#include "hw_model.h"

static uint32_t cfg32(unsigned off)
{
	uint32_t v = 0;
	assert_int_equal(ndisdma_adapter_cfg_read(tl.ad, off, &v, 4), 0);
	return v;
}

static int setup(void **state)
{
	tl_setup(state);
	hm_reset();
	return 0;
}

static void model_attaches_before_init_and_detaches_after_halt(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(hm.attached, 1);
	assert_int_equal(hm.detached, 0);
	assert_ptr_equal(hm.sim, ndisdma_adapter_sim(tl.ad));
	assert_int_equal(tl_stop(), 0);
	assert_int_equal(hm.detached, 1);
}

static void attach_failure_fails_the_start(void **s)
{
	(void)s;
	hm.attach_rc = -ENODEV;
	assert_int_equal(hm_start(), -ENODEV);
	assert_int_equal(hm.attached, 1);
	assert_int_equal(hm.detached, 0); /* no detach without attach */
	tl.ad = NULL;
	tl_stop();
}

static void config_space_identity(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	assert_int_equal(cfg32(0x00), HM_VENDOR | (uint32_t)HM_DEVICE << 16);
	assert_int_equal(cfg32(0x08), 0x02000003); /* Ethernet, rev 3 */
	assert_int_equal(cfg32(0x2c), 0x1af4 | 0x1100u << 16);
	uint32_t irq = cfg32(0x3c);
	assert_int_equal((irq >> 8) & 0xff, 1); /* INTA# */
	assert_int_not_equal(irq & 0xff, 0);
	uint32_t bar0 = cfg32(0x10), bar2 = cfg32(0x18);
	assert_int_equal(bar0 & 0xf, 0); /* 32-bit memory */
	assert_true(bar0 >= 0xE0000000u);
	assert_int_equal(bar2 & 0x3, 1); /* I/O */
	assert_true((bar2 & ~3u) >= 0x1000 && (bar2 & ~3u) < 0x10000);
	assert_int_equal(cfg32(0x14), 0); /* unimplemented BAR */
	assert_int_equal(tl_stop(), 0);
}

static void bars_size_as_pci_says(void **s)
{
	(void)s;
	assert_int_equal(hm_start(), 0);
	uint32_t bar0 = cfg32(0x10), ones = 0xFFFFFFFFu;
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x10, &ones, 4), 0);
	assert_int_equal(cfg32(0x10), ~(HM_MEM_SIZE - 1));
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x10, &bar0, 4), 0);
	assert_int_equal(cfg32(0x10), bar0);
	uint32_t bar2 = cfg32(0x18);
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x18, &ones, 4), 0);
	assert_int_equal(cfg32(0x18), ~(HM_IO_SIZE - 1) | 1);
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x18, &bar2, 4), 0);
	/* read-only identity, writable command and interrupt line */
	uint32_t junk = 0x12345678;
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x00, &junk, 4), 0);
	assert_int_equal(cfg32(0x00), HM_VENDOR | (uint32_t)HM_DEVICE << 16);
	uint16_t cmd = 0x0007;
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x04, &cmd, 2), 0);
	assert_int_equal(cfg32(0x04) & 0xffff, 7);
	uint8_t line = 5;
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x3c, &line, 1), 0);
	assert_int_equal(cfg32(0x3c) & 0xffff, 0x0105);
	assert_int_equal(tl_stop(), 0);
}

static void model_config_bytes_above_0x40(void **s)
{
	(void)s;
	hm.with_cfg_ops = 1;
	assert_int_equal(hm_start(), 0);
	uint32_t v = 0xA5A5F00D;
	assert_int_equal(ndisdma_adapter_cfg_write(tl.ad, 0x40, &v, 4), 0);
	assert_int_equal(hm.cfg_writes, 1);
	assert_int_equal(cfg32(0x40), 0xA5A5F00D);
	assert_int_equal(hm.cfg_reads, 1);
	/* an access across 0x40: the header part from the bus, the rest
	 * from the model a byte at a time */
	uint8_t buf[8];
	assert_int_equal(ndisdma_adapter_cfg_read(tl.ad, 0x3c, buf, 8), 0);
	assert_int_equal(buf[4], 0x0D);
	assert_int_equal(buf[7], 0xA5);
	assert_int_equal(ndisdma_adapter_cfg_read(tl.ad, 0xfc, &v, 8), -EIO);
	assert_int_equal(tl_stop(), 0);
}

static void without_model_config_reads_all_ones(void **s)
{
	(void)s;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(cfg32(0x00), 0xFFFFFFFFu);
	assert_int_equal(tl_stop(), 0);
}

/* Two devices at once never share a bus address. */
static void two_devices_get_distinct_addresses(void **s)
{
	(void)s;
	tl.dma = TL_DMA_NONE; /* testlib keeps one adapter's DMA state */
	assert_int_equal(hm_start(), 0);
	ndisdma_adapter *a2;
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &a2), 0);
	uint32_t b0a = cfg32(0x10), b2a = cfg32(0x18), b0b, b2b;
	assert_int_equal(ndisdma_adapter_cfg_read(a2, 0x10, &b0b, 4), 0);
	assert_int_equal(ndisdma_adapter_cfg_read(a2, 0x18, &b2b, 4), 0);
	assert_int_not_equal(b0a, b0b);
	assert_int_not_equal(b2a, b2b);
	assert_int_equal(ndisdma_adapter_halt(a2), 0);
	assert_int_equal(hm.attached, 2);
	assert_int_equal(hm.detached, 1);
	assert_int_equal(tl_stop(), 0);
}

static struct ndisdma_sim_config bad_cfg;
static int set_bad(void *m, ndisdma_sim *sim)
{
	(void)m;
	int rc = ndisdma_sim_set_regs(sim, &bad_cfg, &hm_ops, &hm);
	assert_int_equal(rc, -EINVAL);
	return 0;
}

static void bad_register_sets_are_einval(void **s)
{
	(void)s;
	struct ndisdma_sim_model m = {.attach = set_bad};
	assert_int_equal(ndisdma_driver_load(tl_entry5, "hwtest", &tl.drv), 0);
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &m, NULL), 0);
	bad_cfg = hm.cfg;
	bad_cfg.bar[0].size = 3000; /* not a power of two */
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(tl_stop(), 0);

	assert_int_equal(ndisdma_driver_load(tl_entry5, "hwtest", &tl.drv), 0);
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &m, NULL), 0);
	bad_cfg = hm.cfg;
	bad_cfg.bar[2].size = 512; /* I/O BARs are at most 256 ports */
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(tl_stop(), 0);

	assert_int_equal(ndisdma_driver_load(tl_entry5, "hwtest", &tl.drv), 0);
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &m, NULL), 0);
	bad_cfg = hm.cfg;
	bad_cfg.interrupt_pin = 5;
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(tl_stop(), 0);

	struct ndisdma_sim_model no_attach = {0};
	assert_int_equal(ndisdma_driver_load(tl_entry5, "hwtest", &tl.drv), 0);
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &no_attach, 0),
			 -EINVAL);
	assert_int_equal(ndisdma_driver_set_sim_model(NULL, &hm_model, 0),
			 -EINVAL);
	/* once per device */
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &hm_model, &hm),
			 0);
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(ndisdma_sim_set_regs(ndisdma_adapter_sim(tl.ad),
					      &hm.cfg, &hm_ops, &hm),
			 -EBUSY);
	assert_int_equal(ndisdma_sim_set_regs(NULL, &hm.cfg, &hm_ops, &hm),
			 -EINVAL);
	assert_int_equal(tl_stop(), 0);
}

/* A device started without a model may get its registers later. */
static void registers_after_start(void **s)
{
	(void)s;
	assert_int_equal(tl_start("sim"), 0);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	assert_int_equal(ndisdma_sim_set_regs(sim, &hm.cfg, &hm_ops, &hm), 0);
	assert_int_equal(cfg32(0x00), HM_VENDOR | (uint32_t)HM_DEVICE << 16);
	assert_int_equal(tl_stop(), 0);
}

static void params_errors(void **s)
{
	(void)s;
	assert_int_equal(ndisdma_driver_load(tl_entry5, "hwtest", &tl.drv), 0);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "Speed", "100"), 0);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "speed", "10"), 0);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "SPEED", NULL), 0);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "Speed", NULL),
			 -ENOENT);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "", "1"), -EINVAL);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, NULL, "1"), -EINVAL);
	assert_int_equal(ndisdma_driver_set_param(NULL, "a", "1"), -EINVAL);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "a", "x\ny"),
			 -EINVAL);
	char big[5000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "a", big), -EINVAL);
	assert_int_equal(ndisdma_driver_set_param(tl.drv, big, "1"), -EINVAL);
	tl_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(
		model_attaches_before_init_and_detaches_after_halt, setup),
	    cmocka_unit_test_setup(attach_failure_fails_the_start, setup),
	    cmocka_unit_test_setup(config_space_identity, setup),
	    cmocka_unit_test_setup(bars_size_as_pci_says, setup),
	    cmocka_unit_test_setup(model_config_bytes_above_0x40, setup),
	    cmocka_unit_test_setup(without_model_config_reads_all_ones, setup),
	    cmocka_unit_test_setup(two_devices_get_distinct_addresses, setup),
	    cmocka_unit_test_setup(bad_register_sets_are_einval, setup),
	    cmocka_unit_test_setup(registers_after_start, setup),
	    cmocka_unit_test_setup(params_errors, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
