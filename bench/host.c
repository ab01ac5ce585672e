/* SPDX-License-Identifier: MIT */
/*
 * bench/host - frames per second through a hosted miniport on sim: the
 * host sends (ndisdma_adapter_send -> MiniportSendPackets), the example
 * NIC moves the frame by DMA into its receive ring and interrupts, the
 * DPC indicates it (NdisMIndicateReceivePacket) and the host's receive
 * callback gets it; 64- and 1514-byte frames, pipelined and one at a time.
 * The anchor is the same NIC driven by hand without the runtime
 * (ringnic_send + the device's loopback + ringnic_receive on one thread:
 * the same copies and DMA); the difference is the time per frame the
 * runtime adds (threads, serialization, interrupt, DPC, indication,
 * return). Prints figures; asserts nothing.
 */
#include "ringnic.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static _Atomic unsigned long received;

static void on_rx(void *ctx, const void *f, size_t len)
{
	(void)ctx, (void)f, (void)len;
	atomic_fetch_add_explicit(&received, 1, memory_order_relaxed);
}

static void wait_received(unsigned long want)
{
	while (atomic_load(&received) < want)
		sched_yield();
}

/* ns per frame through the runtime; window = frames in flight at most */
static double hosted(size_t len, unsigned n, unsigned window)
{
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	if (ndisdma_driver_load(ringnic5_driver_entry, "bench", &drv) ||
	    ringnic_use_model(drv) || ndisdma_adapter_start(drv, "sim", &ad)) {
		fprintf(stderr, "start failed: %s\n", ndisdma_last_error());
		exit(1);
	}
	ndisdma_adapter_on_receive(ad, on_rx, NULL);
	unsigned char f[1514];
	memset(f, 0xAB, sizeof(f));
	memset(f, 0xFF, 6);
	atomic_store(&received, 0);
	double t = now();
	for (unsigned i = 0; i < n; i++) {
		while (i - atomic_load(&received) >= window)
			sched_yield();
		int rc;
		while ((rc = ndisdma_adapter_send(ad, f, len)) == -ENOBUFS)
			sched_yield();
		if (rc) {
			fprintf(stderr, "send: %d\n", rc);
			exit(1);
		}
	}
	wait_received(n);
	double ns = (now() - t) / n;
	ndisdma_adapter_halt(ad);
	ndisdma_driver_unload(drv);
	return ns;
}

/* ns per frame, the same NIC driven by hand on one thread */
static double by_hand(size_t len, unsigned n)
{
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	if (ndisdma_driver_load(ringnic5_driver_entry, "bench", &drv) ||
	    ndisdma_adapter_start(drv, "sim", &ad)) {
		fprintf(stderr, "start failed: %s\n", ndisdma_last_error());
		exit(1);
	}
	struct ringnic *nic = ndisdma_adapter_context(ad);
	ndisdma_sim *sim = ndisdma_adapter_sim(ad);
	unsigned char f[1514], got[2048];
	memset(f, 0xAB, sizeof(f));
	double t = now();
	for (unsigned i = 0; i < n; i++) {
		if (ringnic_send(nic, f, (ULONG)len) != NDIS_STATUS_SUCCESS ||
		    ringnic_device_loopback(nic, sim) != 1 ||
		    ringnic_receive(nic, got, sizeof(got)) != len) {
			fprintf(stderr, "by-hand loop failed at %u\n", i);
			exit(1);
		}
	}
	double ns = (now() - t) / n;
	ndisdma_adapter_halt(ad);
	ndisdma_driver_unload(drv);
	return ns;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
	ndisdma_verifier_set_output(stderr);
	printf(
	    "bench/host: %u frames each, sim, ringnic (NDIS 5.1, serialized, "
	    "interrupt-driven)\n",
	    n);
	printf("%-6s %-28s %12s %12s %10s\n", "bytes", "path", "ns/frame",
	       "frames/s", "Mbit/s");
	const size_t sizes[] = {64, 1514};
	for (int s = 0; s < 2; s++) {
		size_t len = sizes[s];
		double pipe = hosted(len, n, 256);
		double one = hosted(len, n / 10 ? n / 10 : 1, 1);
		double hand = by_hand(len, n);
		struct {
			const char *name;
			double ns;
		} rows[] = {
		    {"hosted, pipelined", pipe},
		    {"hosted, one at a time", one},
		    {"by hand (no runtime)", hand},
		};
		for (int r = 0; r < 3; r++)
			printf("%-6zu %-28s %12.0f %12.0f %10.1f\n", len,
			       rows[r].name, rows[r].ns, 1e9 / rows[r].ns,
			       len * 8 * 1e3 / rows[r].ns);
		printf("%-6zu runtime adds %.0f ns/frame pipelined, %.0f ns "
		       "one at a time\n",
		       len, pipe - hand, one - hand);
	}
	unsigned long reports = ndisdma_verifier_count(NULL);
	printf("verifier reports: %lu\n", reports);
	return 0;
}
