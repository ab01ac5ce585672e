/* SPDX-License-Identifier: MIT */
/*
 * test_pool_handles.c - pools trust nothing they are handed: stale, wild
 * and forged pool handles on every allocation path (inline and
 * function), a byte copy of a live packet given to NdisFreePacket,
 * frees after the pool was freed or reclaimed at halt, double frees of
 * a buffer descriptor of more than 16 pages (also after its memory was
 * handed out again), huge DataSize pools, and NULL arguments to the
 * unchain calls. Each case runs in a forked child, so that a crash is
 * one failed case and not the end of the program.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static NDIS_HANDLE nbl_pool_make(NDIS_HANDLE owner, BOOLEAN nb, USHORT ctx,
				 ULONG data_size)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.fAllocateNetBuffer = nb;
	p.ContextSize = ctx;
	p.DataSize = data_size;
	return NdisAllocateNetBufferListPool(owner, &p);
}

static unsigned long count(const char *rule)
{
	return ndisdma_verifier_count(rule);
}

/* Run fn in a child; the case passes when the child exits 0 (each check
 * in it exits with its own line number on failure). */
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "child check failed: %s (line %d)\n",  \
				#c, __LINE__);                                 \
			_exit(1);                                              \
		}                                                              \
	} while (0)

static void in_child(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* a crash ends the child (not cmocka's handler in it) */
		static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL,
					   SIGFPE};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		ndisdma_verifier_set_output(NULL);
		fn();
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		fail_msg("child killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- an NDIS 6 miniport: a driver handle for NET_BUFFER_LIST pools and
 * an adapter whose halt reclaims the pool made in initialize ---- */

static NDIS_HANDLE drv_handle, init_pool;

static NDIS_STATUS mp_init(NDIS_HANDLE handle, NDIS_HANDLE dctx,
			   PNDIS_MINIPORT_INIT_PARAMETERS ip)
{
	(void)dctx;
	(void)ip;
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg;
	memset(&reg, 0, sizeof(reg));
	reg.Header.Type =
	    NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	reg.Header.Revision =
	    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
	reg.Header.Size = sizeof(reg);
	reg.MiniportAdapterContext = handle;
	reg.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
	reg.InterfaceType = NdisInterfacePci;
	NdisMSetMiniportAttributes(handle,
				   (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&reg);
	init_pool = nbl_pool_make(handle, TRUE, 0, 0);
	return init_pool ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}

static VOID mp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION a)
{
	(void)ctx;
	(void)a;
}

static NTSTATUS mp_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = 6;
	c.MinorNdisVersion = 20;
	c.InitializeHandlerEx = mp_init;
	c.HaltHandlerEx = mp_halt;
	return NdisMRegisterMiniportDriver(obj, path, NULL, &c, &drv_handle) ==
		       NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static ndisdma_driver *drv;

static int setup(void **state)
{
	(void)state;
	ndisdma_verifier_set_output(NULL);
	return ndisdma_driver_load(mp_entry, "hostile", &drv);
}

static int teardown(void **state)
{
	(void)state;
	ndisdma_driver_unload(drv);
	return 0;
}

static char page[3 * 4096] __attribute__((aligned(4096)));
static char big_area[64 * 4096] __attribute__((aligned(4096)));

/* Every allocation path with handle h refuses it: reported as
 * pool.bad-handle (or -EINVAL for the native bulk calls). */
static void refuse_all(NDIS_HANDLE h)
{
	unsigned long bad = count("pool.bad-handle");
	NDIS_STATUS st = NDIS_STATUS_SUCCESS;
	PNDIS_PACKET p = (PNDIS_PACKET)1;
	NdisAllocatePacket(&st, &p, h);
	CHECK(st == NDIS_STATUS_RESOURCES && p == NULL);
	(NdisAllocatePacket)(&st, &p, h);
	CHECK(st == NDIS_STATUS_RESOURCES && p == NULL);
	/* ndis.sys ignores a buffer pool handle (issue 17 row 9): the MDL
	 * comes from outside any pool, the handle untouched, reported */
	unsigned long ignored = count("pool.param-ignored");
	PNDIS_BUFFER b = (PNDIS_BUFFER)1;
	NdisAllocateBuffer(&st, &b, h, page, 100);
	CHECK(st == NDIS_STATUS_SUCCESS && b != NULL &&
	      MmGetMdlByteCount(b) == 100);
	NdisFreeBuffer(b);
	(NdisAllocateBuffer)(&st, &b, h, page, 100);
	CHECK(st == NDIS_STATUS_SUCCESS && b != NULL);
	(NdisFreeBuffer)(b);
	CHECK(count("pool.param-ignored") == ignored + 2);
	CHECK(NdisAllocateNetBufferList(h, 0, 0) == NULL);
	CHECK(count("pool.bad-handle") == bad + 3);
	PNDIS_PACKET pk[32];
	PMDL bf[32];
	PNET_BUFFER_LIST nl[32];
	void *vas[32];
	uint32_t lens[32];
	for (int i = 0; i < 32; i++) {
		vas[i] = page;
		lens[i] = 64;
		pk[i] = (PNDIS_PACKET)(uintptr_t)(i * 64 + 16);
		bf[i] = (PMDL)(uintptr_t)(i * 64 + 16);
	}
	CHECK(ndisdma_packet_alloc_bulk(h, pk, 32) == -EINVAL);
	CHECK(ndisdma_packet_free_bulk(h, pk, 32) == -EINVAL);
	CHECK(ndisdma_buffer_alloc_bulk(h, bf, vas, lens, 32) == -EINVAL);
	CHECK(ndisdma_buffer_free_bulk(h, bf, 32) == -EINVAL);
	CHECK(ndisdma_nbl_alloc_bulk(h, nl, 32) == -EINVAL);
	CHECK(NdisPacketPoolUsage(h) == 0);
}

static void stale_handles(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pp, bp;
	NdisAllocatePacketPool(&st, &pp, 4096, 16);
	CHECK(st == NDIS_STATUS_SUCCESS);
	NdisAllocateBufferPool(&st, &bp, 4096);
	CHECK(st == NDIS_STATUS_SUCCESS);
	NDIS_HANDLE np = nbl_pool_make(drv_handle, TRUE, 0, 0);
	CHECK(np != NULL);
	/* used once, so that the thread has caches of all three */
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pp);
	NdisFreePacket(p);
	PNDIS_BUFFER b;
	NdisAllocateBuffer(&st, &b, bp, page, 10);
	NdisFreeBuffer(b);
	NdisFreeNetBufferList(NdisAllocateNetBufferList(np, 0, 0));
	NdisFreePacketPool(pp);
	NdisFreeBufferPool(bp);
	NdisFreeNetBufferListPool(np);
	refuse_all(pp);
	refuse_all(bp);
	refuse_all(np);
	/* freeing the pools again is reported, not a crash */
	unsigned long bad = count("pool.bad-handle");
	NdisFreePacketPool(pp);
	NdisFreeBufferPool(bp);
	NdisFreeNetBufferListPool(np);
	CHECK(count("pool.bad-handle") == bad + 3);
}

static void test_stale_handles(void **s)
{
	(void)s;
	in_child(stale_handles);
}

static void wild_handles(void)
{
	static const uintptr_t wild[] = {
	    0x10, 0x1000, 0xdeadbeef, (uintptr_t)1 << 47, ~(uintptr_t)0 - 15};
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++)
		refuse_all((NDIS_HANDLE)wild[i]);
	/* a forged handle in the driver's memory: the kinds' magic first,
	 * then garbage where the pool would be */
	static uint64_t forged[64] __attribute__((aligned(64)));
	static const uint32_t magics[] = {0x4e445050u, 0x4e444250u,
					  0x4e444e50u};
	for (size_t m = 0; m < 3; m++) {
		for (size_t i = 0; i < 64; i++)
			forged[i] = 0x10;
		memcpy(forged, &magics[m], 4);
		memcpy((char *)forged + 4, &magics[m], 4);
		refuse_all((NDIS_HANDLE)forged);
		refuse_all((NDIS_HANDLE)((char *)forged + 8));
	}
}

static void test_wild_handles(void **s)
{
	(void)s;
	in_child(wild_handles);
}

/* A byte copy of a live packet (header and all) placed elsewhere is not
 * that packet: reported, and the real one stays allocated. */
static void packet_copy(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pp;
	NdisAllocatePacketPool(&st, &pp, 64, 16);
	CHECK(st == NDIS_STATUS_SUCCESS);
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pp);
	CHECK(st == NDIS_STATUS_SUCCESS);
	size_t len = 256;
	/* a copy at the same offset in a line of another page */
	static char copy[3 * 4096] __attribute__((aligned(4096)));
	char *dst = copy + 4096 + ((uintptr_t)p & 4095u);
	memcpy(dst - 16, (char *)p - 16, len);
	unsigned long unk = count("pool.free-unknown");
	NdisFreePacket((PNDIS_PACKET)dst);
	CHECK(count("pool.free-unknown") == unk + 1);
	CHECK(NdisPacketPoolUsage(pp) == 1);
	(NdisFreePacket)((PNDIS_PACKET)dst);
	CHECK(count("pool.free-unknown") == unk + 2);
	PNDIS_PACKET one[1] = {(PNDIS_PACKET)dst};
	ndisdma_packet_free_bulk(pp, one, 1);
	CHECK(count("pool.free-unknown") == unk + 3);
	CHECK(NdisPacketPoolUsage(pp) == 1);
	/* the next allocations never hand out the copy */
	PNDIS_PACKET q[63];
	for (int i = 0; i < 63; i++) {
		NdisAllocatePacket(&st, &q[i], pp);
		CHECK(st == NDIS_STATUS_SUCCESS && q[i] != (PNDIS_PACKET)dst &&
		      q[i] != p);
	}
	NdisFreePacket(p);
	for (int i = 0; i < 63; i++)
		NdisFreePacket(q[i]);
	CHECK(NdisPacketPoolUsage(pp) == 0);
	CHECK(count("pool.free-unknown") == unk + 3);
	NdisFreePacketPool(pp);
}

static void test_packet_copy_refused(void **s)
{
	(void)s;
	in_child(packet_copy);
}

/* Descriptors freed after their pool is gone (freed with them out, then
 * the last one freed; or reclaimed at halt): reported, never a crash. */
static void free_after_pool(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pp, bp;
	NdisAllocatePacketPool(&st, &pp, 4096, 16);
	NdisAllocateBufferPool(&st, &bp, 4096);
	PNDIS_PACKET p, p2;
	NdisAllocatePacket(&st, &p, pp);
	NdisAllocatePacket(&st, &p2, pp);
	PNDIS_BUFFER b, big;
	NdisAllocateBuffer(&st, &b, bp, page, 10);
	NdisAllocateBuffer(&st, &big, bp, big_area, sizeof(big_area));
	CHECK(st == NDIS_STATUS_SUCCESS);
	unsigned long before =
	    count("pool.double-free") + count("pool.free-unknown");
	NdisFreePacketPool(pp); /* two out: dies at the last free */
	NdisFreePacket(p);
	NdisFreePacket(p2); /* the pool is destroyed now */
	NdisFreePacket(p);  /* after it: reported */
	(NdisFreePacket)(p2);
	PNDIS_PACKET one[1] = {p};
	CHECK(ndisdma_packet_free_bulk(pp, one, 1) == -EINVAL);
	NdisFreeBufferPool(bp);
	NdisFreeBuffer(b);
	NdisFreeBuffer(big); /* the pool is destroyed now */
	NdisFreeBuffer(b);
	NdisFreeBuffer(big);
	CHECK(count("pool.double-free") + count("pool.free-unknown") ==
	      before + 4);

	/* reclaimed at halt */
	ndisdma_adapter *ad;
	CHECK(ndisdma_adapter_start(drv, "sim", &ad) == 0);
	PNET_BUFFER_LIST n = NdisAllocateNetBufferList(init_pool, 0, 0);
	CHECK(n != NULL);
	NDIS_HANDLE gone = init_pool;
	CHECK(ndisdma_adapter_halt(ad) == 1);
	before = count("pool.double-free") + count("pool.free-unknown");
	NdisFreeNetBufferList(n);
	CHECK(count("pool.double-free") + count("pool.free-unknown") ==
	      before + 1);
	CHECK(NdisAllocateNetBufferList(gone, 0, 0) == NULL);
}

static void test_free_after_pool(void **s)
{
	(void)s;
	in_child(free_after_pool);
}

/* A buffer descriptor of more than 16 pages freed twice: reported, also
 * when another big buffer was allocated in between (which must stay
 * allocated). */
static void big_double_free(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE bp;
	NdisAllocateBufferPool(&st, &bp, 8);
	PNDIS_BUFFER b1, b2;
	NdisAllocateBuffer(&st, &b1, bp, big_area, 20 * 4096);
	CHECK(st == NDIS_STATUS_SUCCESS);
	unsigned long dbl = count("pool.double-free");
	NdisFreeBuffer(b1);
	NdisFreeBuffer(b1);
	CHECK(count("pool.double-free") == dbl + 1);
	for (int round = 0; round < 200; round++) {
		NdisAllocateBuffer(&st, &b2, bp, big_area + 4096,
				   30 * 4096 + round);
		CHECK(st == NDIS_STATUS_SUCCESS);
		NdisFreeBuffer(b1); /* stale: never b2 */
		CHECK(count("pool.double-free") == dbl + 2 + (unsigned)round);
		CHECK(MmGetMdlByteCount(b2) == 30u * 4096 + (unsigned)round);
		unsigned long before = count("pool.double-free");
		NdisFreeBuffer(b2);
		CHECK(count("pool.double-free") == before);
	}
	/* the same through the bulk free */
	PMDL bufs[2];
	void *vas[2] = {big_area, page};
	uint32_t lens[2] = {40 * 4096, 16};
	CHECK(ndisdma_buffer_alloc_bulk(bp, bufs, vas, lens, 2) == 2);
	CHECK(ndisdma_buffer_free_bulk(bp, bufs, 2) == 0);
	dbl = count("pool.double-free");
	NdisFreeBuffer(bufs[0]);
	CHECK(count("pool.double-free") == dbl + 1);
	NdisFreeBufferPool(bp);
}

static void test_big_double_free(void **s)
{
	(void)s;
	in_child(big_double_free);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A pool with a DataSize no NIC can use: reported, accepted as NDIS
 * accepts it, and nothing committed until a list is allocated. */
static void huge_data_size(void)
{
	unsigned long bad = count("pool.bad-params");
	long r0 = rss_kib();
	NDIS_HANDLE h1 = nbl_pool_make(drv_handle, TRUE, 0, 256u << 20);
	NDIS_HANDLE h2 = nbl_pool_make(drv_handle, TRUE, 0, 0xFFFFFFFFu);
	CHECK(h1 != NULL && h2 != NULL);
	CHECK(count("pool.bad-params") == bad + 2);
	CHECK(rss_kib() - r0 < 8 * 1024);
	/* one list of 256 MiB: its data is not touched until written */
	PNET_BUFFER_LIST l = NdisAllocateNetBufferList(h1, 0, 0);
	CHECK(l != NULL);
	PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(l);
	CHECK(NET_BUFFER_DATA_LENGTH(nb) == 256u << 20);
	char *d = MmGetSystemAddressForMdlSafe(NET_BUFFER_FIRST_MDL(nb), 0);
	d[0] = 1;
	d[(256u << 20) - 1] = 2;
	CHECK(rss_kib() - r0 < 32 * 1024);
	NdisFreeNetBufferList(l);
	NdisFreeNetBufferListPool(h1);
	NdisFreeNetBufferListPool(h2);
	/* a sane size is not reported */
	NDIS_HANDLE h3 = nbl_pool_make(drv_handle, TRUE, 0, 9014);
	CHECK(h3 != NULL && count("pool.bad-params") == bad + 2);
	NdisFreeNetBufferListPool(h3);
	/* NET_BUFFER pools likewise */
	NET_BUFFER_POOL_PARAMETERS np;
	memset(&np, 0, sizeof(np));
	np.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	np.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	np.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
	np.DataSize = 0xFFFFFFFFu;
	NDIS_HANDLE h4 = NdisAllocateNetBufferPool(drv_handle, &np);
	CHECK(h4 != NULL && count("pool.bad-params") == bad + 3);
	CHECK(rss_kib() - r0 < 32 * 1024);
	NdisFreeNetBufferPool(h4);
}

static void test_huge_data_size(void **s)
{
	(void)s;
	in_child(huge_data_size);
}

static void unchain_null(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pp, bp;
	NdisAllocatePacketPool(&st, &pp, 4, 16);
	NdisAllocateBufferPool(&st, &bp, 4);
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pp);
	PNDIS_BUFFER b;
	NdisAllocateBuffer(&st, &b, bp, page, 10);
	NdisChainBufferAtFront(p, b);
	unsigned long bad = count("pool.bad-params");
	NdisUnchainBufferAtFront(p, NULL);
	NdisUnchainBufferAtBack(p, NULL);
	PNDIS_BUFFER out = (PNDIS_BUFFER)1;
	NdisUnchainBufferAtFront(NULL, &out);
	CHECK(out == NULL);
	CHECK(count("pool.bad-params") == bad + 3);
	/* the chain is as it was */
	NdisUnchainBufferAtFront(p, &out);
	CHECK(out == b);
	NdisFreeBuffer(b);
	NdisFreePacket(p);
	NdisFreeBufferPool(bp);
	NdisFreePacketPool(pp);
}

static void test_unchain_null(void **s)
{
	(void)s;
	in_child(unchain_null);
}

#ifdef NDISDMA_ASSERT
/* Debug builds check the engine's invariants (ND_ASSERT): a thread cache
 * whose count is above its capacity stops the process instead of
 * handing out what lies past the cache. */
static void corrupt_cache_count(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pp;
	NdisAllocatePacketPool(&st, &pp, 64, 16);
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pp);
	NdisFreePacket(p);
	const struct nd_dpool_head *dp = pp;
	struct nd_pcache *c = ndisdma_tls_.pcache[dp->slot];
	CHECK(c != NULL);
	c->count = c->cap + 1;
	(NdisAllocatePacket)(&st, &p, pp);
}

static void test_assert_cache_count(void **s)
{
	(void)s;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		freopen("/dev/null", "w", stderr);
		corrupt_cache_count();
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stale_handles),
	    cmocka_unit_test(test_wild_handles),
	    cmocka_unit_test(test_packet_copy_refused),
	    cmocka_unit_test(test_free_after_pool),
	    cmocka_unit_test(test_big_double_free),
	    cmocka_unit_test(test_huge_data_size),
	    cmocka_unit_test(test_unchain_null),
#ifdef NDISDMA_ASSERT
	    cmocka_unit_test(test_assert_cache_count),
#endif
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
