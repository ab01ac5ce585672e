/* SPDX-License-Identifier: MIT */
/*
 * config.c - a miniport's registry key as NDIS 5 shows it:
 * NdisOpenConfiguration, NdisOpenConfigurationKeyByName / ByIndex,
 * NdisReadConfiguration, NdisWriteConfiguration, NdisCloseConfiguration,
 * NdisReadNetworkAddress, over the adapter's parameters (params.c): UTF-8
 * strings on the host side, UNICODE_STRINGs on the driver's. A subkey
 * "Key" holds the parameters named "Key\\Name".
 *
 * A configuration handle is a struct nd_cfg, valid from open to close; the
 * process-wide list of open handles tells a live handle from a closed or
 * made-up one before anything is dereferenced. What a read returns lives
 * in blocks chained on the handle and freed at close.
 */
#include "../core/hwio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ND_CFG_MAGIC 0x4e444346u /* NDCF */

struct cfg_block {
	struct cfg_block *next;
	max_align_t data[]; /* what the driver got */
};

struct nd_cfg {
	uint32_t magic;
	struct nd_res res;
	struct nd_adapter *ad;
	char *prefix; /* "" or "Key\\" ... */
	struct cfg_block *blocks;
};

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nd_cfg **open_cfgs;
static size_t ncfgs, capcfgs;

/* ---------------- strings ---------------- */

/* UTF-16 (a counted UNICODE_STRING) to a NUL-terminated UTF-8 string.
 * NULL on a bad string or no memory. */
static char *from_unicode(const UNICODE_STRING *u)
{
	if (!u || (u->Length && !u->Buffer) || u->Length % 2)
		return NULL;
	size_t n = u->Length / 2;
	char *out = malloc(3 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = u->Buffer[i];
		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n &&
		    u->Buffer[i + 1] >= 0xDC00 && u->Buffer[i + 1] < 0xE000) {
			c = 0x10000 + ((c - 0xD800) << 10) +
			    (u->Buffer[++i] - 0xDC00u);
		}
		if (c < 0x80) {
			*o++ = (char)c;
		} else if (c < 0x800) {
			*o++ = (char)(0xC0 | c >> 6);
			*o++ = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			*o++ = (char)(0xE0 | c >> 12);
			*o++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*o++ = (char)(0x80 | (c & 0x3F));
		} else {
			/* 4 bytes; the buffer has room: two units gave 6 */
			*o++ = (char)(0xF0 | c >> 18);
			*o++ = (char)(0x80 | ((c >> 12) & 0x3F));
			*o++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*o++ = (char)(0x80 | (c & 0x3F));
		}
	}
	*o = '\0';
	return out;
}

/* UTF-8 to UTF-16 code units (a malformed byte becomes U+FFFD); returns
 * the count written (out may be NULL to count). */
static size_t to_unicode(const char *s, WCHAR *out)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c = *p++;
		int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
		if (c >= 0x80 && c < 0xC0)
			c = 0xFFFD;
		else if (more)
			c &= 0x3F >> more;
		for (; more > 0; more--) {
			if ((*p & 0xC0) != 0x80) {
				c = 0xFFFD;
				break;
			}
			c = (c << 6) | (*p++ & 0x3F);
		}
		if (c >= 0x10000) {
			if (out) {
				out[n] =
				    (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
				out[n + 1] = (WCHAR)(0xDC00 + (c & 0x3FF));
			}
			n += 2;
		} else {
			if (out)
				out[n] = (WCHAR)c;
			n++;
		}
	}
	return n;
}

/* ---------------- handles ---------------- */

static void *cfg_alloc(struct nd_cfg *c, size_t len)
{
	struct cfg_block *b = calloc(1, sizeof(*b) + len);
	if (!b)
		return NULL;
	b->next = c->blocks;
	c->blocks = b;
	return b->data;
}

static void cfg_free(struct nd_cfg *c)
{
	while (c->blocks) {
		struct cfg_block *b = c->blocks;
		c->blocks = b->next;
		free(b);
	}
	free(c->prefix);
	c->magic = 0;
	free(c);
}

/* Take c out of the open list; false when it was not there. */
static bool cfg_unlist(struct nd_cfg *c)
{
	bool found = false;
	pthread_mutex_lock(&cfg_lock);
	for (size_t i = 0; i < ncfgs; i++)
		if (open_cfgs[i] == c) {
			open_cfgs[i] = open_cfgs[--ncfgs];
			found = true;
			break;
		}
	pthread_mutex_unlock(&cfg_lock);
	return found;
}

static void cfg_reclaim(struct nd_res *r)
{
	struct nd_cfg *c =
	    (struct nd_cfg *)((char *)r - offsetof(struct nd_cfg, res));
	if (cfg_unlist(c))
		cfg_free(c);
}

static const struct nd_res_ops cfg_ops = {
    .name = "configuration handle (NdisOpenConfiguration)",
    .reclaim = cfg_reclaim,
};

static struct nd_cfg *cfg_new(struct nd_adapter *ad, const char *prefix,
			      const void *site)
{
	struct nd_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->magic = ND_CFG_MAGIC;
	c->ad = ad;
	c->prefix = strdup(prefix);
	bool ok = c->prefix != NULL;
	pthread_mutex_lock(&cfg_lock);
	if (ok && ncfgs == capcfgs) {
		size_t cap = capcfgs ? 2 * capcfgs : 8;
		struct nd_cfg **n = realloc(open_cfgs, cap * sizeof(*n));
		if (n) {
			open_cfgs = n;
			capcfgs = cap;
		} else {
			ok = false;
		}
	}
	if (ok)
		open_cfgs[ncfgs++] = c;
	pthread_mutex_unlock(&cfg_lock);
	if (!ok) {
		cfg_free(c);
		return NULL;
	}
	nd_adapter_track(ad, &c->res, &cfg_ops, site);
	return c;
}

/* The open handle h, or NULL (reported config.bad-handle with fn). The
 * handle stays valid while its caller uses it: a driver does not close a
 * handle on one thread while reading through it on another (NDIS asks
 * these calls to be serial). */
static struct nd_cfg *cfg_lookup(NDIS_HANDLE h, const char *fn,
				 const void *site)
{
	struct nd_cfg *found = NULL;
	pthread_mutex_lock(&cfg_lock);
	for (size_t i = 0; i < ncfgs; i++)
		if ((void *)open_cfgs[i] == h)
			found = open_cfgs[i];
	pthread_mutex_unlock(&cfg_lock);
	if (!found)
		nd_report(
		    ND_RULE_CONFIG_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
		    "%s: %p is not an open configuration handle (closed "
		    "already, or never returned by NdisOpenConfiguration)",
		    fn, h);
	return found;
}

void NdisOpenConfiguration(PNDIS_STATUS Status,
			   PNDIS_HANDLE ConfigurationHandle,
			   NDIS_HANDLE WrapperConfigurationContext)
{
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	struct nd_adapter *ad = nd_adapter_lookup(
	    WrapperConfigurationContext, "NdisOpenConfiguration", site);
	if (ConfigurationHandle)
		*ConfigurationHandle = NULL;
	if (ad && ConfigurationHandle && ad->hwio) {
		nd_irql_at_most(PASSIVE_LEVEL, "NdisOpenConfiguration", ad,
				site);
		if (!nd_in_init(ad))
			nd_report(ND_RULE_CONFIG_CONTEXT, ad, 0, 0, site,
				  "NdisOpenConfiguration with the "
				  "WrapperConfigurationContext outside "
				  "MiniportInitialize");
		struct nd_cfg *c = cfg_new(ad, "", site);
		*ConfigurationHandle = c;
		st = c ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
	}
	if (Status)
		*Status = st;
}

void NdisCloseConfiguration(NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	struct nd_cfg *c = cfg_lookup(h, "NdisCloseConfiguration", site);
	if (!c)
		return;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisCloseConfiguration", c->ad, site);
	if (!cfg_unlist(c))
		return; /* closed by another thread meanwhile */
	nd_adapter_untrack(c->ad, &c->res);
	cfg_free(c);
}

/* ---------------- subkeys ---------------- */

/* Does any parameter's name start with prefix (case-insensitive)? The
 * idx-th distinct subkey name directly under `prefix` into *name (malloc'd)
 * when idx >= 0. hwio->lock held. */
static bool subkey_scan(const struct nd_params *p, const char *prefix, long idx,
			char **name)
{
	size_t pl = strlen(prefix);
	long seen = 0;
	for (size_t i = 0; i < p->n; i++) {
		const char *nm = p->v[i].name;
		if (strncasecmp(nm, prefix, pl))
			continue;
		if (idx < 0)
			return true;
		const char *rest = nm + pl, *bs = strchr(rest, '\\');
		if (!bs)
			continue;
		size_t kl = (size_t)(bs - rest);
		bool dup = false; /* named by an earlier parameter? */
		for (size_t j = 0; j < i && !dup; j++) {
			const char *o = p->v[j].name;
			dup = !strncasecmp(o, prefix, pl) &&
			      !strncasecmp(o + pl, rest, kl) &&
			      o[pl + kl] == '\\';
		}
		if (dup)
			continue;
		if (seen++ == idx) {
			*name = strndup(rest, kl);
			return *name != NULL;
		}
	}
	return false;
}

static void open_subkey(PNDIS_STATUS Status, NDIS_HANDLE h, const char *fn,
			const char *key, long idx, PNDIS_STRING KeyName,
			PNDIS_HANDLE KeyHandle, const void *site)
{
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	if (KeyHandle)
		*KeyHandle = NULL;
	struct nd_cfg *c = cfg_lookup(h, fn, site);
	if (c && KeyHandle && (key || idx >= 0)) {
		nd_irql_at_most(PASSIVE_LEVEL, fn, c->ad, site);
		struct nd_hwio *hw = c->ad->hwio;
		char *sub = NULL, *prefix = NULL;
		pthread_mutex_lock(&hw->lock);
		if (key) {
			sub = strdup(key);
		} else if (!subkey_scan(&hw->params, c->prefix, idx, &sub)) {
			free(sub);
			sub = NULL;
		}
		if (sub && asprintf(&prefix, "%s%s\\", c->prefix, sub) < 0)
			prefix = NULL;
		bool exists =
		    prefix && subkey_scan(&hw->params, prefix, -1, NULL);
		pthread_mutex_unlock(&hw->lock);
		if (prefix && exists) {
			struct nd_cfg *k = cfg_new(c->ad, prefix, site);
			st = k ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
			if (k && KeyName) { /* ByIndex: the subkey's name */
				size_t n = to_unicode(sub, NULL);
				WCHAR *w =
				    cfg_alloc(k, (n + 1) * sizeof(WCHAR));
				if (!w) {
					NdisCloseConfiguration(k);
					k = NULL;
					st = NDIS_STATUS_RESOURCES;
				} else {
					to_unicode(sub, w);
					KeyName->Buffer = w;
					KeyName->Length = (USHORT)(2 * n);
					KeyName->MaximumLength =
					    (USHORT)(2 * n + 2);
				}
			}
			*KeyHandle = k;
		} else if (!prefix && sub) {
			st = NDIS_STATUS_RESOURCES;
		}
		free(sub);
		free(prefix);
	}
	if (Status)
		*Status = st;
}

void NdisOpenConfigurationKeyByName(PNDIS_STATUS Status, NDIS_HANDLE h,
				    PNDIS_STRING SubKeyName,
				    PNDIS_HANDLE SubKeyHandle)
{
	const void *site = ND_SITE();
	char *key = SubKeyName ? from_unicode(SubKeyName) : NULL;
	if (key && (!*key || strchr(key, '\\'))) {
		free(key);
		key = NULL;
	}
	if (!key) {
		if (SubKeyHandle)
			*SubKeyHandle = NULL;
		if (Status)
			*Status = NDIS_STATUS_FAILURE;
		return;
	}
	open_subkey(Status, h, "NdisOpenConfigurationKeyByName", key, -1, NULL,
		    SubKeyHandle, site);
	free(key);
}

void NdisOpenConfigurationKeyByIndex(PNDIS_STATUS Status, NDIS_HANDLE h,
				     ULONG Index, PNDIS_STRING KeyName,
				     PNDIS_HANDLE KeyHandle)
{
	const void *site = ND_SITE();
	if (!KeyName || Index > 0x7fffffff) {
		if (KeyHandle)
			*KeyHandle = NULL;
		if (Status)
			*Status = NDIS_STATUS_FAILURE;
		return;
	}
	open_subkey(Status, h, "NdisOpenConfigurationKeyByIndex", NULL,
		    (long)Index, KeyName, KeyHandle, site);
}

/* ---------------- values ---------------- */

/* A ULONG from decimal ([-]digits) or hex ([0x]hexdigits) text. */
static bool parse_ulong(const char *s, int base, ULONG *out)
{
	bool neg = false;
	if (base == 10 && *s == '-') {
		neg = true;
		s++;
	}
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	ULONG v = 0;
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : 99;
		if (d >= base)
			return false;
		v = v * (ULONG)base + (ULONG)d; /* wraps, as RtlUnicode... */
	}
	*out = neg ? (ULONG)(0u - v) : v;
	return true;
}

static ULONG processor_type(void)
{
#if defined(__x86_64__)
	return NdisProcessorAmd64;
#elif defined(__i386__)
	return NdisProcessorX86;
#elif defined(__aarch64__)
	return NdisProcessorArm64;
#elif defined(__arm__)
	return NdisProcessorArm;
#else
	return NdisProcessorAmd64;
#endif
}

void NdisReadConfiguration(PNDIS_STATUS Status,
			   PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
			   NDIS_HANDLE h, PNDIS_STRING Keyword,
			   NDIS_PARAMETER_TYPE ParameterType)
{
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	char *full = NULL, *value = NULL;
	if (ParameterValue)
		*ParameterValue = NULL;
	struct nd_cfg *c = cfg_lookup(h, "NdisReadConfiguration", site);
	char *kw = c && ParameterValue ? from_unicode(Keyword) : NULL;
	if (!kw || !*kw)
		goto out;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisReadConfiguration", c->ad, site);
	if (asprintf(&full, "%s%s", c->prefix, kw) < 0) {
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	struct nd_hwio *hw = c->ad->hwio;
	pthread_mutex_lock(&hw->lock);
	const char *v = nd_params_get(&hw->params, full);
	if (v)
		value = strdup(v);
	pthread_mutex_unlock(&hw->lock);
	free(full);
	if (v && !value) {
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	PNDIS_CONFIGURATION_PARAMETER p = NULL;
	if (!value) {
		/* the keywords NDIS itself answers, at the key's root */
		ULONG x;
		if (*c->prefix)
			goto out;
		if (!strcasecmp(kw, "Environment"))
			x = NdisEnvironmentWindowsNt;
		else if (!strcasecmp(kw, "ProcessorType"))
			x = processor_type();
		else if (!strcasecmp(kw, "NdisVersion"))
			x = 0x00060000;
		else
			goto out;
		p = cfg_alloc(c, sizeof(*p));
		if (p) {
			p->ParameterType = NdisParameterInteger;
			p->ParameterData.IntegerData = x;
		}
	} else {
		ULONG x;
		bool num = false;
		if (ParameterType == NdisParameterInteger)
			num = parse_ulong(value, 10, &x);
		else if (ParameterType == NdisParameterHexInteger)
			num = parse_ulong(value, 16, &x);
		size_t n = num ? 0 : to_unicode(value, NULL);
		p = cfg_alloc(c, sizeof(*p) + (n + 1) * sizeof(WCHAR));
		if (p && num) {
			p->ParameterType = ParameterType;
			p->ParameterData.IntegerData = x;
		} else if (p) {
			WCHAR *w = (WCHAR *)(p + 1);
			to_unicode(value, w);
			p->ParameterType = NdisParameterString;
			p->ParameterData.StringData.Buffer = w;
			p->ParameterData.StringData.Length = (USHORT)(2 * n);
			p->ParameterData.StringData.MaximumLength =
			    (USHORT)(2 * n + 2);
		}
	}
	*ParameterValue = p;
	st = p ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
out:
	free(value);
	free(kw);
	if (Status)
		*Status = st;
}

void NdisWriteConfiguration(PNDIS_STATUS Status, NDIS_HANDLE h,
			    PNDIS_STRING Keyword,
			    PNDIS_CONFIGURATION_PARAMETER ParameterValue)
{
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	char *kw = NULL, *full = NULL, *value = NULL;
	struct nd_cfg *c = cfg_lookup(h, "NdisWriteConfiguration", site);
	if (!c || !ParameterValue)
		goto out;
	kw = from_unicode(Keyword);
	if (!kw || !*kw)
		goto out;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisWriteConfiguration", c->ad, site);
	int n = -1;
	switch (ParameterValue->ParameterType) {
	case NdisParameterInteger:
		n = asprintf(
		    &value, "%u",
		    (unsigned)ParameterValue->ParameterData.IntegerData);
		break;
	case NdisParameterHexInteger:
		n = asprintf(
		    &value, "%x",
		    (unsigned)ParameterValue->ParameterData.IntegerData);
		break;
	case NdisParameterString: {
		const NDIS_STRING *u =
		    &ParameterValue->ParameterData.StringData;
		if (u->Length % 2 || (u->Length && !u->Buffer))
			goto out; /* not a string: FAILURE */
		value = from_unicode(u);
		n = value ? 0 : -1;
		break;
	}
	default:
		st = NDIS_STATUS_NOT_SUPPORTED;
		goto out;
	}
	if (n < 0) {
		value = NULL; /* asprintf leaves it undefined */
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	if (asprintf(&full, "%s%s", c->prefix, kw) < 0) {
		full = NULL;
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	struct nd_hwio *hw = c->ad->hwio;
	pthread_mutex_lock(&hw->lock);
	int rc = nd_params_set(&hw->params, full, value);
	pthread_mutex_unlock(&hw->lock);
	st = rc ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS;
out:
	free(kw);
	free(full);
	free(value);
	if (Status)
		*Status = st;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9'	? ch - '0'
	       : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	       : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
					: -1;
}

/* 12 hex digits, or 6 pairs separated by one kind of ':' or '-'. */
static bool parse_mac(const char *s, UCHAR mac[6])
{
	size_t len = strlen(s);
	size_t step = len == 12 ? 2 : len == 17 ? 3 : 0;
	if (!step)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *q = s + i * step;
		int hi = hexval(q[0]), lo = hexval(q[1]);
		if (hi < 0 || lo < 0)
			return false;
		if (step == 3 && i < 5 &&
		    (q[2] != s[2] || (q[2] != ':' && q[2] != '-')))
			return false;
		mac[i] = (UCHAR)(hi << 4 | lo);
	}
	return true;
}

void NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress,
			    PUINT NetworkAddressLength, NDIS_HANDLE h)
{
	const void *site = ND_SITE();
	NDIS_STATUS st = NDIS_STATUS_FAILURE;
	if (NetworkAddress)
		*NetworkAddress = NULL;
	if (NetworkAddressLength)
		*NetworkAddressLength = 0;
	struct nd_cfg *c = cfg_lookup(h, "NdisReadNetworkAddress", site);
	if (!c || !NetworkAddress || !NetworkAddressLength)
		goto out;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisReadNetworkAddress", c->ad, site);
	struct nd_hwio *hw = c->ad->hwio;
	UCHAR mac[6];
	char *name = NULL;
	if (asprintf(&name, "%sNetworkAddress", c->prefix) < 0) {
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	pthread_mutex_lock(&hw->lock);
	const char *v = nd_params_get(&hw->params, name);
	bool ok = v && parse_mac(v, mac);
	pthread_mutex_unlock(&hw->lock);
	free(name);
	if (!ok)
		goto out;
	UCHAR *p = cfg_alloc(c, 6);
	if (!p) {
		st = NDIS_STATUS_RESOURCES;
		goto out;
	}
	memcpy(p, mac, 6);
	*NetworkAddress = p;
	*NetworkAddressLength = 6;
	st = NDIS_STATUS_SUCCESS;
out:
	if (Status)
		*Status = st;
}
