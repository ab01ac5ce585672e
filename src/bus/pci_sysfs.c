/* SPDX-License-Identifier: MIT */
/* pci_sysfs.c - BDF arguments and sysfs facts shared by bus_vfio/bus_uio. */
#include "pci_sysfs.h"
#include "../util/options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int pci_option(void *ctx, const char *k, const char *v)
{
	struct pci_bus_opts *o = ctx;
	int rc = nd_bus_common_option(o->info, k, v);
	if (rc == 1) {
		snprintf(o->err, o->errlen,
			 "%s: unknown option '%s' (known: dma-bits, limit, "
			 "chunk, fill, poison)",
			 o->busname, k);
		return -EINVAL;
	}
	if (rc == -EINVAL)
		snprintf(o->err, o->errlen,
			 "%s: bad value '%s' for option '%s' (want %s)",
			 o->busname, v, k, nd_bus_option_syntax(k));
	return rc;
}

int nd_pci_parse_args(const char *args, struct pci_bus_opts *o)
{
	const char *comma = strchr(args, ',');
	size_t n = comma ? (size_t)(comma - args) : strlen(args);
	uint64_t dom = 0, bus, dev, fn;
	char tmp[32];
	if (n == 0 || n >= sizeof(tmp)) {
		snprintf(o->err, o->errlen,
			 "%s: give the PCI address of the NIC, e.g. "
			 "%s:0000:00:02.0 (see lspci -D)",
			 o->busname, o->busname);
		return -EINVAL;
	}
	memcpy(tmp, args, n);
	tmp[n] = '\0';
	/* [DDDD:]BB:DD.F in hex, each field within its width, nothing
	 * after (sysfs names devices this way) */
	const char *p = tmp, *end;
	bool ok =
	    nd_opt_uint(p, 16, 8, UINT64_MAX, &bus, &end) == 0 && *end == ':';
	if (ok) {
		p = end + 1;
		ok = nd_opt_uint(p, 16, 8, UINT64_MAX, &dev, &end) == 0;
		if (ok && *end == ':') { /* the domain was given */
			dom = bus;
			bus = dev;
			p = end + 1;
			ok = nd_opt_uint(p, 16, 8, UINT64_MAX, &dev, &end) == 0;
		}
		ok = ok && *end == '.';
		if (ok)
			ok = nd_opt_uint(end + 1, 16, 8, UINT64_MAX, &fn,
					 &end) == 0 &&
			     *end == '\0';
	}
	if (!ok) {
		snprintf(o->err, o->errlen,
			 "%s: '%s' is not a PCI address (want DDDD:BB:DD.F "
			 "in hex, e.g. 0000:00:02.0, nothing after it)",
			 o->busname, tmp);
		return -EINVAL;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7) {
		snprintf(o->err, o->errlen,
			 "%s: '%s' is out of range (domain <= ffff, bus <= "
			 "ff, device <= 1f, function <= 7)",
			 o->busname, tmp);
		return -EINVAL;
	}
	snprintf(o->bdf, sizeof(o->bdf), "%04x:%02x:%02x.%x", (unsigned)dom,
		 (unsigned)bus, (unsigned)dev, (unsigned)fn);
	return comma ? nd_opt_parse(comma + 1, pci_option, o, o->err, o->errlen)
		     : 0;
}

int nd_pci_driver_name(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (access(path, F_OK))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	link[n] = '\0';
	const char *slash = strrchr(link, '/');
	snprintf(out, len, "%s", slash ? slash + 1 : link);
	return 0;
}

int nd_pci_sysfs_hex(const char *bdf, const char *attr, unsigned long *out)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int ok = fscanf(f, "%lx", out) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

void nd_pci_bind_advice(const char *bdf, const char *want, const char *have,
			char *err, size_t errlen)
{
	unsigned long ven = 0, dev = 0;
	nd_pci_sysfs_hex(bdf, "vendor", &ven);
	nd_pci_sysfs_hex(bdf, "device", &dev);
	if (*have)
		snprintf(err, errlen,
			 "%s is bound to '%s', not %s: as root, `echo %s > "
			 "/sys/bus/pci/devices/%s/driver/unbind; modprobe %s; "
			 "echo %04lx %04lx > /sys/bus/pci/drivers/%s/new_id`",
			 bdf, have, want, bdf, bdf, want, ven, dev, want);
	else
		snprintf(err, errlen,
			 "%s is not bound to %s (no driver): as root, "
			 "`modprobe %s; echo %04lx %04lx > "
			 "/sys/bus/pci/drivers/%s/new_id`",
			 bdf, want, want, ven, dev, want);
}
