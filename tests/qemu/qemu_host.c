/* SPDX-License-Identifier: MIT */
/*
 * qemu_host.c - the host side of the QEMU e1000 test: the far end of the
 * VM's NIC, as a unix datagram socket QEMU's `-netdev dgram` talks to (one
 * datagram = one Ethernet frame). Checks the frames the guest transmits
 * byte-exact, injects the frames the guest must receive (one at a time,
 * each acknowledged), and tells whether the DMA-isolation frame carried
 * the secret (the device read memory it was never given) or not.
 *
 * usage: qemu_host HOST_SOCK QEMU_SOCK TIMEOUT_S
 * Prints "HOST ..." lines and "HOST RESULT: PASS|FAIL"; exits 0 on PASS.
 */
#include "qemu_frames.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int sock;
static struct sockaddr_un qemu_addr;
static double deadline;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* One frame, or -1 at the deadline. */
static int recv_frame(unsigned char *buf, size_t cap)
{
	for (;;) {
		int left = (int)((deadline - now_s()) * 1000);
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = sock, .events = POLLIN};
		if (poll(&p, 1, left) <= 0)
			continue;
		ssize_t n = recv(sock, buf, cap, 0);
		if (n >= 0)
			return (int)n;
	}
}

static int send_frame(const unsigned char *buf, size_t len)
{
	return sendto(sock, buf, len, 0, (struct sockaddr *)&qemu_addr,
		      sizeof(qemu_addr)) == (ssize_t)len
		   ? 0
		   : -1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr,
			"usage: qemu_host HOST_SOCK QEMU_SOCK TIMEOUT_S\n");
		return 2;
	}
	struct sockaddr_un me = {.sun_family = AF_UNIX};
	snprintf(me.sun_path, sizeof(me.sun_path), "%s", argv[1]);
	qemu_addr.sun_family = AF_UNIX;
	snprintf(qemu_addr.sun_path, sizeof(qemu_addr.sun_path), "%s", argv[2]);
	unlink(argv[1]);
	sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&me, sizeof(me))) {
		perror("qemu_host: socket");
		return 2;
	}
	double t0 = now_s();
	deadline = t0 + atof(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	unsigned char buf[65536], want[2048];
	unsigned tx_ok = 0, tx_seen = 0, rx_ok = 0, other = 0;
	int n, fail = 0;
	double first = 0;
	/* 1. the guest's frames, then READY */
	for (;;) {
		n = recv_frame(buf, sizeof(buf));
		if (n < 0) {
			printf("HOST: timed out waiting for the guest's frames "
			       "(%u seen)\n",
			       tx_seen);
			printf("HOST RESULT: FAIL\n");
			return 1;
		}
		if (!first)
			first = now_s();
		unsigned k = qf_kind_of(buf, (size_t)n);
		if (k == QF_READY)
			break;
		if (k != QF_TX) {
			other++;
			continue;
		}
		size_t wl = qf_make(want, QF_TX, buf[19]);
		int ok = buf[19] == tx_seen && (size_t)n == wl &&
			 !memcmp(buf, want, wl);
		if (!ok)
			printf("HOST: TX frame %u (index %u, %d bytes) differs "
			       "from the expected %zu bytes\n",
			       tx_seen, buf[19], n, wl);
		tx_ok += ok;
		tx_seen++;
	}
	printf("HOST: first guest frame %.1f s after start; %u/%d guest "
	       "frames byte-exact\n",
	       first - t0, tx_ok, QF_NTX);
	if (tx_ok != QF_NTX)
		fail = 1;

	/* 2. inject, one at a time */
	for (unsigned i = 0; i < QF_NRX; i++) {
		size_t len = qf_make(want, QF_RX, i);
		if (send_frame(want, len)) {
			perror("HOST: sendto");
			fail = 1;
			break;
		}
		double ack_by = now_s() + 30;
		int acked = 0;
		while (!acked && now_s() < ack_by) {
			n = recv_frame(buf, sizeof(buf));
			if (n < 0)
				break;
			if (qf_kind_of(buf, (size_t)n) == QF_ACK &&
			    buf[19] == i) {
				acked = 1;
				rx_ok += buf[QF_HDR] == 1;
			}
		}
		if (!acked) {
			printf("HOST: no acknowledgement for injected frame "
			       "%u\n",
			       i);
			fail = 1;
			break;
		}
	}
	printf("HOST: %u/%d injected frames received byte-exact by the guest\n",
	       rx_ok, QF_NRX);
	if (rx_ok != QF_NRX)
		fail = 1;

	/* 3. the isolation frame, then DONE */
	int landed = 0, done = 0, iommu = -1, stray = 0;
	while (!fail && !done) {
		n = recv_frame(buf, sizeof(buf));
		if (n < 0)
			break;
		unsigned k = qf_kind_of(buf, (size_t)n);
		if (k == QF_DONE) {
			done = 1;
			iommu = buf[QF_HDR];
		} else if (k == QF_SECRET) {
			size_t wl = qf_make(want, QF_SECRET, 0);
			landed = (size_t)n == wl && !memcmp(buf, want, wl);
		} else {
			stray++;
			printf("HOST: DMA-ISOLATION frame: %d bytes that are "
			       "not the secret (first bytes %02x %02x %02x "
			       "%02x)\n",
			       n, buf[0], buf[1], buf[2], buf[3]);
		}
	}
	if (!done) {
		printf("HOST: no DONE from the guest\n");
		fail = 1;
	} else if (iommu) {
		printf("HOST: DMA-ISOLATION: %s\n",
		       landed ? "FAILED - the NIC read memory it was never "
				"given, through the IOMMU"
			      : "the NIC could not read memory it was never "
				"given (blocked by the IOMMU)");
		if (landed)
			fail = 1;
	} else {
		printf("HOST: DMA-ISOLATION (no IOMMU): the NIC %s the "
		       "physical page it was never given\n",
		       landed ? "DID read" : "did not read");
	}
	printf("HOST: %u unrelated frames, %d stray; total %.1f s\n", other,
	       stray, now_s() - t0);
	printf("HOST RESULT: %s\n", fail ? "FAIL" : "PASS");
	close(sock);
	unlink(argv[1]);
	return fail;
}
