/* SPDX-License-Identifier: MIT */
/*
 * pci_sysfs.h - what the vfio and uio buses share: parsing "BDF,opt=val"
 * arguments, and reading facts about a PCI function from sysfs.
 */
#ifndef NDISDMA_PCI_SYSFS_H
#define NDISDMA_PCI_SYSFS_H

#include "bus.h"

#include <stddef.h>
#include <stdint.h>

/* Options common to the PCI buses. */
struct pci_bus_opts {
	char bdf[32]; /* "0000:00:02.0" */
	struct bus_info *info;
	const char *busname; /* for messages */
	char *err;
	size_t errlen;
};

/* Split "BDF[,key=val...]": the BDF (a bare "00:02.0" gets domain 0000)
 * into o->bdf, the options into o->info (dma-bits, limit, chunk, fill,
 * poison). Returns 0, or -EINVAL with a sentence in o->err. */
int nd_pci_parse_args(const char *args, struct pci_bus_opts *o);

/* The name of the driver bound to the function ("vfio-pci"), "" when
 * none. Returns 0, or -ENODEV when the function does not exist. */
int nd_pci_driver_name(const char *bdf, char *out, size_t len);

/* Read a sysfs attribute of the function as a hex number ("vendor",
 * "device"). Returns 0 or -errno. */
int nd_pci_sysfs_hex(const char *bdf, const char *attr, unsigned long *out);

/* Write the "what to do" sentence for a function bound to the wrong
 * driver (or none) into err. */
void nd_pci_bind_advice(const char *bdf, const char *want, const char *have,
			char *err, size_t errlen);

#endif
