/* SPDX-License-Identifier: MIT */
/*
 * host.h - the threads that run a hosted miniport's deferred work: per
 * adapter, a DPC thread (deferred calls, at DISPATCH_LEVEL), a timer
 * thread (timer functions, at DISPATCH_LEVEL) and a work thread (work
 * items, at PASSIVE_LEVEL), all started on first use
 * and stopped by halt before the adapter is freed; the serialization of a
 * serialized miniport; the interrupt thread (interrupt.c).
 *
 * Lock order: nd_serial_enter (the adapter's serialization) before any
 * host lock; never wait on a host lock while holding a driver's spin lock
 * the host thread may need.
 */
#ifndef NDISDMA_HOST_H
#define NDISDMA_HOST_H

#include "core.h"

struct nd_adapter;
struct nd_host;

/* Serialization: between nd_serial_enter and nd_serial_leave the calling
 * thread may call a handler of a serialized miniport; NDIS never runs two
 * of its handlers (send, OID, DPC, timer, return-packet, check-for-hang,
 * reset) at once. No-op for a deserialized miniport
 * (NDIS_ATTRIBUTE_DESERIALIZE). Recursive on one thread. A leave matches
 * the enter of the same thread even if the attributes changed in between.
 * Cannot fail. */
void nd_serial_enter(struct nd_adapter *ad);
void nd_serial_leave(struct nd_adapter *ad);
/* True when the calling thread is inside nd_serial_enter of a serialized
 * adapter. */
bool nd_serial_mine(struct nd_adapter *ad);
/* True when the adapter is serialized (not NDIS_ATTRIBUTE_DESERIALIZE). */
bool nd_serialized(const struct nd_adapter *ad);

/* Run fn(ad, arg) on the adapter's DPC thread at DISPATCH_LEVEL
 * (serialized for a serialized miniport), in queue order. The thread's
 * context names the adapter (callback ND_CB_DPC). 0, or -ENOMEM (no
 * memory, the thread could not start) / -ESHUTDOWN (the adapter halts:
 * fn is never called) / -EINVAL (ad or fn NULL). Every fn queued before
 * halt began has run when MiniportHalt is called. */
int nd_dpc_queue(struct nd_adapter *ad, void (*fn)(struct nd_adapter *, void *),
		 void *arg);
/* Run fn(ad, arg) on the adapter's work thread at PASSIVE_LEVEL
 * (callback ND_CB_WORK; not serialized). Same errors and guarantees. */
int nd_work_queue(struct nd_adapter *ad,
		  void (*fn)(struct nd_adapter *, void *), void *arg);

/* True when the calling thread is one of the runtime's threads (a DPC,
 * work, timer or interrupt thread of any adapter, or the process-wide
 * ones). ndisdma_adapter_halt refuses to run there. */
bool nd_host_thread(void);
/* Mark the calling thread as a runtime thread of ad (interrupt threads
 * call it first). Cannot fail. */
void nd_host_mark_thread(struct nd_adapter *ad);

/* ---- internal: for core's adapter lifecycle and src/ndis ---- */

/* A deferred call that lives in its owner's memory (a KDPC): queued at
 * most once at a time. */
struct nd_dpc {
	struct nd_dpc *next;
	void (*fn)(struct nd_adapter *, void *);
	void *arg;
	bool queued;   /* on a queue now */
	bool owned;    /* allocated by nd_dpc_queue / nd_work_queue */
	bool serial;   /* run inside nd_serial_enter / leave */
	bool external; /* queued by the host (counted for the halt drain) */
	int callback;  /* ND_CB_* the thread context says while it runs */
	/* optional: called (host lock held) when halt drops the call
	 * unrun; must not take host locks */
	void (*drop)(struct nd_dpc *);
};

/* Create the adapter's host state (no thread yet): 0 or -ENOMEM. Called
 * by ndisdma_adapter_start before MiniportInitialize. */
int nd_host_create(struct nd_adapter *ad);
/* Halt begins: nd_dpc_queue / nd_work_queue refuse from now on, and this
 * waits until every call they queued has run. Cannot fail. */
void nd_host_quiesce(struct nd_adapter *ad);
/* After MiniportHalt (or a failed MiniportInitialize): deregister the
 * interrupt, cancel the timers and drop the work items the driver left
 * (each reported: halt.leak-interrupt / halt.leak-timer /
 * halt.leak-workitem), stop and join every thread of the adapter.
 * Returns how many leaks. Must not run on a host thread. */
long nd_host_stop(struct nd_adapter *ad);
/* Free the host state (threads already stopped). Cannot fail. */
void nd_host_destroy(struct nd_adapter *ad);

/* Queue a deferred call on the DPC thread (dpc_thread true) or the work
 * thread of `ad`'s host, or of the process-wide host when ad is NULL.
 * Returns true when queued, false when it already was (KeInsertQueueDpc)
 * or the thread could not start (then *err is -ENOMEM). */
bool nd_host_insert(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread,
		    int *err);
/* Remove a queued deferred call; true when it was queued. */
bool nd_host_remove(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread);
/* Wait until d is neither queued nor running (not on the thread that runs
 * it: returns at once there). */
void nd_host_flush(struct nd_adapter *ad, struct nd_dpc *d, bool dpc_thread);

/* ---- timers (timer.c drives them; the timer thread fires them) ---- */

/* Look up or create the record of a timer whose storage is `storage`,
 * owned by `ad` (NULL: the process-wide host). fn is called at
 * DISPATCH_LEVEL on the timer thread as fn(storage, ctx, NULL, NULL).
 * miniport: serialized callbacks (NdisMInitializeTimer). Returns 0, 1 (a
 * re-init of a timer that was set: cancelled first) or -ENOMEM. */
int nd_timer_init(void *storage, struct nd_adapter *ad, struct nd_driver *drv,
		  bool miniport, void (*fn)(PVOID, PVOID, PVOID, PVOID),
		  PVOID ctx, const void *site);
/* Set (replace any pending expiry): first expiry in due_ms, then every
 * period_ms (0: once). Returns 0, or -ENOENT (never initialized). */
int nd_timer_set(void *storage, unsigned due_ms, unsigned period_ms);
/* Cancel: 1 when it was set (dequeued), 0 when not, -ENOENT when never
 * initialized. Does not wait for a running callback. */
int nd_timer_cancel(void *storage);
/* The adapter a timer belongs to (NULL: none or unknown). */
struct nd_adapter *nd_timer_adapter(void *storage);

/* ---- the interrupt (interrupt.c) ---- */

/* Connect the adapter's interrupt (storage: the driver's
 * NDIS_MINIPORT_INTERRUPT); call_isr: MiniportISR is called, else
 * MiniportDisableInterrupt / EnableInterrupt around the DPC. Returns 0,
 * -EEXIST (the adapter has one), -ENOTSUP (the bus has no interrupt;
 * ndisdma_last_error says why), -ENOMEM, or the bus's errno. */
int nd_intr_register(struct nd_adapter *ad, PNDIS_MINIPORT_INTERRUPT storage,
		     bool call_isr, const void *site);
/* Disconnect: 0, or -ENOENT (no registered interrupt there). Waits for
 * the ISR and DPC (not for one the caller is inside of). */
int nd_intr_deregister(PNDIS_MINIPORT_INTERRUPT storage);
/* Run fn(ctx) at DIRQL under the interrupt's lock; *ret its value.
 * 0, or -ENOENT (no registered interrupt there: fn ran at DIRQL without
 * a lock). */
int nd_intr_sync(PNDIS_MINIPORT_INTERRUPT storage, BOOLEAN (*fn)(PVOID),
		 PVOID ctx, BOOLEAN *ret);
/* The adapter of a registered interrupt, or NULL. */
struct nd_adapter *nd_intr_adapter(PNDIS_MINIPORT_INTERRUPT storage);
/* Counters of the adapter's newest interrupt: interrupts delivered,
 * MiniportISR calls, MiniportHandleInterrupt calls. 0 or -ENOENT. */
int nd_intr_counts(struct nd_adapter *ad, unsigned long *interrupts,
		   unsigned long *isr_calls, unsigned long *dpc_calls);
/* Called by nd_host_stop: deregister a forgotten interrupt (reported:
 * halt.leak-interrupt). Returns 1 when there was one, else 0. */
long nd_intr_halt(struct nd_adapter *ad);
/* Called by nd_host_destroy: free the adapter's interrupt records. */
void nd_intr_destroy(struct nd_adapter *ad);

/* ---- work items (work.c) ---- */
/* Forget a dropped work item's queued mark (nd_dpc.drop of a work
 * item). */
void nd_work_dropped(struct nd_dpc *d);

#endif
