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

/* The native API: exported from libndisdma.so (built with
 * -fvisibility=hidden; see <ndis.h>). */
#pragma GCC visibility push(default)

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

/* Load a miniport built as a shared object (cc -shared $(pkg-config
 * --cflags --libs ndisdma-driver)): dlopen(path, RTLD_NOW | RTLD_LOCAL),
 * look up its `DriverEntry` and call ndisdma_driver_load with the file's
 * base name (without ".so") as the name. A path without '/' is taken
 * relative to the current directory (no library search path). The object
 * is dlclose'd when the driver is unloaded (ndisdma_driver_unload), or at
 * once when loading fails.
 * Returns 0 and *out; -EINVAL (NULL argument or empty path); -ENOENT (no
 * such file); -EACCES (not readable); -ENOEXEC (not a loadable shared
 * object, a symbol it needs is undefined, or it has no DriverEntry);
 * -ENOMEM; otherwise what ndisdma_driver_load returns (-EIO: DriverEntry
 * failed; -ENOENT: it registered no miniport). Every failure leaves a
 * sentence in ndisdma_last_error() naming the file and the cause (the
 * dynamic linker's message for an undefined symbol). */
int ndisdma_driver_load_file(const char *path, ndisdma_driver **out);

/* The NTSTATUS the most recent DriverEntry on this thread returned. */
int32_t ndisdma_last_entry_status(void);

/* Unload: halts adapters still running (their leaks are reported), calls
 * the unload handler (NDIS 6 UnloadHandler), reclaims what the driver
 * still holds outside adapters, and frees the driver. NULL, an unknown
 * handle and a second unload racing the first are ignored; starts in
 * progress are waited for and later ones fail. From inside a driver
 * callback it does nothing and sets ndisdma_last_error (it would wait for
 * that callback). */
void ndisdma_driver_unload(ndisdma_driver *drv);

/* The NDIS_STATUS the driver's MiniportInitialize(Ex) returned on the most
 * recent ndisdma_adapter_start of this driver, and how many objects were
 * reclaimed after it failed (0 after a success or a clean failure). */
int32_t ndisdma_driver_last_init_status(const ndisdma_driver *drv);
long ndisdma_driver_last_init_leaks(const ndisdma_driver *drv);

/* Set configuration parameter `name` (what NdisReadConfiguration finds
 * under that keyword: the registry value an INF would create) to `value`
 * for the adapters this driver starts from now on; adapters already
 * running keep what they had. Setting a name again replaces its value;
 * value NULL removes it. Names compare case-insensitively, as registry
 * value names do. NdisReadConfiguration returns the value as
 * NdisParameterInteger when asked for an integer and it parses as a
 * decimal number, NdisParameterHexInteger when it parses as hex, and
 * NdisParameterString otherwise (docs/hwio.md). Returns 0;
 * -EINVAL (unknown driver, NULL or empty name, a name or value longer than
 * 255 / 4095 characters, a value with a control character); -ENOENT (value
 * NULL and no such name); -ENOMEM. */
int ndisdma_driver_set_param(ndisdma_driver *drv, const char *name,
			     const char *value);

/* ---------------- adapters ---------------- */

/* Open the bus device `device_uri` names and call MiniportInitialize(Ex)
 * at PASSIVE_LEVEL. URIs: "sim" or "sim:opt=val,..." (options:
 * dma-bits=24..64, coherent=yes, limit=SIZE (shared-memory and bounce
 * bytes, default 256M), chunk=SIZE, fill=BYTE|none, poison=BYTE|none,
 * iommu=yes|no (no: host memory lies above 4 GiB and is not remapped, so
 * a 24/32-bit adapter's buffer mappings bounce)), and on builds
 * with them "vfio:BDF" and "uio:BDF".
 * Returns 0 and *out; -EINVAL (bad URI or argument; the reason is in
 * ndisdma_last_error()); -ENOTSUP (bus not available);
 * -ENODEV/-EACCES/-ENOMEM from the bus; -EIO when the miniport's
 * initialize returned a failure (read it with
 * ndisdma_driver_last_init_status); -EINVAL when the driver is being
 * unloaded; -EDEADLK when called from inside a driver callback.
 * Thread-safe: several starts on one driver may run at once. */
int ndisdma_adapter_start(ndisdma_driver *drv, const char *device_uri,
			  ndisdma_adapter **out);

/* Call MiniportHalt(Ex) at PASSIVE_LEVEL after completing the driver's
 * pending async allocations (requests made during halt are cancelled),
 * then reclaim every object the driver still holds on this adapter,
 * reporting each (rule "halt.leak-*"). Frees the adapter.
 * Returns how many objects were reclaimed (0 = clean); -EINVAL for NULL,
 * an adapter not started or already halted, or one another thread is
 * halting (of two halts at once exactly one runs); -EDEADLK (and a
 * sentence in ndisdma_last_error) when called from inside a driver
 * callback (e.g. MiniportAllocateComplete) or one of the runtime's threads
 * (a DPC, timer, work item, interrupt or receive callback), which halt
 * would wait for: the adapter is left running.
 * Calls racing the halt on other threads are safe: each either completes
 * before the adapter is freed (halt waits for it) or fails as for an
 * unknown handle (NDIS: handle.unknown; native calls: -EINVAL). */
int ndisdma_adapter_halt(ndisdma_adapter *ad);

/* The adapter's miniport context (what NdisMSetAttributesEx /
 * NdisMSetMiniportAttributes recorded), or NULL. */
void *ndisdma_adapter_context(ndisdma_adapter *ad);

/* The last error sentence this thread produced (bus open failures and
 * the like); "" when none. */
const char *ndisdma_last_error(void);

/* ---------------- frames: the hosted miniport's data path ----------------
 *
 * For an NDIS 5.x miniport (the NDIS 6 data path is not hosted).
 * ndisdma_adapter_start returns with the adapter ready to move frames: it
 * has queried the miniport's addresses, maximum total size and link state
 * and set the packet filter (directed + broadcast + multicast) and the
 * lookahead. ndisdma_adapter_halt stops sends, waits for the outstanding
 * ones (NDISDMA_SEND_WAIT_MS, default 5000 ms; a send still not completed
 * then is reported "send.never-completed"), gives back the packets the
 * host holds, then calls MiniportHalt. A send, query or set after halt
 * began fails with -ESHUTDOWN. */

/* Send one Ethernet frame (14..max total size bytes, header included).
 * The frame is copied into a host buffer that stays alive until the
 * miniport completes the send. Returns 0 once the miniport accepted the
 * frame or the host queued it (a serialized miniport that said
 * NDIS_STATUS_RESOURCES gets it after NdisMSendResourcesAvailable);
 * -EINVAL (NULL, unknown adapter, shorter than 14 bytes); -EMSGSIZE
 * (longer than the maximum total size); -ENOBUFS (every host buffer is in
 * flight: retry after completions); -ESHUTDOWN (halting); -EOPNOTSUPP
 * (the miniport has no send handler). A send the miniport fails is
 * counted in tx_errors. Thread-safe. */
int ndisdma_adapter_send(ndisdma_adapter *ad, const void *frame, size_t len);

/* Call cb(ctx, frame, len) for every frame the miniport indicates, on the
 * indicating thread (the runtime's DPC thread, normally), frame valid
 * only during the call; cb must not call ndisdma_adapter_halt. NULL cb:
 * frames are counted and dropped. Replaces the previous callback (a call
 * in progress may still use the old one). Returns 0 or -EINVAL. */
int ndisdma_adapter_on_receive(ndisdma_adapter *ad,
			       void (*cb)(void *ctx, const void *frame,
					  size_t len),
			       void *ctx);

/* Call cb(ctx, status, buf, len) for every NdisMIndicateStatus of the
 * miniport (NDIS_STATUS_MEDIA_CONNECT, ...), on the indicating thread.
 * Returns 0 or -EINVAL. */
int ndisdma_adapter_on_status(ndisdma_adapter *ad,
			      void (*cb)(void *ctx, int32_t status,
					 const void *buf, size_t len),
			      void *ctx);

/* Query / set an OID through MiniportQueryInformation /
 * MiniportSetInformation at DISPATCH_LEVEL, one request at a time per
 * adapter (concurrent callers wait their turn), waiting for a pending
 * request's completion. Returns 0 (query: *written = bytes written, may be
 * NULL) or a negative errno, the NDIS_STATUS being readable with
 * ndisdma_adapter_last_status: -EOPNOTSUPP (NOT_SUPPORTED, INVALID_OID,
 * NOT_RECOGNIZED, or no handler), -EMSGSIZE (INVALID_LENGTH,
 * BUFFER_TOO_SHORT: *written = the bytes needed), -EINVAL (INVALID_DATA,
 * a NULL buffer with a length, an unknown adapter), -ENOMEM (RESOURCES,
 * or no memory), -EBUSY (RESET_IN_PROGRESS), -ETIMEDOUT (no completion
 * within NDISDMA_OID_WAIT_MS, default 10000 ms; the request stays
 * outstanding until completed), -ESHUTDOWN (halting), -EIO (another
 * failure). */
int ndisdma_adapter_query(ndisdma_adapter *ad, uint32_t oid, void *buf,
			  size_t len, size_t *written);
int ndisdma_adapter_set(ndisdma_adapter *ad, uint32_t oid, const void *buf,
			size_t len);
/* The NDIS_STATUS of the adapter's most recent query or set (the one
 * that completed last), NDIS_STATUS_SUCCESS before any; for an unknown
 * adapter NDIS_STATUS_ADAPTER_NOT_FOUND (0xC0010006). */
int32_t ndisdma_adapter_last_status(ndisdma_adapter *ad);

/* The link as the host knows it: from the start-up queries, updated by
 * NdisMIndicateStatus (media connect / disconnect). */
struct ndisdma_link {
	int up;			  /* 1 connected, 0 disconnected */
	uint64_t speed_bps;	  /* OID_GEN_LINK_SPEED (0: unknown) */
	uint8_t current_mac[6];	  /* OID_802_3_CURRENT_ADDRESS */
	uint8_t permanent_mac[6]; /* OID_802_3_PERMANENT_ADDRESS */
	uint32_t max_frame;	  /* OID_GEN_MAXIMUM_FRAME_SIZE (payload) */
	uint32_t max_total;	  /* OID_GEN_MAXIMUM_TOTAL_SIZE (frame) */
	uint32_t packet_filter;	  /* what the host set */
	uint32_t lookahead;	  /* what the host set */
};
/* Fill *out. Returns 0 or -EINVAL. */
int ndisdma_adapter_link(ndisdma_adapter *ad, struct ndisdma_link *out);

struct ndisdma_counters {
	uint64_t tx_frames; /* sends completed with success */
	uint64_t tx_bytes;
	uint64_t tx_errors;    /* sends completed with a failure */
	uint64_t tx_pending;   /* sends at the miniport now */
	uint64_t tx_queued;    /* sends the host keeps now (RESOURCES) */
	uint64_t tx_resources; /* NDIS_STATUS_RESOURCES answers, ever */
	uint64_t rx_frames;    /* frames handed to the receive callback */
	uint64_t rx_bytes;
	uint64_t rx_copied;    /* packets indicated with RESOURCES */
	uint64_t rx_held;      /* packets the host keeps now */
	uint64_t rx_returned;  /* MiniportReturnPacket calls */
	uint64_t rx_transfers; /* MiniportTransferData calls */
	uint64_t rx_dropped;   /* bad or failed indications */
	uint64_t status_indications;
	uint64_t oid_requests;
	uint64_t hangs;	 /* MiniportCheckForHang returned TRUE */
	uint64_t resets; /* MiniportReset calls */
	uint64_t errorlog_entries;
	uint64_t reserved[6];
};
#ifndef __cplusplus
_Static_assert(sizeof(struct ndisdma_counters) == 24 * 8,
	       "struct ndisdma_counters keeps its size (ABI)");
#endif
/* Fill *out. Returns 0 or -EINVAL. */
int ndisdma_adapter_counters(ndisdma_adapter *ad, struct ndisdma_counters *out);

/* Call MiniportReset now (as NDIS does when MiniportCheckForHang returns
 * TRUE) at DISPATCH_LEVEL, holding sends and requests until it completes
 * (NdisMResetComplete when it returned NDIS_STATUS_PENDING); after an
 * addressing reset the host sets the packet filter, lookahead and
 * multicast list again. Returns 0; -EOPNOTSUPP (no reset handler); -EIO
 * (the reset failed: the NDIS_STATUS in ndisdma_adapter_last_status);
 * -ETIMEDOUT (no completion within NDISDMA_OID_WAIT_MS); -EBUSY (a reset
 * in progress); -ESHUTDOWN; -EINVAL. */
int ndisdma_adapter_miniport_reset(ndisdma_adapter *ad);

/* Call the adapter's shutdown handler (NdisMRegisterAdapterShutdownHandler,
 * else the AdapterShutdownHandler of the NDIS 5.1 characteristics) at
 * PASSIVE_LEVEL, as on a system shutdown. The adapter must still be
 * halted afterwards. Returns 0, -ENOENT (no handler), -EINVAL. */
int ndisdma_adapter_shutdown(ndisdma_adapter *ad);

/* ---------------- statistics ---------------- */

struct ndisdma_stats {
	uint64_t shm_bytes; /* shared-memory bytes in blocks now */
	uint64_t shm_bytes_peak;
	uint64_t shm_blocks; /* blocks allocated now */
	uint64_t shm_blocks_peak;
	uint64_t shm_limit;    /* the adapter's limit in bytes */
	uint64_t shm_allocs;   /* successful allocations, ever */
	uint64_t shm_failures; /* allocations that returned NULL */
	uint64_t chunks;       /* DMA chunks obtained from the bus now */
	uint64_t chunk_bytes;
	uint64_t async_pending; /* async requests not yet completed */
	uint64_t async_completed;
	uint64_t async_cancelled;
	uint64_t map_active;	    /* buffer mappings outstanding now (map
				       registers, system DMA, and one per
				       buffer of each scatter-gather list) */
	uint64_t maps;		    /* mappings made, ever */
	uint64_t bounce_maps;	    /* of those, mappings that bounced */
	uint64_t bounce_bytes_in;   /* bytes copied into bounce areas */
	uint64_t bounce_bytes_out;  /* bytes copied back at completion */
	uint64_t bounce_failures;   /* mappings refused: no bounce space */
	uint64_t bounce_area_bytes; /* bounce areas held now */
	uint64_t reserved[1];
};
#ifndef __cplusplus
_Static_assert(sizeof(struct ndisdma_stats) == 20 * 8,
	       "struct ndisdma_stats keeps its size (ABI)");
#endif

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

/* ---- the simulated device's registers and configuration space ----
 *
 * A device model gives the simulated PCI function its registers: up to six
 * BARs, each a memory BAR or an I/O-port BAR, whose every access by the
 * driver (NdisReadRegister* / NdisWriteRegister* on what NdisMMapIoSpace
 * returned, NdisRawReadPort* / NdisRawWritePort* on a registered port
 * range) calls the model synchronously, on the driver's thread, and the
 * identity the driver finds in configuration space. The model installs
 * them from its `attach` hook (ndisdma_driver_set_sim_model), which runs
 * for each adapter the driver starts on "sim" before MiniportInitialize. */

/* One BAR. size 0: the BAR is not implemented (reads 0). A memory BAR is
 * 32-bit, non-prefetchable, size a power of two >= 16; an I/O BAR's size
 * is a power of two from 4 to 256. The bus assigns the addresses (memory
 * BARs in 0xE0000000..0xFEFFFFFF, I/O BARs from port 0x1000 on, unique
 * among the simulated devices of the process). */
struct ndisdma_sim_bar {
	uint32_t size;
	int io; /* 1: an I/O-port BAR; 0: a memory BAR */
};

/* The configuration space header (type 0). The rest of the 256 bytes
 * reads as 0 unless the model's cfg_read says otherwise. */
struct ndisdma_sim_config {
	uint16_t vendor_id, device_id;
	uint16_t subsystem_vendor_id, subsystem_id;
	uint8_t revision_id;
	uint32_t class_code;   /* 24 bits: base class, sub-class, prog-if;
				  0 means 0x020000 (Ethernet controller) */
	uint8_t interrupt_pin; /* 0: no interrupt, 1..4: INTA#..INTD#; the
				  bus assigns the line (Interrupt Line) */
	struct ndisdma_sim_bar bar[6];
};

/* The model's side. width is 1, 2 or 4 (bytes); offset + width lies inside
 * the BAR; `value` carries the low `width` bytes. The calls may come from
 * several threads at once (ISR, DPC, send): the model locks what it
 * shares. It may do DMA (ndisdma_sim_dma_read / write) and raise or lower
 * its interrupt line from inside a call; no ndisdma lock is held during
 * it. It must not halt the adapter (removing a mapping or the device
 * waits for the accesses in progress). */
struct ndisdma_sim_regs_ops {
	uint32_t (*read)(void *ctx, unsigned bar, uint64_t offset,
			 unsigned width);
	void (*write)(void *ctx, unsigned bar, uint64_t offset, unsigned width,
		      uint32_t value);
	/* Optional (NULL: those bytes read 0 and ignore writes): the
	 * device-specific part of configuration space, offsets 0x40..0xFF
	 * (capabilities, vendor registers). Same width rule. */
	uint32_t (*cfg_read)(void *ctx, unsigned offset, unsigned width);
	void (*cfg_write)(void *ctx, unsigned offset, unsigned width,
			  uint32_t value);
};

/* Give the simulated device of `sim` its configuration space and
 * registers; `ctx` is passed to every callback. Once per device, normally
 * from the model's attach hook so that MiniportInitialize finds them. `cfg`
 * is copied; `ops` must stay valid until the adapter is halted.
 * Returns 0; -EINVAL (NULL sim, cfg or ops, an ops without read or write,
 * a BAR size that is not allowed, interrupt_pin over 4); -EBUSY (the device
 * has its registers already); -ENOSPC (no bus addresses left). */
int ndisdma_sim_set_regs(ndisdma_sim *sim, const struct ndisdma_sim_config *cfg,
			 const struct ndisdma_sim_regs_ops *ops, void *ctx);

/* What a driver's adapters started on "sim" get as device. attach runs
 * after the simulated device exists and before MiniportInitialize, on the
 * thread calling ndisdma_adapter_start; it calls ndisdma_sim_set_regs and
 * may keep `sim` (for DMA and the interrupt line) until detach. A non-zero
 * return (a negative errno) fails the start with it, without calling the
 * miniport. detach (may be NULL) runs after the miniport is halted (or its
 * initialize failed) and what it left is reclaimed, when no register
 * access can come any more and `sim` is no longer live (native calls on
 * it fail); `regs_ctx` is the ctx given to ndisdma_sim_set_regs (NULL if
 * none): the model frees its per-device state there. */
struct ndisdma_sim_model {
	int (*attach)(void *model_ctx, ndisdma_sim *sim);
	void (*detach)(void *model_ctx, ndisdma_sim *sim, void *regs_ctx);
};

/* Install (model non-NULL: copied) or remove (NULL) the device model of
 * the adapters this driver starts on "sim" from now on. Without a model a
 * simulated device has no BARs, no interrupt and vendor/device id
 * 0xFFFF (no function), as before. Returns 0 or -EINVAL (unknown driver,
 * a model without attach). */
int ndisdma_driver_set_sim_model(ndisdma_driver *drv,
				 const struct ndisdma_sim_model *model,
				 void *model_ctx);

/* DMA as the device does it: read/write len bytes at a device address,
 * translated through the simulated IOMMU. Returns 0; -EFAULT when any
 * byte lies outside what the driver gave the device (nothing is copied,
 * and the access is reported: rule "device.unmapped", "device.truncated"
 * for an address with its high 32 bits dropped, "device.stale" for a
 * freed block); -EINVAL for NULL. */
int ndisdma_sim_dma_read(ndisdma_sim *sim, uint64_t device_address, void *buf,
			 size_t len);
int ndisdma_sim_dma_write(ndisdma_sim *sim, uint64_t device_address,
			  const void *buf, size_t len);

/* The device model asserts (level 1) or deasserts (0) the simulated
 * device's level-triggered interrupt line (INTx), from any thread. While
 * the line is asserted and not masked the device interrupts once and the
 * line is masked (as VFIO and uio_pci_generic mask INTx); it is unmasked
 * after the miniport's interrupt DPC (or its ISR, when that queued no
 * DPC) and, if still asserted, interrupts again. Returns 0, or -EINVAL
 * (level not 0 or 1, or not a live simulated device). */
int ndisdma_sim_irq_set(ndisdma_sim *sim, int level);

/* ---------------- device access (vfio, uio) ---------------- */

/* These give a driver its device's registers, configuration space and
 * interrupt on a bus with a real device ("vfio:BDF", "uio:BDF"). The
 * adapter argument may also be the NDIS MiniportAdapterHandle the driver
 * got in MiniportInitialize(Ex): they are the same object. All are
 * thread-safe; they may be called from MiniportInitialize(Ex) on. Each
 * returns 0 or a negative errno: -EINVAL for a NULL argument or an
 * adapter that is not live, -ENOTSUP on a bus without the facility (the
 * simulated bus has configuration space - all ones without a device
 * model - and the interrupt ones, its line driven by ndisdma_sim_irq_set;
 * its registers are reached through NdisMMapIoSpace and the register and
 * port macros, which call the model). */

/* Map memory BAR `bar` (0..5) of the device into this process: *va and
 * *len. The mapping lives until the adapter is halted; calling again
 * returns the same one. Fails with -ENOENT (no such BAR), -ENOTSUP (an
 * I/O-port BAR, or no registers on this bus), or the mmap errno. Access
 * it with NdisReadRegisterUlong/NdisWriteRegisterUlong
 * (<ndisdma/ndis/registers.h>). */
int ndisdma_adapter_bar(ndisdma_adapter *ad, unsigned bar, void **va,
			size_t *len);

/* Read / write `len` bytes of PCI configuration space at `off`. Fails
 * with -ENOTSUP, -EIO (short access, e.g. beyond the space), or the
 * errno of the access. */
int ndisdma_adapter_cfg_read(ndisdma_adapter *ad, unsigned off, void *buf,
			     size_t len);
int ndisdma_adapter_cfg_write(ndisdma_adapter *ad, unsigned off,
			      const void *buf, size_t len);

/* A file descriptor that becomes readable (poll/epoll) when the device
 * interrupts: an eventfd on vfio (MSI when the device offers it, else
 * INTx; set up by the first call), the /dev/uioN fd on uio. Owned by the
 * bus: do not close it. Consume the notification with
 * ndisdma_adapter_irq_wait(ad, 0), not with read(). Fails with -ENOTSUP
 * or the errno of setting it up. */
int ndisdma_adapter_irq_fd(ndisdma_adapter *ad, int *fd);

/* Wait up to `timeout_ms` milliseconds (-1: without limit, 0: just
 * check) for an interrupt and consume its notification. Returns 1 when
 * an interrupt came, 0 on timeout, -ENOTSUP, or the errno of the wait.
 * A level-triggered interrupt (INTx) stays masked until
 * ndisdma_adapter_irq_unmask. */
int ndisdma_adapter_irq_wait(ndisdma_adapter *ad, int timeout_ms);

/* Re-arm a level-triggered interrupt after the driver has cleared its
 * cause in the device (e.g. read ICR). Harmless for MSI. Fails with
 * -ENOTSUP, -EINVAL (interrupts never set up on vfio), or the errno. */
int ndisdma_adapter_irq_unmask(ndisdma_adapter *ad);

/* Reset the function (vfio: VFIO_DEVICE_RESET; bus mastering is turned
 * back on after it). Fails with -ENOTSUP when the device or bus cannot. */
int ndisdma_adapter_reset(ndisdma_adapter *ad);

/* The bus kind of the adapter ("sim", "vfio", "uio"), whether device
 * addresses go through an IOMMU, and how many bits wide they may be.
 * Returns 0 or -EINVAL. Any output pointer may be NULL. */
int ndisdma_adapter_bus_info(ndisdma_adapter *ad, const char **kind, int *iommu,
			     unsigned *dma_bits);
/* The simulated system DMA controller (8237-style), for a subordinate
 * NIC that registered a channel with NdisMRegisterDmaChannel: the device
 * moves up to nbytes on `channel` of the transfer set up with
 * NdisMSetupDmaTransfer. Memory-to-device transfers (WriteToDevice TRUE)
 * copy into buf, device-to-memory ones copy from buf. The count runs
 * down; at zero (terminal count) an auto-initialize channel reloads its
 * address and count, another one is masked. Whole transfer units
 * (DmaWidth: 1, 2 or 4 bytes) only.
 * Returns the bytes moved (0 when masked at terminal count), -ENODEV (no
 * channel registered on this number), -EAGAIN (no transfer set up),
 * -EFAULT (the controller's address faulted in the IOMMU: reported like
 * any device access), -EINVAL (NULL). */
int ndisdma_sim_dma_channel_transfer(ndisdma_sim *sim, unsigned channel,
				     void *buf, size_t nbytes);

struct ndisdma_sim_dma_channel {
	int programmed; /* a transfer is set up */
	int masked;	/* the channel is masked (not moving) */
	int to_device;	/* memory -> device */
	int demand;	/* demand mode (else single) */
	int autoinit;
	uint32_t length;     /* the programmed count */
	uint32_t count;	     /* bytes left before terminal count */
	uint64_t moved;	     /* bytes moved since setup */
	uint64_t bus_cycles; /* single mode: one per unit; demand: one per
				burst */
	uint64_t terminal_counts;
};
/* The state of a channel. Returns 0, -ENODEV or -EINVAL. */
int ndisdma_sim_dma_channel_status(ndisdma_sim *sim, unsigned channel,
				   struct ndisdma_sim_dma_channel *out);
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
int ndisdma_buffer_alloc_bulk(void *pool, struct _MDL **bufs, void *const *vas,
			      const uint32_t *lens, unsigned n);
/* Free n buffer descriptors of `pool`; returns as
 * ndisdma_packet_free_bulk. (Both buffer calls are inline once <ndis.h>
 * and this header are included, in either order; see bulk_inline.h.) */
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

/* ---------------- NDIS 5 scatter-gather lists (the send path) -------- */

/* What NDIS 5.1 does for a miniport that called
 * NdisMInitializeScatterGatherDma before MiniportSendPackets: build the
 * SCATTER_GATHER_LIST of the packet's whole NDIS_BUFFER chain (zero-length
 * buffers skipped) and place it in NDIS_PER_PACKET_INFO_FROM_PACKET(packet,
 * ScatterGatherListPacketInfo). Elements are device addresses below the
 * registration's width (Dma64BitAddresses, else 32 bits), in the order of
 * the bytes: one per page each buffer touches on sim, one for a buffer
 * inside a shared-memory block, one for a buffer that bounces (the bus
 * cannot reach it: sim:iommu=no with a 32-bit registration; the bytes are
 * copied into a bounce area now). write_to_device non-zero (a send): the
 * device may only read the list's bytes. The device reaches exactly the
 * listed bytes until ndisdma_packet_sg_free. Thread-safe for distinct
 * packets; call at most DISPATCH_LEVEL (the host's thread normally runs at
 * PASSIVE_LEVEL).
 * Returns 0; -EINVAL (unknown adapter, NULL packet, a packet without
 * bytes); -ENOTSUP (no NdisMInitializeScatterGatherDma: reported
 * "sg.no-registration"); -EMSGSIZE (the packet is longer than
 * MaximumPhysicalMapping and "sg.too-long" is in mode fail; in the
 * default mode it is reported and the list built, as the HAL does); -EBUSY (the
 * packet already carries a live list); -ENOMEM (memory, device address space or
 * bounce space: not reported). On failure the per-packet slot is left
 * as it was and nothing is mapped. */
int ndisdma_packet_sg_build(ndisdma_adapter *ad, struct _NDIS_PACKET *packet,
			    int write_to_device);
/* After the send (or transfer) completed - NdisMSendComplete, or the
 * packet's return - free the list in the packet's
 * ScatterGatherListPacketInfo: unmap it, copy bytes the device wrote
 * into a bounce area back into the buffers (write_to_device 0), free it,
 * and clear the slot. Returns 0; -EINVAL (unknown adapter, NULL);
 * -ENOENT (no live list in the slot: freed twice or never built,
 * reported "sg.double-free"); -EXDEV (the slot holds another packet's
 * list: reported "sg.free-wrong-buffer", nothing freed). A list never
 * freed is reclaimed and reported at halt ("halt.leak-sglist"). */
int ndisdma_packet_sg_free(ndisdma_adapter *ad, struct _NDIS_PACKET *packet);

/* ---------------- verifier ---------------- */

/* How many reports of rule `rule_id` this process has made (NULL: all
 * rules together). An unknown id counts 0. Rule ids: docs/verifier.md. */
unsigned long ndisdma_verifier_count(const char *rule_id);

/* Where one-line reports go: a stream (default stderr), or NULL for
 * nowhere (they are still counted). Returns the previous stream. */
FILE *ndisdma_verifier_set_output(FILE *out);

/* Check the guard bytes around every shared-memory block of the adapter
 * now (they are also checked at each free and at halt), reporting each
 * damaged block (rules shm.guard-underrun / shm.guard-overrun). Returns
 * how many blocks are damaged, or -EINVAL. */
long ndisdma_verifier_check(ndisdma_adapter *ad);

/* Zero all counts (for tests). */
void ndisdma_verifier_reset_counts(void);

/* What a rule does when it fires (each rule records what Windows' ndis.sys
 * does with the misuse: docs/verifier.md, column "Windows does"):
 * REPORT (default) - one line on the report stream, counted, then the call
 *                    behaves as ndis.sys does: it goes on where Windows
 *                    lets it (ignores the field, clamps, defers, frees what
 *                    was passed), fails where Windows fails, and is refused
 *                    where Windows bug-checks;
 * FAIL             - the line, counted, and the call fails the documented
 *                    way (NULL, NDIS_STATUS_...) even where Windows lets it
 *                    through: the strict mode;
 * ABORT            - the line, then abort(): Driver Verifier's bug check.
 * In no mode does ndisdma let a misused call corrupt its own state. */
enum ndisdma_verify_mode {
	NDISDMA_VERIFY_REPORT = 0,
	NDISDMA_VERIFY_FAIL = 1,
	NDISDMA_VERIFY_ABORT = 2,
};

/* Set the mode of the rules `pattern` names: an id ("shm.double-free"), a
 * family ("shm.*") or every rule ("*"). Returns how many rules it set, or
 * -EINVAL (NULL, a mode out of range) or -ENOENT (no rule matches).
 * The environment variable NDISDMA_VERIFY sets modes at start-up:
 * "pattern=mode,..." with mode report|fail|abort, e.g.
 * NDISDMA_VERIFY="*=report,device.*=abort" (later items win). */
int ndisdma_verifier_set_mode(const char *pattern,
			      enum ndisdma_verify_mode mode);

/* ---------------- fault injection ---------------- */

/* Allocation points that can be made to fail. ANY counts every kind. */
enum ndisdma_fault_kind {
	NDISDMA_FAULT_SHM = 0,	     /* NdisMAllocateSharedMemory */
	NDISDMA_FAULT_SHM_ASYNC = 1, /* NdisMAllocateSharedMemoryAsync(Ex) */
	NDISDMA_FAULT_MAPREG = 2,    /* NdisMAllocateMapRegisters */
	NDISDMA_FAULT_POOL = 3,	     /* pools, NBL contexts, retreat MDLs */
	NDISDMA_FAULT_MEM = 4,	     /* NdisAllocateMemory* */
	NDISDMA_FAULT_ANY = 5,
	NDISDMA_FAULT_KINDS = 6,
};

/* Fail the n-th allocation of `kind` from now (n >= 1; 0 disarms). The
 * failure is the documented one (NULL / address 0, NDIS_STATUS_RESOURCES).
 * Returns 0 or -EINVAL. */
int ndisdma_fault_nth(enum ndisdma_fault_kind kind, unsigned long n);
/* Fail each allocation of `kind` with probability p (0..1), from a
 * deterministic generator seeded with `seed`. Returns 0 or -EINVAL. */
int ndisdma_fault_random(enum ndisdma_fault_kind kind, double p, uint64_t seed);
/* How many allocations of `kind` this process has made (including
 * injected failures), and how many were failed by injection. */
unsigned long ndisdma_fault_seen(enum ndisdma_fault_kind kind);
unsigned long ndisdma_fault_injected(enum ndisdma_fault_kind kind);
/* Disarm everything. The environment variable NDISDMA_FAULT arms at
 * start-up: "kind=N" or "kind=p:P[:SEED]" items separated by commas, kind
 * one of shm, shm-async, mapreg, pool, mem, any (e.g. "shm=3",
 * "any=p:0.05:42"). */
void ndisdma_fault_reset(void);

/* The sweep harness: load `entry`, then for k = 1..N (N = the allocations
 * a clean start of the driver on `uri` makes) start an adapter with the
 * k-th allocation failed, and halt it if it started. A run is clean when
 * the start failed with nothing left to reclaim, or started and halted
 * with nothing to reclaim. Fills *points (N) and *dirty (runs that were
 * not clean). Returns 0 when every run was clean, 1 when some were not,
 * or a negative errno (the clean start itself failed). */
int ndisdma_fault_sweep(ndisdma_driver_entry entry, const char *name,
			const char *uri, unsigned long *points,
			unsigned long *dirty);

#ifdef __cplusplus
}
#endif

/* ndisdma_packet_alloc_bulk inline (unless NDISDMA_NO_INLINE) */
#include <ndisdma/bulk_inline.h>

#pragma GCC visibility pop
#endif
