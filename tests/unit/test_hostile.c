/* SPDX-License-Identifier: MIT */
/* Hostile input: every public entry point that takes a handle is called
 * with NULL, a wild value, a pointer to junk, a handle of the wrong kind
 * and a stale handle (its object freed), and the calls that take lengths
 * with extreme ones. Each case runs in a forked child with a time limit,
 * so a crash or a hang is one failure naming the case; the child must
 * exit cleanly and stay under a memory ceiling. */
#include "testlib.h"
#include "mdl_helpers.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The bad handles a case is run with. */
enum bad { B_NULL, B_WILD, B_JUNK, B_WRONG, B_STALE, B_COUNT };
static const char *const bad_name[B_COUNT] = {"NULL", "wild", "junk",
					      "wrong-kind", "stale"};

/* What a child has to work with: a live adapter (the wrong kind for pool
 * arguments), live pools of each kind (the wrong kind for adapter
 * arguments), and the stale objects. */
static struct {
	NDIS_HANDLE adapter, stale_adapter;
	ndisdma_adapter *ad, *stale_ad;
	ndisdma_driver *stale_drv;
	NDIS_HANDLE ppool, bpool, nblpool, nbpool;
	NDIS_HANDLE stale_ppool, stale_bpool, stale_nblpool, stale_nbpool;
	unsigned char junk[512];
} w;

static void nothing(NDIS_HANDLE h)
{
	(void)h;
}

static NDIS_HANDLE nbl_pool(NDIS_HANDLE owner, BOOLEAN nb, ULONG data)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.fAllocateNetBuffer = nb;
	p.DataSize = data;
	p.PoolTag = 'tsoh';
	return NdisAllocateNetBufferListPool(owner, &p);
}

static NDIS_HANDLE nb_pool(NDIS_HANDLE owner)
{
	NET_BUFFER_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	p.PoolTag = 'tsoh';
	return NdisAllocateNetBufferPool(owner, &p);
}

/* Build the world in the child. */
static void world(void)
{
	NDIS_STATUS st;
	memset(w.junk, 0x41, sizeof(w.junk));
	/* a live adapter, then a stale adapter and driver (started, halted,
	 * unloaded) made after it, so that no allocator can hand the stale
	 * one's memory to the live one (TSan's reuses it at once) */
	tl_reset();
	tl.init = nothing;
	tl.dma = TL_DMA_SG6_64;
	tl.ndis6 = 1;
	assert_int_equal(tl_start("sim"), 0);
	w.adapter = tl.handle;
	w.ad = tl.ad;
	struct tl_state live = tl;
	tl_reset();
	tl.init = nothing;
	assert_int_equal(tl_start("sim"), 0);
	w.stale_adapter = tl.handle;
	w.stale_ad = tl.ad;
	w.stale_drv = tl.drv;
	assert_int_equal(tl_stop(), 0);
	tl = live;
	/* pools, and freed ones */
	NdisAllocatePacketPool(&st, &w.ppool, 8, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocateBufferPool(&st, &w.bpool, 8);
	w.nblpool = nbl_pool(w.adapter, TRUE, 0);
	w.nbpool = nb_pool(w.adapter);
	NdisAllocatePacketPool(&st, &w.stale_ppool, 8, 16);
	NdisFreePacketPool(w.stale_ppool);
	NdisAllocateBufferPool(&st, &w.stale_bpool, 8);
	NdisFreeBufferPool(w.stale_bpool);
	w.stale_nblpool = nbl_pool(w.adapter, TRUE, 0);
	NdisFreeNetBufferListPool(w.stale_nblpool);
	w.stale_nbpool = nb_pool(w.adapter);
	NdisFreeNetBufferPool(w.stale_nbpool);
}

/* The bad adapter handle of each kind. */
static NDIS_HANDLE bad_adapter(enum bad b)
{
	switch (b) {
	case B_NULL:
		return NULL;
	case B_WILD:
		return (NDIS_HANDLE)0x10;
	case B_JUNK:
		return w.junk;
	case B_WRONG:
		return w.ppool;
	default:
		return w.stale_adapter;
	}
}

/* The bad pool handle of each kind: `stale` is a freed pool of the kind
 * the call wants; the wrong kind is a live pool of another kind. */
static NDIS_HANDLE bad_pool(enum bad b, NDIS_HANDLE stale, NDIS_HANDLE other)
{
	switch (b) {
	case B_NULL:
		return NULL;
	case B_WILD:
		return (NDIS_HANDLE)0x10;
	case B_JUNK:
		return w.junk;
	case B_WRONG:
		return other;
	default:
		return stale;
	}
}

/* ---- the cases: each makes its calls with one kind of bad handle ---- */

static void c_shared_memory(enum bad b)
{
	NDIS_HANDLE h = bad_adapter(b);
	PVOID va = (PVOID)1;
	NDIS_PHYSICAL_ADDRESS pa;
	pa.QuadPart = 1;
	NdisMAllocateSharedMemory(h, 4096, TRUE, &va, &pa);
	assert_null(va);
	pa.QuadPart = 0x1000;
	NdisMFreeSharedMemory(h, 4096, TRUE, w.junk, pa);
	NdisMUpdateSharedMemory(h, 4096, w.junk, pa);
	(void)NdisMAllocateSharedMemoryAsync(h, 4096, TRUE, NULL);
	(void)NdisMGetDmaAlignment(h);
	(void)NdisAllocateMemoryWithTagPriority(h, 64, 'tsoh',
						NormalPoolPriority);
}

static void c_map_registers(enum bad b)
{
	NDIS_HANDLE h = bad_adapter(b);
	unsigned char *mem = pages(1, 1);
	struct mdlbuf mb;
	PMDL m = mk_mdl(&mb, mem, 100);
	NDIS_PHYSICAL_ADDRESS_UNIT u[4];
	UINT n = 4;
	(void)NdisMAllocateMapRegisters(h, 0, NDIS_DMA_64BITS, 4, 4096);
	NdisMStartBufferPhysicalMapping(h, m, 0, TRUE, u, &n);
	assert_int_equal(n, 0);
	NdisMCompleteBufferPhysicalMapping(h, m, 0);
	NdisMFreeMapRegisters(h);
	(void)NdisMInitializeScatterGatherDma(h, TRUE, 65536);
	free(mem);
}

static void c_sg_dma(enum bad b)
{
	NDIS_HANDLE h = bad_adapter(b);
	NDIS_SG_DMA_DESCRIPTION d;
	memset(&d, 0, sizeof(d));
	d.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
	d.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
	d.Header.Size = NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1;
	d.MaximumPhysicalMapping = 65536;
	NDIS_HANDLE dma = (NDIS_HANDLE)1;
	(void)NdisMRegisterScatterGatherDma(h, &d, &dma);
	/* a bad DMA handle: the same kinds, the adapter as the wrong one */
	NDIS_HANDLE bd = b == B_WRONG ? w.adapter : h;
	PNET_BUFFER_LIST l =
	    NdisAllocateNetBufferAndNetBufferList(w.nblpool, 0, 0, NULL, 0, 0);
	assert_non_null(l);
	(void)NdisMAllocateNetBufferSGList(bd, NET_BUFFER_LIST_FIRST_NB(l),
					   NULL, 0, NULL, 0);
	NdisMFreeNetBufferSGList(bd, (PSCATTER_GATHER_LIST)w.junk,
				 NET_BUFFER_LIST_FIRST_NB(l));
	(void)NdisMAllocateSharedMemoryAsyncEx(bd, 4096, TRUE, NULL);
	NdisMDeregisterScatterGatherDma(bd);
	NdisFreeNetBufferList(l);
}

static void c_system_dma(enum bad b)
{
	NDIS_HANDLE h = bad_adapter(b);
	NDIS_DMA_DESCRIPTION dd;
	memset(&dd, 0, sizeof(dd));
	NDIS_HANDLE ch = NULL;
	(void)NdisMRegisterDmaChannel(&ch, h, 1, FALSE, &dd, 4096);
	NDIS_HANDLE bch = b == B_WRONG ? w.adapter : h;
	unsigned char *mem = pages(1, 2);
	struct mdlbuf mb;
	PMDL m = mk_mdl(&mb, mem, 100);
	NDIS_STATUS st;
	NdisMSetupDmaTransfer(&st, bch, m, 0, 100, TRUE);
	NdisMCompleteDmaTransfer(&st, bch, m, 0, 100, TRUE);
	(void)NdisMReadDmaCounter(bch);
	NdisMDeregisterDmaChannel(bch);
	free(mem);
}

static void c_registration(enum bad b)
{
	NDIS_HANDLE h = bad_adapter(b);
	NdisMSetAttributesEx(h, NULL, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	memset(&ra, 0, sizeof(ra));
	ra.Header.Type =
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision =
	    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	ra.Header.Size = sizeof(ra);
	(void)NdisMSetMiniportAttributes(
	    h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
	/* wrapper and driver handles */
	NDIS_MINIPORT_CHARACTERISTICS c5;
	memset(&c5, 0, sizeof(c5));
	c5.MajorNdisVersion = 5;
	c5.MinorNdisVersion = 1;
	(void)NdisMRegisterMiniport(h, &c5, sizeof(c5));
	NdisTerminateWrapper(h, NULL);
	NDIS_HANDLE wh = (NDIS_HANDLE)1;
	NdisMInitializeWrapper(&wh, h, NULL, NULL);
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c6;
	memset(&c6, 0, sizeof(c6));
	NDIS_HANDLE dh = (NDIS_HANDLE)1;
	(void)NdisMRegisterMiniportDriver((PDRIVER_OBJECT)h, NULL, NULL, &c6,
					  &dh);
	NdisMDeregisterMiniportDriver(h);
}

static void c_packet_pool(enum bad b)
{
	NDIS_HANDLE p = bad_pool(b, w.stale_ppool, w.bpool);
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;
	PNDIS_PACKET pk = (PNDIS_PACKET)1;
	NdisAllocatePacket(&st, &pk, p);
	assert_int_not_equal(st, NDIS_STATUS_SUCCESS);
	(void)NdisPacketPoolUsage(p);
	PNDIS_PACKET v[4];
	assert_true(ndisdma_packet_alloc_bulk(p, v, 4) <= 0);
	NdisFreePacketPool(p);
}

static void c_buffer_pool(enum bad b)
{
	NDIS_HANDLE p = bad_pool(b, w.stale_bpool, w.ppool);
	NDIS_STATUS st;
	PNDIS_BUFFER buf = NULL;
	NdisAllocateBuffer(&st, &buf, p, w.junk, 64);
	/* Windows ignores the handle (an MDL allocation): a buffer may come
	 * back; it must be a good one */
	if (st == NDIS_STATUS_SUCCESS) {
		assert_non_null(buf);
		assert_int_equal(MmGetMdlByteCount(buf), 64);
		NdisFreeBuffer(buf);
	}
	PNDIS_BUFFER v[2];
	void *vas[2] = {w.junk, w.junk};
	uint32_t lens[2] = {8, 8};
	int got = ndisdma_buffer_alloc_bulk(p, v, vas, lens, 2);
	if (got > 0)
		ndisdma_buffer_free_bulk(p, v, (unsigned)got);
	NdisFreeBufferPool(p);
}

static void c_nbl_pool(enum bad b)
{
	NDIS_HANDLE p = bad_pool(b, w.stale_nblpool, w.nbpool);
	assert_null(NdisAllocateNetBufferList(p, 0, 0));
	assert_null(NdisAllocateNetBufferAndNetBufferList(p, 0, 0, NULL, 0, 0));
	PNET_BUFFER_LIST v[2];
	assert_true(ndisdma_nbl_alloc_bulk(p, v, 2) <= 0);
	NdisFreeNetBufferListPool(p);
}

static void c_nb_pool(enum bad b)
{
	NDIS_HANDLE p = bad_pool(b, w.stale_nbpool, w.nblpool);
	assert_null(NdisAllocateNetBuffer(p, NULL, 0, 0));
	assert_null(NdisAllocateNetBufferMdlAndData(p));
	NdisFreeNetBufferPool(p);
}

static void c_native(enum bad b)
{
	ndisdma_adapter *ad = b == B_STALE ? w.stale_ad
			      : b == B_WRONG
				  ? (ndisdma_adapter *)w.ppool
				  : (ndisdma_adapter *)bad_adapter(b);
	struct ndisdma_stats st;
	void *va;
	size_t len;
	int fd;
	unsigned char buf[8];
	assert_int_equal(ndisdma_adapter_halt(ad), -EINVAL);
	assert_true(ndisdma_adapter_stats(ad, &st) < 0);
	assert_null(ndisdma_adapter_sim(ad));
	assert_null(ndisdma_adapter_context(ad));
	assert_true(ndisdma_adapter_bar(ad, 0, &va, &len) < 0);
	assert_true(ndisdma_adapter_cfg_read(ad, 0, buf, 4) < 0);
	assert_true(ndisdma_adapter_cfg_write(ad, 0, buf, 4) < 0);
	assert_true(ndisdma_adapter_irq_fd(ad, &fd) < 0);
	assert_true(ndisdma_adapter_irq_wait(ad, 0) < 0);
	assert_true(ndisdma_adapter_irq_unmask(ad) < 0);
	assert_true(ndisdma_adapter_reset(ad) < 0);
	assert_true(ndisdma_verifier_check(ad) < 0);
	/* drivers */
	ndisdma_driver *d = b == B_STALE   ? w.stale_drv
			    : b == B_WRONG ? (ndisdma_driver *)w.ad
					   : (ndisdma_driver *)ad;
	ndisdma_adapter *out = (ndisdma_adapter *)1;
	assert_int_equal(ndisdma_adapter_start(d, "sim", &out), -EINVAL);
	ndisdma_driver_unload(d);
	/* the simulated device */
	ndisdma_sim *sim =
	    b == B_WRONG ? (ndisdma_sim *)w.ad : (ndisdma_sim *)ad;
	assert_true(ndisdma_sim_dma_read(sim, 0x10000, buf, 4) < 0);
	assert_true(ndisdma_sim_dma_write(sim, 0x10000, buf, 4) < 0);
}

/* ---- extreme lengths on live objects ---- */

static void c_lengths(enum bad b)
{
	(void)b;
	NDIS_HANDLE h = w.adapter;
	PVOID va = (PVOID)1;
	NDIS_PHYSICAL_ADDRESS pa;
	NdisMAllocateSharedMemory(h, 0xFFFFFFFFu, TRUE, &va, &pa);
	assert_null(va);
	NDIS_STATUS st = NdisAllocateMemoryWithTag(&va, 0xFFFFFFFFu, 'tsoh');
	if (st == NDIS_STATUS_SUCCESS)
		NdisFreeMemory(va, 0xFFFFFFFFu, 0);
	NDIS_HANDLE pool;
	NdisAllocatePacketPool(&st, &pool, 0xFFFFFFFFu, 0xFFFFFFFFu);
	assert_int_not_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocatePacketPoolEx(&st, &pool, 0xFFFF, 0xFFFFFFFFu, 16);
	if (st == NDIS_STATUS_SUCCESS)
		NdisFreePacketPool(pool);
	PNDIS_BUFFER buf;
	NdisAllocateBuffer(&st, &buf, w.bpool, w.junk, 0xFFFFFFFFu);
	if (st == NDIS_STATUS_SUCCESS)
		NdisFreeBuffer(buf);
	PMDL m = NdisAllocateMdl(h, w.junk, 0xFFFFFFFFu);
	if (m)
		NdisFreeMdl(m);
	/* a NET_BUFFER_LIST pool whose lists carry 4 GiB of data each */
	NDIS_HANDLE big = nbl_pool(h, TRUE, 0xFFFFFFFFu);
	if (big) {
		PNET_BUFFER_LIST l = NdisAllocateNetBufferList(big, 0, 0);
		if (l)
			NdisFreeNetBufferList(l);
		NdisFreeNetBufferListPool(big);
	}
	PNET_BUFFER_LIST l =
	    NdisAllocateNetBufferAndNetBufferList(w.nblpool, 0, 0, NULL, 0, 0);
	assert_non_null(l);
	(void)NdisAllocateNetBufferListContext(l, 0xFFF0, 0, 'tsoh');
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(l);
	(void)NdisRetreatNetBufferDataStart(nb, 0xFFFFFFF0u, 0, NULL);
	NdisAdvanceNetBufferDataStart(nb, 0xFFFFFFF0u, FALSE, NULL);
	unsigned char storage[64];
	(void)NdisGetDataBuffer(nb, 0xFFFFFFFFu, storage, 1, 0);
	NdisFreeNetBufferList(l);
	ndisdma_sim *sim = ndisdma_adapter_sim(w.ad);
	assert_true(ndisdma_sim_dma_read(sim, 0x10000, storage, SIZE_MAX) < 0);
	assert_true(ndisdma_sim_dma_write(sim, UINT64_MAX - 2, storage, 64) <
		    0);
	assert_true(
	    ndisdma_adapter_cfg_read(w.ad, 0xFFFFFFFFu, storage, SIZE_MAX) < 0);
	ndisdma_driver *d;
	assert_int_equal(ndisdma_driver_load(tl_entry6, "x", &d), 0);
	ndisdma_adapter *a2;
	static const char *const uris[] = {
	    "sim:limit=99999999999999999999", "sim:dma-bits=99999999999",
	    "sim:chunk=18446744073709551615", "sim:fill=256",
	    "vfio:ffffffffffff:ff:ff.f",
	};
	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++)
		assert_true(ndisdma_adapter_start(d, uris[i], &a2) < 0);
	ndisdma_driver_unload(d);
}

typedef void (*case_fn)(enum bad);
static const struct {
	const char *name;
	case_fn fn;
	int all_kinds; /* 0: run once */
} cases[] = {
    {"shared memory", c_shared_memory, 1},
    {"map registers", c_map_registers, 1},
    {"scatter-gather DMA", c_sg_dma, 1},
    {"system DMA", c_system_dma, 1},
    {"registration", c_registration, 1},
    {"packet pool", c_packet_pool, 1},
    {"buffer pool", c_buffer_pool, 1},
    {"NET_BUFFER_LIST pool", c_nbl_pool, 1},
    {"NET_BUFFER pool", c_nb_pool, 1},
    {"native API", c_native, 1},
    {"extreme lengths", c_lengths, 0},
};

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1 /* slower, and shadow memory counts as resident */
#else
#define SANITIZED 0
#endif

/* Run one case in a child: it must exit 0 within 20 s (120 s in a
 * sanitizer build), using less than 1 GiB (unchecked in sanitizer builds).
 * Returns 0 or prints why and returns 1. */
static int run_child(size_t ci, enum bad b)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(SANITIZED ? 120 : 20);
		ndisdma_verifier_set_output(NULL);
		world();
		cases[ci].fn(b);
		_exit(0);
	}
	int status;
	struct rusage ru;
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	const char *kind = cases[ci].all_kinds ? bad_name[b] : "-";
	if (WIFSIGNALED(status)) {
		printf("FAIL %s / %s: killed by signal %d (%s)\n",
		       cases[ci].name, kind, WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM
			   ? "hang"
			   : strsignal(WTERMSIG(status)));
		return 1;
	}
	if (WEXITSTATUS(status)) {
		printf("FAIL %s / %s: exit status %d\n", cases[ci].name, kind,
		       WEXITSTATUS(status));
		return 1;
	}
	if (!SANITIZED && ru.ru_maxrss > (1l << 20)) { /* KiB */
		printf("FAIL %s / %s: %ld MiB resident\n", cases[ci].name, kind,
		       ru.ru_maxrss >> 10);
		return 1;
	}
	return 0;
}

static void test_hostile(void **s)
{
	(void)s;
	int failures = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int b = 0; b < (cases[i].all_kinds ? B_COUNT : 1); b++)
			failures += run_child(i, (enum bad)b);
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
	    cmocka_unit_test_setup(test_hostile, tl_setup),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
