/* SPDX-License-Identifier: MIT */
/* The order halt runs its steps in for a tracked object (core.h,
 * "handles" and "tracked objects"): stop while the handle still resolves,
 * then reclaim_all and destroy after it stopped resolving, in `order`. */
#include "testlib.h"

#include "../src/core/core.h"

static char trace[64];
static size_t ntrace;
static NDIS_HANDLE handle;

static void note(char c)
{
	if (ntrace + 1 < sizeof(trace))
		trace[ntrace++] = c;
}

/* lower case: the handle resolved at that step; upper case: it did not */
static void note_lookup(char c)
{
	struct nd_adapter *ad = nd_adapter_lookup(handle, NULL, NULL);
	note(ad ? c : (char)(c - 'a' + 'A'));
	if (ad)
		nd_adapter_put(ad);
}

static void stop_a(struct nd_res *r)
{
	(void)r;
	note_lookup('s');
}
static void stop_b(struct nd_res *r)
{
	(void)r;
	note_lookup('t');
}
static long reclaim_a(struct nd_res *r)
{
	(void)r;
	note_lookup('r');
	return 2;
}
static void destroy_a(struct nd_res *r)
{
	(void)r;
	note_lookup('d');
}
static long reclaim_b(struct nd_res *r)
{
	(void)r;
	note_lookup('q');
	return 0;
}

static const struct nd_res_ops late = {
    .name = "late", .order = 50, .stop = stop_b, .reclaim_all = reclaim_b};
static const struct nd_res_ops early = {.name = "early",
					.order = 5,
					.stop = stop_a,
					.reclaim_all = reclaim_a,
					.destroy = destroy_a};
static struct nd_res res_late, res_early;

static void track_both(NDIS_HANDLE h)
{
	struct nd_adapter *ad = nd_adapter_lookup(h, NULL, NULL);
	assert_non_null(ad);
	handle = h;
	nd_adapter_track(ad, &res_late, &late, NULL);
	nd_adapter_track(ad, &res_early, &early, NULL);
	nd_adapter_put(ad);
}

static void test_stop_then_reclaim(void **s)
{
	(void)s;
	tl.init = track_both;
	assert_int_equal(tl_start("sim"), 0);
	assert_int_equal(tl_stop(), 2);
	trace[ntrace] = '\0';
	assert_string_equal(trace, "stRQD");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_stop_then_reclaim, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
