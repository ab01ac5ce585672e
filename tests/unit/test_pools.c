/* SPDX-License-Identifier: MIT */
/*
 * test_pools.c - NDIS 5.1 packet pools: limits, overflow descriptors,
 * ProtocolReserved size and alignment, out-of-band data, chains and
 * queries, pool destruction with outstanding packets, double / cross /
 * foreign frees, the bulk API, halt reclaiming pools, and allocation on
 * one thread with the free on another.
 */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <errno.h>
#include <cmocka.h>

static unsigned long count(const char *rule)
{
	return ndisdma_verifier_count(rule);
}

static int setup(void **state)
{
	(void)state;
	ndisdma_verifier_set_output(NULL);
	return 0;
}

static NDIS_HANDLE pool_new(UINT n, UINT ovf, UINT proto)
{
	NDIS_STATUS st;
	NDIS_HANDLE h = (NDIS_HANDLE)1;
	NdisAllocatePacketPoolEx(&st, &h, n, ovf, proto);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_non_null(h);
	return h;
}

static PNDIS_PACKET pkt_new(NDIS_HANDLE pool)
{
	NDIS_STATUS st;
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, pool);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_non_null(p);
	return p;
}

static void test_limits(void **state)
{
	(void)state;
	NDIS_STATUS st;
	NDIS_HANDLE h;
	unsigned long bad = count("pool.bad-size");

	h = (NDIS_HANDLE)1;
	NdisAllocatePacketPool(&st, &h, 0, 16);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.bad-size"), bad + 1);

	h = (NDIS_HANDLE)1;
	NdisAllocatePacketPool(&st, &h, 0x10000, 16);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.bad-size"), bad + 2);

	/* 0xFFFF + 1 in all: clamped to 0xFFFF by ndis.sys (reported);
	 * refused in mode fail */
	unsigned long cl = count("pool.clamped");
	h = (NDIS_HANDLE)1;
	NdisAllocatePacketPoolEx(&st, &h, 0xFFFF, 1, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_non_null(h);
	assert_int_equal(count("pool.clamped"), cl + 1);
	NdisFreePacketPool(h);
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_FAIL);
	h = (NDIS_HANDLE)1;
	NdisAllocatePacketPoolEx(&st, &h, 0xFFFF, 1, 16);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.clamped"), cl + 2);
	ndisdma_verifier_set_mode("pool.clamped", NDISDMA_VERIFY_REPORT);
	/* NumberOfDescriptors itself over 0xFFFF: refused as on Windows */
	h = (NDIS_HANDLE)1;
	NdisAllocatePacketPoolEx(&st, &h, 0x10000, 0, 16);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.bad-size"), bad + 3);

	/* 0xFFFF in all is fine, fixed and overflow together */
	NdisAllocatePacketPoolEx(&st, &h, 0xFFFE, 1, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisFreePacketPool(h);
	NdisAllocatePacketPool(&st, &h, 0xFFFF, 0);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	/* every one of them can be had, not one more */
	PNDIS_PACKET *all = calloc(0xFFFF, sizeof(*all));
	assert_non_null(all);
	for (unsigned i = 0; i < 0xFFFF; i++)
		all[i] = pkt_new(h);
	PNDIS_PACKET p = (PNDIS_PACKET)1;
	NdisAllocatePacket(&st, &p, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(p);
	assert_int_equal(NdisPacketPoolUsage(h), 0xFFFF);
	for (unsigned i = 0; i < 0xFFFF; i++)
		NdisFreePacket(all[i]);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	free(all);
	NdisFreePacketPool(h);

	/* a pool of 1 */
	h = pool_new(1, 0, 0);
	PNDIS_PACKET one = pkt_new(h);
	NdisAllocatePacket(&st, &p, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(p);
	NdisFreePacket(one);
	assert_ptr_equal(pkt_new(h), one);
	NdisFreePacket(one);
	NdisFreePacketPool(h);
	assert_int_equal(count("pool.bad-size"), bad + 3);
}

static void test_exhaust_distinct(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(100, 0, 16);
	PNDIS_PACKET p[100];
	for (int i = 0; i < 100; i++) {
		p[i] = pkt_new(h);
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(p[i], p[k]);
	}
	NDIS_STATUS st;
	PNDIS_PACKET x;
	NdisAllocatePacket(&st, &x, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	for (int i = 0; i < 100; i++)
		NdisFreePacket(p[i]);
	for (int i = 0; i < 100; i++)
		p[i] = pkt_new(h);
	NdisAllocatePacket(&st, &x, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	for (int i = 0; i < 100; i++)
		NdisFreePacket(p[i]);
	NdisFreePacketPool(h);
}

static bool in(PNDIS_PACKET p, PNDIS_PACKET *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == p)
			return true;
	return false;
}

static void test_overflow(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(4, 2, 0);
	PNDIS_PACKET fixed[4], ovf[2];
	for (int i = 0; i < 4; i++)
		fixed[i] = pkt_new(h);
	ovf[0] = pkt_new(h);
	ovf[1] = pkt_new(h);
	assert_false(in(ovf[0], fixed, 4));
	assert_false(in(ovf[1], fixed, 4));
	NDIS_STATUS st;
	PNDIS_PACKET x;
	NdisAllocatePacket(&st, &x, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(x);
	assert_int_equal(NdisPacketPoolUsage(h), 6);
	/* with a fixed one free again, it comes before any overflow one */
	NdisFreePacket(ovf[0]);
	NdisFreePacket(fixed[2]);
	x = pkt_new(h);
	assert_ptr_equal(x, fixed[2]);
	x = pkt_new(h);
	assert_ptr_equal(x, ovf[0]);
	for (int i = 0; i < 4; i++)
		NdisFreePacket(fixed[i]);
	NdisFreePacket(ovf[0]);
	NdisFreePacket(ovf[1]);
	/* overflow only once the fixed are gone, again */
	PNDIS_PACKET again[4];
	for (int i = 0; i < 4; i++) {
		again[i] = pkt_new(h);
		assert_true(in(again[i], fixed, 4));
	}
	for (int i = 0; i < 4; i++)
		NdisFreePacket(again[i]);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
}

static void test_protocol_reserved(void **state)
{
	(void)state;
	const UINT lens[] = {
	    0, 1, 15, 16, 17, 100, PROTOCOL_RESERVED_SIZE_IN_PACKET, 4000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		UINT len = lens[i];
		NDIS_HANDLE h = pool_new(8, 0, len);
		PNDIS_PACKET a = pkt_new(h), b = pkt_new(h);
		USHORT off = a->Private.NdisPacketOobOffset;
		assert_int_equal(off % 16, 0);
		assert_true(off >=
			    offsetof(NDIS_PACKET, ProtocolReserved) + len);
		assert_int_equal((uintptr_t)a->ProtocolReserved % 16, 0);
		/* fill the reserved areas of both; nothing else changes */
		memset(a->ProtocolReserved, 0xA5, len);
		memset(b->ProtocolReserved, 0x5A, len);
		memset(a->MiniportReserved, 0x11, sizeof(a->MiniportReserved));
		NDIS_PACKET_OOB_DATA zero;
		memset(&zero, 0, sizeof(zero));
		assert_memory_equal(NDIS_OOB_DATA_FROM_PACKET(a), &zero,
				    sizeof(zero));
		assert_memory_equal(NDIS_OOB_DATA_FROM_PACKET(b), &zero,
				    sizeof(zero));
		for (int k = 0; k < MaxPerPacketInfo; k++) {
			assert_null(NDIS_PER_PACKET_INFO_FROM_PACKET(a, k));
			assert_null(NDIS_PER_PACKET_INFO_FROM_PACKET(b, k));
		}
		assert_ptr_equal(a->Private.Pool, h);
		assert_int_equal(b->Private.ValidCounts, TRUE);
		/* the packets do not overlap */
		uintptr_t lo = (uintptr_t)(a < b ? a : b);
		uintptr_t hi = (uintptr_t)(a < b ? b : a);
		assert_true(hi - lo >= off + sizeof(NDIS_PACKET_OOB_DATA) +
					   sizeof(NDIS_PACKET_EXTENSION));
		for (UINT k = 0; k < len; k++) {
			assert_int_equal(a->ProtocolReserved[k], 0xA5);
			assert_int_equal(b->ProtocolReserved[k], 0x5A);
		}
		NdisFreePacket(a);
		NdisFreePacket(b);
		NdisFreePacketPool(h);
	}
	/* ProtocolReservedLength too large for the 16-bit OOB offset */
	unsigned long bad = count("pool.bad-size");
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocatePacketPool(&st, &h, 4, 0x10000);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(h);
	assert_int_equal(count("pool.bad-size"), bad + 1);
}

static void test_oob_info_reset(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(1, 0, 16);
	PNDIS_PACKET p = pkt_new(h);
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo) =
	    (PVOID)0x1234;
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, Ieee8021QInfo) = (PVOID)7;
	NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
	NDIS_SET_PACKET_HEADER_SIZE(p, 14);
	NdisSetPacketFlags(p, NDIS_FLAGS_DONT_LOOPBACK);
	assert_int_equal(NdisGetPacketFlags(p), NDIS_FLAGS_DONT_LOOPBACK);
	assert_int_equal(NDIS_GET_PACKET_HEADER_SIZE(p), 14);
	NdisFreePacket(p);
	PNDIS_PACKET q = pkt_new(h);
	assert_ptr_equal(p, q);
	assert_null(
	    NDIS_PER_PACKET_INFO_FROM_PACKET(q, ScatterGatherListPacketInfo));
	assert_null(NDIS_PER_PACKET_INFO_FROM_PACKET(q, Ieee8021QInfo));
	assert_int_equal(NDIS_GET_PACKET_STATUS(q), 0);
	assert_int_equal(NDIS_GET_PACKET_HEADER_SIZE(q), 0);
	assert_int_equal(NdisGetPacketFlags(q), 0);
	assert_ptr_equal(NdisGetPoolFromPacket(q), h);
	NdisFreePacket(q);
	NdisFreePacketPool(h);
}

static void test_chain_and_query(void **state)
{
	(void)state;
	static char mem[4 * 4096] __attribute__((aligned(4096)));
	NDIS_STATUS st;
	NDIS_HANDLE bp, h = pool_new(2, 0, 0);
	NdisAllocateBufferPool(&st, &bp, 8);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_BUFFER a, b, c, x;
	NdisAllocateBuffer(&st, &a, bp, mem + 4000, 200); /* crosses a page */
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocateBuffer(&st, &b, bp, mem + 8192, 4096); /* one page */
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocateBuffer(&st, &c, bp, mem + 10, 10);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);

	PNDIS_PACKET p = pkt_new(h);
	UINT phys = 9, cnt = 9, total = 9;
	PNDIS_BUFFER first = (PNDIS_BUFFER)1;
	NdisQueryPacket(p, &phys, &cnt, &first, &total);
	assert_int_equal(phys, 0);
	assert_int_equal(cnt, 0);
	assert_null(first);
	assert_int_equal(total, 0);

	NdisChainBufferAtBack(p, a);
	NdisChainBufferAtBack(p, b);
	NdisChainBufferAtFront(p, c);
	assert_int_equal(p->Private.ValidCounts, FALSE);
	NdisQueryPacket(p, &phys, &cnt, &first, &total);
	assert_int_equal(phys, 2 + 1 + 1);
	assert_int_equal(cnt, 3);
	assert_ptr_equal(first, c);
	assert_int_equal(total, 200 + 4096 + 10);
	NdisGetNextBuffer(c, &x);
	assert_ptr_equal(x, a);
	NdisGetNextBuffer(a, &x);
	assert_ptr_equal(x, b);
	NdisGetNextBuffer(b, &x);
	assert_null(x);
	assert_ptr_equal(p->Private.Tail, b);

	UINT arr, off, len;
	NdisGetBufferPhysicalArraySize(a, &arr);
	assert_int_equal(arr, 2);
	NdisGetBufferPhysicalArraySize(b, &arr);
	assert_int_equal(arr, 1);
	NdisQueryBufferOffset(a, &off, &len);
	assert_int_equal(off, 4000);
	assert_int_equal(len, 200);
	PVOID va;
	NdisQueryBuffer(a, &va, &len);
	assert_ptr_equal(va, mem + 4000);
	NdisQueryBuffer(b, NULL, &len);
	assert_int_equal(len, 4096);

	PVOID fva;
	UINT flen, tlen;
	NdisGetFirstBufferFromPacketSafe(p, &first, &fva, &flen, &tlen, 0);
	assert_ptr_equal(first, c);
	assert_ptr_equal(fva, mem + 10);
	assert_int_equal(flen, 10);
	assert_int_equal(tlen, 4306);

	NdisUnchainBufferAtFront(p, &x);
	assert_ptr_equal(x, c);
	assert_null(c->Next);
	NdisUnchainBufferAtBack(p, &x);
	assert_ptr_equal(x, b);
	NdisQueryPacket(p, &phys, &cnt, &first, &total);
	assert_int_equal(phys, 2);
	assert_int_equal(cnt, 1);
	assert_ptr_equal(first, a);
	assert_int_equal(total, 200);
	assert_ptr_equal(p->Private.Tail, a);
	NdisUnchainBufferAtBack(p, &x);
	assert_ptr_equal(x, a);
	NdisUnchainBufferAtBack(p, &x);
	assert_null(x);
	NdisUnchainBufferAtFront(p, &x);
	assert_null(x);

	/* a chain of two chained at once, then reinitialised */
	a->Next = b;
	NdisChainBufferAtFront(p, a);
	NdisChainBufferAtBack(p, c);
	NdisQueryPacket(p, NULL, &cnt, NULL, NULL);
	assert_int_equal(cnt, 3);
	assert_ptr_equal(p->Private.Tail, c);
	NdisQueryPacketLength(p, &total);
	assert_int_equal(total, 4306);
	NdisReinitializePacket(p);
	NdisQueryPacket(p, &phys, &cnt, &first, &total);
	assert_int_equal(cnt, 0);
	assert_null(first);
	assert_int_equal(total, 0);
	NdisGetFirstBufferFromPacket(p, &first, &fva, &flen, &tlen);
	assert_null(first);
	assert_null(fva);

	a->Next = b->Next = c->Next = NULL;
	NdisFreeBuffer(a);
	NdisFreeBuffer(b);
	NdisFreeBuffer(c);
	NdisFreePacket(p);
	NdisFreeBufferPool(bp);
	NdisFreePacketPool(h);
}

static void test_free_pool_outstanding(void **state)
{
	(void)state;
	unsigned long out = count("pool.free-outstanding");
	unsigned long badh = count("pool.bad-handle");
	NDIS_HANDLE h = pool_new(4, 0, 8);
	PNDIS_PACKET a = pkt_new(h), b = pkt_new(h);
	NdisFreePacketPool(h);
	assert_int_equal(count("pool.free-outstanding"), out + 1);
	/* the handle is gone for the driver; the packets still work */
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	assert_int_equal(count("pool.bad-handle"), badh + 1);
	memset(a->ProtocolReserved, 1, 8);
	NdisFreePacket(a);
	unsigned long dbl = count("pool.double-free");
	NdisFreePacket(b); /* the last: the pool is destroyed (LSan sees) */
	assert_int_equal(count("pool.double-free"), dbl);
	/* freeing the handle again is a bad handle, not a crash */
	NdisFreePacketPool(h);
	assert_int_equal(count("pool.bad-handle"), badh + 2);
	/* no outstanding: no report */
	h = pool_new(4, 0, 8);
	NdisFreePacket(pkt_new(h));
	NdisFreePacketPool(h);
	assert_int_equal(count("pool.free-outstanding"), out + 1);
}

static void test_double_free(void **state)
{
	(void)state;
	unsigned long dbl = count("pool.double-free");
	NDIS_HANDLE h = pool_new(4, 0, 0);
	PNDIS_PACKET p = pkt_new(h);
	NdisFreePacket(p);
	NdisFreePacket(p);
	assert_int_equal(count("pool.double-free"), dbl + 1);
	/* the pool is intact: 4 distinct packets, then empty */
	PNDIS_PACKET q[4];
	for (int i = 0; i < 4; i++) {
		q[i] = pkt_new(h);
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(q[i], q[k]);
	}
	NDIS_STATUS st;
	PNDIS_PACKET x;
	NdisAllocatePacket(&st, &x, h);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	for (int i = 0; i < 4; i++)
		NdisFreePacket(q[i]);
	/* double free through the bulk API */
	p = pkt_new(h);
	NdisFreePacket(p);
	assert_int_equal(ndisdma_packet_free_bulk(h, &p, 1), 1);
	assert_int_equal(count("pool.double-free"), dbl + 2);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
}

static void test_cross_and_foreign_free(void **state)
{
	(void)state;
	unsigned long cross = count("pool.cross-free");
	unsigned long unk = count("pool.free-unknown");
	NDIS_HANDLE a = pool_new(4, 0, 0), b = pool_new(4, 0, 0);
	PNDIS_PACKET p = pkt_new(a);
	p->Private.Pool = (PNDIS_PACKET_POOL)b; /* the driver scribbled */
	NdisFreePacket(p);
	assert_int_equal(count("pool.cross-free"), cross + 1);
	assert_int_equal(NdisPacketPoolUsage(a), 0);
	assert_int_equal(NdisPacketPoolUsage(b), 0);

	p = pkt_new(a);
	assert_int_equal(ndisdma_packet_free_bulk(b, &p, 1), 1);
	assert_int_equal(count("pool.cross-free"), cross + 2);
	assert_int_equal(NdisPacketPoolUsage(a), 0);
	assert_int_equal(NdisPacketPoolUsage(b), 0);

	/* a packet no pool made */
	static NDIS_PACKET fake[4] __attribute__((aligned(64)));
	NdisFreePacket(&fake[1]);
	assert_int_equal(count("pool.free-unknown"), unk + 1);
	NdisFreePacket(NULL);
	assert_int_equal(count("pool.free-unknown"), unk + 2);

	/* a buffer descriptor is not a packet: reported, not freed */
	NDIS_STATUS st;
	NDIS_HANDLE bp;
	PNDIS_BUFFER buf;
	NdisAllocateBufferPool(&st, &bp, 1);
	NdisAllocateBuffer(&st, &buf, bp, fake, 10);
	NdisFreePacket((PNDIS_PACKET)buf);
	assert_int_equal(count("pool.cross-free"), cross + 3);
	NdisFreeBuffer(buf);
	NdisFreeBufferPool(bp);
	NdisFreePacketPool(a);
	NdisFreePacketPool(b);
}

static void test_bad_handle_and_irql(void **state)
{
	(void)state;
	unsigned long badh = count("pool.bad-handle");
	unsigned long irql = count("irql.too-high");
	NDIS_STATUS st;
	PNDIS_PACKET p = (PNDIS_PACKET)1;
	static uint64_t junk[16] __attribute__((aligned(64)));
	NdisAllocatePacket(&st, &p, junk);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(p);
	assert_int_equal(count("pool.bad-handle"), badh + 1);

	NDIS_HANDLE h = pool_new(2, 0, 0);
	KIRQL old;
	KeRaiseIrql(DIRQL, &old);
	NdisAllocatePacket(&st, &p, h);
	KeLowerIrql(old);
	assert_int_equal(st, NDIS_STATUS_RESOURCES);
	assert_null(p);
	assert_int_equal(count("irql.too-high"), irql + 1);
	/* DISPATCH_LEVEL is fine */
	KeRaiseIrql(DISPATCH_LEVEL, &old);
	p = pkt_new(h);
	NdisFreePacket(p);
	KeLowerIrql(old);
	assert_int_equal(count("irql.too-high"), irql + 1);
	NdisFreePacketPool(h);
}

/* NdisAllocatePacket and NdisFreePacket written in a driver are inline
 * (<ndisdma/ndis/packet.h>); (NdisAllocatePacket)(...) is the library's
 * function. The same misuse through either gives the same reports and
 * leaves the pool the same; a packet allocated one way is freed the
 * other. */
static void alloc_via(int fn, PNDIS_STATUS st, PNDIS_PACKET *p, NDIS_HANDLE h)
{
	if (fn)
		(NdisAllocatePacket)(st, p, h);
	else
		NdisAllocatePacket(st, p, h);
}

static void free_via(int fn, PNDIS_PACKET p)
{
	if (fn)
		(NdisFreePacket)(p);
	else
		NdisFreePacket(p);
}

static void test_inline_and_functions(void **state)
{
	(void)state;
	for (int fn = 0; fn < 2; fn++) {
		unsigned long dbl = count("pool.double-free");
		unsigned long par = count("pool.bad-params");
		unsigned long badh = count("pool.bad-handle");
		unsigned long irql = count("irql.too-high");
		unsigned long unk = count("pool.free-unknown");
		NDIS_HANDLE h = pool_new(16, 0, 0);
		NDIS_STATUS st;
		PNDIS_PACKET p[16], x;
		/* allocated one way, freed the other, many times over */
		for (int r = 0; r < 100; r++) {
			for (int i = 0; i < 16; i++) {
				alloc_via(fn, &st, &p[i], h);
				assert_int_equal(st, NDIS_STATUS_SUCCESS);
				assert_ptr_equal(p[i]->Private.Pool, h);
			}
			alloc_via(fn, &st, &x, h);
			assert_int_equal(st, NDIS_STATUS_RESOURCES);
			assert_null(x);
			for (int i = 0; i < 16; i++)
				free_via(!fn, p[i]);
		}
		assert_int_equal(NdisPacketPoolUsage(h), 0);
		/* misuse: NULL outputs, a bad handle, the IRQL */
		alloc_via(fn, NULL, &x, h);
		st = 0;
		alloc_via(fn, &st, NULL, h);
		assert_int_equal(st, NDIS_STATUS_RESOURCES);
		assert_int_equal(count("pool.bad-params"), par + 2);
		static uint64_t junk[16] __attribute__((aligned(64)));
		alloc_via(fn, &st, &x, junk);
		assert_int_equal(st, NDIS_STATUS_RESOURCES);
		assert_int_equal(count("pool.bad-handle"), badh + 1);
		KIRQL old;
		KeRaiseIrql(DIRQL, &old);
		alloc_via(fn, &st, &x, h);
		KeLowerIrql(old);
		assert_int_equal(st, NDIS_STATUS_RESOURCES);
		assert_int_equal(count("irql.too-high"), irql + 1);
		/* double and foreign frees */
		alloc_via(fn, &st, &x, h);
		free_via(fn, x);
		free_via(fn, x);
		assert_int_equal(count("pool.double-free"), dbl + 1);
		static NDIS_PACKET fake[2] __attribute__((aligned(64)));
		free_via(fn, &fake[1]);
		assert_int_equal(count("pool.free-unknown"), unk + 1);
		/* a packet whose Private the driver changed by a plain store
		 * and whose out-of-band data it wrote comes back clean */
		alloc_via(fn, &st, &x, h);
		x->Private.Flags = 0x1234;
		x->Private.TotalLength = 99;
		NDIS_SET_PACKET_STATUS(x, NDIS_STATUS_FAILURE);
		free_via(fn, x);
		for (int i = 0; i < 16; i++) {
			alloc_via(fn, &st, &p[i], h);
			assert_int_equal(p[i]->Private.Flags, 0);
			assert_int_equal(p[i]->Private.TotalLength, 0);
			assert_int_equal(NDIS_GET_PACKET_STATUS(p[i]), 0);
			assert_int_equal(ndisdma_packet_marks_(p[i]), 0);
		}
		for (int i = 0; i < 16; i++)
			free_via(fn, p[i]);
		assert_int_equal(NdisPacketPoolUsage(h), 0);
		NdisFreePacketPool(h);
	}
}

static void test_bulk(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(64, 0, 16);
	PNDIS_PACKET a[32], b[32], c[1];
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, b, 32), 32);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, c, 1), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 64);
	for (int i = 0; i < 32; i++) {
		assert_ptr_equal(a[i]->Private.Pool, h);
		assert_int_equal(a[i]->Private.ValidCounts, TRUE);
		for (int k = 0; k < 32; k++)
			assert_ptr_not_equal(a[i], b[k]);
	}
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 0);
	/* one at a time and in bulk mix */
	for (int i = 0; i < 32; i++)
		NdisFreePacket(b[i]);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	assert_int_equal(ndisdma_packet_alloc_bulk(NULL, a, 1), -EINVAL);
	assert_int_equal(ndisdma_packet_free_bulk(NULL, a, 1), -EINVAL);
	/* all or nothing with overflow descriptors too */
	NdisFreePacketPool(h);
	h = pool_new(30, 2, 0);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, c, 1), 0);
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	assert_true(ndisdma_pool_memory(h) > 32 * (long)sizeof(NDIS_PACKET));
	NdisFreePacketPool(h);
	assert_int_equal(ndisdma_pool_memory(h), -EINVAL);
}

/* A batch freed in the order it was allocated (neighbours in memory) is
 * checked on the pool's state bytes alone; everything the per-packet path
 * catches must still be caught there: a second free of the whole batch,
 * a batch with one packet already freed, a batch given to another pool,
 * a batch with a packet of another batch in it, a reversed batch, and
 * Private or out-of-band data changed through the NDIS calls and macros
 * (which mark the packet) must come back clean. */
static void test_bulk_runs(void **state)
{
	(void)state;
	NDIS_HANDLE h = pool_new(96, 0, 16), other = pool_new(8, 0, 16);
	PNDIS_PACKET a[32], b[32], r[32];
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	/* the batch is neighbours, one way or the other */
	ptrdiff_t d = (char *)a[1] - (char *)a[0];
	for (int i = 1; i < 32; i++)
		assert_int_equal((char *)a[i] - (char *)a[i - 1], d);
	unsigned long dbl = count("pool.double-free");
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	/* the whole batch again: 32 double frees, the pool intact */
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 32);
	assert_int_equal(count("pool.double-free"), dbl + 32);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, b, 32), 32);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, r, 32), 32);
	for (int i = 0; i < 32; i++)
		for (int k = 0; k < 32; k++)
			assert_ptr_not_equal(a[i], b[k]);
	/* one of the batch freed before: that one reported, the rest back */
	NdisFreePacket(a[7]);
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 1);
	assert_int_equal(count("pool.double-free"), dbl + 33);
	assert_int_equal(NdisPacketPoolUsage(h), 64);
	/* to another pool: reported, and back to their own */
	unsigned long cross = count("pool.cross-free");
	ndisdma_packet_free_bulk(other, b, 32);
	assert_int_equal(count("pool.cross-free"), cross + 32);
	assert_int_equal(NdisPacketPoolUsage(h), 32);
	assert_int_equal(NdisPacketPoolUsage(other), 0);
	/* reversed, and with a packet of another batch in the middle */
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	PNDIS_PACKET rev[32];
	for (int i = 0; i < 32; i++)
		rev[i] = a[31 - i];
	assert_int_equal(ndisdma_packet_free_bulk(h, rev, 32), 0);
	PNDIS_PACKET keep = r[5];
	r[5] = r[31];
	r[31] = keep;
	assert_int_equal(ndisdma_packet_free_bulk(h, r, 32), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	/* changes through the NDIS calls and macros mark the packet; the
	 * batch comes back as NdisAllocatePacket documents it */
	static char data[256];
	NDIS_STATUS st;
	NDIS_HANDLE bp;
	NdisAllocateBufferPool(&st, &bp, 4);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_BUFFER buf;
	NdisAllocateBuffer(&st, &buf, bp, data, sizeof(data));
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	NdisSetPacketFlags(a[0], 0x40);
	assert_int_equal(ndisdma_packet_marks_(a[0]),
			 NDISDMA_PACKET_PRIVATE_WRITTEN);
	NdisChainBufferAtBack(a[1], buf);
	NdisReinitializePacket(a[2]);
	NDIS_SET_PACKET_HEADER_SIZE(a[3], 14);
	NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(a[4], data, 8);
	assert_int_equal(ndisdma_packet_marks_(a[4]),
			 NDISDMA_PACKET_PRIVATE_WRITTEN |
			     NDISDMA_PACKET_OOB_WRITTEN);
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 0);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, a, 32), 32);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(ndisdma_packet_marks_(a[i]), 0);
		assert_int_equal(NdisGetPacketFlags(a[i]), 0);
		assert_null(a[i]->Private.Head);
		assert_int_equal(a[i]->Private.ValidCounts, TRUE);
		assert_int_equal(a[i]->Private.NdisPacketFlags,
				 fPACKET_ALLOCATED_BY_NDIS);
		assert_int_equal(NDIS_GET_PACKET_HEADER_SIZE(a[i]), 0);
	}
	assert_int_equal(ndisdma_packet_free_bulk(h, a, 32), 0);
	NdisFreeBuffer(buf);
	NdisFreeBufferPool(bp);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
	NdisFreePacketPool(other);
}

/* ---- allocate on one thread, free on another ---- */

#define RING 32
struct xfer {
	NDIS_HANDLE pool;
	_Atomic(PNDIS_PACKET) slot[RING];
	_Atomic unsigned long head, tail; /* producer, consumer */
	unsigned long n;
	_Atomic unsigned long failures, errors;
	bool bulk;
};

static void *consumer(void *arg)
{
	struct xfer *x = arg;
	unsigned long got = 0;
	while (got < x->n) {
		unsigned long t = atomic_load(&x->tail);
		if (t == atomic_load(&x->head)) {
			sched_yield();
			continue;
		}
		PNDIS_PACKET p = atomic_load(&x->slot[t % RING]);
		if (p->ProtocolReserved[0] != (UCHAR)t)
			atomic_fetch_add(&x->errors, 1);
		p->ProtocolReserved[1] = 0xEE;
		if (x->bulk) {
			if (ndisdma_packet_free_bulk(x->pool, &p, 1) != 0)
				atomic_fetch_add(&x->errors, 1);
		} else {
			NdisFreePacket(p);
		}
		atomic_store(&x->tail, t + 1);
		got++;
	}
	return NULL;
}

static void run_xfer(bool bulk)
{
	/* The ring holds at most RING packets and the pool has 2*RING: an
	 * allocation may never fail although the consumer's cache keeps
	 * what it frees - the producer must get them back. */
	struct xfer x = {.n = 200000, .bulk = bulk};
	x.pool = pool_new(2 * RING, 0, 16);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, consumer, &x), 0);
	for (unsigned long i = 0; i < x.n; i++) {
		while (atomic_load(&x.head) - atomic_load(&x.tail) >= RING)
			sched_yield();
		NDIS_STATUS st;
		PNDIS_PACKET p;
		NdisAllocatePacket(&st, &p, x.pool);
		if (st != NDIS_STATUS_SUCCESS) {
			atomic_fetch_add(&x.failures, 1);
			i--;
			continue;
		}
		assert_null(p->Private.Head);
		p->ProtocolReserved[0] = (UCHAR)i;
		atomic_store(&x.slot[i % RING], p);
		atomic_store(&x.head, i + 1);
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&x.failures), 0);
	assert_int_equal(atomic_load(&x.errors), 0);
	assert_int_equal(NdisPacketPoolUsage(x.pool), 0);
	NdisFreePacketPool(x.pool);
}

static int by_address(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t) * (void *const *)x,
		  b = (uintptr_t) * (void *const *)y;
	return a < b ? -1 : a > b;
}

/* A batch of 64 neighbours (more than one 32-byte piece of state bytes):
 * every check holds in the second half too. */
static void test_bulk_runs_64(void **state)
{
	(void)state;
	enum { N = 512 };
	NDIS_HANDLE h = pool_new(N, 0, 0);
	static PNDIS_PACKET all[N];
	for (int i = 0; i < N; i++)
		all[i] = pkt_new(h);
	qsort(all, N, sizeof(all[0]), by_address);
	PNDIS_PACKET *run = &all[100];
	ptrdiff_t d = (char *)run[1] - (char *)run[0];
	for (int i = 1; i < 64; i++)
		assert_int_equal((char *)run[i] - (char *)run[i - 1], d);
	unsigned long dbl = count("pool.double-free");
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 0);
	assert_int_equal(NdisPacketPoolUsage(h), N - 64);
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 64);
	assert_int_equal(count("pool.double-free"), dbl + 64);
	assert_int_equal(NdisPacketPoolUsage(h), N - 64);
	/* the 64 come back (from this thread's cache), one goes again */
	PNDIS_PACKET got[64];
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	qsort(got, 64, sizeof(got[0]), by_address);
	assert_memory_equal(got, run, sizeof(got));
	NdisFreePacket(run[40]);
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 1);
	assert_int_equal(count("pool.double-free"), dbl + 65);
	assert_int_equal(NdisPacketPoolUsage(h), N - 64);
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	NdisFreePacket(run[3]);
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 1);
	assert_int_equal(count("pool.double-free"), dbl + 66);
	assert_int_equal(NdisPacketPoolUsage(h), N - 64);
	/* 32 of them, twice, with room in the cache */
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	assert_int_equal(ndisdma_packet_free_bulk(h, &run[32], 32), 0);
	assert_int_equal(ndisdma_packet_free_bulk(h, &run[32], 32), 32);
	assert_int_equal(count("pool.double-free"), dbl + 98);
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
	/* a packet from elsewhere in place of one: all go back, the one
	 * left out stays allocated */
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	PNDIS_PACKET out = run[20];
	run[20] = all[300];
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 0);
	run[20] = out;
	NdisFreePacket(run[20]);
	assert_int_equal(count("pool.double-free"), dbl + 98);
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	(void)pkt_new(h); /* the 65 are the run and all[300] */
	assert_int_equal(ndisdma_packet_free_bulk(h, run, 64), 0);
	/* and in descending order */
	for (int i = 0; i < 64; i++)
		got[i] = pkt_new(h);
	qsort(got, 64, sizeof(got[0]), by_address);
	for (int i = 0; i < 64; i++)
		got[i] = run[63 - i];
	assert_int_equal(ndisdma_packet_free_bulk(h, got, 64), 0);
	assert_int_equal(ndisdma_packet_free_bulk(h, all, 100), 0);
	assert_int_equal(ndisdma_packet_free_bulk(h, &all[164], N - 164), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
}

/* Every packet of set[0..n) is LIVE and allocated exactly once: each
 * goes back one at a time without a report, and the pool's usage drops
 * by n. */
static void free_each_clean(NDIS_HANDLE h, PNDIS_PACKET *set, int n)
{
	unsigned long before = ndisdma_verifier_count(NULL);
	UINT used = NdisPacketPoolUsage(h);
	for (int i = 0; i < n; i++)
		NdisFreePacket(set[i]);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
	assert_int_equal(NdisPacketPoolUsage(h), used - (UINT)n);
}

/* alloc_bulk through the inline path (way 0) or the function (way 1) */
static int bulk_get(int way, NDIS_HANDLE h, PNDIS_PACKET *p, unsigned n)
{
	return way ? (ndisdma_packet_alloc_bulk)(h, p, n)
		   : ndisdma_packet_alloc_bulk(h, p, n);
}

/* Take back one at a time the n packets of set just freed (the last n
 * on this thread's cache). */
static void retake(NDIS_HANDLE h, PNDIS_PACKET *set, int n)
{
	for (int i = 0; i < n; i++)
		assert_true(in(pkt_new(h), set, n));
}

/* The top of a thread's cache after a bulk free of neighbours is a
 * checked batch, which the bulk allocation copies out without looking
 * at each packet. Taking part of it leaves the rest one (ascending and
 * descending); anything pushed over it in between (one at a time,
 * inline and through the function, or a batch that is not neighbours)
 * must make the allocation look again. Each time the packets handed
 * out must be the right ones and each LIVE exactly once. */
static void test_bulk_checked_top(void **state)
{
	(void)state;
	enum { N = 256 };
	NDIS_HANDLE h = pool_new(N, 0, 0);
	static PNDIS_PACKET all[N];
	for (int i = 0; i < N; i++)
		all[i] = pkt_new(h);
	qsort(all, N, sizeof(all[0]), by_address);
	/* run: 32 neighbours; x: 8 that are not; other: one more */
	PNDIS_PACKET run[32], got[32], more[32], x[8], other = all[200];
	memcpy(run, &all[64], sizeof(run));
	for (int i = 1; i < 32; i++)
		assert_int_equal((char *)run[i] - (char *)run[i - 1],
				 (char *)run[1] - (char *)run[0]);
	for (int i = 0; i < 8; i++)
		x[i] = all[150 + 3 * i];
	for (int way = 0; way < 2; way++) {
		/* the whole batch back, in its order */
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_memory_equal(got, run, sizeof(got));
		free_each_clean(h, got, 32);
		retake(h, run, 32);
		/* in parts: the top of the cache first, ascending */
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 8), 8);
		assert_memory_equal(got, &run[24], 8 * sizeof(got[0]));
		assert_int_equal(bulk_get(way, h, got + 8, 8), 8);
		assert_memory_equal(got + 8, &run[16], 8 * sizeof(got[0]));
		free_each_clean(h, got, 16);
		retake(h, &run[16], 16);
		assert_int_equal(bulk_get(way, h, got, 16), 16);
		assert_memory_equal(got, run, 16 * sizeof(got[0]));
		free_each_clean(h, got, 16);
		retake(h, run, 16);
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 24), 24);
		assert_int_equal(bulk_get(way, h, got + 24, 8), 8);
		assert_memory_equal(got, &run[8], 24 * sizeof(got[0]));
		assert_memory_equal(got + 24, run, 8 * sizeof(got[0]));
		free_each_clean(h, got, 32);
		retake(h, run, 32);
		/* descending: the top holds the lowest addresses */
		for (int k = 0; k < 2; k++) {
			unsigned first = k ? 24 : 8;
			for (int i = 0; i < 32; i++)
				got[i] = run[31 - i];
			assert_int_equal(ndisdma_packet_free_bulk(h, got, 32),
					 0);
			assert_int_equal(bulk_get(way, h, got, first), first);
			assert_int_equal(bulk_get(way, h, got + first, 8), 8);
			for (unsigned i = 0; i < first; i++)
				assert_ptr_equal(got[i], run[first - 1 - i]);
			for (unsigned i = 0; i < 8; i++)
				assert_ptr_equal(got[first + i],
						 run[first + 7 - i]);
			free_each_clean(h, got, (int)first + 8);
			retake(h, run, (int)first + 8);
			if (first + 8 < 32) { /* the rest, checked again */
				assert_int_equal(bulk_get(way, h, got, 16), 16);
				for (int i = 0; i < 16; i++)
					assert_ptr_equal(got[i], run[31 - i]);
				free_each_clean(h, got, 16);
				retake(h, &run[16], 16);
			}
		}
		/* one taken off the top and another put in its slot, inline
		 * or through the function: the batch is gone */
		for (int fn = 0; fn < 2; fn++) {
			assert_int_equal(ndisdma_packet_free_bulk(h, run, 32),
					 0);
			PNDIS_PACKET top = pkt_new(h);
			assert_ptr_equal(top, run[31]);
			if (fn)
				(NdisFreePacket)(other);
			else
				NdisFreePacket(other);
			assert_int_equal(bulk_get(way, h, got, 32), 32);
			assert_ptr_equal(got[31], other);
			assert_memory_equal(got, run, 31 * sizeof(got[0]));
			free_each_clean(h, got, 32);
			NdisFreePacket(top);
			for (int i = 0; i < 33; i++) {
				PNDIS_PACKET p = pkt_new(h);
				assert_true(in(p, run, 32) || p == other);
			}
		}
		/* the batch just taken, given back as it came: no header
		 * is read, but a second free, another batch in its place
		 * and a packet changed through the macros are all seen */
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_int_equal(ndisdma_packet_free_bulk(h, got, 32), 0);
		unsigned long dbl = count("pool.double-free");
		assert_int_equal(ndisdma_packet_free_bulk(h, got, 32), 32);
		assert_int_equal(count("pool.double-free"), dbl + 32);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_memory_equal(got, run, sizeof(got));
		memcpy(more, &all[224], sizeof(more)); /* other neighbours */
		for (int i = 1; i < 32; i++)
			assert_int_equal((char *)more[i] - (char *)more[i - 1],
					 (char *)run[1] - (char *)run[0]);
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_int_equal(ndisdma_packet_free_bulk(h, more, 32), 0);
		free_each_clean(h, got, 32);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		for (int i = 0; i < 32; i++)
			assert_true(in(got[i], run, 32));
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_memory_equal(got, more, sizeof(got));
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		NDIS_PER_PACKET_INFO_FROM_PACKET(
		    got[3], ScatterGatherListPacketInfo) = (PVOID)got;
		assert_int_equal(ndisdma_packet_free_bulk(h, got, 32), 0);
		assert_int_equal(bulk_get(way, h, got, 32), 32);
		assert_memory_equal(got, run, sizeof(got));
		assert_null(NDIS_PER_PACKET_INFO_FROM_PACKET(
		    got[3], ScatterGatherListPacketInfo));
		/* eight taken one at a time, a batch that is not neighbours
		 * put in their slots */
		assert_int_equal(ndisdma_packet_free_bulk(h, run, 32), 0);
		for (int i = 0; i < 8; i++)
			got[i] = pkt_new(h);
		assert_int_equal(ndisdma_packet_free_bulk(h, x, 8), 0);
		assert_int_equal(bulk_get(way, h, got + 8, 8), 8);
		assert_memory_equal(got + 8, x, sizeof(x));
		assert_int_equal(bulk_get(way, h, more, 24), 24);
		assert_memory_equal(more, run, 24 * sizeof(more[0]));
		free_each_clean(h, got, 16);
		free_each_clean(h, more, 24);
		for (int i = 0; i < 40; i++) {
			PNDIS_PACKET p = pkt_new(h);
			assert_true(in(p, run, 32) || in(p, x, 8));
		}
	}
	assert_int_equal(NdisPacketPoolUsage(h), N);
	assert_int_equal(ndisdma_packet_free_bulk(h, all, N), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
}

static void test_cross_thread(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	run_xfer(false);
	run_xfer(true);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* Two threads allocate and free the same pool hard, with frees of the
 * other thread's packets; the pool must end empty and intact. */
struct hammer {
	NDIS_HANDLE pool;
	_Atomic(PNDIS_PACKET) mailbox;
	unsigned long iters;
};

static void *hammer_thread(void *arg)
{
	struct hammer *hm = arg;
	PNDIS_PACKET mine[8];
	for (unsigned long i = 0; i < hm->iters; i++) {
		int n = 0;
		for (int k = 0; k < 8; k++) {
			NDIS_STATUS st;
			NdisAllocatePacket(&st, &mine[n], hm->pool);
			if (st == NDIS_STATUS_SUCCESS)
				n++;
		}
		/* swap one with the other thread */
		if (n) {
			PNDIS_PACKET other =
			    atomic_exchange(&hm->mailbox, mine[n - 1]);
			if (other)
				mine[n - 1] = other;
			else
				n--;
		}
		if (i & 1)
			ndisdma_packet_free_bulk(hm->pool, mine, n);
		else
			for (int k = 0; k < n; k++)
				NdisFreePacket(mine[k]);
	}
	return NULL;
}

static void test_hammer(void **state)
{
	(void)state;
	unsigned long before = ndisdma_verifier_count(NULL);
	struct hammer hm = {.iters = 50000};
	hm.pool = pool_new(24, 4, 0);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer_thread, &hm);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	PNDIS_PACKET last = atomic_load(&hm.mailbox);
	if (last)
		NdisFreePacket(last);
	assert_int_equal(NdisPacketPoolUsage(hm.pool), 0);
	/* all 28 still there, all distinct */
	PNDIS_PACKET all[28];
	for (int i = 0; i < 28; i++) {
		all[i] = pkt_new(hm.pool);
		for (int k = 0; k < i; k++)
			assert_ptr_not_equal(all[i], all[k]);
	}
	for (int i = 0; i < 28; i++)
		NdisFreePacket(all[i]);
	NdisFreePacketPool(hm.pool);
	assert_int_equal(ndisdma_verifier_count(NULL), before);
}

/* A thread frees every packet into its own cache and stays alive: the
 * pool must still hand all of them out on another thread. */
struct parked {
	PNDIS_PACKET *pkts;
	unsigned n;
	pthread_mutex_t m;
	pthread_cond_t c;
	int phase;
};

static void *park_thread(void *arg)
{
	struct parked *pk = arg;
	for (unsigned i = 0; i < pk->n; i++)
		NdisFreePacket(pk->pkts[i]);
	pthread_mutex_lock(&pk->m);
	if (pk->phase == 0)
		pk->phase = 1;
	pthread_cond_broadcast(&pk->c);
	while (pk->phase != 2)
		pthread_cond_wait(&pk->c, &pk->m);
	pthread_mutex_unlock(&pk->m);
	return NULL;
}

static void test_steal_from_live_thread(void **state)
{
	(void)state;
	enum { N = 64 };
	PNDIS_PACKET pk[N];
	NDIS_HANDLE h = pool_new(N, 0, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++)
			pk[i] = pkt_new(h);
		struct parked p = {.pkts = pk, .n = N};
		pthread_mutex_init(&p.m, NULL);
		pthread_cond_init(&p.c, NULL);
		pthread_t t;
		pthread_create(&t, NULL, park_thread, &p);
		pthread_mutex_lock(&p.m);
		while (p.phase != 1)
			pthread_cond_wait(&p.c, &p.m);
		pthread_mutex_unlock(&p.m);
		/* the other thread's cache holds some; we get all N */
		assert_int_equal(NdisPacketPoolUsage(h), 0);
		for (int i = 0; i < N; i++)
			pk[i] = pkt_new(h);
		NDIS_STATUS st;
		PNDIS_PACKET x;
		NdisAllocatePacket(&st, &x, h);
		assert_int_equal(st, NDIS_STATUS_RESOURCES);
		pthread_mutex_lock(&p.m);
		p.phase = 2;
		pthread_cond_broadcast(&p.c);
		pthread_mutex_unlock(&p.m);
		pthread_join(t, NULL);
		for (int i = 0; i < N; i++)
			NdisFreePacket(pk[i]);
		pthread_mutex_destroy(&p.m);
		pthread_cond_destroy(&p.c);
	}
	/* a thread that exits gives its cache back */
	for (int i = 0; i < N; i++)
		pk[i] = pkt_new(h);
	NdisFreePacketPool(h); /* outstanding: dies with the last free */
	struct parked p = {.pkts = pk, .n = N, .phase = 2};
	pthread_mutex_init(&p.m, NULL);
	pthread_cond_init(&p.c, NULL);
	pthread_t t;
	pthread_create(&t, NULL, park_thread, &p);
	pthread_join(t, NULL);
	pthread_mutex_destroy(&p.m);
	pthread_cond_destroy(&p.c);
}

/* ---- halt reclaims pools allocated in MiniportInitialize ---- */

static NDIS_HANDLE init_pkt_pool, init_buf_pool;
static bool free_in_halt;

static NDIS_STATUS mp_init(PNDIS_STATUS open_error, PUINT medium,
			   PNDIS_MEDIUM media, UINT nmedia, NDIS_HANDLE handle,
			   NDIS_HANDLE config)
{
	(void)open_error;
	(void)media;
	(void)nmedia;
	(void)config;
	*medium = 0;
	NdisMSetAttributesEx(handle, handle, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	NDIS_STATUS st;
	NdisAllocatePacketPool(&st, &init_pkt_pool, 16, 16);
	if (st != NDIS_STATUS_SUCCESS)
		return st;
	NdisAllocateBufferPool(&st, &init_buf_pool, 16);
	return st;
}

static VOID mp_halt(NDIS_HANDLE ctx)
{
	(void)ctx;
	if (free_in_halt) {
		NdisFreeBufferPool(init_buf_pool);
		NdisFreePacketPool(init_pkt_pool);
	}
}

static NTSTATUS mp_entry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, obj, path, NULL);
	NDIS_MINIPORT_CHARACTERISTICS c;
	memset(&c, 0, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = mp_init;
	c.HaltHandler = mp_halt;
	return NdisMRegisterMiniport(wrapper, &c, sizeof(c)) ==
		       NDIS_STATUS_SUCCESS
		   ? STATUS_SUCCESS
		   : STATUS_UNSUCCESSFUL;
}

static void test_halt_reclaims(void **state)
{
	(void)state;
	ndisdma_driver *drv;
	ndisdma_adapter *ad;
	assert_int_equal(ndisdma_driver_load(mp_entry, "poolmp", &drv), 0);

	unsigned long leak = count("halt.leak-object");
	free_in_halt = false;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	PNDIS_PACKET p = pkt_new(init_pkt_pool);
	(void)p; /* outstanding too: halt frees the memory anyway */
	assert_int_equal(ndisdma_adapter_halt(ad), 2);
	assert_int_equal(count("halt.leak-object"), leak + 2);

	/* freed in halt: nothing to reclaim */
	free_in_halt = true;
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	assert_int_equal(count("halt.leak-object"), leak + 2);

	/* a pool made outside initialize is not the adapter's */
	NDIS_HANDLE h = pool_new(2, 0, 0);
	assert_int_equal(ndisdma_adapter_start(drv, "sim", &ad), 0);
	assert_int_equal(ndisdma_adapter_halt(ad), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
	ndisdma_driver_unload(drv);
}

/* ---- a free packet is a clean packet (lazy reinitialisation) ----
 *
 * The fast free rewrites a packet only when it finds a field changed; so
 * every field a driver may write is dirtied alone, the packet freed on
 * each free path and allocated again (the same descriptor: LIFO), and
 * every documented field checked. */

#define NFIELDS 21 /* fields dirty() knows; NFIELDS = all at once */

static void dirty(PNDIS_PACKET p, int k, PNDIS_BUFFER buf)
{
	/* the out-of-band data is reached through the macro only where it is
	 * written: the Private cases must be caught by Private alone */
#define oob NDIS_OOB_DATA_FROM_PACKET(p)
	bool all = k == NFIELDS;
	if (all || k == 0)
		p->Private.PhysicalCount = 3;
	if (all || k == 1)
		p->Private.TotalLength = 1514;
	if (all || k == 2)
		NdisChainBufferAtBack(p, buf); /* Head, Tail, ValidCounts */
	if (all || k == 3)
		p->Private.Tail = buf;
	if (all || k == 4)
		p->Private.Count = 1;
	if (all || k == 5)
		NdisSetPacketFlags(p, NDIS_FLAGS_DONT_LOOPBACK);
	if (all || k == 6)
		p->Private.ValidCounts = FALSE;
	if (all || k == 7)
		NDIS_SET_PACKET_MEDIA_SPECIFIC_INFO(p, (PVOID)p, 12);
	if (all || k == 8)
		NDIS_SET_PACKET_TIME_TO_SEND(p, 12345);
	if (all || k == 9)
		NDIS_SET_PACKET_TIME_RECEIVED(p, 678);
	if (all || k == 10)
		NDIS_SET_PACKET_HEADER_SIZE(p, 14);
	if (all || k == 11)
		oob->SizeMediaSpecificInfo = 4;
	if (all || k == 12)
		oob->MediaSpecificInformation = (PVOID)p;
	if (all || k == 13)
		NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
	if (all || k == 14)
		NDIS_PER_PACKET_INFO_FROM_PACKET(p, TcpIpChecksumPacketInfo) =
		    (PVOID)1;
	if (all || k == 15)
		NDIS_PER_PACKET_INFO_FROM_PACKET(p, ShortPacketPaddingInfo) =
		    (PVOID)2; /* the last entry */
	if (all || k == 16)
		NDIS_SET_ORIGINAL_PACKET(p, p);
	if (all || k == 17)
		p->Private.NdisPacketFlags |= 0x01;
	if (all || k == 18)
		NDIS_PER_PACKET_INFO_FROM_PACKET(p, Ieee8021QInfo) = (PVOID)7;
	if (all || k == 19)
		NDIS_PER_PACKET_INFO_FROM_PACKET(
		    p, ScatterGatherListPacketInfo) = (PVOID)p;
	if (all || k == 20) {
		/* chain, then unchain: Head/Tail back to NULL, counts stale */
		PNDIS_BUFFER b;
		NdisChainBufferAtFront(p, buf);
		NdisUnchainBufferAtFront(p, &b);
	}
	if (all) /* every byte of the out-of-band data and information */
		memset(oob, 0xA5,
		       sizeof(NDIS_PACKET_OOB_DATA) +
			   sizeof(NDIS_PACKET_EXTENSION));
#undef oob
}

static void check_clean(PNDIS_PACKET p, NDIS_HANDLE h, USHORT oob_off)
{
	assert_int_equal(p->Private.PhysicalCount, 0);
	assert_int_equal(p->Private.TotalLength, 0);
	assert_null(p->Private.Head);
	assert_null(p->Private.Tail);
	assert_ptr_equal(p->Private.Pool, h);
	assert_int_equal(p->Private.Count, 0);
	assert_int_equal(p->Private.Flags, 0);
	assert_int_equal(p->Private.ValidCounts, TRUE);
	assert_int_equal(p->Private.NdisPacketFlags, fPACKET_ALLOCATED_BY_NDIS);
	assert_int_equal(p->Private.NdisPacketOobOffset, oob_off);
	UINT phys = 9, cnt = 9, total = 9;
	PNDIS_BUFFER first = (PNDIS_BUFFER)1;
	NdisQueryPacket(p, &phys, &cnt, &first, &total);
	assert_int_equal(phys + cnt + total, 0);
	assert_null(first);
	static const unsigned char
	    zero[sizeof(NDIS_PACKET_OOB_DATA) + sizeof(NDIS_PACKET_EXTENSION)];
	assert_memory_equal(NDIS_OOB_DATA_FROM_PACKET(p), zero, sizeof(zero));
	for (int k = 0; k < MaxPerPacketInfo; k++)
		assert_null(NDIS_PER_PACKET_INFO_FROM_PACKET(p, k));
	assert_int_equal(NDIS_GET_PACKET_STATUS(p), 0);
	assert_int_equal(NDIS_GET_PACKET_HEADER_SIZE(p), 0);
	assert_null(NDIS_GET_ORIGINAL_PACKET(p));
}

enum free_path { FP_ONE, FP_BULK, FP_THREAD, FP_NPATHS };

struct free_job {
	PNDIS_PACKET p;
	NDIS_HANDLE h;
	bool bulk;
};

static void *free_on_thread(void *arg)
{
	struct free_job *j = arg;
	if (j->bulk)
		assert_int_equal(ndisdma_packet_free_bulk(j->h, &j->p, 1), 0);
	else
		NdisFreePacket(j->p);
	return NULL;
}

static void free_by(NDIS_HANDLE h, PNDIS_PACKET p, enum free_path how)
{
	if (how == FP_ONE) {
		NdisFreePacket(p);
	} else if (how == FP_BULK) {
		assert_int_equal(ndisdma_packet_free_bulk(h, &p, 1), 0);
	} else {
		struct free_job j = {p, h, false};
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, free_on_thread, &j),
				 0);
		pthread_join(t, NULL);
	}
}

static void test_dirty_fields_reset(void **state)
{
	(void)state;
	static char mem[4096] __attribute__((aligned(4096)));
	NDIS_STATUS st;
	NDIS_HANDLE bp;
	NdisAllocateBufferPool(&st, &bp, 2);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_BUFFER buf;
	NdisAllocateBuffer(&st, &buf, bp, mem, 100);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	/* 4 descriptors: no per-thread cache, every free takes the slow
	 * path; 64: the cache's fast path; 1 + 4 overflow: overflow
	 * descriptors once the fixed one is out */
	const UINT sizes[][2] = {{4, 0}, {64, 0}, {1, 4}};
	const UINT prl[] = {0, 16, 100};
	unsigned long errs =
	    count("pool.double-free") + count("pool.cross-free");
	for (size_t si = 0; si < 3; si++) {
		NDIS_HANDLE h = pool_new(sizes[si][0], sizes[si][1], prl[si]);
		PNDIS_PACKET hold = NULL;
		if (sizes[si][1])
			hold = pkt_new(h); /* the fixed one: overflow next */
		for (int how = 0; how < FP_NPATHS; how++) {
			for (int k = 0; k <= NFIELDS; k++) {
				PNDIS_PACKET p = pkt_new(h);
				USHORT off = p->Private.NdisPacketOobOffset;
				check_clean(p, h, off);
				dirty(p, k, buf);
				buf->Next = NULL;
				free_by(h, p, (enum free_path)how);
				/* every free descriptor, the dirtied one
				 * among them (whichever cache it went to) */
				PNDIS_PACKET all[64];
				UINT n = sizes[si][0] + sizes[si][1] -
					 (hold ? 1 : 0);
				bool seen = false;
				for (UINT i = 0; i < n; i++) {
					all[i] = pkt_new(h);
					check_clean(all[i], h, off);
					seen |= all[i] == p;
				}
				assert_true(seen);
				for (UINT i = 0; i < n; i++)
					NdisFreePacket(all[i]);
			}
			/* and 32 at once through the bulk calls */
			if (sizes[si][0] >= 64) {
				PNDIS_PACKET a[32];
				assert_int_equal(
				    ndisdma_packet_alloc_bulk(h, a, 32), 32);
				for (int i = 0; i < 32; i++)
					dirty(a[i], i % (NFIELDS + 1), buf);
				buf->Next = NULL;
				assert_int_equal(
				    ndisdma_packet_free_bulk(h, a, 32), 0);
				assert_int_equal(
				    ndisdma_packet_alloc_bulk(h, a, 32), 32);
				for (int i = 0; i < 32; i++)
					check_clean(
					    a[i], h,
					    a[i]->Private.NdisPacketOobOffset);
				assert_int_equal(
				    ndisdma_packet_free_bulk(h, a, 32), 0);
			}
		}
		if (hold)
			NdisFreePacket(hold);
		assert_int_equal(NdisPacketPoolUsage(h), 0);
		NdisFreePacketPool(h);
	}
	/* none of this is a misuse */
	assert_int_equal(count("pool.double-free") + count("pool.cross-free"),
			 errs);
	NdisFreeBuffer(buf);
	NdisFreeBufferPool(bp);
}

/* The NDIS_GET_* macros read without marking the packet; the macros that
 * hand out the out-of-band data or per-packet information for writing
 * mark it (NDISDMA_PACKET_OOB_WRITTEN in its state byte), and a packet
 * whose out-of-band data alone was written through them comes back
 * zeroed, Private untouched, on the one-at-a-time and bulk frees. */
static void test_oob_macros_mark(void **state)
{
	(void)state;
	NDIS_STATUS st;
	NDIS_HANDLE h;
	NdisAllocatePacketPool(&st, &h, 64, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	PNDIS_PACKET p;
	NdisAllocatePacket(&st, &p, h);
#define MARKS(_p) ndisdma_packet_marks_(_p)
	assert_int_equal(MARKS(p), 0);
	PVOID info;
	UINT size;
	assert_int_equal(NDIS_GET_PACKET_STATUS(p), 0);
	assert_int_equal(NDIS_GET_PACKET_HEADER_SIZE(p), 0);
	assert_int_equal(NDIS_GET_PACKET_TIME_TO_SEND(p), 0);
	assert_int_equal(NDIS_GET_PACKET_TIME_SENT(p), 0);
	assert_int_equal(NDIS_GET_PACKET_TIME_RECEIVED(p), 0);
	assert_null(NDIS_GET_ORIGINAL_PACKET(p));
	NDIS_GET_PACKET_MEDIA_SPECIFIC_INFO(p, &info, &size);
	assert_null(info);
	assert_int_equal(MARKS(p), 0);
	NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_RESOURCES);
	assert_int_equal(MARKS(p), NDISDMA_PACKET_OOB_WRITTEN);
	NdisFreePacket(p);
	PNDIS_PACKET q;
	NdisAllocatePacket(&st, &q, h);
	assert_ptr_equal(q, p); /* LIFO: the same descriptor */
	assert_int_equal(MARKS(q), 0);
	assert_int_equal(NDIS_GET_PACKET_STATUS(q), 0);
	/* bulk: per-packet information written through the lvalue macro */
	PNDIS_PACKET v[8];
	NdisFreePacket(q);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, v, 8), 8);
	for (int i = 0; i < 8; i++)
		NDIS_PER_PACKET_INFO_FROM_PACKET(v[i], Ieee8021QInfo) =
		    (PVOID)(uintptr_t)(i + 1);
	assert_int_equal(ndisdma_packet_free_bulk(h, v, 8), 0);
	assert_int_equal(ndisdma_packet_alloc_bulk(h, v, 8), 8);
	for (int i = 0; i < 8; i++) {
		assert_null(NDISDMA_PPI_R_(v[i], Ieee8021QInfo));
		assert_int_equal(MARKS(v[i]), 0);
	}
	assert_int_equal(ndisdma_packet_free_bulk(h, v, 8), 0);
	assert_int_equal(NdisPacketPoolUsage(h), 0);
	NdisFreePacketPool(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_exhaust_distinct),
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_protocol_reserved),
	    cmocka_unit_test(test_oob_info_reset),
	    cmocka_unit_test(test_chain_and_query),
	    cmocka_unit_test(test_free_pool_outstanding),
	    cmocka_unit_test(test_double_free),
	    cmocka_unit_test(test_cross_and_foreign_free),
	    cmocka_unit_test(test_bad_handle_and_irql),
	    cmocka_unit_test(test_inline_and_functions),
	    cmocka_unit_test(test_bulk),
	    cmocka_unit_test(test_bulk_runs),
	    cmocka_unit_test(test_bulk_runs_64),
	    cmocka_unit_test(test_bulk_checked_top),
	    cmocka_unit_test(test_cross_thread),
	    cmocka_unit_test(test_hammer),
	    cmocka_unit_test(test_steal_from_live_thread),
	    cmocka_unit_test(test_halt_reclaims),
	    cmocka_unit_test(test_dirty_fields_reset),
	    cmocka_unit_test(test_oob_macros_mark),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
