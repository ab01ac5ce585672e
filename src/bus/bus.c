/* SPDX-License-Identifier: MIT */
/* bus.c - picking a bus by URI, and the option parsing buses share. */
#include "bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
