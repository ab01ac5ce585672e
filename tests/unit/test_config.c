/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - the adapter's parameters as a miniport reads them:
 * ndisdma_driver_set_param for the adapters started next,
 * NdisOpenConfiguration / NdisReadConfiguration (integers in decimal and
 * hex, strings as UNICODE_STRING, the keywords NDIS answers itself),
 * NdisWriteConfiguration, subkeys, NdisReadNetworkAddress, and the rules:
 * config.bad-handle, config.context, a handle left open at halt, IRQL.
 */
#include "../testlib.h"

#include <stdbool.h>

/* NDIS_STRINGs of ASCII text, from a small ring of buffers. */
static NDIS_STRING us(const char *s)
{
	static WCHAR buf[8][128];
	static int next;
	WCHAR *w = buf[next++ % 8];
	size_t n = strlen(s);
	assert_true(n < 128);
	for (size_t i = 0; i < n; i++)
		w[i] = (unsigned char)s[i];
	w[n] = 0;
	NDIS_STRING u = {(USHORT)(2 * n), (USHORT)(2 * n + 2), w};
	return u;
}

static bool str_is(const NDIS_STRING *u, const char *s)
{
	size_t n = strlen(s);
	if (u->Length != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (u->Buffer[i] != (unsigned char)s[i])
			return false;
	return true;
}

/* What the test's initialize does with the configuration. */
static void (*with_config)(NDIS_HANDLE cfg);
static NDIS_STATUS open_st;
static int keep_open;

static void init_config(NDIS_HANDLE h)
{
	NDIS_HANDLE c = NULL;
	NdisOpenConfiguration(&open_st, &c, h);
	if (open_st != NDIS_STATUS_SUCCESS)
		return;
	if (with_config)
		with_config(c);
	if (!keep_open)
		NdisCloseConfiguration(c);
}

static int setup(void **state)
{
	tl_setup(state);
	ndisdma_verifier_reset_counts();
	tl.dma = TL_DMA_NONE;
	tl.init = init_config;
	with_config = NULL;
	keep_open = 0;
	return 0;
}

static int start_with(const char *const *kv)
{
	assert_int_equal(ndisdma_driver_load(tl_entry5, "cfgtest", &tl.drv), 0);
	for (; kv && kv[0]; kv += 2)
		assert_int_equal(ndisdma_driver_set_param(tl.drv, kv[0], kv[1]),
				 0);
	return ndisdma_adapter_start(tl.drv, "sim", &tl.ad);
}

static PNDIS_CONFIGURATION_PARAMETER rd(NDIS_HANDLE c, const char *kw,
					NDIS_PARAMETER_TYPE t, NDIS_STATUS *st)
{
	PNDIS_CONFIGURATION_PARAMETER p = (PVOID)1;
	NDIS_STRING k = us(kw);
	NdisReadConfiguration(st, &p, c, &k, t);
	return p;
}

static void read_values(NDIS_HANDLE c)
{
	NDIS_STATUS st;
	PNDIS_CONFIGURATION_PARAMETER p;
	p = rd(c, "Speed", NdisParameterInteger, &st);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(p->ParameterType, NdisParameterInteger);
	assert_int_equal(p->ParameterData.IntegerData, 100);
	p = rd(c, "sPEED", NdisParameterHexInteger, &st); /* any case */
	assert_int_equal(p->ParameterType, NdisParameterHexInteger);
	assert_int_equal(p->ParameterData.IntegerData, 0x100);
	p = rd(c, "Mask", NdisParameterHexInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, 0xff00);
	p = rd(c, "Offset", NdisParameterInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, (ULONG)-5);
	/* not a number: the string comes back */
	p = rd(c, "Mode", NdisParameterInteger, &st);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(p->ParameterType, NdisParameterString);
	assert_true(str_is(&p->ParameterData.StringData, "Auto"));
	assert_int_equal(p->ParameterData.StringData.MaximumLength,
			 p->ParameterData.StringData.Length + 2);
	assert_int_equal(p->ParameterData.StringData.Buffer[4], 0);
	p = rd(c, "Speed", NdisParameterString, &st);
	assert_int_equal(p->ParameterType, NdisParameterString);
	assert_true(str_is(&p->ParameterData.StringData, "100"));
	/* UTF-8 becomes UTF-16 */
	p = rd(c, "Name", NdisParameterString, &st);
	assert_int_equal(p->ParameterData.StringData.Length, 2 * 3);
	assert_int_equal(p->ParameterData.StringData.Buffer[1], 0x00FC);
	assert_int_equal(p->ParameterData.StringData.Buffer[2], 0x20AC);
	/* absent */
	p = rd(c, "Nothing", NdisParameterInteger, &st);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(p);
	/* NDIS's own keywords */
	p = rd(c, "Environment", NdisParameterInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData,
			 NdisEnvironmentWindowsNt);
	p = rd(c, "ProcessorType", NdisParameterInteger, &st);
#if defined(__x86_64__)
	assert_int_equal(p->ParameterData.IntegerData, NdisProcessorAmd64);
#endif
	p = rd(c, "NdisVersion", NdisParameterInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, 0x00060000);
}

static void reading_parameters(void **s)
{
	(void)s;
	static const char *const kv[] = {
	    "Speed", "100",  "Mask", "0xFF00", "Offset",
	    "-5",    "Mode", "Auto", "Name",   "x\xc3\xbc\xe2\x82\xac",
	    NULL};
	with_config = read_values;
	assert_int_equal(start_with(kv), 0);
	assert_int_equal(open_st, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	assert_int_equal(tl_stop(), 0);
}

static ULONG seen_speed;
static void read_speed(NDIS_HANDLE c)
{
	NDIS_STATUS st;
	PNDIS_CONFIGURATION_PARAMETER p =
	    rd(c, "Speed", NdisParameterInteger, &st);
	seen_speed =
	    st == NDIS_STATUS_SUCCESS ? p->ParameterData.IntegerData : 0;
}

static void write_speed(NDIS_HANDLE c)
{
	NDIS_CONFIGURATION_PARAMETER v = {NdisParameterInteger, {42}};
	NDIS_STRING k = us("Speed");
	NDIS_STATUS st;
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	read_speed(c);
}

/* Parameters count for the adapters started after they are set; a write
 * stays with its adapter. */
static void parameters_are_per_adapter(void **s)
{
	(void)s;
	static const char *const kv[] = {"Speed", "10", NULL};
	with_config = write_speed;
	assert_int_equal(start_with(kv), 0);
	assert_int_equal(seen_speed, 42);
	assert_int_equal(ndisdma_adapter_halt(tl.ad), 0);
	with_config = read_speed;
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(seen_speed, 10); /* the driver's value */
	ndisdma_adapter *running = tl.ad;
	assert_int_equal(ndisdma_driver_set_param(tl.drv, "Speed", "1000"), 0);
	assert_int_equal(ndisdma_adapter_start(tl.drv, "sim", &tl.ad), 0);
	assert_int_equal(seen_speed, 1000);
	assert_int_equal(ndisdma_adapter_halt(running), 0);
	assert_int_equal(tl_stop(), 0);
}

static void write_kinds(NDIS_HANDLE c)
{
	NDIS_STATUS st;
	NDIS_STRING k = us("Hex");
	NDIS_CONFIGURATION_PARAMETER v = {NdisParameterHexInteger, {0xbeef}};
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_CONFIGURATION_PARAMETER p =
	    rd(c, "Hex", NdisParameterString, &st);
	assert_true(str_is(&p->ParameterData.StringData, "beef"));
	p = rd(c, "Hex", NdisParameterHexInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, 0xbeef);

	NDIS_STRING val = us("hello");
	v.ParameterType = NdisParameterString;
	v.ParameterData.StringData = val;
	k = us("Greeting");
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	p = rd(c, "greeting", NdisParameterString, &st);
	assert_true(str_is(&p->ParameterData.StringData, "hello"));

	v.ParameterType = NdisParameterMultiString;
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_NOT_SUPPORTED);
	NdisWriteConfiguration(&st, c, NULL, &v);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NdisWriteConfiguration(&st, c, &k, NULL);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	v.ParameterType = NdisParameterString;
	v.ParameterData.StringData.Length = 3; /* odd: not UTF-16 */
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
}

static void writing_parameters(void **s)
{
	(void)s;
	with_config = write_kinds;
	assert_int_equal(start_with(NULL), 0);
	assert_int_equal(tl_stop(), 0);
}

static void subkeys(NDIS_HANDLE c)
{
	NDIS_STATUS st;
	NDIS_HANDLE k = NULL;
	NDIS_STRING name = us("Ndi");
	NdisOpenConfigurationKeyByName(&st, c, &name, &k);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_CONFIGURATION_PARAMETER p =
	    rd(k, "Speed", NdisParameterInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, 7);
	p = rd(k, "Environment", NdisParameterInteger, &st);
	assert_int_equal(st, NDIS_STATUS_FAILURE); /* only at the root */
	NDIS_HANDLE k2;
	name = us("Params");
	NdisOpenConfigurationKeyByName(&st, k, &name, &k2);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	p = rd(k2, "Deep", NdisParameterInteger, &st);
	assert_int_equal(p->ParameterData.IntegerData, 9);
	NdisCloseConfiguration(k2);
	NdisCloseConfiguration(k);

	NDIS_STRING kn;
	NdisOpenConfigurationKeyByIndex(&st, c, 0, &kn, &k);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_true(str_is(&kn, "Ndi"));
	NdisCloseConfiguration(k);
	NdisOpenConfigurationKeyByIndex(&st, c, 1, &kn, &k);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_true(str_is(&kn, "Other"));
	NdisCloseConfiguration(k);
	NdisOpenConfigurationKeyByIndex(&st, c, 2, &kn, &k);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(k);
	name = us("Missing");
	NdisOpenConfigurationKeyByName(&st, c, &name, &k);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
}

static void opening_subkeys(void **s)
{
	(void)s;
	static const char *const kv[] = {
	    "Ndi\\Speed", "7",	      "Top", "1", "NDI\\Params\\Deep",
	    "9",	  "Other\\X", "2",   NULL};
	with_config = subkeys;
	assert_int_equal(start_with(kv), 0);
	assert_int_equal(ndisdma_verifier_count(NULL), 0);
	assert_int_equal(tl_stop(), 0);
}

static UCHAR mac[6];
static NDIS_STATUS mac_st;
static UINT mac_len;
static void read_mac(NDIS_HANDLE c)
{
	PVOID a = NULL;
	mac_len = 99;
	NdisReadNetworkAddress(&mac_st, &a, &mac_len, c);
	memset(mac, 0, 6);
	if (mac_st == NDIS_STATUS_SUCCESS)
		memcpy(mac, a, 6);
	else
		assert_null(a);
}

static NDIS_STATUS mac_of(const char *v)
{
	static const char *kv[3] = {"NetworkAddress", NULL, NULL};
	kv[1] = v;
	with_config = read_mac;
	assert_int_equal(start_with(v ? kv : NULL), 0);
	assert_int_equal(tl_stop(), 0);
	return mac_st;
}

static void network_address(void **s)
{
	(void)s;
	static const UCHAR want[6] = {2, 0, 0, 0, 0, 1};
	assert_int_equal(mac_of("02:00:00:00:00:01"), NDIS_STATUS_SUCCESS);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(mac_len, 6);
	assert_int_equal(mac_of("020000000001"), NDIS_STATUS_SUCCESS);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(mac_of("02-00-00-00-00-01"), NDIS_STATUS_SUCCESS);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(mac_of("0A:1b:2C:3d:4E:5f"), NDIS_STATUS_SUCCESS);
	assert_int_equal(mac[5], 0x5f);
	assert_int_equal(mac_of(NULL), NDIS_STATUS_FAILURE);
	assert_int_equal(mac_len, 0);
	assert_int_equal(mac_of("02:00:00:00:00"), NDIS_STATUS_FAILURE);
	assert_int_equal(mac_of("0200000000zz"), NDIS_STATUS_FAILURE);
	assert_int_equal(mac_of("02:00-00:00:00:01"), NDIS_STATUS_FAILURE);
	assert_int_equal(mac_of("0x0000000001"), NDIS_STATUS_FAILURE);
	assert_int_equal(mac_of("020000000001 "), NDIS_STATUS_FAILURE);
}

static NDIS_HANDLE closed;
static void use_after_close(NDIS_HANDLE c)
{
	NdisCloseConfiguration(c);
	closed = c;
	NDIS_STATUS st;
	PNDIS_CONFIGURATION_PARAMETER p =
	    rd(c, "Speed", NdisParameterInteger, &st);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(p);
	NDIS_CONFIGURATION_PARAMETER v = {NdisParameterInteger, {1}};
	NDIS_STRING k = us("Speed");
	NdisWriteConfiguration(&st, c, &k, &v);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	PVOID a;
	UINT n;
	NdisReadNetworkAddress(&st, &a, &n, c);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NDIS_HANDLE sub;
	NdisOpenConfigurationKeyByName(&st, c, &k, &sub);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NdisCloseConfiguration(c);
}

static void a_closed_handle_is_reported(void **s)
{
	(void)s;
	static const char *const kv[] = {"Speed", "1", NULL};
	with_config = use_after_close;
	keep_open = 1; /* closed by use_after_close */
	assert_int_equal(start_with(kv), 0);
	assert_int_equal(ndisdma_verifier_count("config.bad-handle"), 5);
	NDIS_STATUS st;
	PNDIS_CONFIGURATION_PARAMETER p =
	    rd(&st, "Speed", NdisParameterInteger, &st); /* made up */
	assert_null(p);
	assert_int_equal(ndisdma_verifier_count("config.bad-handle"), 6);
	assert_int_equal(tl_stop(), 0);
}

static void a_handle_left_open_is_reclaimed_at_halt(void **s)
{
	(void)s;
	keep_open = 1;
	assert_int_equal(start_with(NULL), 0);
	assert_int_equal(
	    RULE_DELTA("halt.leak-object", assert_int_equal(tl_stop(), 1)), 1);
}

static NDIS_HANDLE halt_cfg;
static void open_in_halt(NDIS_HANDLE h)
{
	NDIS_STATUS st;
	NdisOpenConfiguration(&st, &halt_cfg, h);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisCloseConfiguration(halt_cfg);
}

static void open_outside_initialize_is_reported_and_works(void **s)
{
	(void)s;
	tl.init = NULL;
	tl.halt = open_in_halt;
	assert_int_equal(start_with(NULL), 0);
	assert_int_equal(
	    RULE_DELTA("config.context", assert_int_equal(tl_stop(), 0)), 1);
}

static void read_at_dispatch(NDIS_HANDLE c)
{
	KIRQL old;
	NDIS_STATUS st;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	rd(c, "Speed", NdisParameterInteger, &st);
	KeLowerIrql(old);
	assert_int_equal(st, NDIS_STATUS_SUCCESS); /* as Windows would */
}

static void reading_above_passive_is_reported(void **s)
{
	(void)s;
	static const char *const kv[] = {"Speed", "1", NULL};
	with_config = read_at_dispatch;
	assert_int_equal(start_with(kv), 0);
	assert_int_equal(ndisdma_verifier_count("irql.too-high"), 1);
	assert_int_equal(tl_stop(), 0);
}

static void bad_arguments(void **s)
{
	(void)s;
	assert_int_equal(tl_start("sim"), 0);
	NDIS_STATUS st = 0;
	NDIS_HANDLE c = (NDIS_HANDLE)1;
	assert_int_equal(
	    RULE_DELTA("handle.unknown", NdisOpenConfiguration(&st, &c, &st)),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(c);
	NdisOpenConfiguration(&st, NULL, tl.handle);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NdisOpenConfiguration(&st, &c, tl.handle);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_CONFIGURATION_PARAMETER p;
	NdisReadConfiguration(&st, &p, c, NULL, NdisParameterInteger);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NDIS_STRING odd = us("abc");
	odd.Length = 3;
	NdisReadConfiguration(&st, &p, c, &odd, NdisParameterInteger);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NDIS_STRING k = us("x");
	NdisReadConfiguration(&st, NULL, c, &k, NdisParameterInteger);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NDIS_HANDLE sub = (NDIS_HANDLE)1;
	NdisOpenConfigurationKeyByName(&st, c, NULL, &sub);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	assert_null(sub);
	NdisOpenConfigurationKeyByIndex(&st, c, 0, NULL, &sub);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NdisCloseConfiguration(c);
	assert_int_equal(tl_stop(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(reading_parameters, setup),
	    cmocka_unit_test_setup(parameters_are_per_adapter, setup),
	    cmocka_unit_test_setup(writing_parameters, setup),
	    cmocka_unit_test_setup(opening_subkeys, setup),
	    cmocka_unit_test_setup(network_address, setup),
	    cmocka_unit_test_setup(a_closed_handle_is_reported, setup),
	    cmocka_unit_test_setup(a_handle_left_open_is_reclaimed_at_halt,
				   setup),
	    cmocka_unit_test_setup(
		open_outside_initialize_is_reported_and_works, setup),
	    cmocka_unit_test_setup(reading_above_passive_is_reported, setup),
	    cmocka_unit_test_setup(bad_arguments, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
