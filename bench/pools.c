/* SPDX-License-Identifier: MIT */
/*
 * pools.c - what a descriptor costs: ns per allocate+free pair of
 * NdisAllocatePacket/NdisFreePacket, NdisAllocateBuffer/NdisFreeBuffer
 * and NET_BUFFER_LIST (with its NET_BUFFER), one at a time and in batches
 * of 32 through the native bulk API, on 1 and 2 threads; beside them in
 * the same run DPDK's rte_mempool (cache 256; get/put and get/put_bulk of
 * 32) when built with libdpdk, and glibc malloc/free of the same object
 * sizes. Ends with ours/DPDK ratios and the memory a pool of N costs.
 *
 * Usage: pools [iterations]   (default 4000000 pairs per figure)
 * Figures, not a test: the 2-thread numbers share the machine's cores
 * with whatever else runs.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef NDISDMA_BENCH_DPDK
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#endif

#define BULK 32

static long iters = 4000000;
static char data[64 * 1024] __attribute__((aligned(4096)));

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
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
	NDIS_STATUS st;
	PNDIS_PACKET p;
	for (long i = 0; i < n; i++) {
		NdisAllocatePacket(&st, &p, s->pool);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
		NdisFreePacket(p);
	}
}

static void pkt_bulk(struct subject *s, long n)
{
	PNDIS_PACKET p[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_packet_alloc_bulk(s->pool, p, BULK) != BULK)
			abort();
		ndisdma_packet_free_bulk(s->pool, p, BULK);
	}
}

static void buf_one(struct subject *s, long n)
{
	NDIS_STATUS st;
	PNDIS_BUFFER b;
	for (long i = 0; i < n; i++) {
		NdisAllocateBuffer(&st, &b, s->pool, data + 66, 1514);
		if (st != NDIS_STATUS_SUCCESS)
			abort();
		NdisFreeBuffer(b);
	}
}

static void buf_bulk(struct subject *s, long n)
{
	PMDL b[BULK];
	void *va[BULK];
	uint32_t len[BULK];
	for (int i = 0; i < BULK; i++) {
		va[i] = data + 2048 * i + 66;
		len[i] = 1514;
	}
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_buffer_alloc_bulk(s->pool, b, va, len, BULK) !=
		    BULK)
			abort();
		ndisdma_buffer_free_bulk(s->pool, b, BULK);
	}
}

static void nbl_one(struct subject *s, long n)
{
	for (long i = 0; i < n; i++) {
		PNET_BUFFER_LIST l = NdisAllocateNetBufferAndNetBufferList(
			s->pool, 0, 0, s->mdl, 0, 1514);
		if (!l)
			abort();
		NdisFreeNetBufferList(l);
	}
}

static void nbl_bulk(struct subject *s, long n)
{
	PNET_BUFFER_LIST l[BULK];
	for (long i = 0; i < n; i += BULK) {
		if (ndisdma_nbl_alloc_bulk(s->pool, l, BULK) != BULK)
			abort();
		ndisdma_nbl_free_bulk(s->pool, l, BULK);
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
		v[i] = (v2){ 0, 0 };
		__asm__("" ::"r"(v) : "memory");
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
		r[i] = (struct runner){ s, iters, &bar, 0 };
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

static void measure(int idx, const char *name, struct subject one,
		    struct subject bulk)
{
	results[idx][0] = run(&one, 1);
	results[idx][1] = run(&bulk, 1);
	results[idx][2] = run(&one, 2);
	results[idx][3] = run(&bulk, 2);
	printf("%-44s %8.2f %8.2f %8.2f %8.2f\n", name, results[idx][0],
	       results[idx][1], results[idx][2], results[idx][3]);
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

int main(int argc, char **argv)
{
	if (argc > 1)
		iters = atol(argv[1]);
	if (iters < BULK * 10)
		iters = BULK * 10;
	iters -= iters % BULK;
	ndisdma_verifier_set_output(stderr);

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
	       "(%ld pairs per figure; bulk = batches of %d, per object)\n",
	       iters, BULK);
	printf("%-44s %8s %8s %8s %8s\n", "", "1t one", "1t bulk",
	       "2t one", "2t bulk");

	NDIS_STATUS st;
	NDIS_HANDLE pp, bp;
	NdisAllocatePacketPool(&st, &pp, 4096, 16);
	NdisAllocateBufferPool(&st, &bp, 4096);
	NDIS_HANDLE np = nbl_pool(drv, TRUE);
	if (!pp || !bp || !np) {
		fprintf(stderr, "cannot create the pools\n");
		return 1;
	}
	PMDL mdl = NdisAllocateMdl(drv, data, 1514);

	measure(0, "NdisAllocatePacket/NdisFreePacket",
		(struct subject){ .loop = pkt_one, .pool = pp },
		(struct subject){ .loop = pkt_bulk, .pool = pp });
	measure(1, "NdisAllocateBuffer/NdisFreeBuffer",
		(struct subject){ .loop = buf_one, .pool = bp },
		(struct subject){ .loop = buf_bulk, .pool = bp });
	measure(2, "NET_BUFFER_LIST+NET_BUFFER alloc/free",
		(struct subject){ .loop = nbl_one, .pool = np, .mdl = mdl },
		(struct subject){ .loop = nbl_bulk, .pool = np });

	char name[64];
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (packet)",
		 pkt_size);
	measure(3, name,
		(struct subject){ .loop = malloc_one, .size = pkt_size },
		(struct subject){ .loop = malloc_bulk, .size = pkt_size });
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (buffer)",
		 buf_size);
	measure(4, name,
		(struct subject){ .loop = malloc_one, .size = buf_size },
		(struct subject){ .loop = malloc_bulk, .size = buf_size });
	snprintf(name, sizeof(name), "glibc malloc/free %zu B (NBL+NB)",
		 nbl_size);
	measure(5, name,
		(struct subject){ .loop = malloc_one, .size = nbl_size },
		(struct subject){ .loop = malloc_bulk, .size = nbl_size });

	bool have_dpdk = false;
#ifdef NDISDMA_BENCH_DPDK
	char *eal[] = { argv[0],     "--no-huge",   "--no-pci",
			"-l",        "0",           "--no-shconf",
			"--log-level=lib.eal:error", NULL };
	int eargc = (int)(sizeof(eal) / sizeof(eal[0])) - 1;
	if (rte_eal_init(eargc, eal) < 0) {
		printf("DPDK: rte_eal_init failed (%s); no DPDK figures\n",
		       rte_strerror(rte_errno));
	} else {
		struct rte_mempool *mp = rte_mempool_create(
			"bench", 8191, (unsigned)pkt_size, 256, 0, NULL, NULL,
			NULL, NULL, SOCKET_ID_ANY, 0);
		if (!mp) {
			printf("DPDK: rte_mempool_create failed (%s)\n",
			       rte_strerror(rte_errno));
		} else {
			have_dpdk = true;
			snprintf(name, sizeof(name),
				 "DPDK rte_mempool %zu B, cache 256", pkt_size);
			measure(6, name,
				(struct subject){ .loop = dpdk_one,
						  .pool = mp,
						  .thread_init = dpdk_thread_init,
						  .thread_fini = dpdk_thread_fini },
				(struct subject){ .loop = dpdk_bulk,
						  .pool = mp,
						  .thread_init = dpdk_thread_init,
						  .thread_fini = dpdk_thread_fini });
			measure(7, "DPDK rte_mempool + NDIS_PACKET init",
				(struct subject){ .loop = dpdk_init_one,
						  .pool = mp,
						  .thread_init = dpdk_thread_init,
						  .thread_fini = dpdk_thread_fini },
				(struct subject){ .loop = dpdk_init_bulk,
						  .pool = mp,
						  .thread_init = dpdk_thread_init,
						  .thread_fini = dpdk_thread_fini });
			rte_mempool_free(mp);
		}
	}
#else
	printf("DPDK: not built with libdpdk; no DPDK figures\n");
#endif
	if (have_dpdk) {
		const char *cols[4] = { "1 thread, one at a time",
					"1 thread, bulk 32",
					"2 threads, one at a time",
					"2 threads, bulk 32" };
		const char *who[3] = { "NdisAllocatePacket/NdisFreePacket",
				       "NdisAllocateBuffer/NdisFreeBuffer",
				       "NET_BUFFER_LIST+NET_BUFFER" };
		printf("\nratio ours / DPDK rte_mempool (below 1.00: faster "
		       "than DPDK)\n");
		for (int s = 0; s < 3; s++)
			for (int c = 0; c < 4; c++)
				printf("ratio %-36s %-26s %5.2f\n", who[s],
				       cols[c], results[s][c] / results[6][c]);
		printf("\nratio NdisAllocatePacket / (DPDK + the same "
		       "descriptor initialisation)\n");
		for (int c = 0; c < 4; c++)
			printf("ratio %-36s %-26s %5.2f\n",
			       "NdisAllocatePacket/NdisFreePacket", cols[c],
			       results[0][c] / results[7][c]);
	}

	printf("\nmemory of a pool of N descriptors (N x (descriptor + "
	       "reserved + header) + constant)\n");
	mem_prl = 16;
	memory_line("packet pool, ProtocolReserved 16", make_pkt, drop_pkt);
	mem_prl = 64;
	memory_line("packet pool, ProtocolReserved 64", make_pkt, drop_pkt);
	memory_line("buffer pool", make_buf, drop_buf);
	mem_drv = drv;
	memory_line("NET_BUFFER_LIST pool (with NB)", make_nbl, drop_nbl);

	NdisFreeMdl(mdl);
	NdisFreePacketPool(pp);
	NdisFreeBufferPool(bp);
	NdisFreeNetBufferListPool(np);
	ndisdma_driver_unload(drv);
#ifdef NDISDMA_BENCH_DPDK
	if (have_dpdk)
		rte_eal_cleanup();
#endif
	return 0;
}
