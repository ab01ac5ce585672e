/* SPDX-License-Identifier: MIT */
/*
 * e1000_model.h - a device model of the 82540EM's registers on ndisdma's
 * simulated bus, for testing examples/e1000 without QEMU: the memory BAR
 * (the registers the example uses), the I/O BAR's IOADDR/IODATA window,
 * the EEPROM read register with the MAC address in words 0..2, legacy
 * transmit and receive descriptor rings moved by DMA through the
 * simulated IOMMU, interrupt causes and mask on the level-triggered line,
 * link status with its change interrupt. The wire is a loopback (what is
 * transmitted is received, when the receive unit is on) or, when a
 * transmit hook is set, the hook.
 */
#ifndef E1000_MODEL_H
#define E1000_MODEL_H

#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct e1000_model {
	pthread_mutex_t lock;
	ndisdma_sim *sim;
	uint32_t regs[0x20000 / 4];
	uint32_t ioaddr;
	uint16_t eeprom[64];
	int link;
	int loopback; /* 1: transmitted frames come back */
	/* counted by the model */
	unsigned long tx_frames, rx_frames, rx_missed, io_accesses,
	    eeprom_reads, resets, dma_faults;
	/* what was transmitted last */
	unsigned char last_tx[2048];
	size_t last_tx_len;
};

/* Initialise with a MAC address; link up, loopback on. */
void e1000_model_init(struct e1000_model *m, const unsigned char mac[6]);

/* The model as ndisdma_driver_set_sim_model takes it (ctx: the model). */
extern const struct ndisdma_sim_model e1000_sim_model;

/* Receive a frame from the wire (as if a peer sent it): 0, or -ENOSPC
 * when the driver gave no buffer (counted as missed), -EAGAIN when the
 * receive unit is off. */
int e1000_model_receive(struct e1000_model *m, const void *frame, size_t len);

/* Link up (1) or down (0): STATUS.LU and the link-change interrupt. */
void e1000_model_set_link(struct e1000_model *m, int up);

#endif
