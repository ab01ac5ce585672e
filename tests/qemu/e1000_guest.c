/* SPDX-License-Identifier: MIT */
/*
 * e1000_guest.c - runs inside the QEMU VM: loads the e1000 miniport, starts
 * it on the URI given (vfio:BDF or uio:BDF), and plays the guest side of
 * the exchange in qemu_frames.h with the host peer:
 *   1. QF_NTX frames out (the host checks them byte-exact), then READY;
 *   2. QF_NRX frames in, each signalled by an interrupt, checked
 *      byte-exact here and acknowledged;
 *   3. one frame whose descriptor points at memory the driver never got
 *      from NDIS (the physical address of a malloc'ed buffer holding a
 *      QF_SECRET frame): behind the IOMMU that DMA must not land; on uio
 *      it does (no isolation) - the host tells which happened;
 *   4. DONE, halt (no leaks), and a last line "GUEST RESULT: PASS|FAIL".
 */
#include "e1000_miniport.h"
#include "qemu_frames.h"

/* The test reaches below the native API once: the adapter's bus, to
 * exercise the bus's map()/unmap() of arbitrary memory with the NIC. */
#include "../../src/core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Physical address of a locked page of ours (root: /proc/self/pagemap). */
static uint64_t phys_of(void *va)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	if (fd >= 0) {
		if (pread(fd, &e, 8, (off_t)((uintptr_t)va / 4096 * 8)) != 8)
			e = 0;
		close(fd);
	}
	if (!(e >> 63) || !(e & ((1ULL << 55) - 1)))
		return 0;
	return (e & ((1ULL << 55) - 1)) * 4096 + (uintptr_t)va % 4096;
}

/* Send a frame from malloc'ed memory the bus maps for the device just
 * for this (vfio: an IOVA of its own; uio: the physical address), below
 * 4 GiB to exercise the limit. */
static int send_mapped(ndisdma_adapter *ad, struct e1000_nic *nic,
		       const unsigned char *frame, size_t len)
{
	struct bus *bus = ((struct nd_adapter *)ad)->bus;
	unsigned char *buf = aligned_alloc(4096, 4096);
	struct bus_seg seg[2];
	unsigned n = 2;
	if (!buf || !bus->ops->map)
		return -ENOTSUP;
	memcpy(buf, frame, len);
	int rc =
	    bus->ops->map(bus, buf, len, 0xFFFFFFFFull, BUS_PERM_READ, seg, &n);
	if (rc) {
		printf("guest: MAP: map failed: %s\n", strerror(-rc));
		free(buf);
		return rc;
	}
	rc = n == 1 ? e1000_send_raw(nic, seg[0].iova, len, 5000) : -EINVAL;
	printf("guest: MAP: frame sent from map()'d malloc memory at device "
	       "address 0x%llx (%u segment)\n",
	       (unsigned long long)seg[0].iova, n);
	bus->ops->unmap(bus, seg, n);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: e1000_guest vfio:BDF|uio:BDF\n");
		return 2;
	}
	const char *uri = argv[1];
	int fail = 0;
	double t0 = now_ms();
	ndisdma_driver *drv = NULL;
	ndisdma_adapter *ad;
	int rc = ndisdma_driver_load(e1000_driver_entry, "e1000", &drv);
	if (rc) {
		printf("guest: DriverEntry failed: %d %s\n", rc,
		       ndisdma_last_error());
		fail = 1;
		goto out;
	}
	rc = ndisdma_adapter_start(drv, uri, &ad);
	if (rc) {
		printf("guest: adapter start on %s failed (%s): %s\n", uri,
		       strerror(-rc), ndisdma_last_error());
		fail = 1;
		goto out;
	}
	struct e1000_nic *nic = ndisdma_adapter_context(ad);
	{
		ndisdma_adapter *ad2;
		int rc2 = ndisdma_adapter_start(drv, uri, &ad2);
		printf("guest: second start on %s while running: %s (%s)\n",
		       uri, rc2 ? strerror(-rc2) : "SUCCEEDED",
		       ndisdma_last_error());
		if (!rc2) { /* a device is driven by one adapter only */
			ndisdma_adapter_halt(ad2);
			fail = 1;
		}
	}
	const char *kind;
	int iommu;
	ndisdma_adapter_bus_info(ad, &kind, &iommu, NULL);
	int irqfd;
	rc = ndisdma_adapter_irq_fd(ad, &irqfd);
	printf("guest: %s bus (iommu=%d); MAC %02x:%02x:%02x:%02x:%02x:%02x; "
	       "TX ring at 0x%llx, RX ring at 0x%llx, TX buffer 0 at 0x%llx; "
	       "irq fd %d (rc %d)\n",
	       kind, iommu, nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3],
	       nic->mac[4], nic->mac[5],
	       (unsigned long long)nic->tx_ring.pa.QuadPart,
	       (unsigned long long)nic->rx_ring.pa.QuadPart,
	       (unsigned long long)nic->tx_buf[0].pa.QuadPart, irqfd, rc);
	if (rc)
		fail = 1;

	/* 0. a block larger than a hugepage: contiguous in device space on
	 * vfio (the IOMMU makes it so); on uio granted only when the
	 * hugepages are physically consecutive, else refused. */
	PVOID big = nic->big.va;
	NDIS_PHYSICAL_ADDRESS big_pa = nic->big.pa;
	const ULONG big_len = E1000_BIG;
	if (big && !iommu) {
		for (ULONG off = 0; off < big_len; off += 4096) {
			uint64_t pa = phys_of((char *)big + off);
			if (pa != (uint64_t)big_pa.QuadPart + off) {
				printf(
				    "guest: BIG: page at +0x%x is at 0x%llx, "
				    "not contiguous!\n",
				    (unsigned)off, (unsigned long long)pa);
				fail = 1;
				break;
			}
		}
	}
	printf("guest: BIG: 3 MiB shared memory %s (device address 0x%llx)\n",
	       big ? "granted, contiguous in device space" : "refused",
	       (unsigned long long)big_pa.QuadPart);
	if (!big && iommu)
		fail = 1;
	if (!big && !iommu) { /* say why: where two hugepages landed */
		char *h = mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				   MAP_POPULATE,
			       -1, 0);
		if (h != MAP_FAILED) {
			printf("guest: BIG: two fresh hugepages are at 0x%llx "
			       "and 0x%llx (%s)\n",
			       (unsigned long long)phys_of(h),
			       (unsigned long long)phys_of(h + (2u << 20)),
			       phys_of(h + (2u << 20)) ==
				       phys_of(h) + (2u << 20)
				   ? "consecutive"
				   : "not consecutive: refusal expected");
			munmap(h, 4u << 20);
		}
	}

	/* 1. transmit; the last frame straddles the 2 MiB point of the big
	 * block, so the NIC's read crosses from one hugepage to the next */
	unsigned char f[2048];
	for (unsigned i = 0; i < QF_NTX && !fail; i++) {
		size_t len = qf_make(f, QF_TX, i);
		if (big && i == QF_NTX - 1) {
			size_t at = (2u << 20) - 100;
			memcpy((char *)big + at, f, len);
			rc = e1000_send_raw(nic, (uint64_t)big_pa.QuadPart + at,
					    len, 5000);
			printf("guest: BIG: frame %u sent from device address "
			       "0x%llx (%zu bytes across the 2 MiB point)\n",
			       i, (unsigned long long)big_pa.QuadPart + at,
			       len);
		} else if (i == QF_NTX - 2) {
			rc = send_mapped(ad, nic, f, len);
		} else {
			rc = e1000_send(nic, f, len, 5000);
		}
		if (rc) {
			printf("guest: TX %u failed: %s\n", i, strerror(-rc));
			fail = 1;
		}
	}
	printf("guest: %lu frames transmitted\n", nic->frames_sent);

	/* 2. receive, interrupt-driven */
	unsigned rx_ok = 0;
	if (!fail) {
		size_t len = qf_make(f, QF_READY, 0);
		e1000_send(nic, f, len, 5000);
	}
	for (unsigned i = 0; i < QF_NRX && !fail; i++) {
		unsigned char got[2048], want[2048];
		int n;
		do /* skip anything that is not ours */
			n = e1000_receive(nic, got, sizeof(got), 20000);
		while (n > 0 && qf_kind_of(got, (size_t)n) != QF_RX);
		if (n <= 0) {
			printf("guest: RX %u: %s\n", i,
			       n == 0 ? "timed out" : strerror(-n));
			fail = 1;
			break;
		}
		size_t wl = qf_make(want, QF_RX, i);
		int ok = (size_t)n == wl && !memcmp(got, want, wl);
		if (!ok)
			printf("guest: RX %u: %d bytes, expected %zu, %s\n", i,
			       n, wl, (size_t)n == wl ? "content differs" : "");
		rx_ok += ok;
		size_t al = qf_make(f, QF_ACK, i);
		f[QF_HDR] = (unsigned char)ok;
		e1000_send(nic, f, al, 5000);
	}
	printf("guest: %u/%d frames received byte-exact, %lu interrupts\n",
	       rx_ok, QF_NRX, nic->interrupts);
	if (rx_ok != QF_NRX || nic->interrupts == 0)
		fail = 1;

	/* 3. DMA from memory the device was never given */
	unsigned char *secret =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (!fail && secret != MAP_FAILED) {
		size_t sl = qf_make(secret, QF_SECRET, 0);
		uint64_t pa = phys_of(secret);
		/* That address must not be one the IOMMU maps for us: our
		 * IOVAs are in the chunk of the TX ring (a few MiB). */
		uint64_t base =
		    (uint64_t)nic->tx_ring.pa.QuadPart & ~0x1FFFFFULL;
		if (iommu && pa >= base && pa < base + (8ULL << 20))
			pa += 64ULL << 20; /* then any unmapped address */
		printf("guest: DMA-ISOLATION: TX descriptor -> 0x%llx (%s), "
		       "%zu bytes, never given to the device\n",
		       (unsigned long long)pa,
		       iommu ? "not mapped in the IOMMU"
			     : "physical address of a malloc'ed page",
		       sl);
		rc = e1000_send_raw(nic, pa, sl, 5000);
		printf("guest: DMA-ISOLATION: descriptor %s\n",
		       rc ? "not completed" : "completed by the NIC");
		size_t dl = qf_make(f, QF_DONE, 0);
		f[QF_HDR] = (unsigned char)iommu;
		e1000_send(nic, f, dl, 5000);
	}

	int leaks = ndisdma_adapter_halt(ad);
	printf("guest: halt reclaimed %d object(s); verifier reports: %lu\n",
	       leaks, ndisdma_verifier_count(NULL));
	if (leaks || ndisdma_verifier_count(NULL))
		fail = 1;
out:
	if (drv)
		ndisdma_driver_unload(drv);
	printf("guest: test time %.1f s\n", (now_ms() - t0) / 1e3);
	printf("GUEST RESULT: %s\n", fail ? "FAIL" : "PASS");
	return fail;
}
