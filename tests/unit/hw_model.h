/* SPDX-License-Identifier: MIT */
/*
 * hw_model.h - a small simulated PCI device for the resource, config and
 * I/O tests: a 4 KiB memory BAR of 32-bit registers (byte-addressable, as
 * a register file is), a 32-port I/O BAR with an IOADDR/IODATA window onto
 * the same registers (the 8254x scheme: IOADDR at port 0, IODATA at port
 * 4), and an interrupt pin. Every callback is counted and the last access
 * recorded, so a test can see that a register access reached the model.
 * Include after testlib.h.
 */
#ifndef NDISDMA_TEST_HW_MODEL_H
#define NDISDMA_TEST_HW_MODEL_H

#include <ndisdma/ndisdma.h>
#include <pthread.h>
#include <stdatomic.h>

#define HM_MEM_SIZE 4096u
#define HM_IO_SIZE 32u
#define HM_VENDOR 0x8086
#define HM_DEVICE 0x100E

struct hw_model {
	pthread_mutex_t lock;
	uint8_t regs[HM_MEM_SIZE];
	uint32_t ioaddr;
	uint8_t cfg_extra[0x100]; /* 0x40..0xFF */
	_Atomic unsigned reads, writes, cfg_reads, cfg_writes;
	unsigned last_bar, last_width;
	uint64_t last_off;
	uint32_t last_value;
	/* the model's view of its attachment */
	ndisdma_sim *sim;
	int attached, detached, attach_rc;
	struct ndisdma_sim_config cfg; /* what attach installs */
	int with_cfg_ops;
};

static struct hw_model hm;

static uint32_t hm_get(uint64_t off, unsigned w)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint32_t)hm.regs[(off + i) % HM_MEM_SIZE] << (8 * i);
	return v;
}

static void hm_put(uint64_t off, unsigned w, uint32_t v)
{
	for (unsigned i = 0; i < w; i++)
		hm.regs[(off + i) % HM_MEM_SIZE] = (uint8_t)(v >> (8 * i));
}

static uint32_t hm_read(void *ctx, unsigned bar, uint64_t off, unsigned w)
{
	assert_ptr_equal(ctx, &hm);
	pthread_mutex_lock(&hm.lock);
	uint32_t v;
	if (bar == 0)
		v = hm_get(off, w);
	else if (off == 0)
		v = hm.ioaddr;
	else if (off >= 4 && off < 8)
		v = hm_get(hm.ioaddr, 4) >> (8 * (off - 4));
	else
		v = 0;
	hm.last_bar = bar;
	hm.last_off = off;
	hm.last_width = w;
	pthread_mutex_unlock(&hm.lock);
	atomic_fetch_add(&hm.reads, 1);
	return v;
}

static void hm_write(void *ctx, unsigned bar, uint64_t off, unsigned w,
		     uint32_t v)
{
	assert_ptr_equal(ctx, &hm);
	pthread_mutex_lock(&hm.lock);
	if (bar == 0)
		hm_put(off, w, v);
	else if (off == 0)
		hm.ioaddr = v % HM_MEM_SIZE;
	else if (off == 4)
		hm_put(hm.ioaddr, w, v);
	hm.last_bar = bar;
	hm.last_off = off;
	hm.last_width = w;
	hm.last_value = v;
	pthread_mutex_unlock(&hm.lock);
	atomic_fetch_add(&hm.writes, 1);
}

static uint32_t hm_cfg_read(void *ctx, unsigned off, unsigned w)
{
	(void)ctx;
	atomic_fetch_add(&hm.cfg_reads, 1);
	uint32_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint32_t)hm.cfg_extra[off + i] << (8 * i);
	return v;
}

static void hm_cfg_write(void *ctx, unsigned off, unsigned w, uint32_t v)
{
	(void)ctx;
	atomic_fetch_add(&hm.cfg_writes, 1);
	for (unsigned i = 0; i < w; i++)
		hm.cfg_extra[off + i] = (uint8_t)(v >> (8 * i));
}

static const struct ndisdma_sim_regs_ops hm_ops = {
    .read = hm_read,
    .write = hm_write,
};
static const struct ndisdma_sim_regs_ops hm_ops_cfg = {
    .read = hm_read,
    .write = hm_write,
    .cfg_read = hm_cfg_read,
    .cfg_write = hm_cfg_write,
};

static int hm_attach(void *mctx, ndisdma_sim *sim)
{
	assert_ptr_equal(mctx, &hm);
	hm.sim = sim;
	hm.attached++;
	if (hm.attach_rc)
		return hm.attach_rc;
	return ndisdma_sim_set_regs(
	    sim, &hm.cfg, hm.with_cfg_ops ? &hm_ops_cfg : &hm_ops, &hm);
}

static void hm_detach(void *mctx, ndisdma_sim *sim, void *regs_ctx)
{
	assert_ptr_equal(mctx, &hm);
	assert_non_null(sim);
	assert_ptr_equal(regs_ctx, hm.attach_rc ? NULL : &hm);
	hm.detached++;
}

static const struct ndisdma_sim_model hm_model = {
    .attach = hm_attach,
    .detach = hm_detach,
};

/* A fresh model: memory BAR 0 (4 KiB), I/O BAR 2 (32 ports), INTA#. */
static void hm_reset(void)
{
	memset(&hm, 0, sizeof(hm));
	pthread_mutex_init(&hm.lock, NULL);
	hm.cfg.vendor_id = HM_VENDOR;
	hm.cfg.device_id = HM_DEVICE;
	hm.cfg.subsystem_vendor_id = 0x1af4;
	hm.cfg.subsystem_id = 0x1100;
	hm.cfg.revision_id = 3;
	hm.cfg.interrupt_pin = 1;
	hm.cfg.bar[0].size = HM_MEM_SIZE;
	hm.cfg.bar[2].size = HM_IO_SIZE;
	hm.cfg.bar[2].io = 1;
}

/* Load the test miniport, give it the model, start it on "sim". Returns
 * start's result. */
static int hm_start(void)
{
	assert_int_equal(ndisdma_driver_load(tl.ndis6 ? tl_entry6 : tl_entry5,
					     "hwtest", &tl.drv),
			 0);
	assert_int_equal(ndisdma_driver_set_sim_model(tl.drv, &hm_model, &hm),
			 0);
	return ndisdma_adapter_start(tl.drv, "sim", &tl.ad);
}

/* tl_start is for tests without a model; not every test uses it */
static inline void hm_uses_testlib_(void)
{
	(void)tl_start;
}

#endif
