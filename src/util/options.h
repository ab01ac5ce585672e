/* SPDX-License-Identifier: MIT */
/*
 * options.h - "key=value,key=value" option strings (bus URIs, the
 * NDISDMA_VERIFY and NDISDMA_FAULT variables) and the value syntaxes they
 * share. The bottom layer: usable from src/bus and src/core; calls
 * nothing of either.
 */
#ifndef NDISDMA_UTIL_OPTIONS_H
#define NDISDMA_UTIL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse "key=value,key=value": calls fn(ctx, key, value) for each item
 * in order (value "" for an item without '='), stops at the first
 * non-zero return and returns it. A key given twice is an error: returns
 * -EINVAL at the second (the items before it were passed to fn) and,
 * when err is not NULL, writes a sentence naming the key into err.
 * -ENOMEM when the string cannot be copied. NULL or "" parses as empty. */
int nd_opt_parse(const char *args,
		 int (*fn)(void *ctx, const char *key, const char *val),
		 void *ctx, char *err, size_t errlen);

/* A size: decimal or 0x-hex digits with an optional K, M, G or T suffix
 * (powers of 1024), itself optionally followed by "B" or "iB" ("64K",
 * "2MiB", "1GB", "4096", "0x1000"). No sign, no spaces, nothing after.
 * Returns 0 and *out, or -EINVAL (malformed, or above 2^64-1). */
int nd_opt_size(const char *s, uint64_t *out);

/* "yes/no/on/off/1/0" (case-insensitive) -> bool. 0 or -EINVAL. */
int nd_opt_bool(const char *s, bool *out);

/* An unsigned number in `base` (10 or 16, no prefix, no sign) of at most
 * `max_digits` digits and at most `max`; *end is set past it. Returns 0,
 * or -EINVAL (no digit, too many digits, above max). */
int nd_opt_uint(const char *s, int base, unsigned max_digits, uint64_t max,
		uint64_t *out, const char **end);

#endif
