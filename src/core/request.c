/* SPDX-License-Identifier: MIT */
/*
 * request.c - the host side of a hosted NDIS 5.x miniport's OID requests
 * (one outstanding at a time, as NDIS sends them), its start-up queries
 * and packet filter, reset, check-for-hang, shutdown handler and error
 * log, and the data path's life: created before MiniportInitialize,
 * started after it, stopped before MiniportHalt, destroyed after.
 */
#include "datapath.h"
#include "host.h"
#include "mapping.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned env_ms(const char *name, unsigned dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;
	return s && *s && !*end ? (unsigned)v : dflt;
}

static void deadline(struct timespec *t, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static int errno_of(NDIS_STATUS st)
{
	switch (st) {
	case NDIS_STATUS_SUCCESS:
		return 0;
	case NDIS_STATUS_NOT_SUPPORTED:
	case NDIS_STATUS_INVALID_OID:
	case NDIS_STATUS_NOT_RECOGNIZED:
		return -EOPNOTSUPP;
	case NDIS_STATUS_INVALID_LENGTH:
	case NDIS_STATUS_BUFFER_TOO_SHORT:
		return -EMSGSIZE;
	case NDIS_STATUS_INVALID_DATA:
		return -EINVAL;
	case NDIS_STATUS_RESOURCES:
		return -ENOMEM;
	case NDIS_STATUS_RESET_IN_PROGRESS:
		return -EBUSY;
	default:
		return -EIO;
	}
}

/* ---------------- requests ---------------- */

int nd_dp_request(struct nd_adapter *ad, bool set, NDIS_OID oid, void *buf,
		  ULONG len, ULONG *written, NDIS_STATUS *out_st)
{
	struct nd_dp *dp = nd_dp_of(ad);
	struct nd_driver *d = ad->drv;
	*out_st = NDIS_STATUS_NOT_SUPPORTED;
	if (written)
		*written = 0;
	if (d->ndis_major == 6 ||
	    !(set ? (void *)d->chars5.SetInformationHandler
		  : (void *)d->chars5.QueryInformationHandler))
		return -EOPNOTSUPP;
	struct nd_oid_req *rq = calloc(1, sizeof(*rq));
	void *copy = calloc(1, len ? len : 1);
	if (!rq || !copy) {
		free(rq);
		free(copy);
		*out_st = NDIS_STATUS_RESOURCES;
		return -ENOMEM;
	}
	if (set && len)
		memcpy(copy, buf, len);
	rq->set = set;
	rq->oid = oid;
	rq->buf = copy;
	rq->len = len;
	unsigned ms = env_ms("NDISDMA_OID_WAIT_MS", 10000);
	struct timespec until;
	deadline(&until, ms);

	/* one request at a time */
	pthread_mutex_lock(&dp->lock);
	int rc = 0;
	while ((dp->req || dp->resetting) && !dp->stopping && rc == 0)
		rc = pthread_cond_timedwait(&dp->cond, &dp->lock, &until);
	if (dp->stopping || rc) {
		pthread_mutex_unlock(&dp->lock);
		free(copy);
		free(rq);
		*out_st = NDIS_STATUS_REQUEST_ABORTED;
		return rc ? -ETIMEDOUT : -ESHUTDOWN;
	}
	dp->req = rq;
	dp->ctr.oid_requests++;
	pthread_mutex_unlock(&dp->lock);

	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	nd_serial_enter(ad);
	if (set)
		ND_DP_CALL(ad, DISPATCH_LEVEL,
			   st = d->chars5.SetInformationHandler(
			       ad->context, oid, copy, len, &rq->written,
			       &rq->needed));
	else
		ND_DP_CALL(ad, DISPATCH_LEVEL,
			   st = d->chars5.QueryInformationHandler(
			       ad->context, oid, copy, len, &rq->written,
			       &rq->needed));
	nd_serial_leave(ad);

	pthread_mutex_lock(&dp->lock);
	if (st != NDIS_STATUS_PENDING) {
		if (rq->done)
			nd_report(ND_RULE_OID_COMPLETE_TWICE, ad, oid, 0, NULL,
				  "OID 0x%08x: the %s handler returned 0x%08x "
				  "and also completed the request with "
				  "NdisM%sInformationComplete",
				  (unsigned)oid, set ? "set" : "query",
				  (unsigned)st, set ? "Set" : "Query");
		else
			rq->status = st;
		rq->done = true;
	}
	rc = 0;
	while (!rq->done && rc == 0)
		rc = pthread_cond_timedwait(&dp->cond, &dp->lock, &until);
	if (!rq->done) {
		/* the completion frees it when it comes */
		rq->abandoned = true;
		dp->last_status = NDIS_STATUS_REQUEST_ABORTED;
		pthread_mutex_unlock(&dp->lock);
		*out_st = NDIS_STATUS_REQUEST_ABORTED;
		return -ETIMEDOUT;
	}
	dp->req = NULL;
	dp->req_completed_once = true;
	dp->last_status = rq->status;
	pthread_cond_broadcast(&dp->cond);
	pthread_mutex_unlock(&dp->lock);

	*out_st = rq->status;
	rc = errno_of(rq->status);
	if (!set && rc == 0 && buf && len)
		memcpy(buf, copy, rq->written < len ? rq->written : len);
	if (written)
		*written = rc == -EMSGSIZE
			       ? rq->needed
			       : (rq->written < len ? rq->written : len);
	free(copy);
	free(rq);
	return rc;
}

void nd_dp_request_complete(struct nd_adapter *ad, bool set, NDIS_STATUS st,
			    const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	const char *fn = set ? "NdisMSetInformationComplete"
			     : "NdisMQueryInformationComplete";
	pthread_mutex_lock(&dp->lock);
	struct nd_oid_req *rq = dp->req;
	if (!rq || rq->set != set || rq->done) {
		bool twice = rq ? rq->done : dp->req_completed_once;
		pthread_mutex_unlock(&dp->lock);
		if (twice)
			nd_report(ND_RULE_OID_COMPLETE_TWICE, ad, 0, 0, site,
				  "%s: the request was completed already; "
				  "ignored",
				  fn);
		else
			nd_report(ND_RULE_OID_COMPLETE_NO_REQUEST, ad, 0, 0,
				  site, "%s: no %s request is pending; ignored",
				  fn, set ? "set" : "query");
		return;
	}
	rq->status = st;
	rq->done = true;
	rq->completed_by_call = true;
	if (rq->abandoned) {
		dp->req = NULL;
		dp->req_completed_once = true;
		dp->last_status = st;
		free(rq->buf);
		free(rq);
	}
	pthread_cond_broadcast(&dp->cond);
	pthread_mutex_unlock(&dp->lock);
}

static struct nd_dp *running_dp(ndisdma_adapter *h, struct nd_adapter **out)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	*out = ad;
	return ad ? nd_dp_of(ad) : NULL;
}

int ndisdma_adapter_query(ndisdma_adapter *h, uint32_t oid, void *buf,
			  size_t len, size_t *written)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (written)
		*written = 0;
	if (!dp || (!buf && len) || len > 0xFFFFFFFFu)
		return -EINVAL;
	if (atomic_load(&ad->state) != AD_RUNNING)
		return -ESHUTDOWN;
	NDIS_STATUS st;
	ULONG w = 0;
	int rc = nd_dp_request(ad, false, oid, buf, (ULONG)len, &w, &st);
	if (written)
		*written = w;
	return rc;
}

int ndisdma_adapter_set(ndisdma_adapter *h, uint32_t oid, const void *buf,
			size_t len)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp || (!buf && len) || len > 0xFFFFFFFFu)
		return -EINVAL;
	if (atomic_load(&ad->state) != AD_RUNNING)
		return -ESHUTDOWN;
	NDIS_STATUS st;
	int rc =
	    nd_dp_request(ad, true, oid, (void *)buf, (ULONG)len, NULL, &st);
	if (rc == 0 && oid == OID_802_3_MULTICAST_LIST &&
	    len <= sizeof(dp->multicast)) {
		pthread_mutex_lock(&dp->lock);
		memcpy(dp->multicast, buf, len);
		dp->multicast_len = (uint32_t)len;
		pthread_mutex_unlock(&dp->lock);
	}
	return rc;
}

int32_t ndisdma_adapter_last_status(ndisdma_adapter *h)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp)
		return NDIS_STATUS_ADAPTER_NOT_FOUND;
	pthread_mutex_lock(&dp->lock);
	int32_t st = dp->last_status;
	pthread_mutex_unlock(&dp->lock);
	return st;
}

int ndisdma_adapter_link(ndisdma_adapter *h, struct ndisdma_link *out)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp || !out)
		return -EINVAL;
	pthread_mutex_lock(&dp->lock);
	*out = dp->link;
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

int ndisdma_adapter_counters(ndisdma_adapter *h, struct ndisdma_counters *out)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp || !out)
		return -EINVAL;
	pthread_mutex_lock(&dp->lock);
	*out = dp->ctr;
	out->tx_pending = dp->at_miniport;
	out->tx_queued = dp->q_len;
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

/* ---------------- start-up ---------------- */

static bool query_ulong(struct nd_adapter *ad, NDIS_OID oid, ULONG *v)
{
	NDIS_STATUS st;
	ULONG w = 0, val = 0;
	if (nd_dp_request(ad, false, oid, &val, sizeof(val), &w, &st) ||
	    w != sizeof(val))
		return false;
	*v = val;
	return true;
}

static void query_mac(struct nd_adapter *ad, NDIS_OID oid, uint8_t *mac)
{
	NDIS_STATUS st;
	ULONG w = 0;
	uint8_t m[6];
	if (!nd_dp_request(ad, false, oid, m, sizeof(m), &w, &st) && w == 6)
		memcpy(mac, m, 6);
}

/* Set the packet filter, lookahead and (when the program set one) the
 * multicast list, as a protocol does when it binds and NDIS does after
 * an addressing reset. Returns 0 or the request's -errno. */
static int set_filters(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	NDIS_STATUS st;
	ULONG la = dp->link.lookahead;
	ULONG filter = dp->link.packet_filter;
	int rc = nd_dp_request(ad, true, OID_GEN_CURRENT_LOOKAHEAD, &la,
			       sizeof(la), NULL, &st);
	if (rc && rc != -EOPNOTSUPP)
		return rc;
	if (dp->multicast_len) {
		unsigned char mc[sizeof(dp->multicast)];
		memcpy(mc, dp->multicast, dp->multicast_len);
		rc = nd_dp_request(ad, true, OID_802_3_MULTICAST_LIST, mc,
				   dp->multicast_len, NULL, &st);
		if (rc && rc != -EOPNOTSUPP)
			return rc;
	}
	rc = nd_dp_request(ad, true, OID_GEN_CURRENT_PACKET_FILTER, &filter,
			   sizeof(filter), NULL, &st);
	return rc == -EOPNOTSUPP ? 0 : rc;
}

static void hang_fn(PVOID storage, PVOID ctx, PVOID a, PVOID b);

int nd_dp_create(struct nd_adapter *ad)
{
	struct nd_dp *dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	pthread_mutex_init(&dp->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_cond_init(&dp->cond, &ca);
	pthread_condattr_destroy(&ca);
	dp->link.up = 1;
	dp->link.max_frame = 1500;
	dp->link.max_total = 1514;
	dp->batch = 1;
	ad->dp = dp;
	return 0;
}

int nd_dp_start(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	struct nd_driver *d = ad->drv;
	if (d->ndis_major == 6) /* the NDIS 6 data path is not hosted */
		return 0;
	ULONG v;
	struct ndisdma_link l = dp->link;
	if (query_ulong(ad, OID_GEN_MAXIMUM_FRAME_SIZE, &v) && v >= 46 &&
	    v <= 65536 - 14)
		l.max_frame = v;
	l.max_total = l.max_frame + 14;
	if (query_ulong(ad, OID_GEN_MAXIMUM_TOTAL_SIZE, &v) && v >= 60 &&
	    v <= 65536)
		l.max_total = v;
	if (query_ulong(ad, OID_GEN_LINK_SPEED, &v))
		l.speed_bps = (uint64_t)v * 100;
	if (query_ulong(ad, OID_GEN_MEDIA_CONNECT_STATUS, &v))
		l.up = v == NdisMediaStateConnected;
	query_mac(ad, OID_802_3_PERMANENT_ADDRESS, l.permanent_mac);
	query_mac(ad, OID_802_3_CURRENT_ADDRESS, l.current_mac);
	l.lookahead = l.max_frame;
	if (query_ulong(ad, OID_GEN_MAXIMUM_LOOKAHEAD, &v) && v &&
	    v < l.lookahead)
		l.lookahead = v;
	l.packet_filter = NDIS_PACKET_TYPE_DIRECTED |
			  NDIS_PACKET_TYPE_BROADCAST |
			  NDIS_PACKET_TYPE_MULTICAST;
	unsigned batch = 1;
	if (query_ulong(ad, OID_GEN_MAXIMUM_SEND_PACKETS, &v) && v)
		batch = v > 32 ? 32 : v;
	if (d->chars5.SendPacketsHandler && batch < 32 &&
	    !d->chars5.QueryInformationHandler)
		batch = 32;

	pthread_mutex_lock(&dp->lock);
	int rc = nd_frames_alloc(ad, dp, l.max_total);
	if (rc == 0) {
		dp->link = l;
		dp->batch = batch;
	}
	pthread_mutex_unlock(&dp->lock);
	if (rc)
		return rc;
	rc = set_filters(ad);
	if (rc) {
		nd_set_error("%s: the miniport refused the packet filter or "
			     "lookahead (NDIS_STATUS 0x%08x)",
			     ad->name, (unsigned)dp->last_status);
		return -EIO;
	}
	pthread_mutex_lock(&dp->lock);
	dp->started = true;
	pthread_mutex_unlock(&dp->lock);
	/* check-for-hang on its timer, every 2 s unless the miniport asked
	 * for another interval (NdisMSetAttributesEx) */
	if (d->chars5.CheckForHangHandler) {
		unsigned ms = ad->hang_seconds ? ad->hang_seconds * 1000 : 2000;
		ms = env_ms("NDISDMA_CHECK_FOR_HANG_MS", ms);
		if (nd_timer_init(dp->hang_storage, ad, d, true, hang_fn, ad,
				  NULL) >= 0 &&
		    nd_timer_set(dp->hang_storage, ms, ms) == 0)
			dp->hang_timer = true;
	}
	return 0;
}

/* ---------------- reset and check-for-hang ---------------- */

static void after_reset_fn(struct nd_adapter *ad, void *arg)
{
	(void)arg;
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	bool addressing = dp->reset_addressing;
	bool stopping = dp->stopping;
	pthread_mutex_unlock(&dp->lock);
	if (addressing && !stopping)
		set_filters(ad);
	nd_dp_kick(ad);
}

/* The reset is over: let sends and requests go on. dp->lock held. */
static void reset_done_locked(struct nd_adapter *ad, struct nd_dp *dp,
			      NDIS_STATUS st, BOOLEAN addressing)
{
	dp->resetting = false;
	dp->reset_done = true;
	dp->reset_status = st;
	dp->reset_addressing = addressing;
	pthread_cond_broadcast(&dp->cond);
	if (!dp->stopping)
		nd_work_queue(ad, after_reset_fn, NULL);
}

/* Call MiniportReset (the caller holds the serialization). Returns the
 * handler's status. */
static NDIS_STATUS reset_call(struct nd_adapter *ad, struct nd_dp *dp)
{
	BOOLEAN addressing = FALSE;
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	ND_DP_CALL(ad, DISPATCH_LEVEL,
		   st = ad->drv->chars5.ResetHandler(&addressing, ad->context));
	pthread_mutex_lock(&dp->lock);
	if (st != NDIS_STATUS_PENDING && dp->resetting)
		reset_done_locked(ad, dp, st, addressing);
	pthread_mutex_unlock(&dp->lock);
	return st;
}

static bool reset_begin_locked(struct nd_dp *dp)
{
	if (dp->resetting || dp->stopping || !dp->started)
		return false;
	dp->resetting = true;
	dp->reset_done = false;
	dp->ctr.resets++;
	return true;
}

static void hang_fn(PVOID storage, PVOID ctx, PVOID a, PVOID b)
{
	(void)storage, (void)a, (void)b;
	struct nd_adapter *ad = ctx;
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	bool skip = dp->resetting || dp->stopping;
	pthread_mutex_unlock(&dp->lock);
	if (skip)
		return;
	BOOLEAN hung = FALSE;
	ND_DP_CALL(ad, DISPATCH_LEVEL,
		   hung = ad->drv->chars5.CheckForHangHandler(ad->context));
	if (!hung)
		return;
	pthread_mutex_lock(&dp->lock);
	dp->ctr.hangs++;
	bool go = ad->drv->chars5.ResetHandler && reset_begin_locked(dp);
	pthread_mutex_unlock(&dp->lock);
	if (go)
		reset_call(ad, dp); /* timer callbacks run serialized */
}

void nd_dp_reset_complete(struct nd_adapter *ad, NDIS_STATUS st,
			  BOOLEAN addressing, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	if (!dp->resetting) {
		pthread_mutex_unlock(&dp->lock);
		nd_report(ND_RULE_RESET_COMPLETE_NO_RESET, ad, st, 0, site,
			  "NdisMResetComplete without a MiniportReset "
			  "pending; ignored");
		return;
	}
	reset_done_locked(ad, dp, st, addressing);
	pthread_mutex_unlock(&dp->lock);
}

int ndisdma_adapter_miniport_reset(ndisdma_adapter *h)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp)
		return -EINVAL;
	if (atomic_load(&ad->state) != AD_RUNNING)
		return -ESHUTDOWN;
	if (ad->drv->ndis_major == 6 || !ad->drv->chars5.ResetHandler)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&dp->lock);
	if (dp->stopping) {
		pthread_mutex_unlock(&dp->lock);
		return -ESHUTDOWN;
	}
	if (!reset_begin_locked(dp)) {
		pthread_mutex_unlock(&dp->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&dp->lock);
	nd_serial_enter(ad);
	reset_call(ad, dp);
	nd_serial_leave(ad);
	struct timespec until;
	deadline(&until, env_ms("NDISDMA_OID_WAIT_MS", 10000));
	pthread_mutex_lock(&dp->lock);
	int rc = 0;
	while (dp->resetting && rc == 0)
		rc = pthread_cond_timedwait(&dp->cond, &dp->lock, &until);
	if (dp->resetting) {
		pthread_mutex_unlock(&dp->lock);
		return -ETIMEDOUT;
	}
	NDIS_STATUS st = dp->reset_status;
	dp->last_status = st;
	pthread_mutex_unlock(&dp->lock);
	return st == NDIS_STATUS_SUCCESS ? 0 : -EIO;
}

/* ---------------- shutdown handler and error log ---------------- */

static void shutdown_reclaim(struct nd_res *r)
{
	struct nd_adapter *ad = r->owner;
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp)
		return;
	pthread_mutex_lock(&dp->lock);
	dp->shutdown = NULL;
	dp->shutdown_tracked = false;
	pthread_mutex_unlock(&dp->lock);
}

static const struct nd_res_ops shutdown_ops = {
    .name = "adapter shutdown handler (NdisMRegisterAdapterShutdownHandler)",
    .reclaim = shutdown_reclaim,
};

void nd_dp_shutdown_register(struct nd_adapter *ad, PVOID ctx,
			     VOID (*fn)(PVOID), const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	dp->shutdown = fn;
	dp->shutdown_ctx = ctx;
	bool track = !dp->shutdown_tracked;
	dp->shutdown_tracked = true;
	pthread_mutex_unlock(&dp->lock);
	if (track)
		nd_adapter_track(ad, &dp->shutdown_res, &shutdown_ops, site);
}

void nd_dp_shutdown_deregister(struct nd_adapter *ad, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	pthread_mutex_lock(&dp->lock);
	bool had = dp->shutdown_tracked;
	dp->shutdown = NULL;
	dp->shutdown_tracked = false;
	pthread_mutex_unlock(&dp->lock);
	if (!had) {
		nd_report(ND_RULE_SHUTDOWN_NOT_REGISTERED, ad, 0, 0, site,
			  "NdisMDeregisterAdapterShutdownHandler without a "
			  "registered handler; ignored");
		return;
	}
	nd_adapter_untrack(ad, &dp->shutdown_res);
}

int ndisdma_adapter_shutdown(ndisdma_adapter *h)
{
	struct nd_adapter *ad;
	struct nd_dp *dp = running_dp(h, &ad);
	if (!dp)
		return -EINVAL;
	pthread_mutex_lock(&dp->lock);
	VOID (*fn)(PVOID) = dp->shutdown;
	PVOID ctx = dp->shutdown_ctx;
	pthread_mutex_unlock(&dp->lock);
	if (fn) {
		ND_DP_CALL(ad, PASSIVE_LEVEL, fn(ctx));
		return 0;
	}
	if (ad->drv->ndis_major == 5 && ad->drv->ndis_minor >= 1 &&
	    ad->drv->chars5.AdapterShutdownHandler) {
		ND_DP_CALL(ad, PASSIVE_LEVEL,
			   ad->drv->chars5.AdapterShutdownHandler(ad->context));
		return 0;
	}
	return -ENOENT;
}

void nd_dp_errorlog(struct nd_adapter *ad, ULONG code, ULONG n,
		    const ULONG *values, const void *site)
{
	struct nd_dp *dp = nd_dp_of(ad);
	char vals[16 * 12 + 8] = "";
	size_t o = 0;
	for (ULONG i = 0; i < n && i < 16; i++)
		o += (size_t)snprintf(vals + o, sizeof(vals) - o, " 0x%x",
				      (unsigned)values[i]);
	if (n > 16)
		snprintf(vals + o, sizeof(vals) - o, " ...");
	if (dp) {
		pthread_mutex_lock(&dp->lock);
		dp->ctr.errorlog_entries++;
		pthread_mutex_unlock(&dp->lock);
	}
	char where[160];
	nd_site_name(site, where, sizeof(where));
	nd_log_line("ndisdma: [error-log] adapter=%s code=0x%08x site=%s "
		    "values(%u):%s",
		    ad->name, (unsigned)code, where, (unsigned)n, vals);
}

/* ---------------- stop and destroy ---------------- */

void nd_dp_stop(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp)
		return;
	pthread_mutex_lock(&dp->lock);
	dp->stopping = true;
	pthread_cond_broadcast(&dp->cond);
	bool timer = dp->hang_timer;
	dp->hang_timer = false;
	pthread_mutex_unlock(&dp->lock);
	if (timer)
		nd_timer_cancel(dp->hang_storage);
	nd_frames_stop(ad, dp);
	/* NDIS gives every packet back before MiniportHalt */
	if (ad->drv->chars5.ReturnPacketHandler)
		nd_dp_return_all(ad);
}

long nd_dp_destroy(struct nd_adapter *ad)
{
	struct nd_dp *dp = nd_dp_of(ad);
	if (!dp)
		return 0;
	long n = nd_dp_held_report(ad);
	pthread_mutex_lock(&dp->lock);
	if (dp->hang_timer)
		nd_timer_cancel(dp->hang_storage);
	/* sends the miniport still holds (a failed start) */
	for (unsigned i = 0; dp->fr && i < dp->ntx; i++)
		if (dp->fr[i].sgl) {
			nd_sg_free(ad, dp->fr[i].sgl, dp->fr[i].pkt, NULL);
			dp->fr[i].sgl = NULL;
		}
	struct nd_oid_req *rq = dp->req;
	if (rq && rq->abandoned) {
		free(rq->buf);
		free(rq);
	}
	dp->req = NULL;
	nd_frames_free(dp);
	pthread_mutex_unlock(&dp->lock);
	ad->dp = NULL;
	pthread_mutex_destroy(&dp->lock);
	pthread_cond_destroy(&dp->cond);
	free(dp);
	return n;
}
