/* SPDX-License-Identifier: MIT */
/*
 * run.c - `ndisdma run [--tap NAME] [--pcap FILE] [--param NAME=VALUE]...
 * DRIVER.so URI`: load a miniport built as a shared object, start it on a
 * bus, and bridge it to a Linux tap interface so that the Linux network
 * stack uses the NIC. Frames the tap gives go to ndisdma_adapter_send;
 * frames the miniport indicates go to the tap; --pcap records both ways.
 * SIGINT / SIGTERM halt the adapter; the exit status is non-zero when the
 * halt reclaimed leaked objects or the verifier reported anything.
 */
#include "pcap.h"
#include "tap.h"
#include "tools.h"

#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

struct run {
	ndisdma_adapter *ad;
	struct tap tap;
	struct pcap_writer pcap;
	int have_tap, have_pcap;
	atomic_ulong rx_frames, rx_bytes, rx_tap_errors;
	unsigned long tx_frames, tx_bytes, tx_errors;
	int last_send_error;
};

static int run_usage(void)
{
	fprintf(
	    stderr,
	    "usage: ndisdma run [--tap NAME] [--pcap FILE] "
	    "[--param NAME=VALUE]... DRIVER.so URI\n"
	    "  DRIVER.so  an NDIS 5.x miniport built as a shared object\n"
	    "  URI        sim, vfio:0000:03:00.0 or uio:0000:03:00.0\n"
	    "  --tap NAME bridge to Linux tap NAME (created if missing)\n"
	    "  --pcap F   record every frame, both directions\n"
	    "  --param N=V a configuration parameter "
	    "(NdisReadConfiguration), e.g. NetworkAddress=02:00:00:00:00:01\n");
	return 2;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* From the runtime's thread: a frame the miniport indicated. */
static void on_frame(void *ctx, const void *frame, size_t len)
{
	struct run *r = ctx;
	atomic_fetch_add(&r->rx_frames, 1);
	atomic_fetch_add(&r->rx_bytes, len);
	if (r->have_pcap)
		pcap_write(&r->pcap, frame, len);
	if (r->have_tap && tap_write(&r->tap, frame, len))
		atomic_fetch_add(&r->rx_tap_errors, 1);
}

static int query_ulong(ndisdma_adapter *ad, uint32_t oid, ULONG *v)
{
	size_t written = 0;
	int rc = ndisdma_adapter_query(ad, oid, v, sizeof(*v), &written);
	return rc ? rc : written == sizeof(*v) ? 0 : -EPROTO;
}

/* 1 connected, 0 not, negative errno when the query failed. */
static int media_connected(ndisdma_adapter *ad)
{
	ULONG st;
	int rc = query_ulong(ad, OID_GEN_MEDIA_CONNECT_STATUS, &st);
	if (rc)
		return rc;
	return st == NdisMediaStateConnected;
}

/* The link as the host knows it (start-up query, then the miniport's
 * media connect / disconnect indications). */
static int host_link(ndisdma_adapter *ad)
{
	struct ndisdma_link l;
	return ndisdma_adapter_link(ad, &l) ? -EINVAL : l.up != 0;
}

static void print_mac(const char *what, const unsigned char *m)
{
	printf("%s %02x:%02x:%02x:%02x:%02x:%02x\n", what, m[0], m[1], m[2],
	       m[3], m[4], m[5]);
}

static void print_host_counters(ndisdma_adapter *ad)
{
	struct ndisdma_counters c;
	if (ndisdma_adapter_counters(ad, &c))
		return;
	printf("host: sends %llu completed, %llu failed, %llu still at the "
	       "miniport, %llu RESOURCES answers; receives %llu (%llu "
	       "copied, %llu returned, %llu dropped); %llu status "
	       "indications, %llu OID requests, %llu hangs, %llu resets\n",
	       (unsigned long long)c.tx_frames, (unsigned long long)c.tx_errors,
	       (unsigned long long)c.tx_pending,
	       (unsigned long long)c.tx_resources,
	       (unsigned long long)c.rx_frames, (unsigned long long)c.rx_copied,
	       (unsigned long long)c.rx_returned,
	       (unsigned long long)c.rx_dropped,
	       (unsigned long long)c.status_indications,
	       (unsigned long long)c.oid_requests, (unsigned long long)c.hangs,
	       (unsigned long long)c.resets);
}

static void print_counters(struct run *r)
{
	printf("counters: to the NIC %lu frames (%lu bytes, %lu refused), "
	       "from the NIC %lu frames (%lu bytes",
	       r->tx_frames, r->tx_bytes, r->tx_errors,
	       atomic_load(&r->rx_frames), atomic_load(&r->rx_bytes));
	if (atomic_load(&r->rx_tap_errors))
		printf(", %lu not taken by the tap",
		       atomic_load(&r->rx_tap_errors));
	printf(")\n");
}

/* Frames waiting on the tap, each to the miniport. */
static void pump_tap(struct run *r)
{
	unsigned char buf[65536];
	for (int i = 0; i < 256; i++) {
		long n = tap_read(&r->tap, buf, sizeof(buf));
		if (n <= 0)
			return;
		if (r->have_pcap)
			pcap_write(&r->pcap, buf, (size_t)n);
		int rc = ndisdma_adapter_send(r->ad, buf, (size_t)n);
		if (rc) {
			r->tx_errors++;
			if (rc != r->last_send_error)
				fprintf(stderr,
					"ndisdma run: send of a %ld-byte frame "
					"failed: %s\n",
					n, strerror(-rc));
			r->last_send_error = rc;
		} else {
			r->tx_frames++;
			r->tx_bytes += (unsigned long)n;
		}
	}
}

int run_main(int argc, char **argv)
{
	const char *tapname = NULL, *pcapfile = NULL, *path = NULL, *uri = NULL;
	const char **params = calloc((size_t)argc, sizeof(*params));
	int nparams = 0;
	if (!params)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--tap") && i + 1 < argc)
			tapname = argv[++i];
		else if (!strcmp(a, "--pcap") && i + 1 < argc)
			pcapfile = argv[++i];
		else if (!strcmp(a, "--param") && i + 1 < argc)
			params[nparams++] = argv[++i];
		else if (!strcmp(a, "-h") || !strcmp(a, "--help") ||
			 (a[0] == '-' && a[1] == '-')) {
			free(params);
			return run_usage();
		} else if (!path)
			path = a;
		else if (!uri)
			uri = a;
		else {
			free(params);
			return run_usage();
		}
	}
	if (!path || !uri) {
		free(params);
		return run_usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Signals arrive through a signalfd, so the loop below sees them. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		perror("ndisdma run: signalfd");
		free(params);
		return 1;
	}

	int status = 1;
	unsigned long reports0 = ndisdma_verifier_count(NULL);
	struct run r;
	memset(&r, 0, sizeof(r));
	r.tap.fd = -1;
	ndisdma_driver *drv = NULL;
	int rc = ndisdma_driver_load_file(path, &drv);
	if (rc) {
		fprintf(stderr, "ndisdma run: cannot load %s (%s): %s\n", path,
			strerror(-rc), ndisdma_last_error());
		goto out;
	}
	printf("loaded %s\n", path);
	for (int i = 0; i < nparams; i++) {
		char *name = strdup(params[i]);
		char *eq = name ? strchr(name, '=') : NULL;
		if (!eq) {
			fprintf(stderr,
				"ndisdma run: --param takes NAME=VALUE, "
				"not '%s'\n",
				params[i]);
			free(name);
			goto out;
		}
		*eq = '\0';
		rc = ndisdma_driver_set_param(drv, name, eq + 1);
		if (rc) {
			fprintf(stderr, "ndisdma run: parameter %s: %s: %s\n",
				name, strerror(-rc), ndisdma_last_error());
			free(name);
			goto out;
		}
		printf("parameter %s = %s\n", name, eq + 1);
		free(name);
	}
	rc = ndisdma_adapter_start(drv, uri, &r.ad);
	if (rc) {
		fprintf(stderr,
			"ndisdma run: start on %s failed (%s): %s "
			"(MiniportInitialize returned 0x%08x)\n",
			uri, strerror(-rc), ndisdma_last_error(),
			(unsigned)ndisdma_driver_last_init_status(drv));
		goto out;
	}
	printf("started on %s\n", uri);

	unsigned char mac[6], perm[6];
	size_t written = 0;
	rc = ndisdma_adapter_query(r.ad, OID_802_3_CURRENT_ADDRESS, mac,
				   sizeof(mac), &written);
	if (rc || written != 6) {
		fprintf(stderr,
			"ndisdma run: the miniport did not answer "
			"OID_802_3_CURRENT_ADDRESS (%s, %zu bytes)\n",
			rc ? strerror(-rc) : "ok", written);
		goto halt;
	}
	print_mac("current address", mac);
	if (!ndisdma_adapter_query(r.ad, OID_802_3_PERMANENT_ADDRESS, perm,
				   sizeof(perm), &written) &&
	    written == 6)
		print_mac("permanent address", perm);
	ULONG frame = 0, speed = 0, filter = 0, lookahead = 0;
	if (query_ulong(r.ad, OID_GEN_MAXIMUM_FRAME_SIZE, &frame) ||
	    frame < 68 || frame > 65535 - 14) {
		fprintf(stderr,
			"ndisdma run: OID_GEN_MAXIMUM_FRAME_SIZE unanswered or "
			"out of range (%lu); using 1500\n",
			(unsigned long)frame);
		frame = 1500;
	}
	printf("maximum frame size %lu (the tap's MTU)\n",
	       (unsigned long)frame);
	if (!query_ulong(r.ad, OID_GEN_LINK_SPEED, &speed))
		printf("link speed %lu Mbit/s\n", (unsigned long)speed / 10000);
	if (!query_ulong(r.ad, OID_GEN_CURRENT_PACKET_FILTER, &filter))
		printf("packet filter 0x%lx\n", (unsigned long)filter);
	if (!query_ulong(r.ad, OID_GEN_CURRENT_LOOKAHEAD, &lookahead))
		printf("lookahead %lu\n", (unsigned long)lookahead);
	int link = media_connected(r.ad);
	printf("media %s\n", link > 0	 ? "connected"
			     : link == 0 ? "disconnected"
					 : "state unknown (query failed)");

	if (pcapfile) {
		rc = pcap_open(&r.pcap, pcapfile);
		if (rc) {
			fprintf(stderr, "ndisdma run: cannot write %s: %s\n",
				pcapfile, strerror(-rc));
			goto halt;
		}
		r.have_pcap = 1;
		printf("recording to %s\n", pcapfile);
	}
	if (tapname) {
		char err[256];
		rc = tap_open(&r.tap, tapname, mac, (unsigned)frame, err,
			      sizeof(err));
		if (rc) {
			fprintf(stderr, "ndisdma run: %s\n", err);
			goto halt;
		}
		if (link >= 0 && (rc = tap_set_carrier(&r.tap, link > 0)))
			fprintf(stderr,
				"ndisdma run: cannot set the carrier of %s: "
				"%s\n",
				r.tap.name, strerror(-rc));
		r.have_tap = 1;
		printf("tap %s %s: bridged\n", r.tap.name,
		       r.tap.created ? "created" : "attached");
	}
	rc = ndisdma_adapter_on_receive(r.ad, on_frame, &r);
	if (rc) {
		fprintf(stderr, "ndisdma run: on_receive: %s\n", strerror(-rc));
		goto halt;
	}
	printf("running; SIGINT or SIGTERM halts\n");

	double next_link = now_s() + 1, next_counters = now_s() + 10;
	unsigned long shown_tx = 0, shown_rx = 0;
	for (;;) {
		struct pollfd p[2] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = r.have_tap ? r.tap.fd : -1, .events = POLLIN}};
		int n = poll(p, 2, 250);
		if (n < 0 && errno != EINTR) {
			perror("ndisdma run: poll");
			break;
		}
		if (n > 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				printf("%s: halting\n", si.ssi_signo == SIGINT
							    ? "SIGINT"
							    : "SIGTERM");
				break;
			}
		}
		if (n > 0 && (p[1].revents & POLLIN))
			pump_tap(&r);
		double t = now_s();
		if (t >= next_link) {
			next_link = t + 0.25;
			int l = host_link(r.ad);
			if (l >= 0 && l != link) {
				printf("link %s\n", l ? "up" : "down");
				if (r.have_tap)
					tap_set_carrier(&r.tap, l);
				link = l;
			}
		}
		if (t >= next_counters) {
			next_counters = t + 10;
			if (r.tx_frames != shown_tx ||
			    atomic_load(&r.rx_frames) != shown_rx) {
				print_counters(&r);
				shown_tx = r.tx_frames;
				shown_rx = atomic_load(&r.rx_frames);
			}
		}
	}
	status = 0;
halt:;
	print_host_counters(r.ad);
	/* Halt first: no receive callback runs after it returns. */
	int leaks = ndisdma_adapter_halt(r.ad);
	r.ad = NULL;
	print_counters(&r);
	printf("halt: %d leaked object(s) reclaimed\n", leaks);
	if (leaks)
		status = 1;
out:
	if (r.have_tap)
		tap_close(&r.tap);
	if (r.have_pcap) {
		unsigned long frames = r.pcap.frames;
		if ((rc = pcap_close(&r.pcap))) {
			fprintf(stderr, "ndisdma run: writing %s: %s\n",
				pcapfile, strerror(-rc));
			status = 1;
		} else {
			printf("pcap: %lu frames in %s\n", frames, pcapfile);
		}
	}
	ndisdma_driver_unload(drv);
	unsigned long reports = ndisdma_verifier_count(NULL) - reports0;
	printf("verifier reports: %lu\n", reports);
	if (reports)
		status = 1;
	printf("%s\n", status ? "run FAILED" : "run OK");
	close(sfd);
	free(params);
	return status;
}
