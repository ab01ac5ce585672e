/* SPDX-License-Identifier: MIT */
/*
 * NET_BUFFER_LIST pools in the tests (test_nbl.c, test_net_buffers.c):
 * pool parameters and creation, a driver dirtying every byte of a list
 * and of its NET_BUFFER that it may write, and the check that a list is
 * exactly as NDIS hands it out.
 */
#ifndef NDISDMA_TEST_NBL_HELPERS_H
#define NDISDMA_TEST_NBL_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static NET_BUFFER_LIST_POOL_PARAMETERS nbl_params(BOOLEAN nb, USHORT ctx,
						  ULONG data_size)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p;
	memset(&p, 0, sizeof(p));
	p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
	p.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
	p.fAllocateNetBuffer = nb;
	p.ContextSize = ctx;
	p.PoolTag = 0x6c62656e;
	p.DataSize = data_size;
	return p;
}

/* A pool owned by `owner` (an adapter or driver handle); NULL when
 * NdisAllocateNetBufferListPool refuses it. */
static NDIS_HANDLE nbl_pool_make(NDIS_HANDLE owner, BOOLEAN nb, USHORT ctx,
				 ULONG data_size)
{
	NET_BUFFER_LIST_POOL_PARAMETERS p = nbl_params(nb, ctx, data_size);
	return NdisAllocateNetBufferListPool(owner, &p);
}

/* The 8-byte words of a NET_BUFFER_LIST and of a NET_BUFFER that are
 * NDIS's (NdisPoolHandle, NdisReserved): a driver never writes them. */
static bool nbl_word_is_ndis(size_t off)
{
	return (off >= offsetof(NET_BUFFER_LIST, NdisPoolHandle) &&
		off < offsetof(NET_BUFFER_LIST, NdisPoolHandle) + 8) ||
	       (off >= offsetof(NET_BUFFER_LIST, NdisReserved) &&
		off < offsetof(NET_BUFFER_LIST, NdisReserved) + 16);
}

static bool nb_word_is_ndis(size_t off)
{
	return (off >= offsetof(NET_BUFFER, NdisPoolHandle) &&
		off < offsetof(NET_BUFFER, NdisPoolHandle) + 8) ||
	       (off >= offsetof(NET_BUFFER, NdisReserved) &&
		off < offsetof(NET_BUFFER, NdisReserved) + 16);
}

/* How many 8-byte words nbl_dirty_word can dirty. */
#define NBL_WORDS (sizeof(NET_BUFFER_LIST) / 8 + sizeof(NET_BUFFER) / 8)

/* Dirty word w (0 .. NBL_WORDS) of the list l (words of the list first,
 * then of nb, which may be NULL) with a pattern, unless it is NDIS's.
 * Returns true when it wrote something. */
static bool nbl_dirty_word(PNET_BUFFER_LIST l, PNET_BUFFER nb, size_t w)
{
	uint64_t pat = 0xA5C3000000000000ull | (w << 8) | 0x5Au;
	size_t off = w * 8;
	if (off < sizeof(NET_BUFFER_LIST)) {
		if (nbl_word_is_ndis(off))
			return false;
		memcpy((char *)l + off, &pat, 8);
		return true;
	}
	off -= sizeof(NET_BUFFER_LIST);
	if (!nb || nb_word_is_ndis(off))
		return false;
	memcpy((char *)nb + off, &pat, 8);
	return true;
}

/* A driver that writes every byte it may of the list and of its
 * NET_BUFFER (nb: the list's own, which may be NULL): Next,
 * FirstNetBuffer, Context, ParentNetBufferList, ProtocolReserved,
 * MiniportReserved, Scratch, SourceHandle, NblFlags, ChildRefCount,
 * Flags, Status, the information array, and the NET_BUFFER's data
 * fields, ChecksumBias, ProtocolReserved, MiniportReserved,
 * DataPhysicalAddress, ScatterGatherList; padding too. */
static void nbl_dirty(PNET_BUFFER_LIST l, PNET_BUFFER nb)
{
	for (size_t w = 0; w < NBL_WORDS; w++)
		nbl_dirty_word(l, nb, w);
}

/* What the NET_BUFFER of a fresh list must hold: its data fields. */
struct nb_want {
	PMDL chain, cur;
	ULONG cur_off, off;
	SIZE_T len;
};

/* Every byte of the list l of `pool` is what NDIS hands out: zero but
 * NdisPoolHandle, FirstNetBuffer (== nb: NULL, or the list's own
 * NET_BUFFER) and, with a context (ctx), Context and NdisReserved[0]
 * (not checked here). Every byte of nb is zero but NdisPoolHandle and
 * the data fields of *d. */
static void nbl_assert_fresh(PNET_BUFFER_LIST l, NDIS_HANDLE pool,
			     PNET_BUFFER nb, bool ctx, const struct nb_want *d)
{
	NET_BUFFER_LIST want;
	memset(&want, 0, sizeof(want));
	want.FirstNetBuffer = nb;
	want.NdisPoolHandle = pool;
	if (ctx) {
		want.Context = l->Context;
		want.NdisReserved[0] = l->NdisReserved[0];
	}
	assert_memory_equal(l, &want, sizeof(want));
	if (!nb)
		return;
	NET_BUFFER nwant;
	memset(&nwant, 0, sizeof(nwant));
	nwant.NdisPoolHandle = pool;
	if (d) {
		nwant.MdlChain = d->chain;
		nwant.CurrentMdl = d->cur;
		nwant.CurrentMdlOffset = d->cur_off;
		nwant.DataOffset = d->off;
		nwant.stDataLength = d->len;
	}
	assert_memory_equal(nb, &nwant, sizeof(nwant));
}

#endif
