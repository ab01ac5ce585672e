/* SPDX-License-Identifier: MIT */
/*
 * intr.c - the interrupt of a hosted NDIS 5 miniport: an interrupt thread
 * woken by the bus calls MiniportISR (or MiniportDisableInterrupt) at
 * DIRQL under the interrupt's lock, queues MiniportHandleInterrupt as a
 * DPC on the adapter's DPC thread, and unmasks the line after it.
 *
 * Records live until the adapter is destroyed (a deregistered one stays
 * as a tombstone), so a DPC that deregisters its own interrupt, or a
 * driver that calls NdisMDeregisterInterrupt twice, never touches freed
 * memory.
 */
#include "host.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct nd_intr {
	struct nd_intr *next; /* intr_list */
	PNDIS_MINIPORT_INTERRUPT storage;
	struct nd_adapter *ad;
	bool registered;
	bool call_isr; /* RequestIsr or SharedInterrupt */
	int bus_fd, stop_fd;
	pthread_t thread;
	bool thread_running;
	pthread_mutex_t lock; /* the interrupt spin lock (DIRQL) */
	struct nd_dpc dpc;
	_Atomic bool unmask_after_dpc;
	const void *site;
	_Atomic unsigned long interrupts, isr_calls, dpc_calls;
};

static pthread_mutex_t intr_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nd_intr *intr_list;
static _Thread_local struct nd_intr *tl_held; /* interrupt lock held */

/* intr_lock held */
static struct nd_intr *find_storage(const void *storage)
{
	for (struct nd_intr *in = intr_list; in; in = in->next)
		if (in->storage == storage && in->registered)
			return in;
	return NULL;
}

static void isr_lock(struct nd_intr *in)
{
	pthread_mutex_lock(&in->lock);
	tl_held = in;
}

static void isr_unlock(struct nd_intr *in)
{
	tl_held = NULL;
	pthread_mutex_unlock(&in->lock);
}

static bool isr_lock_mine(struct nd_intr *in)
{
	return tl_held == in;
}

static bool is_registered(struct nd_intr *in)
{
	pthread_mutex_lock(&intr_lock);
	bool reg = in->registered;
	pthread_mutex_unlock(&intr_lock);
	return reg;
}

static void unmask(struct nd_intr *in)
{
	struct bus *b = in->ad->bus;
	if (b->ops->irq_unmask)
		b->ops->irq_unmask(b);
}

/* MiniportHandleInterrupt, on the DPC thread at DISPATCH_LEVEL (the
 * thread context and serialization are set by the host). */
static void intr_dpc(struct nd_adapter *ad, void *arg)
{
	struct nd_intr *in = arg;
	NDIS_MINIPORT_CHARACTERISTICS *c = &ad->drv->chars5;
	if (!is_registered(in))
		return; /* deregistered while it waited */
	atomic_fetch_add(&in->dpc_calls, 1);
	atomic_store(&in->unmask_after_dpc, false);
	c->HandleInterruptHandler(ad->context);
	if (!is_registered(in))
		return; /* deregistered from inside the DPC */
	if (!in->call_isr && c->EnableInterruptHandler) {
		KIRQL old;
		KeRaiseIrql(DIRQL, &old);
		isr_lock(in);
		c->EnableInterruptHandler(ad->context);
		isr_unlock(in);
		KeLowerIrql(old);
	}
	unmask(in);
}

static void deliver(struct nd_intr *in)
{
	struct nd_adapter *ad = in->ad;
	NDIS_MINIPORT_CHARACTERISTICS *c = &ad->drv->chars5;
	BOOLEAN recognized = FALSE, queue = FALSE;
	atomic_fetch_add(&in->interrupts, 1);
	struct nd_cb_save s;
	nd_cb_enter(&s, ad->drv, ad, ND_CB_ISR, DIRQL);
	isr_lock(in);
	if (in->call_isr) {
		atomic_fetch_add(&in->isr_calls, 1);
		c->ISRHandler(&recognized, &queue, ad->context);
	} else {
		if (c->DisableInterruptHandler)
			c->DisableInterruptHandler(ad->context);
		recognized = queue = TRUE;
	}
	isr_unlock(in);
	nd_cb_leave(&s);
	if (queue) {
		int err = 0;
		atomic_store(&in->unmask_after_dpc, true);
		if (nd_host_insert(ad, &in->dpc, true, &err) || !err)
			return; /* queued now, or already queued: it unmasks */
		atomic_store(&in->unmask_after_dpc, false);
	}
	unmask(in);
}

static void *intr_main(void *p)
{
	struct nd_intr *in = p;
	struct bus *b = in->ad->bus;
	nd_host_mark_thread(in->ad);
	struct pollfd fds[2] = {{.fd = in->bus_fd, .events = POLLIN},
				{.fd = in->stop_fd, .events = POLLIN}};
	for (;;) {
		int rc = poll(fds, 2, -1);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			break;
		if ((fds[0].revents & POLLIN) && b->ops->irq_wait(b, 0) == 1)
			deliver(in);
	}
	return NULL;
}

int nd_intr_register(struct nd_adapter *ad, PNDIS_MINIPORT_INTERRUPT storage,
		     bool call_isr, const void *site)
{
	struct bus *b = ad->bus;
	if (!b->ops->irq_fd || !b->ops->irq_wait) {
		nd_set_error("%s: the %s bus delivers no interrupts", ad->name,
			     b->info.kind);
		return -ENOTSUP;
	}
	pthread_mutex_lock(&intr_lock);
	for (struct nd_intr *o = intr_list; o; o = o->next)
		if (o->ad == ad && o->registered) {
			pthread_mutex_unlock(&intr_lock);
			return -EEXIST;
		}
	pthread_mutex_unlock(&intr_lock);
	int fd;
	int rc = b->ops->irq_fd(b, &fd);
	if (rc) {
		nd_set_error("%s: the device's interrupt cannot be set up "
			     "(errno %d)",
			     ad->name, -rc);
		return rc;
	}
	/* interrupts that came before registration are not ours to see */
	while (b->ops->irq_wait(b, 0) == 1)
		;
	struct nd_intr *in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->stop_fd < 0) {
		free(in);
		return -ENOMEM;
	}
	in->storage = storage;
	in->ad = ad;
	in->call_isr = call_isr;
	in->bus_fd = fd;
	in->site = site;
	in->dpc.fn = intr_dpc;
	in->dpc.arg = in;
	in->dpc.serial = true;
	in->dpc.callback = ND_CB_DPC;
	pthread_mutex_init(&in->lock, NULL);
	in->registered = true;
	pthread_mutex_lock(&intr_lock);
	in->next = intr_list;
	intr_list = in;
	pthread_mutex_unlock(&intr_lock);
	if (pthread_create(&in->thread, NULL, intr_main, in)) {
		pthread_mutex_lock(&intr_lock);
		in->registered = false;
		pthread_mutex_unlock(&intr_lock);
		return -ENOMEM;
	}
	in->thread_running = true;
	/* a line already asserted delivers now that someone listens */
	unmask(in);
	return 0;
}

/* Stop the interrupt `in` (registered: cleared by the caller). */
static void stop(struct nd_intr *in)
{
	if (in->thread_running) {
		uint64_t one = 1;
		if (write(in->stop_fd, &one, sizeof(one)) != sizeof(one)) {
			/* an eventfd counter cannot overflow here */
		}
		if (!pthread_equal(in->thread, pthread_self())) {
			pthread_join(in->thread, NULL);
			pthread_mutex_lock(&intr_lock);
			in->thread_running = false;
			pthread_mutex_unlock(&intr_lock);
		}
	}
	nd_host_remove(in->ad, &in->dpc, true);
	/* a DPC that waits for the serialization this thread holds would
	 * wait forever: it sees the interrupt gone and returns instead */
	if (!nd_serial_mine(in->ad))
		nd_host_flush(in->ad, &in->dpc, true);
}

int nd_intr_deregister(PNDIS_MINIPORT_INTERRUPT storage)
{
	pthread_mutex_lock(&intr_lock);
	struct nd_intr *in = find_storage(storage);
	if (in)
		in->registered = false;
	pthread_mutex_unlock(&intr_lock);
	if (!in)
		return -ENOENT;
	stop(in);
	return 0;
}

int nd_intr_sync(PNDIS_MINIPORT_INTERRUPT storage, BOOLEAN (*fn)(PVOID),
		 PVOID ctx, BOOLEAN *ret)
{
	pthread_mutex_lock(&intr_lock);
	struct nd_intr *in = find_storage(storage);
	pthread_mutex_unlock(&intr_lock);
	KIRQL old = KeGetCurrentIrql();
	if (old < DIRQL)
		nd_self()->irql = DIRQL;
	if (!in) {
		*ret = fn(ctx);
		nd_self()->irql = old;
		return -ENOENT;
	}
	if (isr_lock_mine(in)) {
		*ret = fn(ctx);
	} else {
		isr_lock(in);
		*ret = fn(ctx);
		isr_unlock(in);
	}
	nd_self()->irql = old;
	return 0;
}

struct nd_adapter *nd_intr_adapter(PNDIS_MINIPORT_INTERRUPT storage)
{
	pthread_mutex_lock(&intr_lock);
	struct nd_intr *in = find_storage(storage);
	struct nd_adapter *ad = in ? in->ad : NULL;
	pthread_mutex_unlock(&intr_lock);
	return ad;
}

int nd_intr_counts(struct nd_adapter *ad, unsigned long *interrupts,
		   unsigned long *isr_calls, unsigned long *dpc_calls)
{
	int rc = -ENOENT;
	pthread_mutex_lock(&intr_lock);
	for (struct nd_intr *in = intr_list; in; in = in->next)
		if (in->ad == ad) {
			*interrupts = atomic_load(&in->interrupts);
			*isr_calls = atomic_load(&in->isr_calls);
			*dpc_calls = atomic_load(&in->dpc_calls);
			rc = 0;
			break; /* the newest */
		}
	pthread_mutex_unlock(&intr_lock);
	return rc;
}

long nd_intr_halt(struct nd_adapter *ad)
{
	long n = 0;
	for (;;) {
		struct nd_intr *found = NULL;
		pthread_mutex_lock(&intr_lock);
		for (struct nd_intr *in = intr_list; in; in = in->next)
			if (in->ad == ad &&
			    (in->registered || in->thread_running)) {
				found = in;
				break;
			}
		bool leaked = found && found->registered;
		if (found)
			found->registered = false;
		pthread_mutex_unlock(&intr_lock);
		if (!found)
			break;
		if (leaked) {
			nd_report(ND_RULE_HALT_LEAK_INTERRUPT, ad,
				  (uintptr_t)found->storage, 0, found->site,
				  "interrupt %p still registered after "
				  "MiniportHalt (NdisMDeregisterInterrupt "
				  "missing); deregistered",
				  (void *)found->storage);
			n++;
		}
		/* also joins a thread left running by a deregistration from
		 * the interrupt thread itself */
		stop(found);
	}
	return n;
}

void nd_intr_destroy(struct nd_adapter *ad)
{
	pthread_mutex_lock(&intr_lock);
	for (struct nd_intr **pp = &intr_list; *pp;) {
		struct nd_intr *in = *pp;
		if (in->ad != ad) {
			pp = &in->next;
			continue;
		}
		*pp = in->next;
		close(in->stop_fd);
		pthread_mutex_destroy(&in->lock);
		free(in);
	}
	pthread_mutex_unlock(&intr_lock);
}
