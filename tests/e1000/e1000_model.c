/* SPDX-License-Identifier: MIT */
/*
 * e1000_model.c - the 82540EM register model (see e1000_model.h). Facts
 * from the 8254x Software Developer's Manual, as examples/e1000 uses them.
 */
#include "e1000_model.h"

#include <errno.h>
#include <string.h>

enum {
	CTRL = 0x0000,
	STATUS = 0x0008,
	EERD = 0x0014,
	ICR = 0x00C0,
	ICS = 0x00C8,
	IMS = 0x00D0,
	IMC = 0x00D8,
	RCTL = 0x0100,
	TCTL = 0x0400,
	RDBAL = 0x2800,
	RDBAH = 0x2804,
	RDLEN = 0x2808,
	RDH = 0x2810,
	RDT = 0x2818,
	TDBAL = 0x3800,
	TDBAH = 0x3804,
	TDLEN = 0x3808,
	TDH = 0x3810,
	TDT = 0x3818,
	MPC = 0x4010,
	GPRC = 0x4074,
	GPTC = 0x4080,
	RAL0 = 0x5400,
	RAH0 = 0x5404,
};
#define CTRL_RST (1u << 26)
#define ICR_TXDW (1u << 0)
#define ICR_LSC (1u << 2)
#define ICR_RXO (1u << 6)
#define ICR_RXT0 (1u << 7)
#define RCTL_EN (1u << 1)
#define TCTL_EN (1u << 1)

#define R(m, off) ((m)->regs[(off) / 4])

static void irq_update(struct e1000_model *m)
{
	if (m->sim)
		ndisdma_sim_irq_set(m->sim, (R(m, ICR) & R(m, IMS)) != 0);
}

static void cause(struct e1000_model *m, uint32_t bits)
{
	R(m, ICR) |= bits;
	irq_update(m);
}

static uint32_t status_value(struct e1000_model *m)
{
	/* FD, link, speed 1000 (bits 7:6 = 10b) */
	return 1u | (m->link ? 2u : 0) | (2u << 6);
}

static void reset(struct e1000_model *m)
{
	memset(m->regs, 0, sizeof(m->regs));
	const uint16_t *e = m->eeprom;
	R(m, RAL0) = e[0] | (uint32_t)e[1] << 16;
	R(m, RAH0) = e[2] | (1u << 31);
	m->resets++;
	irq_update(m);
}

/* Deliver a frame into the receive ring. Lock held. */
static int rx_frame(struct e1000_model *m, const void *frame, size_t len)
{
	if (!(R(m, RCTL) & RCTL_EN))
		return -EAGAIN;
	uint32_t n = R(m, RDLEN) / 16;
	if (!n || R(m, RDH) == R(m, RDT) || R(m, RDH) >= n) {
		m->rx_missed++;
		R(m, MPC)++;
		cause(m, ICR_RXO);
		return -ENOSPC;
	}
	uint64_t ring = R(m, RDBAL) | (uint64_t)R(m, RDBAH) << 32;
	uint64_t da = ring + 16ull * R(m, RDH);
	unsigned char d[16];
	if (ndisdma_sim_dma_read(m->sim, da, d, 16)) {
		m->dma_faults++;
		return -EFAULT;
	}
	uint64_t buf;
	memcpy(&buf, d, 8);
	if (len > 2048)
		len = 2048;
	if (ndisdma_sim_dma_write(m->sim, buf, frame, len)) {
		m->dma_faults++;
		return -EFAULT;
	}
	uint16_t l16 = (uint16_t)len;
	memcpy(d + 8, &l16, 2);
	d[12] = 0x03; /* DD | EOP */
	d[13] = 0;
	if (ndisdma_sim_dma_write(m->sim, da + 8, d + 8, 8)) {
		m->dma_faults++;
		return -EFAULT;
	}
	R(m, RDH) = (R(m, RDH) + 1) % n;
	R(m, GPRC)++;
	m->rx_frames++;
	cause(m, ICR_RXT0);
	return 0;
}

/* Move every descriptor from TDH to TDT. Lock held. */
static void tx_run(struct e1000_model *m)
{
	uint32_t n = R(m, TDLEN) / 16;
	if (!(R(m, TCTL) & TCTL_EN) || !n)
		return;
	uint64_t ring = R(m, TDBAL) | (uint64_t)R(m, TDBAH) << 32;
	unsigned char frame[16384];
	size_t len = 0;
	while (R(m, TDH) != R(m, TDT) && R(m, TDH) < n) {
		uint64_t da = ring + 16ull * R(m, TDH);
		unsigned char d[16];
		if (ndisdma_sim_dma_read(m->sim, da, d, 16)) {
			m->dma_faults++;
			return;
		}
		uint64_t buf;
		uint16_t l;
		memcpy(&buf, d, 8);
		memcpy(&l, d + 8, 2);
		if (len + l <= sizeof(frame) &&
		    ndisdma_sim_dma_read(m->sim, buf, frame + len, l) == 0)
			len += l;
		else
			m->dma_faults++;
		uint8_t cmd = d[11];
		if (cmd & 0x08) { /* RS: write back DD */
			uint8_t st = 0x01;
			ndisdma_sim_dma_write(m->sim, da + 12, &st, 1);
		}
		R(m, TDH) = (R(m, TDH) + 1) % n;
		if (cmd & 0x01) { /* EOP */
			m->tx_frames++;
			R(m, GPTC)++;
			memcpy(m->last_tx, frame,
			       len < sizeof(m->last_tx) ? len
							: sizeof(m->last_tx));
			m->last_tx_len = len;
			if (m->loopback)
				rx_frame(m, frame, len);
			len = 0;
		}
		cause(m, ICR_TXDW);
	}
}

static uint32_t reg_read(struct e1000_model *m, uint32_t off)
{
	off &= 0x1FFFC;
	switch (off) {
	case STATUS:
		return status_value(m);
	case ICR: {
		uint32_t v = R(m, ICR);
		R(m, ICR) = 0;
		irq_update(m);
		return v;
	}
	case MPC:
	case GPRC:
	case GPTC: { /* statistics clear when read */
		uint32_t v = R(m, off);
		R(m, off) = 0;
		return v;
	}
	default:
		return R(m, off);
	}
}

static void reg_write(struct e1000_model *m, uint32_t off, uint32_t v)
{
	off &= 0x1FFFC;
	switch (off) {
	case CTRL:
		if (v & CTRL_RST)
			reset(m);
		R(m, CTRL) = v & ~CTRL_RST;
		break;
	case ICS:
		cause(m, v);
		break;
	case IMS:
		R(m, IMS) |= v;
		irq_update(m);
		break;
	case IMC:
		R(m, IMS) &= ~v;
		irq_update(m);
		break;
	case ICR: /* write 1 to clear */
		R(m, ICR) &= ~v;
		irq_update(m);
		break;
	case EERD:
		if (v & 1) {
			unsigned w = (v >> 8) & 0xFF;
			uint16_t data = w < 64 ? m->eeprom[w] : 0xFFFF;
			R(m, EERD) = (uint32_t)data << 16 | (w << 8) | 0x10;
			m->eeprom_reads++;
		}
		break;
	case TDT:
		R(m, TDT) = v;
		tx_run(m);
		break;
	case STATUS:
		break;
	default:
		R(m, off) = v;
	}
}

static uint32_t model_read(void *ctx, unsigned bar, uint64_t off,
			   unsigned width)
{
	struct e1000_model *m = ctx;
	uint32_t v = 0;
	pthread_mutex_lock(&m->lock);
	if (bar == 0 && off < sizeof(m->regs)) {
		v = reg_read(m, (uint32_t)off);
		v >>= 8 * (off & 3);
	} else if (bar == 1) {
		m->io_accesses++;
		if (off == 0)
			v = m->ioaddr;
		else if (off == 4)
			v = reg_read(m, m->ioaddr);
	}
	pthread_mutex_unlock(&m->lock);
	return width == 4 ? v : v & ((1u << (8 * width)) - 1);
}

static void model_write(void *ctx, unsigned bar, uint64_t off, unsigned width,
			uint32_t v)
{
	struct e1000_model *m = ctx;
	pthread_mutex_lock(&m->lock);
	if (bar == 0 && off < sizeof(m->regs) && width == 4)
		reg_write(m, (uint32_t)off, v);
	else if (bar == 1 && width == 4) {
		m->io_accesses++;
		if (off == 0)
			m->ioaddr = v & 0x1FFFC;
		else if (off == 4)
			reg_write(m, m->ioaddr, v);
	}
	pthread_mutex_unlock(&m->lock);
}

static const struct ndisdma_sim_regs_ops model_ops = {
    .read = model_read,
    .write = model_write,
};

static int model_attach(void *ctx, ndisdma_sim *sim)
{
	struct e1000_model *m = ctx;
	struct ndisdma_sim_config cfg = {
	    .vendor_id = 0x8086,
	    .device_id = 0x100E,
	    .subsystem_vendor_id = 0x8086,
	    .subsystem_id = 0x001E,
	    .revision_id = 3,
	    .class_code = 0x020000,
	    .interrupt_pin = 1,
	    .bar = {{0x20000, 0}, {0x40, 1}},
	};
	pthread_mutex_lock(&m->lock);
	m->sim = sim;
	reset(m);
	m->resets = 0;
	pthread_mutex_unlock(&m->lock);
	return ndisdma_sim_set_regs(sim, &cfg, &model_ops, m);
}

static void model_detach(void *ctx, ndisdma_sim *sim, void *regs_ctx)
{
	struct e1000_model *m = ctx;
	(void)sim;
	(void)regs_ctx;
	pthread_mutex_lock(&m->lock);
	m->sim = NULL;
	pthread_mutex_unlock(&m->lock);
}

const struct ndisdma_sim_model e1000_sim_model = {
    .attach = model_attach,
    .detach = model_detach,
};

void e1000_model_init(struct e1000_model *m, const unsigned char mac[6])
{
	memset(m, 0, sizeof(*m));
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	/* the bus may run the ISR on the thread that raised the line */
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m->lock, &a);
	pthread_mutexattr_destroy(&a);
	for (int i = 0; i < 3; i++)
		m->eeprom[i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
	m->link = 1;
	m->loopback = 1;
}

int e1000_model_receive(struct e1000_model *m, const void *frame, size_t len)
{
	pthread_mutex_lock(&m->lock);
	int rc = m->sim ? rx_frame(m, frame, len) : -EAGAIN;
	pthread_mutex_unlock(&m->lock);
	return rc;
}

void e1000_model_set_link(struct e1000_model *m, int up)
{
	pthread_mutex_lock(&m->lock);
	m->link = up;
	cause(m, ICR_LSC);
	pthread_mutex_unlock(&m->lock);
}
