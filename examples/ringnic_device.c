/* SPDX-License-Identifier: MIT */
/*
 * ringnic_device.c - the simulated NIC behind ringnic. Every access to
 * host memory is a DMA through ndisdma_sim_dma_read/write, so it reaches
 * exactly what the driver gave the device and nothing else.
 *
 * The model (ringnic_use_model) gives the simulated PCI function its
 * registers (BAR 0) and INTA#: a write of TDT sends what the driver queued,
 * looping each frame back into the receive ring (a frame waits while the
 * receive ring is full, as with flow control); a write of RDT lets waiting
 * frames go on. Done work raises ICR causes; the line is high while
 * ICR & IMS is not zero; reading ICR clears it.
 */
#include "ringnic.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Move every frame the TX ring holds into the RX ring. Returns frames
 * moved; -ENOBUFS when a frame waits for an RX buffer and none moved; or
 * the DMA error. */
static int process(struct ringnic_regs *r, ndisdma_sim *sim)
{
	int moved = 0;
	unsigned char frame[RINGNIC_BUF];
	unsigned ntx = r->tdlen / sizeof(struct ringnic_tx_desc);
	unsigned nrx = r->rdlen / sizeof(struct ringnic_rx_desc);
	if (!ntx || !nrx)
		return 0;
	while (r->tdh != r->tdt) {
		unsigned t = r->tdh;
		struct ringnic_tx_desc td;
		int rc = ndisdma_sim_dma_read(sim, r->tdba + t * sizeof(td),
					      &td, sizeof(td));
		if (rc)
			return rc;
		if (td.length > sizeof(frame))
			return -EINVAL;
		/* loop back into the next RX descriptor the NIC owns */
		unsigned h = r->rdh;
		if (h == r->rdt)
			return moved ? moved : -ENOBUFS;
		rc =
		    ndisdma_sim_dma_read(sim, td.buffer_addr, frame, td.length);
		if (rc)
			return rc;
		struct ringnic_rx_desc rd;
		rc = ndisdma_sim_dma_read(sim, r->rdba + h * sizeof(rd), &rd,
					  sizeof(rd));
		if (rc)
			return rc;
		rc = ndisdma_sim_dma_write(sim, rd.buffer_addr, frame,
					   td.length);
		if (rc)
			return rc;
		rd.length = td.length;
		rd.status = RINGNIC_DESC_DD | RINGNIC_RXD_EOP;
		rc = ndisdma_sim_dma_write(sim, r->rdba + h * sizeof(rd), &rd,
					   sizeof(rd));
		if (rc)
			return rc;
		r->rdh = (h + 1) % nrx;
		if (td.cmd & RINGNIC_TXD_CMD_RS) {
			td.status = RINGNIC_DESC_DD;
			rc = ndisdma_sim_dma_write(
			    sim, r->tdba + t * sizeof(td), &td, sizeof(td));
			if (rc)
				return rc;
		}
		r->tdh = (t + 1) % ntx;
		moved++;
	}
	return moved;
}

int ringnic_device_loopback(struct ringnic *nic, ndisdma_sim *sim)
{
	return process(&nic->regs, sim);
}

/* ---------------- the device model ---------------- */

struct rn_model {
	pthread_mutex_t lock;
	ndisdma_sim *sim;
	struct ringnic_regs r;
	uint32_t ctrl, icr, ims, status, tdbal, rdbal;
	uint8_t mac[6];
	struct ringnic_model_stats st;
	struct rn_model *next;
};

static pthread_mutex_t models_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rn_model *models;
static unsigned models_made;

/* lock held: the line follows ICR & IMS */
static void update_irq(struct rn_model *m)
{
	int level = (m->icr & m->ims) != 0;
	if (level)
		m->st.interrupts++;
	ndisdma_sim_irq_set(m->sim, level);
}

/* lock held */
static void run(struct rn_model *m)
{
	if (!(m->ctrl & RN_CTRL_EN))
		return;
	int rc = process(&m->r, m->sim);
	if (rc > 0) {
		m->st.tx_frames += (unsigned long)rc;
		m->st.rx_frames += (unsigned long)rc;
		m->icr |= RN_INT_TXDW | RN_INT_RXT0;
		update_irq(m);
	} else if (rc == -ENOBUFS) {
		m->st.rx_no_buffer++;
	} else if (rc < 0) {
		m->st.dma_faults++;
		m->ctrl &= ~(uint32_t)RN_CTRL_EN; /* a master abort stops it */
	}
}

static uint32_t reg_read(void *ctx, unsigned bar, uint64_t off, unsigned width)
{
	(void)bar, (void)width;
	struct rn_model *m = ctx;
	uint32_t v = 0;
	pthread_mutex_lock(&m->lock);
	switch (off) {
	case RN_CTRL:
		v = m->ctrl;
		break;
	case RN_STATUS:
		v = m->status;
		break;
	case RN_ICR:
		v = m->icr;
		m->icr = 0;
		update_irq(m);
		break;
	case RN_IMS:
		v = m->ims;
		break;
	case RN_TDH:
		v = m->r.tdh;
		break;
	case RN_TDT:
		v = m->r.tdt;
		break;
	case RN_RDH:
		v = m->r.rdh;
		break;
	case RN_RDT:
		v = m->r.rdt;
		break;
	case RN_RAL:
		v = m->mac[0] | m->mac[1] << 8 | m->mac[2] << 16 |
		    (uint32_t)m->mac[3] << 24;
		break;
	case RN_RAH:
		v = m->mac[4] | m->mac[5] << 8;
		break;
	}
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void reg_write(void *ctx, unsigned bar, uint64_t off, unsigned width,
		      uint32_t v)
{
	(void)bar, (void)width;
	struct rn_model *m = ctx;
	pthread_mutex_lock(&m->lock);
	switch (off) {
	case RN_CTRL:
		m->ctrl = v;
		run(m);
		break;
	case RN_IMS:
		m->ims |= v;
		update_irq(m);
		break;
	case RN_IMC:
		m->ims &= ~v;
		update_irq(m);
		break;
	case RN_TDBAL:
		m->tdbal = v;
		m->r.tdba = (m->r.tdba & ~0xFFFFFFFFull) | v;
		break;
	case RN_TDBAH:
		m->r.tdba = (uint64_t)v << 32 | m->tdbal;
		break;
	case RN_TDLEN:
		m->r.tdlen = v;
		break;
	case RN_TDH:
		m->r.tdh = v;
		break;
	case RN_TDT:
		m->r.tdt = v;
		run(m);
		break;
	case RN_RDBAL:
		m->rdbal = v;
		m->r.rdba = (m->r.rdba & ~0xFFFFFFFFull) | v;
		break;
	case RN_RDBAH:
		m->r.rdba = (uint64_t)v << 32 | m->rdbal;
		break;
	case RN_RDLEN:
		m->r.rdlen = v;
		break;
	case RN_RDH:
		m->r.rdh = v;
		break;
	case RN_RDT:
		m->r.rdt = v;
		run(m); /* frames waiting for a buffer go on */
		break;
	}
	pthread_mutex_unlock(&m->lock);
}

static const struct ndisdma_sim_regs_ops rn_ops = {
    .read = reg_read,
    .write = reg_write,
};

static int attach(void *model_ctx, ndisdma_sim *sim)
{
	(void)model_ctx;
	struct rn_model *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->sim = sim;
	m->status = RN_STATUS_LU;
	pthread_mutex_lock(&models_lock);
	unsigned n = ++models_made;
	m->next = models;
	models = m;
	pthread_mutex_unlock(&models_lock);
	const uint8_t mac[6] = {0x02,	   0x52, 0x4e, 0x00, (uint8_t)(n >> 8),
				(uint8_t)n};
	memcpy(m->mac, mac, 6);
	struct ndisdma_sim_config cfg = {
	    .vendor_id = RINGNIC_VENDOR,
	    .device_id = RINGNIC_DEVICE,
	    .subsystem_vendor_id = RINGNIC_VENDOR,
	    .subsystem_id = 1,
	    .interrupt_pin = 1,
	    .bar = {{.size = RN_BAR_SIZE, .io = 0}},
	};
	return ndisdma_sim_set_regs(sim, &cfg, &rn_ops, m);
}

static void detach(void *model_ctx, ndisdma_sim *sim, void *regs_ctx)
{
	(void)model_ctx, (void)sim;
	struct rn_model *m = regs_ctx;
	pthread_mutex_lock(&models_lock);
	for (struct rn_model **pp = &models; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	pthread_mutex_unlock(&models_lock);
	if (m) {
		pthread_mutex_destroy(&m->lock);
		free(m);
	}
}

int ringnic_use_model(ndisdma_driver *drv)
{
	static const struct ndisdma_sim_model model = {attach, detach};
	return ndisdma_driver_set_sim_model(drv, &model, NULL);
}

static struct rn_model *model_of(ndisdma_adapter *ad)
{
	ndisdma_sim *sim = ndisdma_adapter_sim(ad);
	struct rn_model *found = NULL;
	pthread_mutex_lock(&models_lock);
	for (struct rn_model *m = models; m && sim; m = m->next)
		if (m->sim == sim)
			found = m;
	pthread_mutex_unlock(&models_lock);
	return found;
}

int ringnic_model_set_link(ndisdma_adapter *ad, int up)
{
	struct rn_model *m = model_of(ad);
	if (!m)
		return -ENOENT;
	pthread_mutex_lock(&m->lock);
	m->status = up ? RN_STATUS_LU : 0;
	m->icr |= RN_INT_LSC;
	update_irq(m);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int ringnic_model_stats(ndisdma_adapter *ad, struct ringnic_model_stats *out)
{
	struct rn_model *m = model_of(ad);
	if (!m || !out)
		return -ENOENT;
	pthread_mutex_lock(&m->lock);
	*out = m->st;
	pthread_mutex_unlock(&m->lock);
	return 0;
}
