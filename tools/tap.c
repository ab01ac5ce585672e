/* SPDX-License-Identifier: MIT */
/*
 * tap.c - the tap interface of `ndisdma run` (see tap.h).
 */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int rc = ioctl(s, req, ifr) ? -errno : 0;
	close(s);
	return rc;
}

int tap_open(struct tap *t, const char *name, const unsigned char *mac,
	     unsigned mtu, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (!name || !*name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap: bad interface name '%s'",
			 name ? name : "");
		return -EINVAL;
	}
	int existed = !strchr(name, '%') && if_nametoindex(name) != 0;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "tap: cannot open /dev/net/tun: %s%s",
			 strerror(e), e == ENOENT ? " (modprobe tun)" : "");
		return -e;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int e = errno;
		snprintf(err, errlen, "tap: cannot %s %s: %s%s",
			 existed ? "attach to" : "create", name, strerror(e),
			 e == EPERM ? " (needs root or CAP_NET_ADMIN)"
			 : e == EINVAL && existed
			     ? " (an interface of that name exists and is "
			       "not a tap)"
			     : "");
		close(fd);
		return -e;
	}
	t->fd = fd;
	t->created = !existed;
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);

	int rc;
	if (mac) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", t->name);
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
		if ((rc = ifreq_ioctl(SIOCSIFHWADDR, &ifr))) {
			snprintf(err, errlen,
				 "tap: cannot set the MAC address of %s: %s",
				 t->name, strerror(-rc));
			goto fail;
		}
	}
	if (mtu) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", t->name);
		ifr.ifr_mtu = (int)mtu;
		if ((rc = ifreq_ioctl(SIOCSIFMTU, &ifr))) {
			snprintf(err, errlen,
				 "tap: cannot set the MTU of %s to %u: %s",
				 t->name, mtu, strerror(-rc));
			goto fail;
		}
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", t->name);
	if ((rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr)) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ifreq_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (rc) {
		snprintf(err, errlen, "tap: cannot bring %s up: %s", t->name,
			 strerror(-rc));
		goto fail;
	}
	return 0;
fail:
	tap_close(t);
	return rc;
}

int tap_set_carrier(struct tap *t, int up)
{
	if (t->fd < 0)
		return -EBADF;
	int on = up ? 1 : 0;
	return ioctl(t->fd, TUNSETCARRIER, &on) ? -errno : 0;
}

long tap_read(struct tap *t, void *buf, size_t cap)
{
	ssize_t n = read(t->fd, buf, cap);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return n;
}

int tap_write(struct tap *t, const void *frame, size_t len)
{
	ssize_t n = write(t->fd, frame, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void tap_close(struct tap *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
