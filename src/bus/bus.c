/* SPDX-License-Identifier: MIT */
/* bus.c - picking a bus by URI, and the option parsing buses share. */
#include "bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const struct bus_ops bus_sim_ops;
extern const struct bus_ops bus_vfio_ops;
extern const struct bus_ops bus_uio_ops;

const struct bus_ops *const bus_table[] = {
	&bus_sim_ops,
	&bus_vfio_ops,
	&bus_uio_ops,
	NULL,
};

int bus_open(const char *uri, struct bus **out, char *err, size_t errlen)
{
	if (!uri || !out) {
		snprintf(err, errlen, "no device URI given");
		return -EINVAL;
	}
	const char *colon = strchr(uri, ':');
	size_t n = colon ? (size_t)(colon - uri) : strlen(uri);
	const char *args = colon ? colon + 1 : "";
	for (const struct bus_ops *const *o = bus_table; *o; o++) {
		if (strlen((*o)->name) == n && !strncmp((*o)->name, uri, n)) {
			int rc = (*o)->open(args, out, err, errlen);
			if (!rc)
				(*out)->ops = *o;
			return rc;
		}
	}
	snprintf(err, errlen,
		 "unknown bus '%.*s' in URI '%s' (known: sim, vfio, uio)",
		 (int)n, uri, uri);
	return -EINVAL;
}

void bus_close(struct bus *b)
{
	if (b)
		b->ops->close(b);
}

int bus_parse_options(const char *args,
		      int (*fn)(void *, const char *, const char *), void *ctx)
{
	if (!args || !*args)
		return 0;
	char *copy = strdup(args);
	if (!copy)
		return -ENOMEM;
	int rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = fn(ctx, tok, "");
			if (rc)
				break;
			continue;
		}
		*eq = '\0';
		rc = fn(ctx, tok, eq + 1);
		if (rc)
			break;
	}
	free(copy);
	return rc;
}

int bus_parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int bus_parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcmp(v, "0") || !strcasecmp(v, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_byte(const char *v, int *out)
{
	if (!strcasecmp(v, "none") || !strcasecmp(v, "off")) {
		*out = -1;
		return 0;
	}
	char *end;
	unsigned long x = strtoul(v, &end, 0);
	if (*v == '\0' || *end || x > 255)
		return -EINVAL;
	*out = (int)x;
	return 0;
}

int bus_common_option(struct bus_info *in, const char *k, const char *v)
{
	uint64_t n;
	if (!strcmp(k, "dma-bits")) {
		char *end;
		unsigned long bits = strtoul(v, &end, 10);
		if (*v == '\0' || *end || bits < 24 || bits > 64)
			return -EINVAL;
		in->dma_bits = (unsigned)bits;
		return 0;
	}
	if (!strcmp(k, "limit")) {
		if (bus_parse_size(v, &n) || n == 0)
			return -EINVAL;
		in->limit = n;
		return 0;
	}
	if (!strcmp(k, "chunk")) {
		/* bounded: a chunk is mapped and tracked whole */
		if (bus_parse_size(v, &n) || n < 4096 || (n & (n - 1)) ||
		    n > ND_BUS_CHUNK_MAX)
			return -EINVAL;
		in->chunk_size = (size_t)n;
		return 0;
	}
	if (!strcmp(k, "fill"))
		return parse_byte(v, &in->fill);
	if (!strcmp(k, "poison"))
		return parse_byte(v, &in->poison);
	return 1;
}
