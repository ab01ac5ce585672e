/* SPDX-License-Identifier: MIT */
/*
 * hwio.h - core's side of a miniport's hardware: configuration parameters
 * (params.c), the device's BARs and interrupt as resources, port ranges and
 * mapped I/O space (iospace.c), and the simulated device's model
 * (hwio.c). src/ndis calls this; it calls src/bus.
 */
#ifndef NDISDMA_CORE_HWIO_H
#define NDISDMA_CORE_HWIO_H

#include "core.h"

/* ---------------- configuration parameters: params.c ---------------- */

struct nd_param {
	char *name;
	char *value;
};

/* A set of name = value strings (names case-insensitive). Not locked:
 * the owner locks. */
struct nd_params {
	struct nd_param *v;
	size_t n, cap;
};

/* Set (value non-NULL) or remove (NULL) a parameter. 0, -ENOENT (removal
 * of an absent name), -ENOMEM. */
int nd_params_set(struct nd_params *p, const char *name, const char *value);
/* The value of `name`, or NULL. Valid until the set changes. */
const char *nd_params_get(const struct nd_params *p, const char *name);
/* Copy src into an empty *dst. 0 or -ENOMEM (dst left empty). */
int nd_params_copy(struct nd_params *dst, const struct nd_params *src);
void nd_params_free(struct nd_params *p);

/* ---------------- per-driver and per-adapter state ---------------- */

/* What a driver keeps for the adapters it starts next (driver->hw). */
struct nd_drvhw {
	struct nd_params params; /* under driver->lock */
	bool has_model;
	struct ndisdma_sim_model model;
	void *model_ctx;
};

/* What an adapter keeps (adapter->hwio). Created by nd_hwio_attach. */
struct nd_hwio {
	pthread_mutex_t lock; /* params, cfg handles, resource list */
	struct nd_params params;
	struct nd_res *configs;	      /* open configuration handles (list) */
	PNDIS_RESOURCE_LIST assigned; /* what NdisMPciAssignResources gave */
	/* the simulated device's model */
	bool model_attached;
	struct ndisdma_sim_model model;
	void *model_ctx;
	void *regs_ctx;
};

/* At adapter start, after the bus is open and before MiniportInitialize:
 * copy the driver's parameters, attach the sim model (its attach hook
 * runs), publish the device's I/O BARs for port access. Returns 0, -ENOMEM,
 * or the model's attach error. On failure nothing is left to detach. */
int nd_hwio_attach(struct nd_adapter *ad);
/* At adapter destroy, after reclaim: withdraw the device's ports, detach
 * the model (its detach hook runs), free the state. Cannot fail; a NULL
 * ad->hwio is ignored. */
void nd_hwio_detach(struct nd_adapter *ad);
/* Free a driver's hw state (unload). NULL ignored. */
void nd_drvhw_free(struct nd_drvhw *hw);

/* ---------------- resources: iospace.c ---------------- */

/* The Interrupt Line and Interrupt Pin of the device's config space; 0,
 * -ENOTSUP (no config space) or the read's errno. */
int nd_hwio_irq_line(struct nd_adapter *ad, unsigned *line, unsigned *pin);

/* Build the adapter's resource list (CM_PARTIAL_RESOURCE_LIST): its port
 * and memory BARs in BAR order, then its interrupt (when Interrupt Pin is
 * set). `buf` NULL or too small: only *need is set. Returns 0 or
 * -ENOSPC (too small). */
int nd_hwio_resources(struct nd_adapter *ad, void *buf, size_t size,
		      size_t *need);

/* Register a port range for `ad` (tracked: halt reclaims it). *decoded:
 * whether one of the adapter's I/O BARs decodes all of it. 0 or
 * -ENOMEM. */
int nd_io_port_register(struct nd_adapter *ad, uint64_t port, uint64_t n,
			bool *decoded, const void *site);
/* Deregister exactly that range of `ad`. 0 or -ENOENT. */
int nd_io_port_deregister(struct nd_adapter *ad, uint64_t port, uint64_t n);

/* Map [pa, pa+len) of a memory BAR of the device for register access
 * (tracked). *va: into the BAR's mapping (vfio, uio) or a simulated
 * register address (sim). 0, -ENOENT (no memory BAR covers it), -ENOMEM
 * (memory, slots, or the bus cannot map the BAR). */
int nd_io_map(struct nd_adapter *ad, uint64_t pa, uint64_t len, void **va,
	      const void *site);
/* Unmap exactly what nd_io_map returned. 0 or -ENOENT. */
int nd_io_unmap(struct nd_adapter *ad, void *va, uint64_t len);

/* Publish / withdraw an adapter's I/O BARs in the process-wide port map
 * (port I/O names no adapter). Publish returns 0 or -ENOMEM. */
int nd_io_publish(struct nd_adapter *ad);
void nd_io_withdraw(struct nd_adapter *ad);

#endif
