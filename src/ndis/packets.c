/* SPDX-License-Identifier: MIT */
/*
 * packets.c - NDIS 5.1 packet pools and packets (Microsoft:
 * NdisAllocatePacketPoolEx):
 * NdisAllocatePacketPool(Ex), NdisAllocatePacket, NdisFreePacket,
 * NdisFreePacketPool, NdisPacketPoolUsage, NdisReinitializePacket, the
 * chain and query calls on a packet's buffers, and the native bulk API.
 *
 * A packet descriptor is laid out as NDIS lays it out: NDIS_PACKET, its
 * ProtocolReserved area (ProtocolReservedLength rounded up to 16 bytes),
 * then NDIS_PACKET_OOB_DATA at Private.NdisPacketOobOffset, then the
 * NDIS_PACKET_EXTENSION with the per-packet information.
 */
#include "descr.h"

#include <errno.h>
#include <string.h>

#define PKT_MAX_DESCRIPTORS 0xFFFFu
/* the out-of-band data and the per-packet information, zeroed at each
 * allocation (rounded up to 16 bytes) */
#define PKT_OOB_BYTES                                                          \
	((sizeof(NDIS_PACKET_OOB_DATA) + sizeof(NDIS_PACKET_EXTENSION) + 15) & \
	 ~(size_t)15)

/* ---- a free packet is a clean packet ----
 *
 * A descriptor in a pool's free stacks or caches is always in the state
 * NdisAllocatePacket documents (every Private field set, no buffers,
 * ValidCounts TRUE, out-of-band data and per-packet information zero), so
 * an allocation hands it out as it is and only marks its state LIVE.
 *
 * The free puts it back in that state on the freeing thread. What the
 * driver changed is known two ways:
 * - marks in the packet's state byte: the macros that hand out the
 *   out-of-band data or per-packet information for writing set
 *   NDISDMA_PACKET_OOB_WRITTEN, those that change Private and every call
 *   here that does (chain, unchain, reinitialise, recount) set
 *   NDISDMA_PACKET_PRIVATE_WRITTEN (<ndisdma/ndis/packet.h>);
 * - a compare: the packet starts 16 bytes into a 64-byte line, so its
 *   pool header and its 48 bytes of Private are one line, which
 *   NdisFreePacket and the bulk free of a scattered batch compare with
 *   the pool's template (nd_pool.live_line: cookie, pool, then Private as
 *   allocated; the header's index aside). That also catches Private
 *   changed by a plain store.
 * A packet that is marked or fails the compare takes packet_make_clean:
 * when it is a LIVE packet of its pool, Private is rewritten and the
 * out-of-band data zeroed when it was marked or is not zero; otherwise
 * the slow free reports what is wrong. The bulk free of a batch of
 * neighbours in memory (a batch freed in the order it was allocated)
 * reads only the state bytes: there a Private changed by a plain store,
 * without the NDIS calls and macros, is not seen (docs/design/pools.md). New
 * descriptors and every free on a slow path go through packet_reset,
 * which rewrites both unconditionally. */

_Static_assert(((NDISDMA_PACKET_OOB_WRITTEN | NDISDMA_PACKET_PRIVATE_WRITTEN) &
		~ND_OBJ_KIND_MARKS) == 0,
	       "the macros' marks are kind marks of the engine");
_Static_assert(ND_POOL_HDR + sizeof(NDIS_PACKET_PRIVATE) == 64,
	       "header and Private fill one line");

static inline void packet_mark_private(PNDIS_PACKET p)
{
	ndisdma_packet_mark_(p, NDISDMA_PACKET_PRIVATE_WRITTEN);
}

struct pkt_setup {
	USHORT oob;
	UINT proto_len;
};

static void packet_setup(struct nd_dpool *dp, const void *arg)
{
	const struct pkt_setup *ps = arg;
	dp->oob_offset = ps->oob;
	dp->proto_len = ps->proto_len;
	NDIS_PACKET_PRIVATE pr;
	_Static_assert(sizeof(pr) == sizeof(dp->pkt_private), "template");
	memset(&pr, 0, sizeof(pr));
	pr.Pool = (PNDIS_PACKET_POOL)dp;
	pr.ValidCounts = TRUE;
	pr.NdisPacketFlags = fPACKET_ALLOCATED_BY_NDIS;
	pr.NdisPacketOobOffset = ps->oob;
	memcpy(dp->pkt_private, &pr, sizeof(pr));
}

/* Private as NdisAllocatePacket hands it out: the pool's template. */
static inline void packet_write_private(const struct nd_dpool *dp, void *obj)
{
	nd_v2 *v = __builtin_assume_aligned(obj, 16);
	v[0] = dp->pkt_private[0];
	v[1] = dp->pkt_private[1];
	v[2] = dp->pkt_private[2];
}

/* The unconditional reset (new descriptors, slow-path frees; the engine
 * clears the header's marks). */
static void packet_reset(void *arg, void *obj)
{
	struct nd_dpool *dp = arg;
	packet_write_private(dp, obj);
	ND_ZERO16((PUCHAR)obj + dp->oob_offset, PKT_OOB_BYTES);
}

/* The packet's state byte when the line of header and Private is the
 * pool's template (the header's index aside: a packet of `pool` with
 * Private untouched) and the state is exactly LIVE (not an overflow
 * descriptor, no marks); else NULL. The caller checked that the 16 bytes
 * before p are in p's page. */
ND_NO_ASAN ND_HDR_INLINE _Atomic uint8_t *
packet_line_ok(const struct nd_pool *pool, const void *p)
{
	const struct nd_pool_hdr *h = nd_pool_hdr_raw(p);
	if (h->cookie != nd_hdr_cookie(h))
		return NULL;
	/* the line compare of <ndisdma/internal/pool_engine.h>, which the
	 * inline NdisFreePacket makes too */
	return nd_pool_line_live(h, pool);
}

/* Where the 16 bytes before a packet are readable without leaving its
 * page, and it is 16-byte aligned: (a mod 4096) in {16, 32, ..., 4080}. */
static inline bool packet_addr_ok(const void *p)
{
	return nd_hdr_readable(p);
}

/* The header's cookie, read where packet_addr_ok allows (the pointer
 * may be anything: no AddressSanitizer report for reading before it). */
ND_NO_ASAN ND_HDR_INLINE bool packet_cookie_ok(const void *p)
{
	return nd_pool_hdr_raw(p)->cookie == nd_hdr_cookie(nd_pool_hdr_raw(p));
}

/* A LIVE packet of `pool` that failed packet_line_ok only because the
 * driver changed it: rewrite Private and, when marked or not zero, the
 * out-of-band data and per-packet information; clear the mark. False
 * (nothing done) when it is anything else: the caller takes the slow
 * free, which reports it. */
ND_NO_ASAN static bool __attribute__((noinline))
packet_make_clean(const struct nd_pool *pool, PNDIS_PACKET p)
{
	struct nd_pool_hdr *h = nd_pool_hdr_raw(p);
	const struct nd_dpool *dp = pool->arg;
	if (h->cookie != nd_hdr_cookie(h) || h->pool != pool ||
	    h->index >= pool->st_cap || dp->type != ND_DP_PACKET)
		return false;
	uint8_t st = nd_pool_state(h);
	if ((st & (ND_ST_MASK | ND_OBJ_OVERFLOW)) != ND_ST_LIVE ||
	    (void *)p->Private.Pool != (void *)dp)
		return false;
	PUCHAR oob = (PUCHAR)p + dp->oob_offset;
	packet_write_private(dp, p);
	if ((st & NDISDMA_PACKET_OOB_WRITTEN) ||
	    nd_v2_any(ND_OR16(oob, PKT_OOB_BYTES)))
		ND_ZERO16(oob, PKT_OOB_BYTES);
	nd_pool_set_state(h, ND_ST_LIVE);
	return true;
}

static void alloc_pool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
		       UINT nfixed, UINT noverflow, UINT proto_len,
		       const char *fn, const void *site)
{
	if (!Status || !PoolHandle) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "%s with a NULL Status or PoolHandle", fn);
		if (Status)
			*Status = NDIS_STATUS_RESOURCES;
		return;
	}
	*PoolHandle = NULL;
	*Status = NDIS_STATUS_RESOURCES;
	if (!nd_irql_at_most(DISPATCH_LEVEL, fn, NULL, site))
		return;
	/* ndis.sys fails only NumberOfDescriptors over 0xFFFF or a sum that
	 * overflows, and clamps the total to 0xFFFF. */
	uint64_t total = (uint64_t)nfixed + noverflow;
	if (total == 0 || nfixed > PKT_MAX_DESCRIPTORS ||
	    total > 0xFFFFFFFFull) {
		nd_report(ND_RULE_POOL_BAD_SIZE, NULL, 0, total, site,
			  "%s of %llu descriptors: 1 to 0xFFFF", fn,
			  (unsigned long long)total);
		return;
	}
	if (total > PKT_MAX_DESCRIPTORS) {
		if (nd_report(ND_RULE_POOL_CLAMPED, NULL, 0, total, site,
			      "%s of %llu descriptors in all: clamped to "
			      "0xFFFF",
			      fn, (unsigned long long)total))
			return;
		noverflow = PKT_MAX_DESCRIPTORS - nfixed;
	}
	uint64_t oob = offsetof(NDIS_PACKET, ProtocolReserved) +
		       (((uint64_t)proto_len + 15) & ~(uint64_t)15);
	if (oob + PKT_OOB_BYTES > 0xFFFF) {
		nd_report(ND_RULE_POOL_BAD_SIZE, NULL, 0, proto_len, site,
			  "%s: ProtocolReservedLength %u leaves no room for "
			  "the out-of-band data",
			  fn, proto_len);
		return;
	}
	struct pkt_setup ps = {(USHORT)oob, proto_len};
	struct nd_dpool *dp =
	    nd_dpool_create(ND_DP_PACKET, "packet pool", oob + PKT_OOB_BYTES,
			    nfixed, noverflow, false, nd_dpool_init_adapter(),
			    site, packet_setup, &ps, packet_reset);
	if (!dp)
		return;
	nd_pool_set_live_line(dp->pool, dp->pkt_private);
	*PoolHandle = dp;
	*Status = NDIS_STATUS_SUCCESS;
}

VOID NdisAllocatePacketPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			    UINT NumberOfDescriptors,
			    UINT ProtocolReservedLength)
{
	alloc_pool(Status, PoolHandle, NumberOfDescriptors, 0,
		   ProtocolReservedLength, "NdisAllocatePacketPool", ND_SITE());
}

VOID NdisAllocatePacketPoolEx(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
			      UINT NumberOfDescriptors,
			      UINT NumberOfOverflowDescriptors,
			      UINT ProtocolReservedLength)
{
	alloc_pool(Status, PoolHandle, NumberOfDescriptors,
		   NumberOfOverflowDescriptors, ProtocolReservedLength,
		   "NdisAllocatePacketPoolEx", ND_SITE());
}

VOID NdisFreePacketPool(NDIS_HANDLE PoolHandle)
{
	const void *site = ND_SITE();
	struct nd_dpool *dp = nd_dpool_lookup(PoolHandle, ND_DP_PACKET,
					      "NdisFreePacketPool", site);
	if (dp)
		nd_dpool_release(dp, "NdisFreePacketPool", site);
}

UINT NdisPacketPoolUsage(NDIS_HANDLE PoolHandle)
{
	struct nd_dpool *dp = nd_dpool_lookup(PoolHandle, ND_DP_PACKET,
					      "NdisPacketPoolUsage", ND_SITE());
	return dp ? (UINT)nd_pool_in_use(dp->pool) : 0;
}

/* Everything NdisAllocatePacket does not do inline: reports, the pool's
 * slow path. */
static void __attribute__((noinline))
alloc_slow(PNDIS_STATUS Status, PNDIS_PACKET *Packet, NDIS_HANDLE h,
	   const void *site)
{
	if (!Status || !Packet) {
		nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, 0, 0, site,
			  "NdisAllocatePacket with a NULL Status or Packet");
		if (Status)
			*Status = NDIS_STATUS_RESOURCES;
		return;
	}
	*Packet = NULL;
	*Status = NDIS_STATUS_RESOURCES;
	if (!nd_dpool_irql_ok("NdisAllocatePacket", site))
		return;
	struct nd_dpool *dp = nd_dpool_fast(h, ND_DP_PACKET);
	if (!dp) {
		nd_report(ND_RULE_POOL_BAD_HANDLE, NULL, (uintptr_t)h, 0, site,
			  "NdisAllocatePacket: %p is not a live packet pool",
			  h);
		return;
	}
	PNDIS_PACKET p = nd_pool_get_slow(dp->pool);
	if (p) {
		*Packet = p;
		*Status = NDIS_STATUS_SUCCESS;
	}
}

VOID(NdisAllocatePacket)
(PNDIS_STATUS Status, PNDIS_PACKET *Packet, NDIS_HANDLE PoolHandle)
{
	struct nd_tls *t = &nd_tl;
	struct nd_dpool *dp = PoolHandle;
	if (ND_LIKELY(nd_dpool_fast(dp, ND_DP_PACKET) != NULL &&
		      Status != NULL && Packet != NULL &&
		      t->self.irql <= DISPATCH_LEVEL)) {
		/* a free descriptor is initialised already */
		void *o = nd_pcache_pop(t, dp->pool, dp->slot);
		if (ND_LIKELY(o != NULL)) {
			*Packet = o;
			*Status = NDIS_STATUS_SUCCESS;
			return;
		}
	}
	alloc_slow(Status, Packet, PoolHandle, ND_SITE());
}

/* Everything NdisFreePacket does not do inline: double, cross-pool,
 * cross-kind and foreign frees (reported), overflow descriptors, a cache
 * that is full or being stolen, a dying pool. */
static void __attribute__((noinline))
free_slow(PNDIS_PACKET Packet, const void *site)
{
	struct nd_pool_hdr *h = nd_pool_hdr_of(Packet);
	if (!h) {
		nd_pool_put_slow(NULL, Packet, site); /* reports */
		return;
	}
	struct nd_dpool *own = h->pool->arg;
	if ((void *)Packet->Private.Pool == own) {
		/* resets the packet, or reports the double free */
		nd_pool_put_slow(h->pool, Packet, site);
		return;
	}
	if (own->type != ND_DP_PACKET) {
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)Packet,
			  0, site,
			  "NdisFreePacket of %p, a descriptor of a %s; not "
			  "freed",
			  (void *)Packet, h->pool->kind);
		return;
	}
	if (nd_pool_is_live(h))
		nd_report(ND_RULE_POOL_CROSS_FREE, own->ad, (uintptr_t)Packet,
			  0, site,
			  "NdisFreePacket: Private.Pool of packet %p names %p, "
			  "not the pool %p it came from; it goes back there",
			  (void *)Packet, (void *)Packet->Private.Pool,
			  (void *)own);
	nd_pool_put(h->pool, Packet, site);
}

/* NdisFreePacket of a packet whose line is not the template: a packet
 * the driver changed (the common case in a real driver: it chained
 * buffers) is made clean and takes the fast path after all; anything
 * else is the slow free's. */
static void __attribute__((noinline))
free_changed(PNDIS_PACKET Packet, const void *site)
{
	struct nd_pool_hdr *h = nd_pool_hdr_raw(Packet);
	struct nd_pool *pool = h->pool;
	if (packet_make_clean(pool, Packet)) {
		_Atomic uint8_t *st = nd_pool_st(h);
		if (ND_LIKELY(
			nd_pcache_push(&nd_tl, pool, pool->slot, st, Packet)))
			return;
	}
	free_slow(Packet, site);
}

VOID(NdisFreePacket)(PNDIS_PACKET Packet)
{
	if (ND_LIKELY(packet_addr_ok(Packet))) {
		struct nd_pool_hdr *h = nd_pool_hdr_raw(Packet);
		if (ND_LIKELY(packet_cookie_ok(Packet))) {
			struct nd_pool *pool = h->pool;
			_Atomic uint8_t *st = nd_pool_line_live(h, pool);
			if (ND_LIKELY(st != NULL)) {
				if (ND_LIKELY(nd_pcache_push(
					&nd_tl, pool, pool->slot, st, Packet)))
					return;
			} else {
				free_changed(Packet, ND_SITE());
				return;
			}
		}
	}
	free_slow(Packet, ND_SITE());
}

VOID NdisReinitializePacket(PNDIS_PACKET Packet)
{
	if (!Packet)
		return;
	packet_mark_private(Packet);
	Packet->Private.Head = NULL;
	Packet->Private.Tail = NULL;
	Packet->Private.Count = 0;
	Packet->Private.PhysicalCount = 0;
	Packet->Private.TotalLength = 0;
	Packet->Private.ValidCounts = FALSE;
}

VOID NdisRecalculatePacketCounts(PNDIS_PACKET Packet)
{
	UINT phys = 0, count = 0, total = 0;
	packet_mark_private(Packet);
	for (PNDIS_BUFFER b = Packet->Private.Head; b; b = b->Next) {
		count++;
		total += MmGetMdlByteCount(b);
		phys += ADDRESS_AND_SIZE_TO_SPAN_PAGES(
		    MmGetMdlVirtualAddress(b), MmGetMdlByteCount(b));
	}
	Packet->Private.PhysicalCount = phys;
	Packet->Private.Count = count;
	Packet->Private.TotalLength = total;
	Packet->Private.ValidCounts = TRUE;
}

VOID NdisQueryPacket(PNDIS_PACKET Packet, PUINT PhysicalBufferCount,
		     PUINT BufferCount, PNDIS_BUFFER *FirstBuffer,
		     PUINT TotalPacketLength)
{
	if (!Packet->Private.ValidCounts)
		NdisRecalculatePacketCounts(Packet);
	if (PhysicalBufferCount)
		*PhysicalBufferCount = Packet->Private.PhysicalCount;
	if (BufferCount)
		*BufferCount = Packet->Private.Count;
	if (FirstBuffer)
		*FirstBuffer = Packet->Private.Head;
	if (TotalPacketLength)
		*TotalPacketLength = Packet->Private.TotalLength;
}

VOID NdisQueryPacketLength(PNDIS_PACKET Packet, PUINT TotalPacketLength)
{
	NdisQueryPacket(Packet, NULL, NULL, NULL, TotalPacketLength);
}

VOID NdisGetFirstBufferFromPacket(PNDIS_PACKET Packet,
				  PNDIS_BUFFER *FirstBuffer,
				  PVOID *FirstBufferVA, PUINT FirstBufferLength,
				  PUINT TotalBufferLength)
{
	PNDIS_BUFFER b = Packet->Private.Head;
	*FirstBuffer = b;
	if (!b) {
		*FirstBufferVA = NULL;
		*FirstBufferLength = 0;
		*TotalBufferLength = 0;
		return;
	}
	*FirstBufferVA = MmGetSystemAddressForMdlSafe(b, 0);
	*FirstBufferLength = MmGetMdlByteCount(b);
	UINT total = 0;
	for (; b; b = b->Next)
		total += MmGetMdlByteCount(b);
	*TotalBufferLength = total;
}

VOID NdisGetFirstBufferFromPacketSafe(PNDIS_PACKET Packet,
				      PNDIS_BUFFER *FirstBuffer,
				      PVOID *FirstBufferVA,
				      PUINT FirstBufferLength,
				      PUINT TotalBufferLength, ULONG Priority)
{
	(void)Priority;
	NdisGetFirstBufferFromPacket(Packet, FirstBuffer, FirstBufferVA,
				     FirstBufferLength, TotalBufferLength);
}

static PNDIS_BUFFER chain_tail(PNDIS_BUFFER b)
{
	while (b->Next)
		b = b->Next;
	return b;
}

VOID NdisChainBufferAtFront(PNDIS_PACKET Packet, PNDIS_BUFFER Buffer)
{
	if (!Packet || !Buffer)
		return;
	packet_mark_private(Packet);
	PNDIS_BUFFER tail = chain_tail(Buffer);
	tail->Next = Packet->Private.Head;
	if (!Packet->Private.Head)
		Packet->Private.Tail = tail;
	Packet->Private.Head = Buffer;
	Packet->Private.ValidCounts = FALSE;
}

VOID NdisChainBufferAtBack(PNDIS_PACKET Packet, PNDIS_BUFFER Buffer)
{
	if (!Packet || !Buffer)
		return;
	packet_mark_private(Packet);
	PNDIS_BUFFER tail = chain_tail(Buffer);
	if (Packet->Private.Head)
		Packet->Private.Tail->Next = Buffer;
	else
		Packet->Private.Head = Buffer;
	Packet->Private.Tail = tail;
	Packet->Private.ValidCounts = FALSE;
}

/* NULL Packet or Buffer: reported and nothing done (*Buffer NULL when it
 * can be written). */
static bool __attribute__((noinline, cold))
unchain_refused(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer, const char *fn,
		const void *site)
{
	nd_report(ND_RULE_POOL_BAD_PARAMS, NULL, (uintptr_t)Packet, 0, site,
		  "%s with a NULL %s; nothing unchained", fn,
		  Packet ? "Buffer" : "Packet");
	if (Buffer)
		*Buffer = NULL;
	return false;
}

VOID NdisUnchainBufferAtFront(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer)
{
	if (ND_UNLIKELY(!Packet || !Buffer)) {
		unchain_refused(Packet, Buffer, "NdisUnchainBufferAtFront",
				ND_SITE());
		return;
	}
	PNDIS_BUFFER b = Packet->Private.Head;
	*Buffer = b;
	if (!b)
		return;
	packet_mark_private(Packet);
	Packet->Private.Head = b->Next;
	if (!b->Next)
		Packet->Private.Tail = NULL;
	b->Next = NULL;
	Packet->Private.ValidCounts = FALSE;
}

VOID NdisUnchainBufferAtBack(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer)
{
	if (ND_UNLIKELY(!Packet || !Buffer)) {
		unchain_refused(Packet, Buffer, "NdisUnchainBufferAtBack",
				ND_SITE());
		return;
	}
	PNDIS_BUFFER b = Packet->Private.Head;
	if (!b) {
		*Buffer = NULL;
		return;
	}
	packet_mark_private(Packet);
	if (!b->Next) {
		Packet->Private.Head = Packet->Private.Tail = NULL;
	} else {
		PNDIS_BUFFER prev = b;
		while (prev->Next->Next)
			prev = prev->Next;
		b = prev->Next;
		prev->Next = NULL;
		Packet->Private.Tail = prev;
	}
	b->Next = NULL;
	*Buffer = b;
	Packet->Private.ValidCounts = FALSE;
}

/* ---- the native bulk API ---- */

int(ndisdma_packet_alloc_bulk)(void *pool, struct _NDIS_PACKET **pkts,
			       unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_PACKET);
	if (ND_UNLIKELY(!dp || !pkts || n > INT32_MAX))
		return -EINVAL;
	if (ND_UNLIKELY(!n))
		return 0;
	/* free descriptors are initialised already (packet_clean) */
	return (int)nd_pool_get_bulk_tl(&nd_tl, dp->pool, dp->slot,
					(void **)pkts, n);
}

/* The bulk free's check-and-mark loop: for each packet from the first,
 * check it against the template (making a changed one clean), mark it
 * FREE and, when dst is not NULL, store it in dst[i]; stop at the first
 * that is not a LIVE packet of `ep`. Returns how many were marked. (An
 * AVX-512 build of this loop, one 64-byte compare per packet, measured
 * within 5% of this one: not worth a second copy.) */
static unsigned free_mark(const struct nd_pool *ep, PNDIS_PACKET *pkts,
			  unsigned n, void **dst)
{
	unsigned i = 0;
	for (; i < n; i++) {
		PNDIS_PACKET p = pkts[i];
		if (ND_UNLIKELY(!packet_addr_ok(p)))
			break;
		if (ND_UNLIKELY(!packet_line_ok(ep, p)) &&
		    !packet_make_clean(ep, p))
			break;
		nd_pool_set_state(nd_pool_hdr_raw(p), ND_ST_FREE);
		if (dst)
			dst[i] = p;
	}
	return i;
}

bool ndisdma_pool_put_run_(struct nd_pool *pool, uint32_t slot, void **objs,
			   unsigned n)
{
	return nd_pool_put_run_at(pool, slot, objs, n);
}

int(ndisdma_packet_free_bulk)(void *pool, struct _NDIS_PACKET **pkts,
			      unsigned n)
{
	struct nd_dpool *dp = nd_dpool_fast(pool, ND_DP_PACKET);
	if (ND_UNLIKELY(!dp || !pkts || n > INT32_MAX))
		return -EINVAL;
	struct nd_pool *ep = dp->pool;
	/* neighbours in memory, all LIVE and unmarked: the state bytes
	 * alone (the packets are not read) */
	if (ND_LIKELY(nd_pool_put_run_at(ep, dp->slot, (void **)pkts, n)))
		return 0;
	unsigned i;
	struct nd_pcache *c = nd_pcache_room(&nd_tl, ep, dp->slot, n);
	if (ND_LIKELY(c != NULL)) {
		void **dst = &c->objs[atomic_load_explicit(
		    &c->count, memory_order_relaxed)];
		/* otherwise check, clean, mark and copy onto the cache in
		 * one pass; the count moves only when all were good */
		i = free_mark(ep, pkts, n, dst);
		if (ND_LIKELY(i == n)) {
			nd_pcache_push_commit(c, n);
			return 0;
		}
		nd_pcache_leave(c);
	} else {
		i = free_mark(ep, pkts, n, NULL);
	}
	return (int)nd_pool_put_bulk_undo(ep, (void **)pkts, n, i, ND_SITE());
}
