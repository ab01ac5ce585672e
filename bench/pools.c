/* SPDX-License-Identifier: MIT */
/*
 * pools.c - what a descriptor costs: ns per allocate+free pair of
 * NdisAllocatePacket/NdisFreePacket, NdisAllocateBuffer/NdisFreeBuffer
 * and NET_BUFFER_LIST (with its NET_BUFFER), one at a time and in batches
 * of 32 through the native bulk API, on 1 and 2 threads; beside them in
 * the same run DPDK's rte_mempool (cache 256; get/put and get/put_bulk of
 * 32) when built with libdpdk, and glibc malloc/free of the same object
 * sizes. Two rows free each bulk batch in a shuffled order instead of
 * the order it was allocated in ("NdisAllocatePacket bulk, freed
 * shuffled" and "DPDK rte_mempool bulk, put shuffled"): the 32 pointers
 * are gathered through a fixed permutation into a second array (the same
 * plain copy in both) and that array is freed; a line then says how many
 * untimed batches of each packet row went back as consecutive
 * descriptors (one constant address stride). Two more rows ("two in
 * flight") take two batches and then give the first back before the
 * second, ours and DPDK's. "DPDK rte_mempool + NBL init" does to objects
 * the size of our NET_BUFFER_LIST + NET_BUFFER what NDIS requires of
 * NdisAllocateNetBufferAndNetBufferList (one at a time: lists zeroed,
 * pool handles, FirstNetBuffer, the data range checked and placed in
 * the chain) and of NdisAllocateNetBufferList (bulk). Every figure is the
 * median of 5 runs (the four columns of a row taken in turn in each). Ends with
 * ours/DPDK ratios (the shuffled rows' too), the RSS growth per round of create
 * pool of 4096 / allocate all / free all / free pool (packet, buffer and NBL
 * pools; 1000 rounds after 1000 whose growth is shown apart, see GROW_WARM),
 * and the memory a pool of N costs.
 *
 * Usage: pools [iterations]   (default 4000000 pairs per run; a figure
 *                              is the median of 5 runs)
 * Figures, not a test: the 2-thread numbers share the machine's cores
 * with whatever else runs.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef NDISDMA_BENCH_DPDK
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#endif

#define BULK 32
#define REPS 5 /* runs per figure; the median is printed */

static long iters = 4000000;
static char data[64 * 1024] __attribute__((aligned(4096)));

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The order the shuffled rows free a batch in: shuffled[k] = batch[perm[k]].
 * The caches (as they are now) hand back a bulk-freed array in the order
 * it was freed, so batch j of a loop is freed in (first batch) o perm^j,
 * and the "consecutive descriptors" line counts what happens: perm is redrawn
 * until its order (the lcm of its cycle lengths) is at least 1000 and no
 * power of it reverses the batch, so at most 1 batch in perm_order comes
 * back in the order it was first allocated in. */
static unsigned char perm[BULK];
static unsigned long perm_order;

static unsigned long gcd_ul(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static void make_perm(void)
{
	uint32_t x = 2463534242u; /* xorshift32, fixed seed */
	for (;;) {
		for (int i = 0; i < BULK; i++)
			perm[i] = (unsigned char)i;
		for (int i = BULK - 1; i > 0; i--) { /* Fisher-Yates */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			int j = (int)(x % (uint32_t)(i + 1));
			unsigned char t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		bool seen[BULK] = {false};
		unsigned long order = 1;
		for (int i = 0; i < BULK; i++) {
			unsigned long len = 0;
			for (int k = i; !seen[k]; k = perm[k], len++)
				seen[k] = true;
			if (len)
				order = order / gcd_ul(order, len) * len;
		}
		if (order < 1000)
			continue;
		/* no power reverses the batch */
		unsigned char pw[BULK], nx[BULK];
		memcpy(pw, perm, sizeof(pw));
		bool reverses = false;
		for (unsigned long k = 1; k < order && !reverses; k++) {
			reverses = true;
			for (int i = 0; i < BULK; i++)
				reverses &= pw[i] == BULK - 1 - i;
			for (int i = 0; i < BULK; i++)
				nx[i] = pw[perm[i]];
			memcpy(pw, nx, sizeof(pw));
		}
		if (!reverses) {
			perm_order = order;
			return;
		}
	}
}

struct subject {
	const char *name;
	void (*loop)(struct subject *s, long n); /* n pairs */
	void (*thread_init)(void);
	void (*thread_fini)(void);
	void *pool;
	size_t size; /* malloc: object size */
	PMDL mdl;    /* NBL: the data */
};

/* ---- ours ---- */

static void pkt_one(struct subject *s, long n)
{
	/* the handle in a local, as the DPDK loops keep mp */
	void *pool = s->pool;
	NDIS_STATUS st;
	PNDIS_PACKET p;
	for (long i = 0; i < n; i++) {
		NdisAllocatePacket(&st, &p, pool);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
		NdisFreePacket(p);
	}
}

/* The same through the library's functions (what a driver built with
 * NDISDMA_NO_INLINE, or calling through a pointer, pays). */
static void pkt_one_fn(struct subject *s, long n)
{
	void *pool = s->pool;
	NDIS_STATUS st;
	PNDIS_PACKET p;
	for (long i = 0; i < n; i++) {
		(NdisAllocatePacket)(&st, &p, pool);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
		(NdisFreePacket)(p);
	}
}

static void pkt_bulk(struct subject *s, long n)
{
	void *pool = s->pool;
	PNDIS_PACKET p[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_packet_alloc_bulk(pool, p, BULK) != BULK)
			abort();
		ndisdma_packet_free_bulk(pool, p, BULK);
	}
}

static void pkt_bulk_shuffled(struct subject *s, long n)
{
	void *pool = s->pool;
	PNDIS_PACKET p[BULK], q[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_packet_alloc_bulk(pool, p, BULK) != BULK)
			abort();
		for (int k = 0; k < BULK; k++)
			q[k] = p[perm[k]];
		ndisdma_packet_free_bulk(pool, q, BULK);
	}
}

/* Two batches in flight: A and B taken, then A given back, then B (a
 * driver with a second batch posted before the first completes). The
 * frees are never of the batch the last allocation took, so each is
 * checked in full. */
static void pkt_bulk_two(struct subject *s, long n)
{
	void *pool = s->pool;
	PNDIS_PACKET a[BULK], b[BULK];
	for (long i = 0; i < n; i += 2 * BULK) {
		if (ndisdma_packet_alloc_bulk(pool, a, BULK) != BULK ||
		    ndisdma_packet_alloc_bulk(pool, b, BULK) != BULK)
			abort();
		ndisdma_packet_free_bulk(pool, a, BULK);
		ndisdma_packet_free_bulk(pool, b, BULK);
	}
}

/* Untimed: of `batches` bulk batches of `pool` freed in order or
 * shuffled, how many were freed as one constant address stride (what a
 * fast path for consecutive descriptors can take). */
static long consecutive_batches(NDIS_HANDLE pool, bool shuffled, long batches)
{
	PNDIS_PACKET p[BULK], q[BULK];
	long hits = 0;
	for (long i = 0; i < batches; i++) {
		if (ndisdma_packet_alloc_bulk(pool, p, BULK) != BULK)
			abort();
		for (int k = 0; k < BULK; k++)
			q[k] = shuffled ? p[perm[k]] : p[k];
		intptr_t d = (intptr_t)q[1] - (intptr_t)q[0];
		bool same = d != 0;
		for (int k = 2; k < BULK && same; k++)
			same = (intptr_t)q[k] - (intptr_t)q[k - 1] == d;
		hits += same;
		ndisdma_packet_free_bulk(pool, q, BULK);
	}
	return hits;
}

static void buf_one(struct subject *s, long n)
{
	void *pool = s->pool;
	NDIS_STATUS st;
	PNDIS_BUFFER b;
	for (long i = 0; i < n; i++) {
		NdisAllocateBuffer(&st, &b, pool, data + 66, 1514);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
		NdisFreeBuffer(b);
	}
}

static void buf_bulk(struct subject *s, long n)
{
	void *pool = s->pool;
	PMDL b[BULK];
	void *va[BULK];
	uint32_t len[BULK];
	for (int i = 0; i < BULK; i++) {
		va[i] = data + 2048 * i + 66;
		len[i] = 1514;
	}
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_buffer_alloc_bulk(pool, b, va, len, BULK) != BULK)
			abort();
		ndisdma_buffer_free_bulk(pool, b, BULK);
	}
}

static void nbl_one(struct subject *s, long n)
{
	void *pool = s->pool;
	for (long i = 0; i < n; i++) {
		PNET_BUFFER_LIST l = NdisAllocateNetBufferAndNetBufferList(
		    pool, 0, 0, s->mdl, 0, 1514);
		if (!l)
			abort();
		NdisFreeNetBufferList(l);
	}
}

static void nbl_bulk(struct subject *s, long n)
{
	void *pool = s->pool;
	PNET_BUFFER_LIST l[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_nbl_alloc_bulk(pool, l, BULK) != BULK)
			abort();
		ndisdma_nbl_free_bulk(pool, l, BULK);
	}
}

/* ---- glibc ---- */

static void malloc_one(struct subject *s, long n)
{
	for (long i = 0; i < n; i++) {
		void *volatile p = malloc(s->size);
		if (!p)
			abort();
		free(p);
	}
}

static void malloc_bulk(struct subject *s, long n)
{
	void *volatile p[BULK];
	for (long i = 0; i < n; i += BULK) {
		for (int k = 0; k < BULK; k++)
			p[k] = malloc(s->size);
		for (int k = 0; k < BULK; k++)
			free(p[k]);
	}
}

/* ---- DPDK ---- */

#ifdef NDISDMA_BENCH_DPDK
static void dpdk_one(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o;
	for (long i = 0; i < n; i++) {
		if (rte_mempool_get(mp, &o))
			abort();
		rte_mempool_put(mp, o);
	}
}

static void dpdk_bulk(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (rte_mempool_get_bulk(mp, o, BULK))
			abort();
		rte_mempool_put_bulk(mp, o, BULK);
	}
}

static void dpdk_bulk_two(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *a[BULK], *b[BULK];
	for (long i = 0; i < n; i += 2 * BULK) {
		if (rte_mempool_get_bulk(mp, a, BULK) ||
		    rte_mempool_get_bulk(mp, b, BULK))
			abort();
		rte_mempool_put_bulk(mp, a, BULK);
		rte_mempool_put_bulk(mp, b, BULK);
	}
}

static void dpdk_bulk_shuffled(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o[BULK], *q[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (rte_mempool_get_bulk(mp, o, BULK))
			abort();
		for (int k = 0; k < BULK; k++)
			q[k] = o[perm[k]];
		rte_mempool_put_bulk(mp, q, BULK);
	}
}

/* The same work NdisAllocatePacket does to a descriptor (Private fields
 * set, out-of-band data and per-packet information zeroed), on objects
 * from rte_mempool: the price of NDIS semantics, apart from the pool. */
static void init_like_ndis(void *o, void *pool)
{
	PNDIS_PACKET p = o;
	const USHORT oob = offsetof(NDIS_PACKET, ProtocolReserved) + 16;
	p->Private.PhysicalCount = 0;
	p->Private.TotalLength = 0;
	p->Private.Head = p->Private.Tail = NULL;
	p->Private.Pool = pool;
	p->Private.Count = 0;
	p->Private.Flags = 0;
	p->Private.ValidCounts = TRUE;
	p->Private.NdisPacketFlags = fPACKET_ALLOCATED_BY_NDIS;
	p->Private.NdisPacketOobOffset = oob;
	/* zeroed as ndisdma zeroes it (16-byte stores, not rep stos) */
	typedef uint64_t v2 __attribute__((vector_size(16), may_alias));
	v2 *v = __builtin_assume_aligned((char *)p + oob, 16);
	for (int i = 0; i < 9; i++) {
		v[i] = (v2){0, 0};
		__asm__("" ::"r"(v) : "memory");
	}
}

/* The same work NdisAllocateBuffer does to a descriptor: the MDL of
 * [va, va + len) with its flags, mapped address and page entries. */
static void init_like_mdl(void *o, char *va, uint32_t len)
{
	PMDL m = o;
	MmInitializeMdl(m, va, len);
	m->MdlFlags = MDL_ALLOCATED_FIXED_SIZE | MDL_SOURCE_IS_NONPAGED_POOL;
	m->MappedSystemVa = va;
	PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
	uintptr_t first = (uintptr_t)va >> 12;
	uintptr_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
	for (uintptr_t i = 0; i < pages; i++)
		pfn[i] = first + i;
}

static void dpdk_mdl_one(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o;
	for (long i = 0; i < n; i++) {
		if (rte_mempool_get(mp, &o))
			abort();
		init_like_mdl(o, data + 66, 1514);
		rte_mempool_put(mp, o);
	}
}

static void dpdk_mdl_bulk(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (rte_mempool_get_bulk(mp, o, BULK))
			abort();
		for (int k = 0; k < BULK; k++)
			init_like_mdl(o[k], data + 2048 * k + 66, 1514);
		rte_mempool_put_bulk(mp, o, BULK);
	}
}

static void dpdk_init_one(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o;
	for (long i = 0; i < n; i++) {
		if (rte_mempool_get(mp, &o))
			abort();
		init_like_ndis(o, mp);
		rte_mempool_put(mp, o);
	}
}

static void dpdk_init_bulk(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (rte_mempool_get_bulk(mp, o, BULK))
			abort();
		for (int k = 0; k < BULK; k++)
			init_like_ndis(o[k], mp);
		rte_mempool_put_bulk(mp, o, BULK);
	}
}

/* The same work NdisAllocateNetBufferList does to a descriptor of a pool
 * with fAllocateNetBuffer (as ndisdma_nbl_alloc_bulk makes them): the
 * NET_BUFFER_LIST and its NET_BUFFER zeroed (unrolled 16-byte stores,
 * as ndisdma zeroed them before it kept free lists in their allocation
 * state: the fastest way measured here; a rolled loop took 14 ns one at
 * a time, memset's `rep stos` 22 ns, this 10 ns), NdisPoolHandle in
 * both, FirstNetBuffer. */
static PNET_BUFFER init_like_nbl(void *o, void *pool)
{
	typedef uint64_t v2 __attribute__((vector_size(16), may_alias));
	v2 *v = __builtin_assume_aligned(o, 16);
#pragma GCC unroll 32
	for (size_t i = 0;
	     i < (sizeof(NET_BUFFER_LIST) + sizeof(NET_BUFFER)) / 16; i++) {
		v[i] = (v2){0, 0};
		__asm__("" ::"r"(v) : "memory");
	}
	PNET_BUFFER_LIST l = o;
	PNET_BUFFER nb = (PNET_BUFFER)(l + 1);
	l->NdisPoolHandle = pool;
	l->FirstNetBuffer = nb;
	nb->NdisPoolHandle = pool;
	return nb;
}

/* ... and what NdisAllocateNetBufferAndNetBufferList adds: the range
 * checked against the chain (DataOffset + DataLength within it), then
 * MdlChain, DataOffset, DataLength, and CurrentMdl / CurrentMdlOffset
 * located in the chain. NULL when the range does not fit. */
static PNET_BUFFER_LIST init_like_nbl_data(void *o, void *pool, PMDL chain,
					   ULONG off, SIZE_T len)
{
	uint64_t want = (uint64_t)off + len, have = 0;
	for (PMDL m = chain; m && have < want; m = m->Next)
		have += MmGetMdlByteCount(m);
	if (chain ? have < want : want != 0)
		return NULL;
	PNET_BUFFER nb = init_like_nbl(o, pool);
	nb->MdlChain = chain;
	nb->DataOffset = off;
	nb->stDataLength = len;
	PMDL m = chain;
	while (m && off >= MmGetMdlByteCount(m) && m->Next) {
		off -= MmGetMdlByteCount(m);
		m = m->Next;
	}
	nb->CurrentMdl = m;
	nb->CurrentMdlOffset = off;
	return o;
}

static void dpdk_nbl_one(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	PMDL mdl = s->mdl;
	void *o;
	for (long i = 0; i < n; i++) {
		if (rte_mempool_get(mp, &o))
			abort();
		if (!init_like_nbl_data(o, mp, mdl, 0, 1514))
			abort();
		rte_mempool_put(mp, o);
	}
}

static void dpdk_nbl_bulk(struct subject *s, long n)
{
	struct rte_mempool *mp = s->pool;
	void *o[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (rte_mempool_get_bulk(mp, o, BULK))
			abort();
		for (int k = 0; k < BULK; k++)
			init_like_nbl(o[k], mp);
		rte_mempool_put_bulk(mp, o, BULK);
	}
}

/* A thread that is not an EAL lcore gets an lcore id (and so the
 * mempool's per-lcore cache) by registering. */
static void dpdk_thread_init(void)
{
	if (rte_lcore_id() == LCORE_ID_ANY && rte_thread_register())
		fprintf(stderr, "rte_thread_register failed\n");
}

static void dpdk_thread_fini(void)
{
	rte_thread_unregister();
}
#endif

/* ---- running ---- */

struct runner {
	struct subject *s;
	long n;
	pthread_barrier_t *bar;
	double ns;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;
	if (r->s->thread_init)
		r->s->thread_init();
	r->s->loop(r->s, r->n / 10); /* warm the caches */
	pthread_barrier_wait(r->bar);
	double t0 = now_ns();
	r->s->loop(r->s, r->n);
	r->ns = (now_ns() - t0) / r->n;
	if (r->s->thread_fini)
		r->s->thread_fini();
	return NULL;
}

/* ns per pair on `threads` threads at once (the mean over threads). */
static double run(struct subject *s, int threads)
{
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, threads);
	struct runner r[2];
	pthread_t t[2];
	for (int i = 0; i < threads; i++) {
		r[i] = (struct runner){s, iters, &bar, 0};
		if (i)
			pthread_create(&t[i], NULL, run_thread, &r[i]);
	}
	/* the first runner is this thread (the EAL main lcore for DPDK) */
	struct subject copy = *s;
	copy.thread_init = NULL;
	copy.thread_fini = NULL;
	r[0].s = &copy;
	run_thread(&r[0]);
	double sum = r[0].ns;
	for (int i = 1; i < threads; i++) {
		pthread_join(t[i], NULL);
		sum += r[i].ns;
	}
	pthread_barrier_destroy(&bar);
	return sum / threads;
}

static double results[16][4]; /* [subject][1t one, 1t bulk, 2t one, 2t bulk] */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One row: each column the median of REPS runs, the four columns taken
 * in turn in each repetition so that a noisy stretch of the machine
 * spreads over them. A subject without a loop is a column that does not
 * apply: printed "-", its result 0. */
static void measure(int idx, const char *name, struct subject one,
		    struct subject bulk)
{
	struct subject *col[4] = {&one, &bulk, &one, &bulk};
	double t[4][REPS];
	for (int r = 0; r < REPS; r++)
		for (int c = 0; c < 4; c++)
			t[c][r] = col[c]->loop ? run(col[c], c < 2 ? 1 : 2) : 0;
	printf("%-44s", name);
	for (int c = 0; c < 4; c++) {
		qsort(t[c], REPS, sizeof(double), cmp_double);
		results[idx][c] = t[c][REPS / 2];
		if (col[c]->loop)
			printf(" %8.2f", results[idx][c]);
		else
			printf(" %8s", "-");
	}
	printf("\n");
	fflush(stdout);
}

/* ---- the driver handle NET_BUFFER_LIST pools need ---- */

static VOID nop_halt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
	(void)c;
	(void)a;
}

static NDIS_STATUS nop_init(NDIS_HANDLE h, NDIS_HANDLE d,
			    PNDIS_MINIPORT_INIT_PARAMETERS p)
{
	(void)h;
	(void)d;
	(void)p;
	return NDIS_STATUS_FAILURE;
}

static NTSTATUS bench_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = 6;
	c.MinorNdisVersion = 20;
	c.InitializeHandlerEx = nop_init;
	c.HaltHandlerEx = nop_halt;
	NDIS_HANDLE h;
	return NdisMRegisterMiniportDriver(obj, path, NULL, &c, &h) ==
		       NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static NDIS_HANDLE nbl_pool(NDIS_HANDLE drv, BOOLEAN nb)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.fAllocateNetBuffer = nb;
	return NdisAllocateNetBufferListPool(drv, &p);
}

/* Memory of pools of n1 and n2 descriptors: bytes per descriptor and the
 * constant. `make` creates a pool of n, `drop` frees it. */
static void memory_line(const char *what, NDIS_HANDLE (*make)(UINT),
			void (*drop)(NDIS_HANDLE))
{
	const UINT n1 = 1024, n2 = 16384;
	NDIS_HANDLE a = make(n1), b = make(n2);
	long m1 = ndisdma_pool_memory(a), m2 = ndisdma_pool_memory(b);
	drop(a);
	drop(b);
	double per = (double)(m2 - m1) / (n2 - n1);
	double k = m1 - per * n1;
	printf("%-34s N x %6.1f B + %6.0f B   (N=%u: %ld B, N=%u: %ld B)\n",
	       what, per, k, n1, m1, n2, m2);
}

static UINT mem_prl = 16;
static NDIS_HANDLE make_pkt(UINT n)
{
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocatePacketPool(&st, &h, n > 0xFFFF ? 0xFFFF : n, mem_prl);
	return h;
}
static void drop_pkt(NDIS_HANDLE h)
{
	NdisFreePacketPool(h);
}
static NDIS_HANDLE make_buf(UINT n)
{
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocateBufferPool(&st, &h, n);
	return h;
}
static void drop_buf(NDIS_HANDLE h)
{
	NdisFreeBufferPool(h);
}
static NDIS_HANDLE mem_drv;
static NDIS_HANDLE make_nbl(UINT n)
{
	/* NBL pools grow: fill to n and give them back */
	NDIS_HANDLE h = nbl_pool(mem_drv, TRUE);
	PNET_BUFFER_LIST *l = malloc(n * sizeof(*l));
	for (UINT i = 0; i < n; i++)
		l[i] = NdisAllocateNetBufferList(h, 0, 0);
	for (UINT i = 0; i < n; i++)
		NdisFreeNetBufferList(l[i]);
	free(l);
	return h;
}
static void drop_nbl(NDIS_HANDLE h)
{
	NdisFreeNetBufferListPool(h);
}

/* ---- memory growth: is a freed pool's memory given back? ---- */

#define GROW_N 4096
#define GROW_ROUNDS 1000
/* Rounds before the measured ones. A thread keeps the cache it had for a
 * freed pool until a later pool takes the same per-thread slot (32 of
 * them, pool id modulo 32): up to 32 such caches, ~2 KB each, are kept
 * by design, and while they accumulate, glibc may not reuse a freed
 * slab's place for the next slab. Past those 32 rounds glibc's heap
 * still settles for a while: with packet pools (a stand-alone loop of
 * 5000 rounds) the bytes malloc holds in use rose by 4.6 KB from round
 * 32 to 100 and by 0.3 KB to 1000, then not at all to 5000, and the RSS
 * rose ~100 KB to round 1000 and 4 KB from 1000 to 5000: bounded, not
 * a leak. So the rounds measured come after 1000. */
#define GROW_WARM 1000

/* Resident set size now (/proc/self/statm), bytes; -1 when unreadable. */
static long rss_bytes(void)
{
	long size, res;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	int got = fscanf(f, "%ld %ld", &size, &res);
	fclose(f);
	return got == 2 ? res * sysconf(_SC_PAGESIZE) : -1;
}

static long grow_full; /* largest RSS rise a round saw with its pool full */
static void *grow_objs[GROW_N];

static void note_full(long before)
{
	long d = rss_bytes() - before;
	if (d > grow_full)
		grow_full = d;
}

static void round_pkt(void)
{
	long r0 = rss_bytes();
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocatePacketPool(&st, &h, GROW_N, 16);
	if (st != NDIS_STATUS_SUCCESS)
		abort();
	for (int i = 0; i < GROW_N; i++) {
		NdisAllocatePacket(&st, (PNDIS_PACKET *)&grow_objs[i], h);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
	}
	note_full(r0);
	for (int i = 0; i < GROW_N; i++)
		NdisFreePacket(grow_objs[i]);
	NdisFreePacketPool(h);
}

static void round_buf(void)
{
	long r0 = rss_bytes();
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocateBufferPool(&st, &h, GROW_N);
	if (st != NDIS_STATUS_SUCCESS)
		abort();
	for (int i = 0; i < GROW_N; i++) {
		NdisAllocateBuffer(&st, (PNDIS_BUFFER *)&grow_objs[i], h,
				   data + 66, 1514);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
	}
	note_full(r0);
	for (int i = 0; i < GROW_N; i++)
		NdisFreeBuffer(grow_objs[i]);
	NdisFreeBufferPool(h);
}

static void round_nbl(void)
{
	long r0 = rss_bytes();
	NDIS_HANDLE h = nbl_pool(mem_drv, TRUE);
	if (!h)
		abort();
	for (int i = 0; i < GROW_N; i++)
		if (!(grow_objs[i] = NdisAllocateNetBufferList(h, 0, 0)))
			abort();
	note_full(r0);
	for (int i = 0; i < GROW_N; i++)
		NdisFreeNetBufferList(grow_objs[i]);
	NdisFreeNetBufferListPool(h);
}

/* RSS growth per round over GROW_ROUNDS rounds, after GROW_WARM rounds
 * whose own growth is shown too; beside them the largest rise a round
 * saw with its pool full, to show the size of what a round holds. */
static void growth_line(const char *what, void (*round)(void))
{
	long w0 = rss_bytes();
	for (int i = 0; i < GROW_WARM; i++)
		round();
	grow_full = 0;
	long r0 = rss_bytes();
	for (int i = 0; i < GROW_ROUNDS; i++)
		round();
	long r1 = rss_bytes();
	if (w0 < 0 || r0 < 0 || r1 < 0) {
		printf("%-34s (no /proc/self/statm)\n", what);
		return;
	}
	printf("%-34s %+9.0f B per round   (first %d rounds %+ld B; "
	       "full pool +%ld B)\n",
	       what, (double)(r1 - r0) / GROW_ROUNDS, GROW_WARM, r0 - w0,
	       grow_full);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		iters = atol(argv[1]);
	if (iters < BULK * 10)
		iters = BULK * 10;
	iters -= iters % BULK;
	ndisdma_verifier_set_output(stderr);
	make_perm();

	ndisdma_driver *drv;
	if (ndisdma_driver_load(bench_entry, "bench", &drv)) {
		fprintf(stderr, "cannot load the bench driver\n");
		return 1;
	}
	const size_t pkt_size = offsetof(NDIS_PACKET, ProtocolReserved) + 16 +
				sizeof(NDIS_PACKET_OOB_DATA) +
				sizeof(NDIS_PACKET_EXTENSION);
	const size_t buf_size = sizeof(MDL) + 16 * sizeof(PFN_NUMBER);
	const size_t nbl_size = sizeof(NET_BUFFER_LIST) + sizeof(NET_BUFFER);

	printf("ndisdma descriptor pools: ns per allocate+free pair "
	       "(%ld pairs per run, median of %d runs; bulk = batches of %d, "
	       "per object;\n shuffled = each batch freed through a fixed "
	       "permutation of order %lu; - = does not apply)\n",
	       iters, REPS, BULK, perm_order);
	printf("%-44s %8s %8s %8s %8s\n", "", "1t one", "1t bulk", "2t one",
	       "2t bulk");

	NDIS_STATUS st;
	NDIS_HANDLE pp, pps, bp;
	NdisAllocatePacketPool(&st, &pp, 4096, 16);
	/* the shuffled row has a pool of its own: its frees leave the
	 * caches in shuffled order, which the in-order row must not see */
	NdisAllocatePacketPool(&st, &pps, 4096, 16);
	NdisAllocateBufferPool(&st, &bp, 4096);
	NDIS_HANDLE np = nbl_pool(drv, TRUE);
	if (!pp || !pps || !bp || !np) {
		fprintf(stderr, "cannot create the pools\n");
		return 1;
	}
	PMDL mdl = NdisAllocateMdl(drv, data, 1514);

	measure(0, "NdisAllocatePacket/NdisFreePacket",
		(struct subject){.loop = pkt_one, .pool = pp},
		(struct subject){.loop = pkt_bulk, .pool = pp});
	measure(8, "NdisAllocatePacket bulk, freed shuffled",
		(struct subject){0},
		(struct subject){.loop = pkt_bulk_shuffled, .pool = pps});
	measure(12, "NdisAllocatePacket bulk, two in flight",
		(struct subject){0},
		(struct subject){.loop = pkt_bulk_two, .pool = pp});
	measure(10, "NdisAllocatePacket/NdisFreePacket, functions",
		(struct subject){.loop = pkt_one_fn, .pool = pp},
		(struct subject){0});
	measure(1, "NdisAllocateBuffer/NdisFreeBuffer",
		(struct subject){.loop = buf_one, .pool = bp},
		(struct subject){.loop = buf_bulk, .pool = bp});
	measure(2, "NET_BUFFER_LIST+NET_BUFFER alloc/free",
		(struct subject){.loop = nbl_one, .pool = np, .mdl = mdl},
		(struct subject){.loop = nbl_bulk, .pool = np});

	char name[64];
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (packet)",
		 pkt_size);
	measure(3, name, (struct subject){.loop = malloc_one, .size = pkt_size},
		(struct subject){.loop = malloc_bulk, .size = pkt_size});
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (buffer)",
		 buf_size);
	measure(4, name, (struct subject){.loop = malloc_one, .size = buf_size},
		(struct subject){.loop = malloc_bulk, .size = buf_size});
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (NBL+NB)",
		 nbl_size);
	measure(5, name, (struct subject){.loop = malloc_one, .size = nbl_size},
		(struct subject){.loop = malloc_bulk, .size = nbl_size});

	bool have_dpdk = false, have_dpdk_nbl = false;
#ifdef NDISDMA_BENCH_DPDK
	char *eal[] = {argv[0],
		       "--no-huge",
		       "--no-pci",
		       "-l",
		       "0",
		       "--no-shconf",
		       "--log-level=lib.eal:error",
		       NULL};
	int eargc = (int)(sizeof(eal) / sizeof(eal[0])) - 1;
	if (rte_eal_init(eargc, eal) < 0) {
		printf("DPDK: rte_eal_init failed (%s); no DPDK figures\n",
		       rte_strerror(rte_errno));
	} else {
		struct rte_mempool *mp = rte_mempool_create(
		    "bench", 8191, (unsigned)pkt_size, 256, 0, NULL, NULL, NULL,
		    NULL, SOCKET_ID_ANY, 0);
		if (!mp) {
			printf("DPDK: rte_mempool_create failed (%s)\n",
			       rte_strerror(rte_errno));
		} else {
			have_dpdk = true;
			snprintf(name, sizeof(name),
				 "DPDK rte_mempool %zu B, cache 256", pkt_size);
			measure(
			    6, name,
			    (struct subject){.loop = dpdk_one,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini},
			    (struct subject){.loop = dpdk_bulk,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			measure(
			    7, "DPDK rte_mempool + NDIS_PACKET init",
			    (struct subject){.loop = dpdk_init_one,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini},
			    (struct subject){.loop = dpdk_init_bulk,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			measure(
			    11, "DPDK rte_mempool + MDL init",
			    (struct subject){.loop = dpdk_mdl_one,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini},
			    (struct subject){.loop = dpdk_mdl_bulk,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			measure(
			    13, "DPDK rte_mempool bulk, two in flight",
			    (struct subject){0},
			    (struct subject){.loop = dpdk_bulk_two,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			measure(
			    9, "DPDK rte_mempool bulk, put shuffled",
			    (struct subject){0},
			    (struct subject){.loop = dpdk_bulk_shuffled,
					     .pool = mp,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			rte_mempool_free(mp);
		}
		/* objects the size of our NET_BUFFER_LIST + NET_BUFFER */
		struct rte_mempool *mpn = rte_mempool_create(
		    "bench_nbl", 8191, (unsigned)nbl_size, 256, 0, NULL, NULL,
		    NULL, NULL, SOCKET_ID_ANY, 0);
		if (!mpn) {
			printf("DPDK: rte_mempool_create (NBL) failed (%s)\n",
			       rte_strerror(rte_errno));
		} else {
			have_dpdk_nbl = true;
			measure(
			    14, "DPDK rte_mempool + NBL init",
			    (struct subject){.loop = dpdk_nbl_one,
					     .pool = mpn,
					     .mdl = mdl,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini},
			    (struct subject){.loop = dpdk_nbl_bulk,
					     .pool = mpn,
					     .thread_init = dpdk_thread_init,
					     .thread_fini = dpdk_thread_fini});
			rte_mempool_free(mpn);
		}
	}
#else
	printf("DPDK: not built with libdpdk; no DPDK figures\n");
#endif
	{
		const long nb = 4096;
		long in_order = consecutive_batches(pp, false, nb);
		long shuffled = consecutive_batches(pps, true, nb);
		printf("packet bulk batches freed as consecutive descriptors "
		       "(untimed, 1 thread, of %ld): in order %ld, shuffled "
		       "%ld\n",
		       nb, in_order, shuffled);
	}
	if (have_dpdk) {
		const char *cols[4] = {
		    "1 thread, one at a time", "1 thread, bulk 32",
		    "2 threads, one at a time", "2 threads, bulk 32"};
		const char *who[3] = {"NdisAllocatePacket/NdisFreePacket",
				      "NdisAllocateBuffer/NdisFreeBuffer",
				      "NET_BUFFER_LIST+NET_BUFFER"};
		printf("\nratio ours / DPDK rte_mempool (below 1.00: faster "
		       "than DPDK)\n");
		for (int s = 0; s < 3; s++)
			for (int c = 0; c < 4; c++)
				printf("ratio %-36s %-26s %5.2f\n", who[s],
				       cols[c], results[s][c] / results[6][c]);
		printf("\nratio ours / (DPDK + the same descriptor "
		       "initialisation)\n");
		for (int c = 0; c < 4; c++)
			printf("ratio %-36s %-26s %5.2f\n",
			       "NdisAllocatePacket/NdisFreePacket", cols[c],
			       results[0][c] / results[7][c]);
		for (int c = 0; c < 4; c++)
			printf("ratio %-36s %-26s %5.2f\n",
			       "NdisAllocateBuffer / DPDK + MDL init", cols[c],
			       results[1][c] / results[11][c]);
		if (have_dpdk_nbl)
			for (int c = 0; c < 4; c++)
				printf("ratio %-36s %-26s %5.2f\n",
				       "ours / (DPDK + NBL init)", cols[c],
				       results[2][c] / results[14][c]);
		printf("\nratio %-36s %-26s %5.2f\n",
		       "NdisAllocatePacket, functions / DPDK", cols[0],
		       results[10][0] / results[6][0]);
		printf("ratio %-36s %-26s %5.2f\n",
		       "NdisAllocatePacket, functions / DPDK", cols[2],
		       results[10][2] / results[6][2]);
		printf("\nbulk, two batches in flight (the bulk columns)\n");
		for (int c = 1; c < 4; c += 2)
			printf("ratio %-36s %-26s %5.2f\n",
			       "ours two in flight / DPDK same", cols[c],
			       results[12][c] / results[13][c]);
		printf("\nbulk freed shuffled (the bulk columns)\n");
		for (int c = 1; c < 4; c += 2) {
			printf("ratio %-36s %-26s %5.2f\n",
			       "ours shuffled / DPDK shuffled", cols[c],
			       results[8][c] / results[9][c]);
			printf("ratio %-36s %-26s %5.2f\n",
			       "ours shuffled / ours in order", cols[c],
			       results[8][c] / results[0][c]);
			printf("ratio %-36s %-26s %5.2f\n",
			       "DPDK shuffled / DPDK in order", cols[c],
			       results[9][c] / results[6][c]);
		}
	} else {
		printf("\nratio NdisAllocatePacket bulk, freed shuffled / "
		       "in order\n");
		printf("ratio %-36s %-26s %5.2f\n",
		       "ours shuffled / ours in order", "1 thread, bulk 32",
		       results[8][1] / results[0][1]);
		printf("ratio %-36s %-26s %5.2f\n",
		       "ours shuffled / ours in order", "2 threads, bulk 32",
		       results[8][3] / results[0][3]);
	}

	printf("\nRSS growth per round of create pool of %d / allocate all / "
	       "free all / free pool\n(%d rounds after %d; ~0: nothing kept "
	       "per round; full pool: the RSS rise with a pool full, 0 when\n"
	       " its slabs reuse pages glibc kept from earlier frees)\n",
	       GROW_N, GROW_ROUNDS, GROW_WARM);
	mem_drv = drv;
	growth_line("packet pool, ProtocolReserved 16", round_pkt);
	growth_line("buffer pool", round_buf);
	growth_line("NET_BUFFER_LIST pool (with NB)", round_nbl);

	printf("\nmemory of a pool of N descriptors (N x (descriptor + "
	       "reserved + header) + constant)\n");
	mem_prl = 16;
	memory_line("packet pool, ProtocolReserved 16", make_pkt, drop_pkt);
	mem_prl = 64;
	memory_line("packet pool, ProtocolReserved 64", make_pkt, drop_pkt);
	memory_line("buffer pool", make_buf, drop_buf);
	memory_line("NET_BUFFER_LIST pool (with NB)", make_nbl, drop_nbl);

	NdisFreeMdl(mdl);
	NdisFreePacketPool(pp);
	NdisFreePacketPool(pps);
	NdisFreeBufferPool(bp);
	NdisFreeNetBufferListPool(np);
	ndisdma_driver_unload(drv);
#ifdef NDISDMA_BENCH_DPDK
	if (have_dpdk)
		rte_eal_cleanup();
#endif
	return 0;
}
