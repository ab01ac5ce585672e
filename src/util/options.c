/* SPDX-License-Identifier: MIT */
/* options.c - option strings and value syntaxes; see options.h. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* True when `key` is among the first n keys of the copy (items are
 * NUL-separated in place, each key NUL-terminated). */
static bool seen_before(char *const *keys, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

int nd_opt_parse(const char *args,
		 int (*fn)(void *, const char *, const char *), void *ctx,
		 char *err, size_t errlen)
{
	if (!args || !*args)
		return 0;
	char *copy = strdup(args);
	size_t nitems = 1;
	for (const char *p = args; *p; p++)
		nitems += *p == ',';
	char **keys = calloc(nitems, sizeof(*keys));
	if (!copy || !keys) {
		free(copy);
		free(keys);
		return -ENOMEM;
	}
	int rc = 0;
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		if (seen_before(keys, n, tok)) {
			if (err && errlen)
				snprintf(err, errlen,
					 "option '%s' is given twice in '%s' "
					 "(give each option once)",
					 tok, args);
			rc = -EINVAL;
			break;
		}
		keys[n++] = tok;
		rc = fn(ctx, tok, eq ? eq + 1 : "");
		if (rc)
			break;
	}
	free(keys);
	free(copy);
	return rc;
}

int nd_opt_uint(const char *s, int base, unsigned max_digits, uint64_t max,
		uint64_t *out, const char **end)
{
	uint64_t v = 0;
	unsigned n = 0;
	for (;; s++, n++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (n >= max_digits || v > (max - (uint64_t)d) / (uint64_t)base)
			return -EINVAL;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (!n)
		return -EINVAL;
	*out = v;
	*end = s;
	return 0;
}

int nd_opt_size(const char *s, uint64_t *out)
{
	if (!s)
		return -EINVAL;
	uint64_t v;
	const char *end;
	int rc = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		     ? nd_opt_uint(s + 2, 16, 16, UINT64_MAX, &v, &end)
		     : nd_opt_uint(s, 10, 20, UINT64_MAX, &v, &end);
	if (rc)
		return rc;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift) {
		end++;
		if (!strcmp(end, "iB"))
			end += 2;
		else if (!strcmp(end, "B"))
			end += 1;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int nd_opt_bool(const char *v, bool *out)
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
