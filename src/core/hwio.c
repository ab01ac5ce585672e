/* SPDX-License-Identifier: MIT */
/*
 * hwio.c - an adapter's hardware state over its life: at start the
 * driver's parameters are copied and the simulated device's model attaches
 * (and installs its registers), at the end the model detaches. Also the
 * native call that installs the registers.
 */
#include "hwio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ndisdma_sim_set_regs(ndisdma_sim *sim, const struct ndisdma_sim_config *cfg,
			 const struct ndisdma_sim_regs_ops *ops, void *ctx)
{
	struct nd_adapter *ad = nd_adapter_lookup(sim, NULL, NULL);
	if (!ad || !cfg || !ops || !ops->read || !ops->write ||
	    !ad->bus->ops->sim_set_regs)
		return -EINVAL;
	struct bus_sim_regs r = {
	    .vendor = cfg->vendor_id,
	    .device = cfg->device_id,
	    .subvendor = cfg->subsystem_vendor_id,
	    .subdevice = cfg->subsystem_id,
	    .revision = cfg->revision_id,
	    .int_pin = cfg->interrupt_pin,
	    .class_code = cfg->class_code & 0xFFFFFF,
	    .ctx = ctx,
	    .read = ops->read,
	    .write = ops->write,
	    .cfg_read = ops->cfg_read,
	    .cfg_write = ops->cfg_write,
	};
	for (int i = 0; i < 6; i++) {
		r.bar[i].size = cfg->bar[i].size;
		r.bar[i].io = cfg->bar[i].io != 0;
	}
	int rc = ad->bus->ops->sim_set_regs(ad->bus, &r);
	if (rc)
		return rc;
	if (!ad->hwio)
		return 0;
	pthread_mutex_lock(&ad->hwio->lock);
	ad->hwio->regs_ctx = ctx;
	pthread_mutex_unlock(&ad->hwio->lock);
	/* the device's ports answer port I/O from now on */
	return nd_io_publish(ad);
}

int nd_hwio_attach(struct nd_adapter *ad)
{
	struct nd_hwio *hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -ENOMEM;
	pthread_mutex_init(&hw->lock, NULL);
	struct nd_driver *d = ad->drv;
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	if (d->hw) {
		rc = nd_params_copy(&hw->params, &d->hw->params);
		if (d->hw->has_model && ad->bus->ops->sim_set_regs) {
			hw->model = d->hw->model;
			hw->model_ctx = d->hw->model_ctx;
			hw->model_attached = true;
		}
	}
	pthread_mutex_unlock(&d->lock);
	if (rc) {
		pthread_mutex_destroy(&hw->lock);
		free(hw);
		return rc;
	}
	ad->hwio = hw;
	if (hw->model_attached) {
		rc = hw->model.attach(hw->model_ctx, (ndisdma_sim *)ad);
		if (rc > 0)
			rc = -EINVAL;
		if (rc)
			hw->model_attached =
			    false; /* no detach without attach */
	}
	if (!rc)
		rc = nd_io_publish(ad); /* real devices' ports; idempotent */
	if (rc) {
		nd_hwio_detach(ad);
		return rc;
	}
	return 0;
}

void nd_hwio_detach(struct nd_adapter *ad)
{
	struct nd_hwio *hw = ad->hwio;
	if (!hw)
		return;
	nd_io_withdraw(ad);
	if (hw->model_attached && hw->model.detach)
		hw->model.detach(hw->model_ctx, (ndisdma_sim *)ad,
				 hw->regs_ctx);
	ad->hwio = NULL;
	nd_params_free(&hw->params);
	free(hw->assigned);
	pthread_mutex_destroy(&hw->lock);
	free(hw);
}
