/* SPDX-License-Identifier: MIT */
/* assert.c - the failure path of ND_ASSERT (assert.h). */
#include "assert.h"

#include <stdio.h>
#include <stdlib.h>

void nd_assert_fail(const char *cond, const char *file, int line,
		    const char *func)
{
	fprintf(stderr, "ndisdma: assertion `%s' failed at %s:%d (%s)\n", cond,
		file, line, func);
	abort();
}
