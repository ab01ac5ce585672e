/* SPDX-License-Identifier: MIT */
/* bus_options.c - the options every bus takes (nd_bus_common_option). */
#include "bus.h"
#include "../util/options.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static int parse_byte(const char *v, int *out)
{
	if (!strcasecmp(v, "none") || !strcasecmp(v, "off")) {
		*out = -1;
		return 0;
	}
	uint64_t x;
	const char *end;
	bool hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
	if ((hex ? nd_opt_uint(v + 2, 16, 2, 255, &x, &end)
		 : nd_opt_uint(v, 10, 3, 255, &x, &end)) ||
	    *end)
		return -EINVAL;
	*out = (int)x;
	return 0;
}

int nd_bus_common_option(struct bus_info *in, const char *k, const char *v)
{
	uint64_t n;
	const char *end;
	if (!strcmp(k, "dma-bits")) {
		if (nd_opt_uint(v, 10, 2, 64, &n, &end) || *end || n < 24)
			return -EINVAL;
		in->dma_bits = (unsigned)n;
		return 0;
	}
	if (!strcmp(k, "limit")) {
		if (nd_opt_size(v, &n) || n == 0)
			return -EINVAL;
		in->limit = n;
		return 0;
	}
	if (!strcmp(k, "chunk")) {
		/* bounded: a chunk is mapped and tracked whole */
		if (nd_opt_size(v, &n) || n < 4096 || (n & (n - 1)) ||
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

const char *nd_bus_option_syntax(const char *k)
{
	static const struct {
		const char *key, *syntax;
	} tab[] = {
	    {"dma-bits", "24..64"},
	    {"limit", "a size > 0: 4096, 64K, 256MiB, 1G, 0x100000"},
	    {"chunk", "a power of two from 4K to 1G: 64K, 2M"},
	    {"fill", "a byte 0..255, 0x00..0xff or none"},
	    {"poison", "a byte 0..255, 0x00..0xff or none"},
	    {"coherent", "yes or no"},
	    {"iommu", "yes or no"},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].key, k))
			return tab[i].syntax;
	return "see the README";
}
