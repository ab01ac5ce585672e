/* SPDX-License-Identifier: MIT */
/* bus.c - picking a bus by URI. */
#include "bus.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern const struct bus_ops nd_bus_sim_ops;
extern const struct bus_ops nd_bus_vfio_ops;
extern const struct bus_ops nd_bus_uio_ops;

const struct bus_ops *const nd_bus_table[] = {
    &nd_bus_sim_ops,
    &nd_bus_vfio_ops,
    &nd_bus_uio_ops,
    NULL,
};

int nd_bus_open(const char *uri, struct bus **out, char *err, size_t errlen)
{
	if (!uri || !out) {
		snprintf(err, errlen, "no device URI given");
		return -EINVAL;
	}
	const char *colon = strchr(uri, ':');
	size_t n = colon ? (size_t)(colon - uri) : strlen(uri);
	const char *args = colon ? colon + 1 : "";
	for (const struct bus_ops *const *o = nd_bus_table; *o; o++) {
		if (strlen((*o)->name) == n && !strncmp((*o)->name, uri, n)) {
			int rc = (*o)->open(args, out, err, errlen);
			if (!rc)
				(*out)->ops = *o;
			return rc;
		}
	}
	snprintf(err, errlen,
		 "unknown bus '%.*s' in URI '%s' (known: sim, vfio, uio)",
		 (int)n, uri, uri);
	return -EINVAL;
}

void nd_bus_close(struct bus *b)
{
	if (b)
		b->ops->close(b);
}
