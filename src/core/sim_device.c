/* SPDX-License-Identifier: MIT */
/*
 * sim_device.c - the native API's view of the simulated device: DMA reads
 * and writes at device addresses, through the sim bus's IOMMU, with every
 * fault reported under the rule that names its cause.
 */
#include "core.h"
#include "datapath.h"

#include <errno.h>

/* An ndisdma_sim handle is the adapter itself, typed apart. */
ndisdma_sim *ndisdma_adapter_sim(ndisdma_adapter *h)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, NULL, NULL);
	if (!ad || !ad->bus->ops->dev_read)
		return NULL;
	return (ndisdma_sim *)ad;
}

int nd_device_access(ndisdma_sim *sim, uint64_t a, void *buf, size_t len,
		     bool write, const void *site)
{
	/* held for the access: a halt that races waits for it (core.h) */
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(sim, NULL, NULL);
	if (!ad || !ad->bus->ops->dev_read || (!buf && len))
		return -EINVAL;
	struct bus_fault f;
	int rc = write ? ad->bus->ops->dev_write(ad->bus, a, buf, len, &f)
		       : ad->bus->ops->dev_read(ad->bus, a, buf, len, &f);
	if (rc == 0 && (f.notes & BUS_NOTE_UNFLUSHED))
		nd_report(ND_RULE_COHERENCE_MISSING_FLUSH, ad, f.note_iova, len,
			  site,
			  "device read at 0x%llx: bytes the CPU wrote into "
			  "cached shared memory were never flushed "
			  "(NdisFlushBuffer / KeFlushIoBuffers); the device "
			  "read stale memory",
			  (unsigned long long)f.note_iova);
	if (rc == 0 && (f.notes & BUS_NOTE_TEAR))
		nd_report(ND_RULE_COHERENCE_TEARING, ad, f.note_iova, len, site,
			  "device write at 0x%llx: its cache line holds bytes "
			  "the CPU wrote and did not flush; the line's "
			  "write-back will tear the device's data",
			  (unsigned long long)f.note_iova);
	if (rc != -EFAULT)
		return rc;
	/* a frame whose send completed before the device read it: the
	 * bytes are still in the host's buffer (FIFO reuse), as on a
	 * machine without an IOMMU; named, then read */
	if (!write &&
	    (f.kind == BUS_FAULT_STALE || f.kind == BUS_FAULT_UNMAPPED) &&
	    nd_dp_retired_read(ad, a, buf, len, site))
		return 0;
	const char *op = write ? "write" : "read";
	switch (f.kind) {
	case BUS_FAULT_TRUNCATED:
		nd_report(ND_RULE_DEVICE_TRUNCATED, ad, a, len, site,
			  "device %s at 0x%llx: the block is at 0x%llx; the "
			  "driver dropped the high 32 bits of its address",
			  op, (unsigned long long)f.iova,
			  (unsigned long long)f.hint);
		break;
	case BUS_FAULT_STALE:
		nd_report(ND_RULE_DEVICE_STALE, ad, a, len, site,
			  "device %s at 0x%llx: inside the block at 0x%llx, "
			  "which was freed",
			  op, (unsigned long long)f.iova,
			  (unsigned long long)f.hint);
		break;
	case BUS_FAULT_PERM:
		nd_report(ND_RULE_DEVICE_PERM, ad, a, len, site,
			  "device %s at 0x%llx: the driver mapped this "
			  "memory for the device to %s only",
			  op, (unsigned long long)f.iova,
			  write ? "read (WriteToDevice TRUE)" : "write");
		break;
	default:
		nd_report(ND_RULE_DEVICE_UNMAPPED, ad, a, len, site,
			  "device %s: 0x%llx is outside everything the "
			  "driver gave the device",
			  op, (unsigned long long)f.iova);
		break;
	}
	return -EFAULT;
}

int ndisdma_sim_dma_read(ndisdma_sim *sim, uint64_t a, void *buf, size_t len)
{
	return nd_device_access(sim, a, buf, len, false, ND_SITE());
}

int ndisdma_sim_dma_write(ndisdma_sim *sim, uint64_t a, const void *buf,
			  size_t len)
{
	return nd_device_access(sim, a, (void *)buf, len, true, ND_SITE());
}

int ndisdma_sim_irq_set(ndisdma_sim *sim, int level)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(sim, NULL, NULL);
	if (!ad || !ad->bus->ops->irq_line)
		return -EINVAL;
	return ad->bus->ops->irq_line(ad->bus, level);
}
