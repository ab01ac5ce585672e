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
	const void *site;
	struct nd_res res; /* tracked on the adapter (intr_res_ops) */
};

static const struct nd_res_ops intr_res_ops;
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
	c->HandleInterruptHandler(ad->context);
	if (!is_registered(in))
		return; /* deregistered from inside the DPC */
	/* NDIS calls MiniportEnableInterrupt after every HandleInterrupt
	 * (a driver may instead re-enable in the DPC and register none); it
	 * runs at DISPATCH_LEVEL and may be preempted by the ISR */
	if (c->EnableInterruptHandler)
		c->EnableInterruptHandler(ad->context);
	unmask(in);
}

static void deliver(struct nd_intr *in)
{
	struct nd_adapter *ad = in->ad;
	NDIS_MINIPORT_CHARACTERISTICS *c = &ad->drv->chars5;
	BOOLEAN recognized = FALSE, queue = FALSE;
	struct nd_cb_save s;
	nd_cb_enter(&s, ad->drv, ad, ND_CB_ISR, DIRQL);
	isr_lock(in);
	if (in->call_isr) {
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
		if (nd_host_insert(ad, &in->dpc, true, &err) || !err)
			return; /* queued now, or already queued: it unmasks */
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
	if (nd_host_ensure(ad)) /* halt stops the interrupt through it */
		return -ENOMEM;
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
	nd_adapter_track(ad, &in->res, &intr_res_ops, site);
	pthread_mutex_lock(&intr_lock);
	int prc = pthread_create(&in->thread, NULL, intr_main, in);
	if (prc)
		in->registered = false;
	else
		in->thread_running = true;
	pthread_mutex_unlock(&intr_lock);
	if (prc)
		return -ENOMEM;
	/* a line already asserted delivers now that someone listens */
	unmask(in);
	return 0;
}

/* Stop the interrupt `in` (registered: cleared by the caller). */
static void stop(struct nd_intr *in)
{
	/* one caller claims the join; from the interrupt thread itself (an
	 * ISR deregistering) the thread ends on its own and halt joins it */
	pthread_mutex_lock(&intr_lock);
	bool running = in->thread_running;
	pthread_t th = in->thread;
	bool join = running && !pthread_equal(th, pthread_self());
	if (join)
		in->thread_running = false;
	pthread_mutex_unlock(&intr_lock);
	if (running) {
		uint64_t one = 1;
		if (write(in->stop_fd, &one, sizeof(one)) != sizeof(one)) {
			/* an eventfd counter cannot overflow here */
		}
	}
	if (join)
		pthread_join(th, NULL);
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
	if (!in) {
		*ret = FALSE;
		return -ENOENT;
	}
	KIRQL old = nd_self()->irql;
	if (old < DIRQL)
		nd_self()->irql = DIRQL;
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

/* Halt step 3: the thread and the DPC stop (the record stays). */
static void intr_res_stop(struct nd_res *r)
{
	stop(nd_container_of(r, struct nd_intr, res));
}

/* After the drain: an interrupt the driver left registered is reported
 * and deregistered. */
static long intr_res_reclaim(struct nd_res *r)
{
	struct nd_intr *in = nd_container_of(r, struct nd_intr, res);
	pthread_mutex_lock(&intr_lock);
	bool leaked = in->registered;
	in->registered = false;
	pthread_mutex_unlock(&intr_lock);
	stop(in); /* a no-op after step 3 */
	if (!leaked)
		return 0;
	nd_report(ND_RULE_HALT_LEAK_INTERRUPT, in->ad, (uintptr_t)in->storage,
		  0, in->site,
		  "interrupt %p still registered after MiniportHalt "
		  "(NdisMDeregisterInterrupt missing); deregistered",
		  (void *)in->storage);
	return 1;
}

static void intr_res_destroy(struct nd_res *r)
{
	struct nd_intr *in = nd_container_of(r, struct nd_intr, res);
	pthread_mutex_lock(&intr_lock);
	for (struct nd_intr **pp = &intr_list; *pp; pp = &(*pp)->next)
		if (*pp == in) {
			*pp = in->next;
			break;
		}
	pthread_mutex_unlock(&intr_lock);
	close(in->stop_fd);
	pthread_mutex_destroy(&in->lock);
	free(in);
}

static const struct nd_res_ops intr_res_ops = {
    .name = "interrupt",
    .order = ND_RES_ORDER_INTERRUPT,
    .stop = intr_res_stop,
    .reclaim_all = intr_res_reclaim,
    .destroy = intr_res_destroy,
};
