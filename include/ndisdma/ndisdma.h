/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndisdma.h - the native hosting API of ndisdma.
 *
 * A host program loads a miniport (calls its DriverEntry), starts adapters
 * on a bus URI, halts them and learns what leaked, drives the simulated
 * device side, and reads statistics and verifier counts. Every function
 * returns 0 (or a count) on success and a negative errno on failure; none
 * exits or aborts. All are thread-safe unless stated otherwise.
 */
#ifndef NDISDMA_NDISDMA_H
#define NDISDMA_NDISDMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDISDMA_VERSION_MAJOR 0
#define NDISDMA_VERSION_MINOR 1

struct _DRIVER_OBJECT;
struct _UNICODE_STRING;

typedef struct ndisdma_driver ndisdma_driver;
typedef struct ndisdma_adapter ndisdma_adapter;
typedef struct ndisdma_sim ndisdma_sim;

/* A miniport's DriverEntry: NTSTATUS DriverEntry(PDRIVER_OBJECT,
 * PUNICODE_STRING). */
typedef int32_t (*ndisdma_driver_entry)(struct _DRIVER_OBJECT *driver_object,
					struct _UNICODE_STRING *registry_path);

/* ---------------- drivers ---------------- */

/* Call `entry` as DriverEntry at PASSIVE_LEVEL; inside it the miniport
 * registers through NdisMInitializeWrapper + NdisMRegisterMiniport (NDIS
 * 5.x) or NdisMRegisterMiniportDriver (NDIS 6). `name` becomes the
 * registry path and appears in reports.
 * Returns 0 and *out; -EINVAL (NULL argument); -ENOMEM; -EIO when
 * DriverEntry returned a failure NTSTATUS; -ENOENT when it returned
 * success without registering a miniport. On failure nothing stays
 * loaded; the NTSTATUS DriverEntry returned is readable with
 * ndisdma_last_entry_status(). */
int ndisdma_driver_load(ndisdma_driver_entry entry, const char *name,
			ndisdma_driver **out);

/* The NTSTATUS the most recent DriverEntry on this thread returned. */
int32_t ndisdma_last_entry_status(void);

/* Unload: halts adapters still running (their leaks are reported), calls
 * the unload handler (NDIS 6 UnloadHandler), reclaims what the driver
 * still holds outside adapters, and frees the driver. NULL is ignored. */
void ndisdma_driver_unload(ndisdma_driver *drv);

/* The NDIS_STATUS the driver's MiniportInitialize(Ex) returned on the most
 * recent ndisdma_adapter_start of this driver, and how many objects were
 * reclaimed after it failed (0 after a success or a clean failure). */
int32_t ndisdma_driver_last_init_status(const ndisdma_driver *drv);
long ndisdma_driver_last_init_leaks(const ndisdma_driver *drv);

/* ---------------- adapters ---------------- */

/* Open the bus device `device_uri` names and call MiniportInitialize(Ex)
 * at PASSIVE_LEVEL. URIs: "sim" or "sim:opt=val,..." (options:
 * dma-bits=24..64, coherent=yes, limit=SIZE (shared-memory bytes, default
 * 256M), chunk=SIZE, fill=BYTE|none, poison=BYTE|none), and on builds
 * with them "vfio:BDF" and "uio:BDF".
 * Returns 0 and *out; -EINVAL (bad URI or argument; the reason is in
 * ndisdma_last_error()); -ENOTSUP (bus not available);
 * -ENODEV/-EACCES/-ENOMEM from the bus; -EIO when the miniport's
 * initialize returned a failure (read it with
 * ndisdma_driver_last_init_status). */
int ndisdma_adapter_start(ndisdma_driver *drv, const char *device_uri,
			  ndisdma_adapter **out);

/* Call MiniportHalt(Ex) at PASSIVE_LEVEL after completing the driver's
 * pending async allocations (requests made during halt are cancelled),
 * then reclaim every object the driver still holds on this adapter,
 * reporting each (rule "halt.leak-*"). Frees the adapter.
 * Returns how many objects were reclaimed (0 = clean), or -EINVAL for
 * NULL or an adapter not started. */
int ndisdma_adapter_halt(ndisdma_adapter *ad);

/* The adapter's miniport context (what NdisMSetAttributesEx /
 * NdisMSetMiniportAttributes recorded), or NULL. */
void *ndisdma_adapter_context(ndisdma_adapter *ad);

/* The last error sentence this thread produced (bus open failures and
 * the like); "" when none. */
const char *ndisdma_last_error(void);

/* ---------------- statistics ---------------- */

struct ndisdma_stats {
	uint64_t shm_bytes;        /* shared-memory bytes in blocks now */
	uint64_t shm_bytes_peak;
	uint64_t shm_blocks;       /* blocks allocated now */
	uint64_t shm_blocks_peak;
	uint64_t shm_limit;        /* the adapter's limit in bytes */
	uint64_t shm_allocs;       /* successful allocations, ever */
	uint64_t shm_failures;     /* allocations that returned NULL */
	uint64_t chunks;           /* DMA chunks obtained from the bus now */
	uint64_t chunk_bytes;
	uint64_t async_pending;    /* async requests not yet completed */
	uint64_t async_completed;
	uint64_t async_cancelled;
	uint64_t reserved[8];
};

/* Fill *st. Returns 0, or -EINVAL for NULL. */
int ndisdma_adapter_stats(ndisdma_adapter *ad, struct ndisdma_stats *st);

/* Per-tag counters of general memory (NdisAllocateMemory*): bytes and
 * allocations outstanding now and allocations ever. Returns 0, or
 * -ENOENT for a tag never used. */
int ndisdma_tag_usage(uint32_t tag, uint64_t *bytes, uint64_t *outstanding,
		      uint64_t *total);

/* ---------------- the simulated device ---------------- */

/* The simulated device behind an adapter started on "sim", or NULL on
 * another bus. Valid until the adapter is halted. */
ndisdma_sim *ndisdma_adapter_sim(ndisdma_adapter *ad);

/* DMA as the device does it: read/write len bytes at a device address,
 * translated through the simulated IOMMU. Returns 0; -EFAULT when any
 * byte lies outside what the driver gave the device (nothing is copied,
 * and the access is reported: rule "device.unmapped", "device.truncated"
 * for an address with its high 32 bits dropped, "device.stale" for a
 * freed block, "device.perm" for a write the mapping forbids); -EINVAL
 * for NULL. */
int ndisdma_sim_dma_read(ndisdma_sim *sim, uint64_t device_address, void *buf,
			 size_t len);
int ndisdma_sim_dma_write(ndisdma_sim *sim, uint64_t device_address,
			  const void *buf, size_t len);

/* ---------------- descriptor pools: the bulk API ---------------- */

/* For drivers that refill rings in batches: the NDIS pool handles of
 * <ndis.h> (NdisAllocatePacketPool(Ex), NdisAllocateBufferPool,
 * NdisAllocateNetBufferListPool) with many descriptors per call. The
 * descriptors are the same as the one-at-a-time calls give and may be
 * freed either way. Thread-safe; never block. */
struct _NDIS_PACKET;
struct _MDL;
struct _NET_BUFFER_LIST;

/* Allocate n packets, initialised as NdisAllocatePacket does; all or
 * none. Returns n; 0 when the pool has fewer than n left (nothing is
 * taken); -EINVAL for an unknown pool handle or NULL pkts. */
int ndisdma_packet_alloc_bulk(void *pool, struct _NDIS_PACKET **pkts,
			      unsigned n);
/* Free n packets of `pool`. Returns 0 when all went back; otherwise how
 * many were bad (double frees, packets of another pool - those go back
 * to their own pool - or foreign pointers; each is reported as
 * NdisFreePacket reports it); -EINVAL for an unknown pool handle. */
int ndisdma_packet_free_bulk(void *pool, struct _NDIS_PACKET **pkts,
			     unsigned n);
/* Allocate n buffer descriptors, bufs[i] describing lens[i] bytes at
 * vas[i], as NdisAllocateBuffer does; all or none. Returns n, 0 when the
 * pool has fewer left, -EINVAL (unknown handle, NULL array). */
int ndisdma_buffer_alloc_bulk(void *pool, struct _MDL **bufs,
			      void *const *vas, const uint32_t *lens,
			      unsigned n);
/* Free n buffer descriptors of `pool`; returns as
 * ndisdma_packet_free_bulk. */
int ndisdma_buffer_free_bulk(void *pool, struct _MDL **bufs, unsigned n);
/* Allocate n NET_BUFFER_LISTs without context (and, for a pool with
 * fAllocateNetBuffer, each with its NET_BUFFER, no MDL chain); all or
 * none. Returns n; 0 when memory runs out; -EINVAL (unknown handle). */
int ndisdma_nbl_alloc_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			   unsigned n);
/* Free n NET_BUFFER_LISTs of `pool`; returns as
 * ndisdma_packet_free_bulk. */
int ndisdma_nbl_free_bulk(void *pool, struct _NET_BUFFER_LIST **nbls,
			  unsigned n);
/* Bytes a descriptor pool holds now (slabs, free stacks, per-thread
 * caches, bookkeeping); -EINVAL for an unknown handle. */
long ndisdma_pool_memory(void *pool);

/* ---------------- verifier ---------------- */

/* How many reports of rule `rule_id` this process has made (NULL: all
 * rules together). An unknown id counts 0. Rule ids: docs/verifier.md. */
unsigned long ndisdma_verifier_count(const char *rule_id);

/* Where one-line reports go: a stream (default stderr), or NULL for
 * nowhere (they are still counted). Returns the previous stream. */
FILE *ndisdma_verifier_set_output(FILE *out);

/* Zero all counts (for tests). */
void ndisdma_verifier_reset_counts(void);

#ifdef __cplusplus
}
#endif
#endif
