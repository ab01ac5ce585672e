/* SPDX-License-Identifier: MIT */
/*
 * report.c - the verifier's reporting path: per-rule counters and one-line
 * reports naming the rule id, adapter, address, length and call site.
 */
#include "core.h"
#include "../util/options.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

static const char *const rule_ids[ND_RULE_COUNT] = {
#define RULE(e, id, what, win, does) [ND_RULE_##e] = id,
#include "rules.def"
#undef RULE
};

static const unsigned char rule_windows[ND_RULE_COUNT] = {
#define RULE(e, id, what, win, does) [ND_RULE_##e] = ND_WIN_##win,
#include "rules.def"
#undef RULE
};

static _Atomic unsigned long rule_counts[ND_RULE_COUNT];
static _Atomic unsigned char rule_mode[ND_RULE_COUNT];
static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static _Atomic(FILE *) report_out;
static _Atomic bool report_out_set;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

void nd_site_name(const void *site, char *buf, size_t len)
{
	Dl_info info;
	if (!site) {
		snprintf(buf, len, "?");
		return;
	}
	int found = dladdr(site, &info); /* 0: info is not filled in */
	if (found && info.dli_sname) {
		snprintf(buf, len, "%s+0x%lx", info.dli_sname,
			 (unsigned long)((const char *)site -
					 (const char *)info.dli_saddr));
		return;
	}
	if (found && info.dli_fname && info.dli_fbase) {
		const char *base = strrchr(info.dli_fname, '/');
		snprintf(buf, len, "%s+0x%lx", base ? base + 1 : info.dli_fname,
			 (unsigned long)((const char *)site -
					 (const char *)info.dli_fbase));
		return;
	}
	snprintf(buf, len, "%p", site);
}

static bool matches(const char *pattern, const char *id)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return !strncmp(pattern, id, n - 1);
	return !strcmp(pattern, id);
}

static int set_mode(const char *pattern, enum ndisdma_verify_mode mode)
{
	if (!pattern || (unsigned)mode > NDISDMA_VERIFY_ABORT)
		return -EINVAL;
	int n = 0;
	for (int i = 0; i < ND_RULE_COUNT; i++)
		if (matches(pattern, rule_ids[i])) {
			atomic_store(&rule_mode[i], (unsigned char)mode);
			n++;
		}
	return n ? n : -ENOENT;
}

static int mode_of(const char *m)
{
	return !strcmp(m, "report")  ? NDISDMA_VERIFY_REPORT
	       : !strcmp(m, "fail")  ? NDISDMA_VERIFY_FAIL
	       : !strcmp(m, "abort") ? NDISDMA_VERIFY_ABORT
				     : -1;
}

/* One NDISDMA_VERIFY item: "pattern=mode", or a bare mode for all rules. */
static int env_item(void *ctx, const char *key, const char *val)
{
	(void)ctx;
	const char *pat = *val ? key : "*", *m = *val ? val : key;
	int mode = mode_of(m);
	if (mode < 0 || set_mode(pat, mode) < 0)
		fprintf(stderr,
			"ndisdma: NDISDMA_VERIFY: ignoring '%s%s%s' (want "
			"pattern=report|fail|abort)\n",
			key, *val ? "=" : "", val);
	return 0;
}

static void parse_env(void)
{
	nd_opt_parse(getenv("NDISDMA_VERIFY"), env_item, NULL, NULL, 0);
}

void nd_verifier_init(void)
{
	pthread_once(&env_once, parse_env);
}

int ndisdma_verifier_set_mode(const char *pattern,
			      enum ndisdma_verify_mode mode)
{
	nd_verifier_init();
	return set_mode(pattern, mode);
}

/* True when a call that broke `rule` must fail in `mode`. */
static bool strict(enum nd_rule rule, int mode)
{
	return mode == NDISDMA_VERIFY_FAIL ||
	       rule_windows[rule] != ND_WIN_SUCCEEDS;
}

bool nd_report(enum nd_rule rule, struct nd_adapter *ad, uint64_t addr,
	       uint64_t len, const void *site, const char *fmt, ...)
{
	if ((unsigned)rule >= ND_RULE_COUNT)
		return true;
	nd_verifier_init();
	atomic_fetch_add(&rule_counts[rule], 1);
	int mode = atomic_load(&rule_mode[rule]);
	bool fail = strict(rule, mode);
	FILE *out =
	    atomic_load(&report_out_set) ? atomic_load(&report_out) : stderr;
	if (mode == NDISDMA_VERIFY_ABORT && !out)
		out = stderr;
	if (!out)
		return fail;
	char where[160], msg[256];
	nd_site_name(site, where, sizeof(where));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&report_lock);
	fprintf(out,
		"ndisdma: [%s] adapter=%s addr=0x%llx len=%llu site=%s: %s\n",
		rule_ids[rule], ad ? ad->name : "-", (unsigned long long)addr,
		(unsigned long long)len, where, msg);
	fflush(out);
	pthread_mutex_unlock(&report_lock);
	if (mode == NDISDMA_VERIFY_ABORT) {
		fprintf(stderr, "ndisdma: rule %s is set to abort: aborting\n",
			rule_ids[rule]);
		abort();
	}
	return fail;
}

unsigned long ndisdma_verifier_count(const char *rule_id)
{
	unsigned long n = 0;
	for (int i = 0; i < ND_RULE_COUNT; i++)
		if (!rule_id || !strcmp(rule_id, rule_ids[i]))
			n += atomic_load(&rule_counts[i]);
	return n;
}

FILE *ndisdma_verifier_set_output(FILE *out)
{
	FILE *old =
	    atomic_load(&report_out_set) ? atomic_load(&report_out) : stderr;
	atomic_store(&report_out, out);
	atomic_store(&report_out_set, true);
	return old;
}

void ndisdma_verifier_reset_counts(void)
{
	for (int i = 0; i < ND_RULE_COUNT; i++)
		atomic_store(&rule_counts[i], 0);
}

void nd_log_line(const char *fmt, ...)
{
	nd_verifier_init();
	FILE *out =
	    atomic_load(&report_out_set) ? atomic_load(&report_out) : stderr;
	if (!out)
		return;
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&report_lock);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&report_lock);
	va_end(ap);
}
