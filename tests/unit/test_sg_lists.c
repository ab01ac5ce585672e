/* SPDX-License-Identifier: MIT */
/* Scatter-gather lists: NDIS 6 NdisMAllocateNetBufferSGList /
 * NdisMFreeNetBufferSGList over multi-MDL and multi-NET_BUFFER lists with
 * current-MDL offsets, the caller's list buffer or ours, and the NDIS 5
 * host-built per-packet lists (ndisdma_packet_sg_build/free). The
 * simulated device reads exactly the listed bytes and faults just past
 * them; send lists are read-only for it; bounces (sim:iommu=no with a
 * 32-bit registration) are byte-exact both ways; every sg rule fires. */
#include "testlib.h"
#include "mdl_helpers.h"

#include <pthread.h>

#define PG 4096u
#define G4 0x100000000ll

/* ---------------- an NDIS 6 registration that records deliveries ------ */

static struct {
	ULONG max_mapping;
	int dma64;
	ULONG list_size; /* ScatterGatherListSize written back */
	int calls;
	PSCATTER_GATHER_LIST list;
	PVOID ctx;
	KIRQL irql;
} sg;

static int threaded;
static _Thread_local PSCATTER_GATHER_LIST tls_list;

static VOID on_sg_list(PDEVICE_OBJECT dev, PVOID res, PSCATTER_GATHER_LIST l,
		       PVOID c)
{
	(void)dev, (void)res;
	if (threaded) { /* set before the threads start */
		tls_list = l;
		return;
	}
	sg.calls++;
	sg.list = l;
	sg.ctx = c;
	sg.irql = KeGetCurrentIrql();
}

/* shared memory the initialize allocates when len is set */
static struct {
	ULONG len;
	PVOID va;
	NDIS_PHYSICAL_ADDRESS pa;
} shm;

static void init6(NDIS_HANDLE h)
{
	NDIS_SG_DMA_DESCRIPTION d;
	memset(&d, 0, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.Flags = sg.dma64 ? NDIS_SG_DMA_64_BIT_ADDRESS : 0;
	d.MaximumPhysicalMapping = sg.max_mapping;
	d.ProcessSGListHandler = on_sg_list;
	assert_int_equal(NdisMRegisterScatterGatherDma(h, &d, &tl.dma_handle),
			 NDIS_STATUS_SUCCESS);
	sg.list_size = d.ScatterGatherListSize;
	if (shm.len)
		NdisMAllocateSharedMemory(h, shm.len, TRUE, &shm.va, &shm.pa);
}

static NDIS_HANDLE nbl_pool;

static void start6(const char *uri, int dma64, ULONG max_mapping)
{
	memset(&sg, 0, sizeof(sg));
	sg.dma64 = dma64;
	sg.max_mapping = max_mapping;
	tl.ndis6 = 1;
	tl.dma = TL_DMA_NONE;
	tl.init = init6;
	assert_int_equal(tl_start(uri), 0);
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.fAllocateNetBuffer = TRUE;
	nbl_pool = NdisAllocateNetBufferListPool(tl.handle, &p);
	assert_non_null(nbl_pool);
}

static int stop6(void)
{
	NdisFreeNetBufferListPool(nbl_pool);
	nbl_pool = NULL;
	return tl_stop();
}

/* Allocate a list for nb; returns the list the handler got (NULL on
 * failure, with *st the status). */
static PSCATTER_GATHER_LIST sg_alloc(PNET_BUFFER nb, ULONG flags, PVOID buf,
				     ULONG size, NDIS_STATUS *st)
{
	int before = sg.calls;
	sg.list = NULL;
	NDIS_STATUS s = NdisMAllocateNetBufferSGList(
	    tl.dma_handle, nb, (PVOID)0x5eed, flags, buf, size);
	if (st)
		*st = s;
	if (s != NDIS_STATUS_SUCCESS) {
		assert_int_equal(sg.calls, before); /* handler not called */
		return NULL;
	}
	/* delivered before the call returned, at DISPATCH_LEVEL */
	assert_int_equal(sg.calls, before + 1);
	assert_ptr_equal(sg.ctx, (PVOID)0x5eed);
	assert_int_equal(sg.irql, DISPATCH_LEVEL);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	return sg.list;
}

/* ---------------- what a list must look like ---------------- */

struct piece {
	const unsigned char *va;
	ULONG len;
};

/* The list covers the pieces' bytes in order. Not bounced: one element
 * per page each piece touches, each keeping its offset in the page.
 * Bounced: one element per piece, below 4 GiB. The device reads exactly
 * these bytes, and faults one byte before the first element and one past
 * the last. */
static void check_list(PSCATTER_GATHER_LIST l, const struct piece *p,
		       unsigned np, int bounced, int above4g)
{
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	assert_non_null(l);
	unsigned e = 0;
	for (unsigned i = 0; i < np; i++) {
		const unsigned char *va = p[i].va;
		ULONG left = p[i].len;
		if (bounced) {
			assert_true(e < l->NumberOfElements);
			assert_int_equal(l->Elements[e].Length, left);
			assert_true(l->Elements[e].Address.QuadPart + left <=
				    G4);
			e++;
			continue;
		}
		while (left) {
			ULONG n = PG - ((uintptr_t)va & (PG - 1));
			if (n > left)
				n = left;
			assert_true(e < l->NumberOfElements);
			assert_int_equal(l->Elements[e].Length, n);
			assert_int_equal(l->Elements[e].Address.QuadPart &
					     (PG - 1),
					 (uintptr_t)va & (PG - 1));
			if (above4g)
				assert_true(l->Elements[e].Address.QuadPart >=
					    G4);
			else
				assert_true(
				    l->Elements[e].Address.QuadPart + n <= G4);
			va += n;
			left -= n;
			e++;
		}
	}
	assert_int_equal(l->NumberOfElements, e);
	/* the device reads exactly the bytes */
	unsigned pi = 0;
	ULONG poff = 0;
	for (unsigned i = 0; i < e; i++) {
		unsigned char tmp[PG];
		ULONG len = l->Elements[i].Length;
		assert_true(len <= sizeof(tmp) || bounced);
		unsigned char *big = len > sizeof(tmp) ? malloc(len) : tmp;
		assert_int_equal(
		    ndisdma_sim_dma_read(sim, l->Elements[i].Address.QuadPart,
					 big, len),
		    0);
		for (ULONG k = 0; k < len; k++) {
			while (poff == p[pi].len) {
				pi++;
				poff = 0;
			}
			assert_int_equal(big[k], p[pi].va[poff]);
			poff++;
		}
		if (big != tmp)
			free(big);
	}
	unsigned char x;
	SCATTER_GATHER_ELEMENT *last = &l->Elements[e - 1];
	unsigned long all = ndisdma_verifier_count(NULL);
	assert_int_equal(ndisdma_sim_dma_read(
			     sim, last->Address.QuadPart + last->Length, &x, 1),
			 -EFAULT);
	assert_int_equal(ndisdma_sim_dma_read(
			     sim, l->Elements[0].Address.QuadPart - 1, &x, 1),
			 -EFAULT);
	assert_int_equal(ndisdma_verifier_count(NULL) - all, 2);
}

/* ---------------- NDIS 6 ---------------- */

static void test_nb_multi_mdl_offset(void **s)
{
	(void)s;
	start6("sim", 1, 65536);
	unsigned char *mem = pages(6, 3);
	struct mdlbuf b[4];
	/* 300 bytes across a page boundary, an empty MDL, 5000 bytes at an
	 * odd offset (three pages), 100 bytes */
	PMDL m0 = mk_mdl(&b[0], mem + PG - 200, 300);
	PMDL m1 = mk_mdl(&b[1], mem + 7, 0);
	PMDL m2 = mk_mdl(&b[2], mem + 2 * PG + 4001, 5000);
	PMDL m3 = mk_mdl(&b[3], mem + 5 * PG + 9, 100);
	m0->Next = m1;
	m1->Next = m2;
	m2->Next = m3;
	/* data from 150 bytes into m0 to 60 bytes into m3 */
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, m0, 150, 150 + 5000 + 60);
	assert_non_null(nbl);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m0);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 150);
	PSCATTER_GATHER_LIST l =
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL);
	struct piece want[] = {{mem + PG - 50, 150},
			       {mem + 2 * PG + 4001, 5000},
			       {mem + 5 * PG + 9, 60}};
	check_list(l, want, 3, 0, 1);
	/* m0's first page holds 50 of its bytes */
	assert_int_equal(l->Elements[0].Length, 50);
	assert_int_equal(l->NumberOfElements, 2 + 3 + 1);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, 3);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, 0);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_current_mdl_not_first(void **s)
{
	(void)s;
	start6("sim", 0, 65536);
	unsigned char *mem = pages(3, 4);
	struct mdlbuf b[3];
	PMDL m0 = mk_mdl(&b[0], mem + 10, 64);
	PMDL m1 = mk_mdl(&b[1], mem + PG + 4095, 2);
	PMDL m2 = mk_mdl(&b[2], mem + 100, 900);
	m0->Next = m1;
	m1->Next = m2;
	/* DataOffset 65: the current MDL is m1, one byte into it */
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, m0, 65, 1 + 300);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), m1);
	assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 1);
	PSCATTER_GATHER_LIST l = sg_alloc(nb, 0, NULL, 0, NULL);
	struct piece want[] = {{mem + 2 * PG, 1}, {mem + 100, 300}};
	check_list(l, want, 2, 0, 0); /* 32-bit: below 4 GiB */
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_multi_nb_nbl(void **s)
{
	(void)s;
	start6("sim", 1, 65536);
	unsigned char *mem = pages(4, 5);
	struct mdlbuf b[4];
	PMDL a0 = mk_mdl(&b[0], mem + 1, 1000);
	PMDL a1 = mk_mdl(&b[1], mem + PG + 3000, 2000);
	a0->Next = a1;
	PMDL c0 = mk_mdl(&b[2], mem + 3 * PG + 17, 40);
	PMDL c1 = mk_mdl(&b[3], mem + 3 * PG + 2000, 2096);
	c0->Next = c1;
	PNET_BUFFER_LIST nbl =
	    NdisAllocateNetBufferAndNetBufferList(nbl_pool, 0, 0, a0, 0, 3000);
	assert_non_null(nbl);
	/* two more NET_BUFFERs in the same list */
	NET_BUFFER nb2, nb3;
	memset(&nb2, 0, sizeof(nb2));
	memset(&nb3, 0, sizeof(nb3));
	nb2.MdlChain = nb2.CurrentMdl = a1;
	nb2.CurrentMdlOffset = nb2.DataOffset = 1500;
	nb2.DataLength = 500;
	nb3.MdlChain = c0;
	nb3.CurrentMdl = c1;
	nb3.DataOffset = 40 + 96;
	nb3.CurrentMdlOffset = 96;
	nb3.DataLength = 2000;
	NET_BUFFER_LIST_FIRST_NB(nbl)->Next = &nb2;
	nb2.Next = &nb3;
	PSCATTER_GATHER_LIST l[3];
	int i = 0;
	for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb;
	     nb = NET_BUFFER_NEXT_NB(nb))
		l[i++] =
		    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL);
	assert_int_equal(i, 3);
	struct piece w1[] = {{mem + 1, 1000}, {mem + PG + 3000, 2000}};
	struct piece w2[] = {{mem + PG + 4500, 500}};
	struct piece w3[] = {{mem + 3 * PG + 2096, 2000}};
	check_list(l[0], w1, 2, 0, 1);
	check_list(l[1], w2, 1, 0, 1);
	check_list(l[2], w3, 1, 0, 1);
	/* free out of order */
	NdisMFreeNetBufferSGList(tl.dma_handle, l[1], &nb2);
	NdisMFreeNetBufferSGList(tl.dma_handle, l[2], &nb3);
	NdisMFreeNetBufferSGList(tl.dma_handle, l[0],
				 NET_BUFFER_LIST_FIRST_NB(nbl));
	NET_BUFFER_LIST_FIRST_NB(nbl)->Next = NULL;
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_caller_buffer_or_ours(void **s)
{
	(void)s;
	start6("sim", 1, 65536);
	/* room for a list of 65536 bytes in one MDL: 16 pages + 1 */
	assert_int_equal(sg.list_size, sizeof(SCATTER_GATHER_LIST) +
					   17 * sizeof(SCATTER_GATHER_ELEMENT));
	unsigned char *mem = pages(3, 6);
	struct mdlbuf b;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, mk_mdl(&b, mem + 100, 2 * PG), 0, 2 * PG);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	void *big = malloc(sg.list_size);
	/* large enough: used */
	PSCATTER_GATHER_LIST l =
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, big, sg.list_size, NULL);
	assert_ptr_equal(l, big);
	assert_int_equal(l->NumberOfElements, 3);
	/* the buffer holds a live list: reusing it is refused */
	NDIS_STATUS st;
	TL_STRICT("sg.buffer-live");
	assert_int_equal(RULE_DELTA("sg.buffer-live",
				    sg_alloc(nb, 0, big, sg.list_size, &st)),
			 1);
	TL_DEFAULT("sg.buffer-live");
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	/* too small for three elements: ours, the buffer untouched */
	size_t small_len =
	    sizeof(SCATTER_GATHER_LIST) + 2 * sizeof(SCATTER_GATHER_ELEMENT);
	unsigned char small[sizeof(SCATTER_GATHER_LIST) +
			    2 * sizeof(SCATTER_GATHER_ELEMENT)]
	    __attribute__((aligned(8)));
	memset(small, 0xEE, sizeof(small));
	l = sg_alloc(nb, 0, small, (ULONG)small_len, NULL);
	assert_ptr_not_equal(l, small);
	for (size_t k = 0; k < sizeof(small); k++)
		assert_int_equal(small[k], 0xEE);
	struct piece w[] = {{mem + 100, 2 * PG}};
	check_list(l, w, 1, 0, 1);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	/* NULL: ours; a large buffer whose size says 0: ours */
	l = sg_alloc(nb, 0, NULL, 12345, NULL);
	assert_non_null(l);
	PSCATTER_GATHER_LIST l2 = NULL;
	NET_BUFFER nb2 = *nb;
	nb2.Next = NULL;
	l2 = sg_alloc(&nb2, 0, big, 0, NULL);
	assert_ptr_not_equal(l2, big);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	NdisMFreeNetBufferSGList(tl.dma_handle, l2, &nb2);
	/* after the free the buffer may be used again */
	l = sg_alloc(nb, 0, big, sg.list_size, NULL);
	assert_ptr_equal(l, big);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(big);
	free(mem);
}

static void test_send_list_read_only_receive_writable(void **s)
{
	(void)s;
	start6("sim", 1, 65536);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(2, 7);
	struct mdlbuf b;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, mk_mdl(&b, mem + 3000, 2000), 0, 2000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	PSCATTER_GATHER_LIST l =
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL);
	for (ULONG i = 0; i < l->NumberOfElements; i++)
		assert_int_equal(
		    RULE_DELTA(
			"device.perm",
			assert_int_equal(
			    ndisdma_sim_dma_write(
				sim, l->Elements[i].Address.QuadPart, "z", 1),
			    -EFAULT)),
		    1);
	uint64_t a0 = l->Elements[0].Address.QuadPart;
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	/* after the free the addresses are dead */
	unsigned char x;
	assert_int_equal(
	    RULE_DELTA("device.stale", ndisdma_sim_dma_read(sim, a0, &x, 1)),
	    1);
	/* a receive list: the device writes straight into the memory */
	l = sg_alloc(nb, 0, NULL, 0, NULL);
	unsigned char frame[2000];
	for (int i = 0; i < 2000; i++)
		frame[i] = (unsigned char)(i ^ 0x5a);
	size_t off = 0;
	for (ULONG i = 0; i < l->NumberOfElements; i++) {
		assert_int_equal(
		    ndisdma_sim_dma_write(sim, l->Elements[i].Address.QuadPart,
					  frame + off, l->Elements[i].Length),
		    0);
		off += l->Elements[i].Length;
	}
	assert_memory_equal(mem + 3000, frame, 2000);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_bounce6_both_directions(void **s)
{
	(void)s;
	start6("sim:iommu=no,dma-bits=32", 0, 65536);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(4, 8);
	unsigned char orig[4 * PG];
	memcpy(orig, mem, sizeof(orig));
	struct mdlbuf b[2];
	PMDL m0 = mk_mdl(&b[0], mem + PG - 500, 1000);
	PMDL m1 = mk_mdl(&b[1], mem + 2 * PG + 33, 5000);
	m0->Next = m1;
	/* the data: from 200 into m0 to 4000 into m1 */
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, m0, 200, 800 + 4000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	/* send: one element per MDL, below 4 GiB, exact bytes, read-only */
	PSCATTER_GATHER_LIST l =
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL);
	struct piece w[] = {{mem + PG - 300, 800}, {mem + 2 * PG + 33, 4000}};
	check_list(l, w, 2, 1, 0);
	assert_int_equal(
	    RULE_DELTA("device.perm",
		       ndisdma_sim_dma_write(
			   sim, l->Elements[1].Address.QuadPart, "zz", 2)),
	    1);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_maps, 2);
	assert_int_equal(st.bounce_bytes_in, 4800);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_bytes_out, 0);
	assert_int_equal(st.bounce_area_bytes, 0);
	assert_memory_equal(mem, orig, sizeof(orig));

	/* receive: the device writes the elements; nothing reaches memory
	 * before the free, exactly the data after it */
	l = sg_alloc(nb, 0, NULL, 0, NULL);
	assert_int_equal(l->NumberOfElements, 2);
	unsigned char frame[4800];
	for (int i = 0; i < 4800; i++)
		frame[i] = (unsigned char)(7 * i + 1);
	assert_int_equal(ndisdma_sim_dma_write(
			     sim, l->Elements[0].Address.QuadPart, frame, 800),
			 0);
	assert_int_equal(ndisdma_sim_dma_write(sim,
					       l->Elements[1].Address.QuadPart,
					       frame + 800, 4000),
			 0);
	assert_memory_equal(mem, orig, sizeof(orig));
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	assert_memory_equal(mem + PG - 300, frame, 800);
	assert_memory_equal(mem + 2 * PG + 33, frame + 800, 4000);
	/* the bytes of the MDLs outside the data are untouched */
	assert_memory_equal(mem, orig, PG - 300);
	assert_memory_equal(mem + PG + 500, orig + PG + 500, PG - 500 + 33);
	assert_memory_equal(mem + 2 * PG + 4033, orig + 2 * PG + 4033,
			    2 * PG - 4033);
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_bytes_out, 4800);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_bounce6_out_of_space(void **s)
{
	(void)s;
	start6("sim:iommu=no,dma-bits=32,limit=4096", 0, 65536);
	unsigned char *mem = pages(3, 9);
	struct mdlbuf b;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, mk_mdl(&b, mem + 1, 6000), 0, 6000);
	NDIS_STATUS st;
	unsigned long all = ndisdma_verifier_count(NULL);
	assert_null(sg_alloc(NET_BUFFER_LIST_FIRST_NB(nbl), 0, NULL, 0, &st));
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_int_equal(ndisdma_verifier_count(NULL), all); /* no misuse */
	struct ndisdma_stats s2;
	ndisdma_adapter_stats(tl.ad, &s2);
	assert_int_equal(s2.map_active, 0);
	assert_int_equal(s2.bounce_failures, 1);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void halt_free_shm(NDIS_HANDLE h)
{
	NdisMFreeSharedMemory(h, shm.len, TRUE, shm.va, shm.pa);
}

static void test_shared_memory_fast_path(void **s)
{
	(void)s;
	shm.len = 3 * PG;
	start6("sim", 0, 65536);
	tl.halt = halt_free_shm;
	assert_non_null(shm.va);
	unsigned char *va = shm.va;
	for (ULONG i = 0; i < shm.len; i++)
		va[i] = (unsigned char)(i * 3);
	struct mdlbuf b;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, mk_mdl(&b, va + 100, 5000), 0, 5000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	/* inside one block: one element at the block's address */
	PSCATTER_GATHER_LIST l =
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL);
	assert_int_equal(l->NumberOfElements, 1);
	assert_int_equal(l->Elements[0].Address.QuadPart,
			 shm.pa.QuadPart + 100);
	assert_int_equal(l->Elements[0].Length, 5000);
	unsigned char got[5000];
	assert_int_equal(ndisdma_sim_dma_read(ndisdma_adapter_sim(tl.ad),
					      l->Elements[0].Address.QuadPart,
					      got, sizeof(got)),
			 0);
	assert_memory_equal(got, va + 100, sizeof(got));
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.bounce_maps, 0);
	assert_int_equal(st.map_active, 1);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	memset(&shm, 0, sizeof(shm));
}

/* What ndis.sys lets through, in the default mode: a NET_BUFFER longer
 * than MaximumPhysicalMapping (its list from our storage), an empty one
 * (a list of no elements), an SGListBuffer that holds a live list (the
 * new list elsewhere, the old one still live). Each reported; halt
 * reclaims nothing once the lists are freed. */
static void test_lists_as_windows(void **s)
{
	(void)s;
	start6("sim", 1, 8192);
	unsigned char *mem = pages(4, 11);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 5, 3 * PG);
	PNET_BUFFER_LIST nbl =
	    NdisAllocateNetBufferAndNetBufferList(nbl_pool, 0, 0, m, 0, 9000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	PSCATTER_GATHER_LIST l;
	assert_int_equal(
	    RULE_DELTA("sg.too-long", l = sg_alloc(nb, 0, NULL, 0, NULL)), 1);
	assert_non_null(l);
	struct piece w[] = {{mem + 5, 9000}};
	check_list(l, w, 1, 0, 1);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	nb->DataLength = 0;
	assert_int_equal(
	    RULE_DELTA("sg.empty", l = sg_alloc(nb, 0, NULL, 0, NULL)), 1);
	assert_non_null(l);
	assert_int_equal(l->NumberOfElements, 0);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	nb->DataLength = 100;
	void *big = malloc(sg.list_size);
	PSCATTER_GATHER_LIST l1 = sg_alloc(nb, 0, big, sg.list_size, NULL);
	assert_ptr_equal(l1, big);
	NET_BUFFER nb2 = *nb;
	nb2.Next = NULL;
	PSCATTER_GATHER_LIST l2;
	assert_int_equal(
	    RULE_DELTA("sg.buffer-live",
		       l2 = sg_alloc(&nb2, 0, big, sg.list_size, NULL)),
	    1);
	assert_non_null(l2);
	assert_ptr_not_equal(l2, big);
	NdisMFreeNetBufferSGList(tl.dma_handle, l2, &nb2);
	NdisMFreeNetBufferSGList(tl.dma_handle, l1, nb);
	free(big);
	free(mem);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
}

static void test_net_buffer_sg_rules(void **s)
{
	(void)s;
	start6("sim", 1, 8192);
	unsigned char *mem = pages(4, 10);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 5, 3 * PG);
	PNET_BUFFER_LIST nbl =
	    NdisAllocateNetBufferAndNetBufferList(nbl_pool, 0, 0, m, 0, 9000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	NDIS_STATUS st;
	/* longer than MaximumPhysicalMapping (strict) */
	TL_STRICT("sg.too-long");
	assert_int_equal(RULE_DELTA("sg.too-long",
				    assert_null(sg_alloc(nb, 0, NULL, 0, &st))),
			 1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	/* malformed NET_BUFFERs */
	nb->DataLength = 0;
	TL_STRICT("sg.empty");
	assert_int_equal(
	    RULE_DELTA("sg.empty", assert_null(sg_alloc(nb, 0, NULL, 0, &st))),
	    1);
	nb->DataLength = 8000; /* the chain ends first */
	nb->CurrentMdlOffset = 3 * PG - 100;
	assert_int_equal(RULE_DELTA("sg.bad-params",
				    assert_null(sg_alloc(nb, 0, NULL, 0, &st))),
			 1);
	assert_int_equal(
	    RULE_DELTA("sg.bad-params",
		       assert_null(sg_alloc(NULL, 0, NULL, 0, &st))),
	    1);
	assert_int_equal(st, NDIS_STATUS_FAILURE);
	/* handles: unknown, and the adapter handle instead of the DMA one */
	assert_int_equal(
	    RULE_DELTA("sgdma.bad-handle",
		       NdisMAllocateNetBufferSGList((NDIS_HANDLE)&st, nb, NULL,
						    0, NULL, 0)),
	    1);
	assert_int_equal(RULE_DELTA("sgdma.bad-handle",
				    NdisMAllocateNetBufferSGList(
					tl.handle, nb, NULL, 0, NULL, 0)),
			 1);
	/* IRQL: DISPATCH is fine, above it not */
	nb->DataLength = 1000;
	nb->CurrentMdlOffset = 0;
	KIRQL old;
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	PSCATTER_GATHER_LIST l = NULL;
	assert_int_equal(
	    NdisMAllocateNetBufferSGList(tl.dma_handle, nb, NULL, 0, NULL, 0),
	    NDIS_STATUS_SUCCESS);
	l = sg.list;
	assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
	KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
	assert_int_equal(RULE_DELTA("irql.too-high",
				    NdisMAllocateNetBufferSGList(
					tl.dma_handle, nb, NULL, 0, NULL, 0)),
			 1);
	assert_int_equal(RULE_DELTA("irql.too-high", NdisMFreeNetBufferSGList(
							 tl.dma_handle, l, nb)),
			 1);
	KeLowerIrql(DISPATCH_LEVEL);
	/* the wrong NET_BUFFER: reported, the list stays live */
	NET_BUFFER other;
	memset(&other, 0, sizeof(other));
	assert_int_equal(
	    RULE_DELTA("sg.free-wrong-buffer",
		       NdisMFreeNetBufferSGList(tl.dma_handle, l, &other)),
	    1);
	unsigned char x;
	assert_int_equal(ndisdma_sim_dma_read(ndisdma_adapter_sim(tl.ad),
					      l->Elements[0].Address.QuadPart,
					      &x, 1),
			 0);
	NdisMFreeNetBufferSGList(tl.dma_handle, l, nb);
	KeLowerIrql(PASSIVE_LEVEL);
	/* twice */
	assert_int_equal(
	    RULE_DELTA("sg.double-free",
		       NdisMFreeNetBufferSGList(tl.dma_handle, l, nb)),
	    1);
	NdisFreeNetBufferList(nbl);
	assert_int_equal(stop6(), 0);
	free(mem);
}

static void test_no_registration6(void **s)
{
	(void)s;
	tl.ndis6 = 1;
	tl.dma = TL_DMA_MAPREG64; /* DMA, but not scatter-gather */
	assert_int_equal(tl_start("sim"), 0);
	NET_BUFFER nb;
	memset(&nb, 0, sizeof(nb));
	assert_int_equal(
	    RULE_DELTA("sg.no-registration",
		       assert_int_equal(NdisMAllocateNetBufferSGList(
					    tl.handle, &nb, NULL, 0, NULL, 0),
					NDIS_STATUS_FAILURE)),
	    1);
	assert_int_equal(tl_stop(), 0);
}

static void halt_noop(NDIS_HANDLE h)
{
	(void)h;
}

static void test_leak6_at_halt(void **s)
{
	(void)s;
	start6("sim:iommu=no,dma-bits=32", 0, 65536);
	tl.halt = halt_noop;
	unsigned char *mem = pages(2, 11);
	struct mdlbuf b;
	PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(
	    nbl_pool, 0, 0, mk_mdl(&b, mem + 9, 5000), 0, 5000);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
	void *buf = malloc(sg.list_size);
	assert_non_null(sg_alloc(nb, 0, buf, sg.list_size, NULL));
	assert_non_null(
	    sg_alloc(nb, NDIS_SG_LIST_WRITE_TO_DEVICE, NULL, 0, NULL));
	NdisFreeNetBufferList(nbl);
	/* the driver frees its memory and its list buffer; halt must copy
	 * nothing back into them and read neither */
	free(mem);
	free(buf);
	NdisFreeNetBufferListPool(nbl_pool);
	nbl_pool = NULL;
	unsigned long before = ndisdma_verifier_count("halt.leak-sglist");
	assert_int_equal(tl_stop(), 2);
	assert_int_equal(ndisdma_verifier_count("halt.leak-sglist") - before,
			 2);
}

struct worker {
	PNET_BUFFER nb;
	const unsigned char *data;
	int failures;
};

static void *sg_worker(void *arg)
{
	struct worker *w = arg;
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	void *buf = malloc(sg.list_size);
	for (int i = 0; i < 300; i++) {
		tls_list = NULL;
		if (NdisMAllocateNetBufferSGList(
			tl.dma_handle, w->nb, NULL,
			(i & 1) ? NDIS_SG_LIST_WRITE_TO_DEVICE : 0,
			(i & 2) ? buf : NULL,
			sg.list_size) != NDIS_STATUS_SUCCESS ||
		    !tls_list) {
			w->failures++;
			continue;
		}
		unsigned char x;
		if (ndisdma_sim_dma_read(
			sim, tls_list->Elements[0].Address.QuadPart, &x, 1) ||
		    x != w->data[0])
			w->failures++;
		NdisMFreeNetBufferSGList(tl.dma_handle, tls_list, w->nb);
	}
	free(buf);
	return NULL;
}

static void test_threads(void **s)
{
	(void)s;
	start6("sim", 1, 65536);
	unsigned char *mem = pages(4, 17);
	struct mdlbuf b[2];
	PNET_BUFFER_LIST nbl[2];
	struct worker w[2];
	pthread_t t[2];
	threaded = 1;
	for (int i = 0; i < 2; i++) {
		nbl[i] = NdisAllocateNetBufferAndNetBufferList(
		    nbl_pool, 0, 0, mk_mdl(&b[i], mem + 2 * PG * i + 3, PG + 5),
		    0, PG + 5);
		w[i] = (struct worker){NET_BUFFER_LIST_FIRST_NB(nbl[i]),
				       mem + 2 * PG * i + 3, 0};
	}
	unsigned long all = ndisdma_verifier_count(NULL);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sg_worker, &w[i]),
				 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	threaded = 0;
	assert_int_equal(ndisdma_verifier_count(NULL), all);
	struct ndisdma_stats st;
	ndisdma_adapter_stats(tl.ad, &st);
	assert_int_equal(st.map_active, 0);
	for (int i = 0; i < 2; i++)
		NdisFreeNetBufferList(nbl[i]);
	assert_int_equal(stop6(), 0);
	free(mem);
}

/* ---------------- NDIS 5: the host builds per-packet lists ----------- */

static NDIS_HANDLE pkt_pool;

static void start5(const char *uri, enum tl_dma dma)
{
	tl.dma = dma;
	assert_int_equal(tl_start(uri), 0);
	assert_int_equal(tl.dma_status, NDIS_STATUS_SUCCESS);
	NDIS_STATUS st;
	NdisAllocatePacketPool(&st, &pkt_pool, 8,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
}

static PNDIS_PACKET packet_of(PMDL *m, unsigned n)
{
	NDIS_STATUS st;
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pkt_pool);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	for (unsigned i = 0; i < n; i++)
		NdisChainBufferAtBack(p, m[i]);
	return p;
}

static PSCATTER_GATHER_LIST list_of(PNDIS_PACKET p)
{
	return NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
}

static void test_packet_multi_buffer(void **s)
{
	(void)s;
	start5("sim", TL_DMA_SG64);
	unsigned char *mem = pages(6, 12);
	struct mdlbuf b[4];
	PMDL m[4] = {mk_mdl(&b[0], mem + 14, 54),
		     mk_mdl(&b[1], mem + PG + 4000, 0),
		     mk_mdl(&b[2], mem + PG + 3001, 6000),
		     mk_mdl(&b[3], mem + 4 * PG + 4090, 7)};
	PNDIS_PACKET p = packet_of(m, 4);
	assert_null(list_of(p));
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1), 0);
	struct piece w[] = {
	    {mem + 14, 54}, {mem + PG + 3001, 6000}, {mem + 4 * PG + 4090, 7}};
	check_list(list_of(p), w, 3, 0, 1);
	/* a send list: read-only for the device */
	assert_int_equal(
	    RULE_DELTA("device.perm",
		       ndisdma_sim_dma_write(
			   ndisdma_adapter_sim(tl.ad),
			   list_of(p)->Elements[0].Address.QuadPart, "z", 1)),
	    1);
	/* built already */
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1), -EBUSY);
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	assert_null(list_of(p));
	assert_int_equal(
	    RULE_DELTA(
		"sg.double-free",
		assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), -ENOENT)),
	    1);
	/* a receive list of the same packet: the device writes it */
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 0), 0);
	assert_int_equal(
	    ndisdma_sim_dma_write(ndisdma_adapter_sim(tl.ad),
				  list_of(p)->Elements[0].Address.QuadPart,
				  "hello", 5),
	    0);
	assert_memory_equal(mem + 14, "hello", 5);
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	NdisFreePacket(p);
	NdisFreePacketPool(pkt_pool);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_packet_bounce(void **s)
{
	(void)s;
	start5("sim:iommu=no,dma-bits=32", TL_DMA_SG32);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char *mem = pages(3, 13);
	unsigned char orig[3 * PG];
	memcpy(orig, mem, sizeof(orig));
	struct mdlbuf b[2];
	PMDL m[2] = {mk_mdl(&b[0], mem + PG - 7, 14),
		     mk_mdl(&b[1], mem + PG + 100, 5000)};
	PNDIS_PACKET p = packet_of(m, 2);
	/* send: byte-exact in the bounce areas */
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1), 0);
	struct piece w[] = {{mem + PG - 7, 14}, {mem + PG + 100, 5000}};
	check_list(list_of(p), w, 2, 1, 0);
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	assert_memory_equal(mem, orig, sizeof(orig));
	/* receive: copied back at the free, exactly */
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 0), 0);
	PSCATTER_GATHER_LIST l = list_of(p);
	unsigned char frame[5014];
	for (int i = 0; i < 5014; i++)
		frame[i] = (unsigned char)(i * 13 + 5);
	assert_int_equal(ndisdma_sim_dma_write(
			     sim, l->Elements[0].Address.QuadPart, frame, 14),
			 0);
	assert_int_equal(ndisdma_sim_dma_write(sim,
					       l->Elements[1].Address.QuadPart,
					       frame + 14, 5000),
			 0);
	assert_memory_equal(mem, orig, sizeof(orig));
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	assert_memory_equal(mem + PG - 7, frame, 14);
	assert_memory_equal(mem + PG + 100, frame + 14, 5000);
	assert_memory_equal(mem, orig, PG - 7);
	assert_memory_equal(mem + PG + 7, orig + PG + 7, 93);
	assert_memory_equal(mem + PG + 5100, orig + PG + 5100, 2 * PG - 5100);
	NdisFreePacket(p);
	NdisFreePacketPool(pkt_pool);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_packet_rules(void **s)
{
	(void)s;
	start5("sim", TL_DMA_SG32); /* MaximumPhysicalMapping 65536 */
	unsigned char *mem = pages(18, 14);
	struct mdlbuf b[3];
	PMDL big = mk_mdl(&b[0], mem, 8 * PG);
	PMDL big2 = mk_mdl(&b[1], mem + 8 * PG, 8 * PG);
	PMDL tail = mk_mdl(&b[2], mem + 16 * PG, 1);
	PMDL all[] = {big, big2, tail};
	PNDIS_PACKET p = packet_of(all, 3); /* 65537 bytes */
	/* as the HAL: built all the same (reported); strict: refused */
	assert_int_equal(
	    RULE_DELTA(
		"sg.too-long",
		assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1), 0)),
	    1);
	assert_non_null(list_of(p));
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo) = NULL;
	TL_STRICT("sg.too-long");
	assert_int_equal(
	    RULE_DELTA("sg.too-long",
		       assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1),
					-EMSGSIZE)),
	    1);
	TL_DEFAULT("sg.too-long");
	assert_null(list_of(p));
	PNDIS_BUFFER drop;
	NdisUnchainBufferAtBack(p, &drop); /* 65536: fits */
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1), 0);
	/* another packet carrying p's list */
	PMDL one[] = {tail};
	PNDIS_PACKET q = packet_of(one, 1);
	NDIS_PER_PACKET_INFO_FROM_PACKET(q, ScatterGatherListPacketInfo) =
	    list_of(p);
	assert_int_equal(
	    RULE_DELTA(
		"sg.free-wrong-buffer",
		assert_int_equal(ndisdma_packet_sg_free(tl.ad, q), -EXDEV)),
	    1);
	NDIS_PER_PACKET_INFO_FROM_PACKET(q, ScatterGatherListPacketInfo) = NULL;
	assert_int_equal(ndisdma_packet_sg_free(tl.ad, p), 0);
	assert_int_equal(ndisdma_packet_sg_build(NULL, p, 1), -EINVAL);
	NdisFreePacket(q);
	NdisFreePacket(p);
	NdisFreePacketPool(pkt_pool);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_packet_no_registration(void **s)
{
	(void)s;
	start5("sim", TL_DMA_MAPREG32);
	unsigned char *mem = pages(1, 15);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem, 60);
	PNDIS_PACKET p = packet_of(&m, 1);
	assert_int_equal(
	    RULE_DELTA("sg.no-registration",
		       assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 1),
					-ENOTSUP)),
	    1);
	NdisFreePacket(p);
	NdisFreePacketPool(pkt_pool);
	assert_int_equal(tl_stop(), 0);
	free(mem);
}

static void test_packet_leak_at_halt(void **s)
{
	(void)s;
	start5("sim", TL_DMA_SG64);
	unsigned char *mem = pages(1, 16);
	struct mdlbuf b;
	PMDL m = mk_mdl(&b, mem + 1, 100);
	PNDIS_PACKET p = packet_of(&m, 1);
	assert_int_equal(ndisdma_packet_sg_build(tl.ad, p, 0), 0);
	NdisFreePacket(p);
	NdisFreePacketPool(pkt_pool);
	free(mem);
	assert_int_equal(
	    RULE_DELTA("halt.leak-sglist", assert_int_equal(tl_stop(), 1)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_nb_multi_mdl_offset, tl_setup),
	    cmocka_unit_test_setup(test_current_mdl_not_first, tl_setup),
	    cmocka_unit_test_setup(test_multi_nb_nbl, tl_setup),
	    cmocka_unit_test_setup(test_caller_buffer_or_ours, tl_setup),
	    cmocka_unit_test_setup(test_send_list_read_only_receive_writable,
				   tl_setup),
	    cmocka_unit_test_setup(test_bounce6_both_directions, tl_setup),
	    cmocka_unit_test_setup(test_bounce6_out_of_space, tl_setup),
	    cmocka_unit_test_setup(test_shared_memory_fast_path, tl_setup),
	    cmocka_unit_test_setup(test_lists_as_windows, tl_setup),
	    cmocka_unit_test_setup(test_net_buffer_sg_rules, tl_setup),
	    cmocka_unit_test_setup(test_no_registration6, tl_setup),
	    cmocka_unit_test_setup(test_leak6_at_halt, tl_setup),
	    cmocka_unit_test_setup(test_threads, tl_setup),
	    cmocka_unit_test_setup(test_packet_multi_buffer, tl_setup),
	    cmocka_unit_test_setup(test_packet_bounce, tl_setup),
	    cmocka_unit_test_setup(test_packet_rules, tl_setup),
	    cmocka_unit_test_setup(test_packet_no_registration, tl_setup),
	    cmocka_unit_test_setup(test_packet_leak_at_halt, tl_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
