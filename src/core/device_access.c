/* SPDX-License-Identifier: MIT */
/*
 * device_access.c - the native API's way to a real device: registers
 * (BARs), configuration space, interrupts and reset, each one call into
 * the adapter's bus. Buses without the facility leave the op NULL, which
 * becomes -ENOTSUP here.
 */
#include "core.h"

#include <errno.h>

/* The adapter, held for the call (every user declares ND_ADAPTER_AUTOPUT). */
static struct nd_adapter *live(ndisdma_adapter *h)
{
	return nd_adapter_lookup(h, NULL, NULL);
}

int ndisdma_adapter_bar(ndisdma_adapter *h, unsigned bar, void **va,
			size_t *len)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad || !va || !len)
		return -EINVAL;
	if (!ad->bus->ops->bar_map)
		return -ENOTSUP;
	return ad->bus->ops->bar_map(ad->bus, bar, va, len);
}

int ndisdma_adapter_cfg_read(ndisdma_adapter *h, unsigned off, void *buf,
			     size_t len)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad || !buf)
		return -EINVAL;
	if (!ad->bus->ops->cfg_read)
		return -ENOTSUP;
	return ad->bus->ops->cfg_read(ad->bus, off, buf, len);
}

int ndisdma_adapter_cfg_write(ndisdma_adapter *h, unsigned off, const void *buf,
			      size_t len)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad || !buf)
		return -EINVAL;
	if (!ad->bus->ops->cfg_write)
		return -ENOTSUP;
	return ad->bus->ops->cfg_write(ad->bus, off, buf, len);
}

int ndisdma_adapter_irq_fd(ndisdma_adapter *h, int *fd)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad || !fd)
		return -EINVAL;
	if (!ad->bus->ops->irq_fd)
		return -ENOTSUP;
	return ad->bus->ops->irq_fd(ad->bus, fd);
}

int ndisdma_adapter_irq_wait(ndisdma_adapter *h, int timeout_ms)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad)
		return -EINVAL;
	if (!ad->bus->ops->irq_wait)
		return -ENOTSUP;
	return ad->bus->ops->irq_wait(ad->bus, timeout_ms);
}

int ndisdma_adapter_irq_unmask(ndisdma_adapter *h)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad)
		return -EINVAL;
	if (!ad->bus->ops->irq_unmask)
		return -ENOTSUP;
	return ad->bus->ops->irq_unmask(ad->bus);
}

int ndisdma_adapter_reset(ndisdma_adapter *h)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad)
		return -EINVAL;
	if (!ad->bus->ops->reset)
		return -ENOTSUP;
	return ad->bus->ops->reset(ad->bus);
}

int ndisdma_adapter_bus_info(ndisdma_adapter *h, const char **kind, int *iommu,
			     unsigned *dma_bits)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT = live(h);
	if (!ad)
		return -EINVAL;
	if (kind)
		*kind = ad->bus->info.kind;
	if (iommu)
		*iommu = ad->bus->info.iommu;
	if (dma_bits)
		*dma_bits = ad->bus->info.dma_bits;
	return 0;
}
