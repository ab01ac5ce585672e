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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr,
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
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
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
	       (unsigned long long)st.shm_bytes,
	       (unsigned long long)st.chunks, nic->alignment);
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
			if (ringnic_send(nic, frame, len) != NDIS_STATUS_SUCCESS ||
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

static int demo(const char *uri)
{
	unsigned long before = ndisdma_verifier_count(NULL);
	int bad = demo_one("ringnic (NDIS 5.1)", ringnic5_driver_entry, uri);
	bad |= demo_one("ringnic (NDIS 6.20)", ringnic6_driver_entry, uri);
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
	long free_hp =
		read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/"
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
