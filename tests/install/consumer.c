/* SPDX-License-Identifier: MIT */
/* An outside program built only from the installed headers and library,
 * through pkg-config: <ndis.h> and the native API resolve, and the inline
 * NdisAllocatePacket / NdisFreePacket, NdisAllocateBuffer /
 * NdisFreeBuffer and bulk calls reach the library's thread block
 * (<ndisdma/pool_abi.h>). Built as a C program, as C++ (a driver written
 * in C++), with -DCONSUMER_NATIVE_FIRST (<ndisdma/ndisdma.h> included
 * before <ndis.h>: the inline bulk buffer calls are there all the same),
 * with -DNDISDMA_NO_INLINE (the functions only, the same results), and
 * with -DCONSUMER_PLUGIN as a shared object that plugin_host.c
 * dlopens (a driver loaded as a plug-in). */
#ifdef CONSUMER_NATIVE_FIRST
#include <ndisdma/ndisdma.h>
#include <ndis.h>
#else
#include <ndis.h>
#include <ndisdma/ndisdma.h>
#endif

#if defined(NDISDMA_NO_INLINE)
#if defined(NdisAllocatePacket) || defined(ndisdma_packet_alloc_bulk) ||       \
    defined(NdisFreeBuffer) || defined(ndisdma_buffer_alloc_bulk)
#error "NDISDMA_NO_INLINE left an inline call"
#endif
#elif !defined(ndisdma_buffer_alloc_bulk) || !defined(NdisFreeBuffer)
#error "the inline buffer calls are missing"
#endif

#include <stdio.h>

static NDIS_STATUS init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m, UINT n,
			NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	return NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 1, 2048);
}

static VOID halt(NDIS_HANDLE ctx)
{
	NdisMFreeMapRegisters(ctx);
}

static NTSTATUS entry(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	NDIS_HANDLE w;
	NDIS_MINIPORT_CHARACTERISTICS c = {0};
	NdisMInitializeWrapper(&w, o, p, NULL);
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = init;
	c.HaltHandler = halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c));
}

/* Packets through the inline calls: every one comes back, a double free
 * is caught (it goes to the library's function) and the pool is whole. */
static int packets(void)
{
	NDIS_STATUS st;
	NDIS_HANDLE pool;
	PNDIS_PACKET p[64], none;
	NdisAllocatePacketPool(&st, &pool, 64, 16);
	if (st != NDIS_STATUS_SUCCESS)
		return 1;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 64; i++) {
			NdisAllocatePacket(&st, &p[i], pool);
			if (st != NDIS_STATUS_SUCCESS || !p[i] ||
			    p[i]->Private.Pool != pool)
				return 2;
		}
		NdisAllocatePacket(&st, &none, pool); /* the pool is empty */
		if (st != NDIS_STATUS_RESOURCES || none)
			return 3;
		if (NdisPacketPoolUsage(pool) != 64)
			return 4;
		for (int i = 0; i < 64; i++)
			NdisFreePacket(p[i]);
	}
	/* the inline bulk calls: a batch back in order, taken again from
	 * the cache's checked top */
	for (int round = 0; round < 3; round++) {
		if (ndisdma_packet_alloc_bulk(pool, p, 32) != 32 ||
		    NdisPacketPoolUsage(pool) != 32)
			return 6;
		for (int i = 0; i < 32; i++)
			if (!p[i] || p[i]->Private.Pool != pool)
				return 7;
		if (ndisdma_packet_free_bulk(pool, p, 32) != 0)
			return 8;
	}
	unsigned long before = ndisdma_verifier_count("pool.double-free");
	FILE *out = ndisdma_verifier_set_output(NULL);
	NdisFreePacket(p[5]);
	int bad = ndisdma_packet_free_bulk(pool, p, 32);
	ndisdma_verifier_set_output(out);
	if (bad != 32 ||
	    ndisdma_verifier_count("pool.double-free") != before + 33 ||
	    NdisPacketPoolUsage(pool) != 0)
		return 5;
	NdisFreePacketPool(pool);
	return 0;
}

/* Buffers through the inline calls, one at a time and in batches, and
 * a range of 17 pages (the library's heap MDL) in a batch. */
static int buffers(void)
{
	static char mem[40 * 4096];
	NDIS_STATUS st;
	NDIS_HANDLE pool;
	PNDIS_BUFFER b[64], none;
	void *va[32];
	uint32_t len[32];
	NdisAllocateBufferPool(&st, &pool, 64);
	if (st != NDIS_STATUS_SUCCESS)
		return 1;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 64; i++) {
			NdisAllocateBuffer(&st, &b[i], pool, mem + 100 * i,
					   1514);
			if (st != NDIS_STATUS_SUCCESS ||
			    MmGetMdlVirtualAddress(b[i]) != mem + 100 * i ||
			    MmGetMdlByteCount(b[i]) != 1514)
				return 2;
		}
		/* past NumberOfDescriptors: an MDL from outside the pool, as
		 * ndis.sys's NdisAllocateBuffer never runs out (reported) */
		NdisAllocateBuffer(&st, &none, pool, mem, 1);
		if (st != NDIS_STATUS_SUCCESS || !none)
			return 3;
		NdisFreeBuffer(none);
		for (int i = 0; i < 64; i++)
			NdisFreeBuffer(b[i]);
	}
	for (int i = 0; i < 32; i++) {
		va[i] = mem + 1000 * i;
		len[i] = i == 9 ? 16 * 4096 + 1 : 1514;
	}
	for (int round = 0; round < 4; round++) {
		if (ndisdma_buffer_alloc_bulk(pool, b, va, len, 32) != 32)
			return 4;
		for (int i = 0; i < 32; i++)
			if (MmGetMdlVirtualAddress(b[i]) != va[i] ||
			    MmGetMdlByteCount(b[i]) != len[i])
				return 5;
		if (ndisdma_buffer_free_bulk(pool, b, 32) != 0)
			return 6;
		len[9] = 1514;
	}
	unsigned long before = ndisdma_verifier_count("pool.double-free");
	FILE *out = ndisdma_verifier_set_output(NULL);
	NdisFreeBuffer(b[3]);
	int bad = ndisdma_buffer_free_bulk(pool, b, 32);
	ndisdma_verifier_set_output(out);
	if (bad != 32 ||
	    ndisdma_verifier_count("pool.double-free") != before + 33)
		return 7;
	NdisFreeBufferPool(pool);
	return 0;
}

#ifdef CONSUMER_PLUGIN
int consumer_main(void);
int consumer_main(void)
#else
int main(void)
#endif
{
	if (packets()) {
		printf("consumer: inline packet calls failed\n");
		return 1;
	}
	int e = buffers();
	if (e) {
		printf("consumer: inline buffer calls failed (%d)\n", e);
		return 1;
	}
	ndisdma_driver *d;
	ndisdma_adapter *a;
	if (ndisdma_driver_load(entry, "consumer", &d) ||
	    ndisdma_adapter_start(d, "sim", &a))
		return 1;
	int leaks = ndisdma_adapter_halt(a);
	ndisdma_driver_unload(d);
	printf("consumer: halt reclaimed %d\n", leaks);
	return leaks != 0;
}
