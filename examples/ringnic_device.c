/* SPDX-License-Identifier: MIT */
/*
 * ringnic_device.c - the simulated NIC behind ringnic: every access to
 * host memory is a DMA through ndisdma_sim_dma_read/write, so it reaches
 * exactly what the driver gave the device and nothing else.
 */
#include "ringnic.h"

#include <errno.h>

int ringnic_device_loopback(struct ringnic *nic, ndisdma_sim *sim)
{
	struct ringnic_regs *r = &nic->regs;
	int moved = 0;
	unsigned char frame[RINGNIC_BUF];
	while (r->tdh != r->tdt) {
		unsigned t = r->tdh;
		struct ringnic_tx_desc td;
		int rc = ndisdma_sim_dma_read(sim, r->tdba + t * sizeof(td),
					      &td, sizeof(td));
		if (rc)
			return rc;
		if (td.length > sizeof(frame))
			return -EINVAL;
		rc = ndisdma_sim_dma_read(sim, td.buffer_addr, frame,
					  td.length);
		if (rc)
			return rc;
		/* loop back into the next RX descriptor the NIC owns */
		unsigned h = r->rdh;
		if (h == r->rdt)
			return -ENOBUFS; /* receive ring full */
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
		r->rdh = (h + 1) % RINGNIC_RING;
		if (td.cmd & RINGNIC_TXD_CMD_RS) {
			td.status = RINGNIC_DESC_DD;
			rc = ndisdma_sim_dma_write(
				sim, r->tdba + t * sizeof(td), &td, sizeof(td));
			if (rc)
				return rc;
		}
		r->tdh = (t + 1) % RINGNIC_RING;
		moved++;
	}
	return moved;
}
