/* SPDX-License-Identifier: MIT */
/*
 * tap.h - a Linux tap interface for `ndisdma run`: created (or attached
 * to, when it exists), given the adapter's MAC address and MTU, brought
 * up, its carrier following the adapter's link state. One read = one
 * Ethernet frame without FCS; one write = one frame into Linux.
 */
#ifndef NDISDMA_TOOL_TAP_H
#define NDISDMA_TOOL_TAP_H

#include <stddef.h>

struct tap {
	int fd;	       /* /dev/net/tun, O_NONBLOCK */
	char name[16]; /* IFNAMSIZ */
	int created;   /* 1: the interface did not exist before */
};

/* Open tap `name` (a name with "%d" lets the kernel pick). Creates it when
 * missing; a created tap vanishes when closed. Sets its MAC address (6
 * bytes, or NULL to keep it) and MTU (0 keeps it) and brings it up.
 * Returns 0; a negative errno with a sentence in err (-ENOENT: no
 * /dev/net/tun; -EPERM: needs CAP_NET_ADMIN; -EBUSY: in use). */
int tap_open(struct tap *t, const char *name, const unsigned char *mac,
	     unsigned mtu, char *err, size_t errlen);

/* Carrier on (1) or off (0), as the adapter's media state. 0 or a
 * negative errno (kernels before 5.0 have no TUNSETCARRIER: -EINVAL). */
int tap_set_carrier(struct tap *t, int up);

/* Read one frame into buf: its length, 0 when none is waiting, or a
 * negative errno. */
long tap_read(struct tap *t, void *buf, size_t cap);

/* Write one frame to Linux: 0 or a negative errno. */
int tap_write(struct tap *t, const void *frame, size_t len);

/* Close (a tap this process created goes away). Safe on a closed tap. */
void tap_close(struct tap *t);

#endif
