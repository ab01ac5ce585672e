/* SPDX-License-Identifier: MIT */
/*
 * ndisdma - the command: `ndisdma demo [URI]` runs the example busmaster
 * miniport end to end on a bus (default "sim"); `ndisdma probe` tells what
 * this machine offers.
 */
#include "ringnic.h"
#include "tools.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: ndisdma demo [URI]   run the example miniport (default "
	    "URI: sim)\n"
	    "       ndisdma probe        what this machine offers\n"
	    "       ndisdma run [--tap NAME] [--pcap FILE] [--param "
	    "NAME=VALUE]... DRIVER.so URI\n"
	    "                            run a miniport, bridged to a tap\n"
	    "       ndisdma vm --nic MODEL --driver DRIVER.so [--bus "
	    "vfio|uio] [--ping N] [--param NAME=VALUE]...\n"
	    "                            try a miniport on QEMU's NIC MODEL\n");
	return 2;
}

static int wait_async(ndisdma_adapter *ad)
{
	struct ndisdma_stats st;
	for (int i = 0; i < 5000; i++) {
		if (ndisdma_adapter_stats(ad, &st))
			return -1;
		if (st.async_pending == 0)
			return 0;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return -1;
}

static int demo_one(const char *label, ndisdma_driver_entry entry,
		    const char *uri)
{
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	int rc = ndisdma_driver_load(entry, label, &drv);
	if (rc) {
		fprintf(stderr, "%s: DriverEntry failed (%d): %s\n", label, rc,
			ndisdma_last_error());
		return 1;
	}
	rc = ndisdma_adapter_start(drv, uri, &ad);
	if (rc) {
		fprintf(stderr, "%s: adapter start on '%s' failed (%s): %s\n",
			label, uri, strerror(-rc), ndisdma_last_error());
		ndisdma_driver_unload(drv);
		return 1;
	}
	struct ringnic *nic = ndisdma_adapter_context(ad);
	if (wait_async(ad)) {
		fprintf(stderr, "%s: async allocations did not complete\n",
			label);
		return 1;
	}
	struct ndisdma_stats st;
	ndisdma_adapter_stats(ad, &st);
	printf("%s on %s: MiniportInitialize returned 0x%08x\n", label, uri,
	       (unsigned)ndisdma_driver_last_init_status(drv));
	printf("  shared memory: %llu blocks, %llu bytes in %llu chunk(s); "
	       "DMA alignment %u\n",
	       (unsigned long long)st.shm_blocks,
	       (unsigned long long)st.shm_bytes, (unsigned long long)st.chunks,
	       nic->alignment);
	printf("  TX ring at device address 0x%llx, RX ring at 0x%llx, "
	       "first TX buffer at 0x%llx\n",
	       (unsigned long long)nic->tx_ring.pa.QuadPart,
	       (unsigned long long)nic->rx_ring.pa.QuadPart,
	       (unsigned long long)nic->tx_buf[0].pa.QuadPart);
	printf("  async: %u buffers completed, %u failed (completion got the "
	       "adapter context)\n",
	       nic->async_done, nic->async_failed);

	ndisdma_sim *sim = ndisdma_adapter_sim(ad);
	int failures = 0;
	unsigned long bytes = 0;
	if (sim) {
		for (int f = 0; f < 3 * RINGNIC_RING; f++) {
			unsigned char frame[1514], got[RINGNIC_BUF];
			ULONG len = 60 + (ULONG)(f * 97) % (sizeof(frame) - 60);
			for (ULONG i = 0; i < len; i++)
				frame[i] = (unsigned char)(i * 31 + f);
			if (ringnic_send(nic, frame, len) !=
				NDIS_STATUS_SUCCESS ||
			    ringnic_device_loopback(nic, sim) != 1 ||
			    ringnic_receive(nic, got, sizeof(got)) != len ||
			    memcmp(frame, got, len)) {
				failures++;
				continue;
			}
			bytes += len;
		}
		printf("  device DMA: %lu frames (%lu bytes) read from TX "
		       "buffers and written into RX buffers; %d mismatches\n",
		       nic->frames_received, bytes, failures);
	} else {
		printf("  (no simulated device on this bus: no traffic)\n");
	}
	int leaks = ndisdma_adapter_halt(ad);
	printf("  halt: %d object(s) reclaimed\n", leaks);
	ndisdma_driver_unload(drv);
	return failures || leaks ? 1 : 0;
}

/* The NDIS 5.1 flavour hosted: the device model gives it registers and an
 * interrupt; frames go host -> MiniportSendPackets -> the NIC's DMA ->
 * interrupt -> DPC -> NdisMIndicateReceivePacket -> the host. */
struct demo_rx {
	pthread_mutex_t lock;
	unsigned long frames, bad, bytes;
};

static void demo_frame(unsigned char *f, size_t len, unsigned seq)
{
	memset(f, 0xFF, 6); /* broadcast */
	memcpy(f + 6, "\x02\x52\x4e\x00\x00\x00", 6);
	f[12] = 0x88;
	f[13] = 0xB5; /* local experimental ethertype */
	memcpy(f + 14, &seq, sizeof(seq));
	for (size_t i = 18; i < len; i++)
		f[i] = (unsigned char)(i * 31 + seq);
}

static void demo_on_rx(void *ctx, const void *frame, size_t len)
{
	struct demo_rx *rx = ctx;
	unsigned seq;
	unsigned char want[1514];
	int ok = len >= 18 && len <= sizeof(want);
	if (ok) {
		memcpy(&seq, (const unsigned char *)frame + 14, sizeof(seq));
		demo_frame(want, len, seq);
		ok = !memcmp(want, frame, len);
	}
	pthread_mutex_lock(&rx->lock);
	rx->frames++;
	rx->bytes += len;
	rx->bad += !ok;
	pthread_mutex_unlock(&rx->lock);
}

static int demo_hosted(const char *uri)
{
	const char *label = "ringnic (NDIS 5.1, hosted)";
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	if (ndisdma_driver_load(ringnic5_driver_entry, label, &drv)) {
		fprintf(stderr, "%s: DriverEntry failed: %s\n", label,
			ndisdma_last_error());
		return 1;
	}
	ringnic_use_model(drv);
	int rc = ndisdma_adapter_start(drv, uri, &ad);
	if (rc) {
		fprintf(stderr, "%s: adapter start on '%s' failed (%s): %s\n",
			label, uri, strerror(-rc), ndisdma_last_error());
		ndisdma_driver_unload(drv);
		return 1;
	}
	struct ndisdma_link l;
	ndisdma_adapter_link(ad, &l);
	printf("%s on %s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s at "
	       "%llu Mb/s, max frame %u, packet filter 0x%x, lookahead %u\n",
	       label, uri, l.current_mac[0], l.current_mac[1], l.current_mac[2],
	       l.current_mac[3], l.current_mac[4], l.current_mac[5],
	       l.up ? "up" : "down",
	       (unsigned long long)(l.speed_bps / 1000000), l.max_total,
	       l.packet_filter, l.lookahead);
	struct demo_rx rx = {.lock = PTHREAD_MUTEX_INITIALIZER};
	ndisdma_adapter_on_receive(ad, demo_on_rx, &rx);
	int failures = 0;
	unsigned sent = 0;
	if (ndisdma_adapter_sim(ad) && l.max_total) {
		for (unsigned f = 0; f < 4 * RINGNIC_RING; f++) {
			unsigned char frame[1514];
			size_t len = 60 + (f * 97) % (sizeof(frame) - 60);
			demo_frame(frame, len, f);
			int tries = 0;
			while ((rc = ndisdma_adapter_send(ad, frame, len)) ==
				   -ENOBUFS &&
			       tries++ < 1000)
				nanosleep(&(struct timespec){0, 100000}, NULL);
			if (rc)
				failures++;
			else
				sent++;
		}
		for (int i = 0; i < 5000; i++) {
			pthread_mutex_lock(&rx.lock);
			unsigned long got = rx.frames;
			pthread_mutex_unlock(&rx.lock);
			if (got >= sent)
				break;
			nanosleep(&(struct timespec){0, 1000000}, NULL);
		}
		struct ndisdma_counters c;
		ndisdma_adapter_counters(ad, &c);
		struct ringnic_model_stats ms;
		ringnic_model_stats(ad, &ms);
		pthread_mutex_lock(&rx.lock);
		printf("  sent %u frames (ndisdma_adapter_send -> "
		       "MiniportSendPackets), %llu completed, %llu answered "
		       "RESOURCES and sent again\n",
		       sent, (unsigned long long)c.tx_frames,
		       (unsigned long long)c.tx_resources);
		printf("  the NIC moved %lu frames by DMA; %lu indicated back "
		       "(%lu bytes, %lu wrong), %llu returned to the miniport, "
		       "%llu copied at once (RESOURCES)\n",
		       ms.tx_frames, rx.frames, rx.bytes, rx.bad,
		       (unsigned long long)c.rx_returned,
		       (unsigned long long)c.rx_copied);
		if (rx.frames != sent || rx.bad || c.tx_frames != sent)
			failures++;
		pthread_mutex_unlock(&rx.lock);
	} else {
		printf("  (no simulated device on this bus: no traffic)\n");
	}
	int leaks = ndisdma_adapter_halt(ad);
	printf("  halt: %d object(s) reclaimed\n", leaks);
	ndisdma_driver_unload(drv);
	return failures || leaks ? 1 : 0;
}

static int demo(const char *uri)
{
	unsigned long before = ndisdma_verifier_count(NULL);
	int bad = demo_one("ringnic (NDIS 5.1)", ringnic5_driver_entry, uri);
	bad |= demo_one("ringnic (NDIS 6.20)", ringnic6_driver_entry, uri);
	bad |= demo_hosted(uri);
	unsigned long reports = ndisdma_verifier_count(NULL) - before;
	printf("verifier reports: %lu\n", reports);
	if (bad || reports) {
		printf("demo FAILED\n");
		return 1;
	}
	printf("demo OK\n");
	return 0;
}

/* ---------------- probe ---------------- */

static int count_dir(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    (!prefix || !strncmp(e->d_name, prefix, strlen(prefix))))
			n++;
	closedir(d);
	return n;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int probe(void)
{
	printf("sim: available (simulated busmaster NIC behind a simulated "
	       "IOMMU; no privileges needed)\n");
	int groups = count_dir("/sys/kernel/iommu_groups", NULL);
	if (groups > 0)
		printf("iommu: present (%d IOMMU groups)\n", groups);
	else
		printf("iommu: none - enable VT-d/AMD-Vi in firmware and boot "
		       "with intel_iommu=on (or amd_iommu=on) to use vfio:\n");
	if (access("/dev/vfio/vfio", F_OK) == 0) {
		DIR *d = opendir("/dev/vfio");
		int n = 0;
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
				printf("vfio: group /dev/vfio/%s\n", e->d_name);
				n++;
			}
		if (d)
			closedir(d);
		if (!n)
			printf("vfio: /dev/vfio/vfio exists but no group is "
			       "bound: echo VENDOR DEVICE > "
			       "/sys/bus/pci/drivers/vfio-pci/new_id\n");
	} else {
		printf("vfio: no /dev/vfio/vfio - load it with `modprobe "
		       "vfio-pci` (root)\n");
	}
	DIR *d = opendir("/sys/bus/pci/drivers/vfio-pci");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strchr(e->d_name, ':'))
				printf("vfio: device %s bound to vfio-pci (use "
				       "URI vfio:%s)\n",
				       e->d_name, e->d_name);
		closedir(d);
	}
	int uio = count_dir("/sys/class/uio", "uio");
	if (uio > 0) {
		DIR *u = opendir("/sys/class/uio");
		struct dirent *e;
		while (u && (e = readdir(u)))
			if (!strncmp(e->d_name, "uio", 3))
				printf("uio: /dev/%s\n", e->d_name);
		if (u)
			closedir(u);
	} else {
		printf("uio: no UIO devices - `modprobe uio_pci_generic` and "
		       "bind a NIC to it (root)\n");
	}
	long total = read_long("/proc/sys/vm/nr_hugepages");
	long free_hp = read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/"
				 "free_hugepages");
	if (total > 0)
		printf("hugepages: %ld x 2 MiB reserved, %ld free\n", total,
		       free_hp);
	else
		printf("hugepages: none reserved - uio: needs them: echo 64 > "
		       "/proc/sys/vm/nr_hugepages (root)\n");
	printf("root: %s\n", geteuid() == 0 ? "yes"
					    : "no (vfio/uio need root or "
					      "device permissions)");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "demo"))
		return demo(argc > 2 ? argv[2] : "sim");
	if (!strcmp(argv[1], "probe"))
		return probe();
	if (!strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "vm"))
		return vm_main(argc - 1, argv + 1);
	return usage();
}
