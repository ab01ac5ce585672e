/* SPDX-License-Identifier: MIT */
/* MDLs over test memory, and the device reading a mapping's units. */
#ifndef NDISDMA_TEST_MDL_HELPERS_H
#define NDISDMA_TEST_MDL_HELPERS_H

#include <stdlib.h>

struct mdlbuf {
	MDL m;
	PFN_NUMBER pfn[8];
};

static PMDL mk_mdl(struct mdlbuf *b, void *va, ULONG len)
{
	MmInitializeMdl(&b->m, va, len);
	MmBuildMdlForNonPagedPool(&b->m);
	return &b->m;
}

/* Page-aligned test memory of n pages, filled with a pattern. */
static unsigned char *pages(size_t n, unsigned seed)
{
	unsigned char *p = aligned_alloc(4096, n * 4096);
	assert_non_null(p);
	for (size_t i = 0; i < n * 4096; i++)
		p[i] = (unsigned char)(i * 31 + seed);
	return p;
}

/* The device reads every unit; the bytes must be the host's. */
static __attribute__((unused)) void
device_reads_units(ndisdma_sim *sim, const NDIS_PHYSICAL_ADDRESS_UNIT *u,
		   UINT n, const unsigned char *host, size_t len)
{
	size_t off = 0;
	for (UINT i = 0; i < n; i++) {
		unsigned char tmp[4096];
		assert_true(u[i].Length <= sizeof(tmp));
		assert_int_equal(
		    ndisdma_sim_dma_read(sim, u[i].PhysicalAddress.QuadPart,
					 tmp, u[i].Length),
		    0);
		assert_memory_equal(tmp, host + off, u[i].Length);
		off += u[i].Length;
	}
	assert_int_equal(off, len);
}

#endif
