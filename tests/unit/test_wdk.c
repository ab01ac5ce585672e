/* SPDX-License-Identifier: MIT */
/* The WDK conveniences driver source uses (<ndisdma/ndis/wdk.h>,
 * strings.h): counted strings and their conversions, list helpers, the
 * Interlocked family, DbgPrint's Microsoft format conventions, the
 * per-packet information names, NdisAdjustBufferLength,
 * NdisUpdateSharedMemory, NdisGetSharedDataAlignment, NdisMSetAttributes,
 * and the characteristics layouts per NDIS version. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define TAG_STRING 0x4e646953u /* NdisInitializeString's tag */

static const WCHAR w_abc[] = {'a', 'b', 'c', 0};
static const WCHAR w_ABC[] = {'A', 'B', 'C', 0};
static const WCHAR w_abd[] = {'a', 'b', 'd', 0};
static const WCHAR w_e_acute[] = {0xe9, 0x100, 0}; /* é, Ā */

static void test_init_and_compare(void **s)
{
	(void)s;
	NDIS_STRING a, b, c, e;
	NdisInitUnicodeString(&a, w_abc);
	assert_int_equal(a.Length, 6);
	assert_int_equal(a.MaximumLength, 8);
	assert_ptr_equal(a.Buffer, w_abc);
	NdisInitUnicodeString(&b, w_ABC);
	NdisInitUnicodeString(&c, w_abd);
	assert_false(NdisEqualString(&a, &b, FALSE));
	assert_true(NdisEqualString(&a, &b, TRUE));
	assert_false(NdisEqualString(&a, &c, TRUE));
	assert_true(RtlCompareUnicodeString(&a, &c, FALSE) < 0);
	assert_true(RtlCompareUnicodeString(&c, &a, FALSE) > 0);
	NdisInitUnicodeString(&e, NULL);
	assert_int_equal(e.Length, 0);
	assert_int_equal(e.MaximumLength, 0);
	assert_null(e.Buffer);
	/* a prefix sorts first */
	NDIS_STRING ab = a;
	ab.Length = 4;
	assert_true(RtlCompareUnicodeString(&ab, &a, FALSE) < 0);
	assert_false(NdisEqualUnicodeString(&ab, &a, FALSE));
	assert_int_equal(RtlUpcaseUnicodeChar(0xe9), 0xc9);
	assert_int_equal(RtlUpcaseUnicodeChar(0xf7), 0xf7);

	NDIS_ANSI_STRING as;
	NdisInitAnsiString(&as, "hello");
	assert_int_equal(as.Length, 5);
	assert_int_equal(as.MaximumLength, 6);
}

static void test_initialize_and_free(void **s)
{
	(void)s;
	uint64_t bytes = 0, out0 = 0, total0 = 0, out1, total1;
	ndisdma_tag_usage(TAG_STRING, &bytes, &out0, &total0);
	NDIS_STRING str;
	NdisInitializeString(&str, (PUCHAR) "Ndis");
	assert_non_null(str.Buffer);
	assert_int_equal(str.Length, 8);
	assert_int_equal(str.MaximumLength, 10);
	assert_int_equal(str.Buffer[0], 'N');
	assert_int_equal(str.Buffer[4], 0);
	assert_int_equal(ndisdma_tag_usage(TAG_STRING, &bytes, &out1, &total1),
			 0);
	assert_int_equal(out1, out0 + 1);
	assert_int_equal(RULE_DELTA(NULL, NdisFreeString(str)), 0);
	ndisdma_tag_usage(TAG_STRING, &bytes, &out1, &total1);
	assert_int_equal(out1, out0);
	/* a NULL source gives an empty string */
	NdisInitializeString(&str, NULL);
	assert_null(str.Buffer);
	assert_int_equal(str.Length, 0);
}

static void test_conversions(void **s)
{
	(void)s;
	WCHAR wbuf[8];
	CHAR abuf[8];
	NDIS_STRING u = {0, sizeof(wbuf), wbuf};
	NDIS_ANSI_STRING a;
	NdisInitAnsiString(&a, "Eth0");
	assert_int_equal(NdisAnsiStringToUnicodeString(&u, &a),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(u.Length, 8);
	assert_int_equal(wbuf[0], 'E');
	assert_int_equal(wbuf[3], '0');
	assert_int_equal(wbuf[4], 0);
	/* too small: nothing written */
	WCHAR small[2] = {0x1234, 0x1234};
	NDIS_STRING us = {0, sizeof(small), small};
	assert_int_equal(NdisAnsiStringToUnicodeString(&us, &a),
			 NDIS_STATUS_BUFFER_OVERFLOW);
	assert_int_equal(small[0], 0x1234);

	NDIS_ANSI_STRING back = {0, sizeof(abuf), abuf};
	assert_int_equal(NdisUnicodeStringToAnsiString(&back, &u),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal(back.Length, 4);
	assert_memory_equal(abuf, "Eth0", 5);
	/* outside Latin-1: '?' */
	NDIS_STRING w;
	NdisInitUnicodeString(&w, w_e_acute);
	assert_int_equal(NdisUnicodeStringToAnsiString(&back, &w),
			 NDIS_STATUS_SUCCESS);
	assert_int_equal((UCHAR)abuf[0], 0xe9);
	assert_int_equal(abuf[1], '?');
	assert_int_equal(NdisAnsiStringToUnicodeString(NULL, &a),
			 NDIS_STATUS_FAILURE);

	/* the Rtl form allocates */
	UNICODE_STRING alloc;
	assert_int_equal(RtlAnsiStringToUnicodeString(&alloc, &a, TRUE),
			 STATUS_SUCCESS);
	assert_int_equal(alloc.Length, 8);
	assert_true(RtlEqualUnicodeString(&alloc, &u, FALSE));
	RtlFreeUnicodeString(&alloc);
	assert_null(alloc.Buffer);
	ANSI_STRING aa;
	assert_int_equal(RtlUnicodeStringToAnsiString(&aa, &u, TRUE),
			 STATUS_SUCCESS);
	assert_memory_equal(aa.Buffer, "Eth0", 5);
	RtlFreeAnsiString(&aa);

	/* upcase and copy */
	WCHAR cb[8];
	UNICODE_STRING c = {0, sizeof(cb), cb};
	RtlCopyUnicodeString(&c, &u);
	assert_true(RtlEqualUnicodeString(&c, &u, FALSE));
	assert_int_equal(NdisUpcaseUnicodeString(&c, &c), NDIS_STATUS_SUCCESS);
	assert_int_equal(cb[1], 'T');
	UNICODE_STRING tiny = {0, 2, small};
	assert_int_equal(NdisUpcaseUnicodeString(&tiny, &u),
			 NDIS_STATUS_BUFFER_OVERFLOW);
}

static void test_integers_and_memory(void **s)
{
	(void)s;
	static const WCHAR dec[] = {' ', '-', '4', '2', 'x', 0};
	static const WCHAR hex[] = {'0', 'x', '1', 'F', 0};
	UNICODE_STRING d, h;
	ULONG v = 0;
	RtlInitUnicodeString(&d, dec);
	RtlInitUnicodeString(&h, hex);
	assert_int_equal(RtlUnicodeStringToInteger(&d, 10, &v), STATUS_SUCCESS);
	assert_int_equal((LONG)v, -42);
	assert_int_equal(RtlUnicodeStringToInteger(&h, 0, &v), STATUS_SUCCESS);
	assert_int_equal(v, 0x1f);
	assert_int_equal(RtlUnicodeStringToInteger(&h, 7, &v),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(RtlCompareMemory("abcd", "abxd", 4), 2);
	assert_int_equal(RtlCompareMemory("abcd", "abcd", 4), 4);
}

struct item {
	int v;
	LIST_ENTRY link;
	SINGLE_LIST_ENTRY slink;
};

static void test_lists(void **s)
{
	(void)s;
	LIST_ENTRY head;
	struct item it[4];
	InitializeListHead(&head);
	assert_true(IsListEmpty(&head));
	for (int i = 0; i < 4; i++) {
		it[i].v = i;
		if (i < 2)
			InsertTailList(&head, &it[i].link);
		else
			InsertHeadList(&head, &it[i].link);
	}
	/* 3 2 0 1 */
	int want[] = {3, 2, 0, 1}, k = 0;
	for (PLIST_ENTRY e = head.Flink; e != &head; e = e->Flink)
		assert_int_equal(CONTAINING_RECORD(e, struct item, link)->v,
				 want[k++]);
	assert_int_equal(k, 4);
	assert_int_equal(
		CONTAINING_RECORD(RemoveHeadList(&head), struct item, link)->v,
		3);
	assert_int_equal(
		CONTAINING_RECORD(RemoveTailList(&head), struct item, link)->v,
		1);
	assert_false(RemoveEntryList(&it[2].link));
	assert_true(RemoveEntryList(&it[0].link));
	assert_true(IsListEmpty(&head));

	/* AppendTailList joins a headless ring */
	LIST_ENTRY h2;
	InitializeListHead(&h2);
	InsertTailList(&h2, &it[0].link);
	InitializeListHead(&it[1].link); /* ring of 1 and 2 */
	InsertTailList(&it[1].link, &it[2].link);
	AppendTailList(&h2, &it[1].link);
	k = 0;
	int want2[] = {0, 1, 2};
	for (PLIST_ENTRY e = h2.Flink; e != &h2; e = e->Flink)
		assert_int_equal(CONTAINING_RECORD(e, struct item, link)->v,
				 want2[k++]);
	assert_int_equal(k, 3);
	assert_ptr_equal(h2.Blink, &it[2].link);

	SINGLE_LIST_ENTRY sh = {NULL};
	PushEntryList(&sh, &it[0].slink);
	PushEntryList(&sh, &it[1].slink);
	assert_ptr_equal(PopEntryList(&sh), &it[1].slink);
	assert_ptr_equal(PopEntryList(&sh), &it[0].slink);
	assert_null(PopEntryList(&sh));

	/* the spin-locked NDIS forms, and the IRQL they restore */
	NDIS_SPIN_LOCK lock;
	NdisAllocateSpinLock(&lock);
	InitializeListHead(&head);
	assert_null(NdisInterlockedInsertTailList(&head, &it[0].link, &lock));
	assert_ptr_equal(NdisInterlockedInsertTailList(&head, &it[1].link,
						       &lock),
			 &it[0].link);
	assert_ptr_equal(NdisInterlockedInsertHeadList(&head, &it[2].link,
						       &lock),
			 &it[0].link);
	assert_ptr_equal(NdisInterlockedRemoveHeadList(&head, &lock),
			 &it[2].link);
	assert_ptr_equal(NdisInterlockedRemoveHeadList(&head, &lock),
			 &it[0].link);
	assert_ptr_equal(NdisInterlockedRemoveHeadList(&head, &lock),
			 &it[1].link);
	assert_null(NdisInterlockedRemoveHeadList(&head, &lock));
	assert_null(NdisInterlockedPushEntryList(&sh, &it[0].slink, &lock));
	assert_ptr_equal(NdisInterlockedPopEntryList(&sh, &lock),
			 &it[0].slink);
	ULONG sum = 1;
	NdisInterlockedAddUlong(&sum, 41, &lock);
	assert_int_equal(sum, 42);
	assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
	NdisFreeSpinLock(&lock);
}

static void test_interlocked(void **s)
{
	(void)s;
	LONG volatile v = 5;
	assert_int_equal(InterlockedIncrement(&v), 6);
	assert_int_equal(InterlockedDecrement(&v), 5);
	assert_int_equal(InterlockedExchange(&v, 9), 5);
	assert_int_equal(InterlockedExchangeAdd(&v, 3), 9);
	assert_int_equal(InterlockedAdd(&v, 3), 15);
	assert_int_equal(InterlockedCompareExchange(&v, 1, 2), 15);
	assert_int_equal(v, 15);
	assert_int_equal(InterlockedCompareExchange(&v, 1, 15), 15);
	assert_int_equal(v, 1);
	assert_int_equal(_InterlockedOr(&v, 6), 1);
	assert_int_equal(InterlockedAnd(&v, 3), 7);
	assert_int_equal(InterlockedXor(&v, 1), 3);
	assert_int_equal(v, 2);
	assert_int_equal(_InterlockedExchange(&v, -1), 2);
	LONG64 volatile q = 1;
	assert_int_equal(InterlockedIncrement64(&q), 2);
	assert_int_equal(InterlockedExchangeAdd64(&q, 1LL << 40), 2);
	assert_true(q == (1LL << 40) + 2);
	PVOID volatile p = NULL;
	int x;
	assert_null(InterlockedCompareExchangePointer(&p, &x, NULL));
	assert_ptr_equal(InterlockedExchangePointer(&p, NULL), &x);
	LONG bits[2] = {0, 0};
	assert_false(InterlockedBitTestAndSet(bits, 33));
	assert_true(InterlockedBitTestAndSet(bits, 33));
	assert_int_equal(bits[1], 2);
	assert_true(InterlockedBitTestAndReset(bits, 33));
	assert_int_equal(bits[1], 0);
	LARGE_INTEGER big = {.QuadPart = 1};
	NdisInterlockedAddLargeStatistic(&big, 4);
	assert_true(big.QuadPart == 5);
	C_ASSERT(FIELD_OFFSET(struct item, link) == 8);
	C_ASSERT(RTL_NUMBER_OF(w_abc) == 4 && ARRAYSIZE(w_abc) == 4);
}

/* Run DbgPrint with stderr sent to a file; return what it printed. */
static char printed[512];
#define CAPTURE(stmt)                                                          \
	do {                                                                   \
		fflush(stderr);                                                \
		FILE *f_ = tmpfile();                                          \
		int saved_ = dup(2);                                           \
		dup2(fileno(f_), 2);                                           \
		stmt;                                                          \
		fflush(stderr);                                                \
		dup2(saved_, 2);                                               \
		close(saved_);                                                 \
		rewind(f_);                                                    \
		size_t n_ = fread(printed, 1, sizeof(printed) - 1, f_);        \
		printed[n_] = 0;                                               \
		fclose(f_);                                                    \
	} while (0)

static void test_dbgprint(void **s)
{
	(void)s;
	UNICODE_STRING u;
	ANSI_STRING a;
	RtlInitUnicodeString(&u, w_abc);
	RtlInitAnsiString(&a, "xyz");
	/* %ld and %lx are 32 bits, %I64x / %llx 64, %Ix pointer-sized */
	CAPTURE(DbgPrint("%wZ|%Z|%ws|%S|%ld|%lx|%I64x|%llu|%Ix|%5s|%-3d|%c%wc%%\n",
			 &u, &a, w_abc, w_ABC, (LONG)-7, (ULONG)0xdeadbeef,
			 0x123456789abcULL, 18446744073709551615ULL,
			 (ULONG_PTR)0xfeedface12ULL, "hi", 4, 'q', (WCHAR)'W'));
	assert_string_equal(printed, "abc|xyz|abc|ABC|-7|deadbeef|123456789abc|"
				     "18446744073709551615|feedface12|   hi|4  "
				     "|qW%\n");
	CAPTURE(DbgPrint("%p %hd %hu %.2s %04x\n", (void *)0x1234, 70000,
			 70000, "abc", 0x2a));
	assert_string_equal(printed, "0000000000001234 4464 4464 ab 002a\n");
	CAPTURE(DbgPrint("%wZ %ws\n", (PUNICODE_STRING)NULL, (PCWSTR)NULL));
	assert_string_equal(printed, "(null) (null)\n");
	/* the default filter shows the error level only */
	CAPTURE(DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, "no\n"));
	assert_string_equal(printed, "");
	CAPTURE(DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "yes %d\n",
			   1));
	assert_string_equal(printed, "yes 1\n");
	CAPTURE(DbgPrint(NULL));
	assert_string_equal(printed, "");
}

static void test_packet_info(void **s)
{
	(void)s;
	NDIS_STATUS st;
	NDIS_HANDLE pool;
	PNDIS_PACKET p;
	NdisAllocatePacketPool(&st, &pool, 4, 16);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocatePacket(&st, &p, pool);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	assert_null(NDIS_GET_PACKET_CANCEL_ID(p));
	NDIS_SET_PACKET_CANCEL_ID(p, (PVOID)0x77);
	assert_ptr_equal(NDIS_GET_PACKET_CANCEL_ID(p), (PVOID)0x77);
	NdisSetPacketFlags(p, NDIS_PROTOCOL_ID_TCP_IP | NDIS_FLAGS_DONT_LOOPBACK);
	assert_int_equal(NDIS_GET_PACKET_PROTOCOL_TYPE(p),
			 NDIS_PROTOCOL_ID_TCP_IP);

	NDIS_TCP_IP_CHECKSUM_PACKET_INFO ck = {.Value = 0};
	ck.Receive.NdisPacketTcpChecksumSucceeded = 1;
	ck.Receive.NdisPacketIpChecksumSucceeded = 1;
	assert_int_equal(ck.Value, 0x28);
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, TcpIpChecksumPacketInfo) =
		(PVOID)(ULONG_PTR)ck.Value;
	NDIS_TCP_IP_CHECKSUM_PACKET_INFO rd;
	rd.Value = (ULONG)(ULONG_PTR)NDIS_PER_PACKET_INFO_FROM_PACKET(
		p, TcpIpChecksumPacketInfo);
	assert_int_equal(rd.Receive.NdisPacketTcpChecksumSucceeded, 1);
	assert_int_equal(rd.Receive.NdisPacketUdpChecksumSucceeded, 0);

	NDIS_PACKET_8021Q_INFO q = {.Value = NULL};
	q.TagHeader.VlanId = 100;
	q.TagHeader.UserPriority = 5;
	assert_int_equal((ULONG_PTR)q.Value, (100u << 4) | 5u);
	NDIS_PER_PACKET_INFO_FROM_PACKET(p, Ieee8021QInfo) = q.Value;
	NDIS_PACKET_8021Q_INFO q2;
	q2.Value = NDIS_PER_PACKET_INFO_FROM_PACKET(p, Ieee8021QInfo);
	assert_int_equal(q2.TagHeader.VlanId, 100);
	NdisFreePacket(p);
	NdisFreePacketPool(pool);
}

static void test_adjust_buffer_length(void **s)
{
	(void)s;
	NDIS_STATUS st;
	NDIS_HANDLE pool;
	PNDIS_BUFFER b;
	static char mem[100];
	NdisAllocateBufferPool(&st, &pool, 2);
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAllocateBuffer(&st, &b, pool, mem, sizeof(mem));
	assert_int_equal(st, NDIS_STATUS_SUCCESS);
	NdisAdjustBufferLength(b, 60);
	UINT len = 0;
	PVOID va = NULL;
	NdisQueryBuffer(b, &va, &len);
	assert_int_equal(len, 60);
	assert_ptr_equal(va, mem);
	assert_int_equal(NdisBufferLength(b), 60);
	NdisAdjustBufferLength(NULL, 1); /* ignored */
	NdisFreeBuffer(b);
	NdisFreeBufferPool(pool);
	ULONG al = NdisGetSharedDataAlignment();
	assert_true(al >= 16 && al <= 512 && (al & (al - 1)) == 0);
}

static PVOID shm;
static NDIS_PHYSICAL_ADDRESS shm_pa;

static void set_attrs_and_alloc(NDIS_HANDLE h)
{
	NdisMSetAttributes(h, &tl, TRUE, NdisInterfacePci);
	/* succeeds only for a bus master */
	assert_int_equal(NdisMInitializeScatterGatherDma(h, TRUE, 4096),
			 NDIS_STATUS_SUCCESS);
	NdisMAllocateSharedMemory(h, 256, TRUE, &shm, &shm_pa);
}

static void free_shm(NDIS_HANDLE h)
{
	NdisMFreeSharedMemory(h, 256, TRUE, shm, shm_pa);
}

/* NdisMSetAttributes (NDIS 3.0 form) sets the context and the bus-master
 * attribute; NdisUpdateSharedMemory checks as NdisMUpdateSharedMemory. */
static void test_set_attributes_and_update(void **s)
{
	(void)s;
	tl.no_attrs = 1;
	tl.dma = TL_DMA_NONE;
	tl.init = set_attrs_and_alloc;
	tl.halt = free_shm;
	assert_int_equal(tl_start("sim:coherent=no"), 0);
	assert_ptr_equal(ndisdma_adapter_context(tl.ad), &tl);
	assert_non_null(shm);
	ndisdma_sim *sim = ndisdma_adapter_sim(tl.ad);
	unsigned char byte = 0x5a;
	assert_int_equal(ndisdma_sim_dma_write(sim, shm_pa.QuadPart, &byte, 1),
			 0);
	assert_int_equal(RULE_DELTA("shm.update-range",
				    NdisUpdateSharedMemory(tl.handle, 16, shm,
							   shm_pa)),
			 0);
	assert_int_equal(((unsigned char *)shm)[0], 0x5a);
	NDIS_PHYSICAL_ADDRESS wrong = shm_pa;
	wrong.QuadPart += 8;
	assert_int_equal(RULE_DELTA("shm.update-range",
				    NdisUpdateSharedMemory(tl.handle, 16, shm,
							   wrong)),
			 1);
	assert_int_equal(tl_stop(), 0);
}

/* Each version passes the size of its own structure. */
static void test_characteristics_sizes(void **s)
{
	(void)s;
	assert_int_equal(sizeof(NDIS30_MINIPORT_CHARACTERISTICS),
			 offsetof(NDIS51_MINIPORT_CHARACTERISTICS,
				  ReturnPacketHandler));
	assert_int_equal(sizeof(NDIS_MINIPORT_CHARACTERISTICS),
			 sizeof(NDIS51_MINIPORT_CHARACTERISTICS));
	assert_int_equal(NdisMediaStateDisconnected, 1);
	assert_int_equal(NdisPhysicalMedium802_3, 14);
	assert_int_equal(sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR), 20);
	assert_int_equal(sizeof(PCI_COMMON_CONFIG), 256);
	assert_int_equal(PCI_COMMON_HDR_LENGTH, 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_compare),
		cmocka_unit_test(test_initialize_and_free),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_integers_and_memory),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_interlocked),
		cmocka_unit_test(test_dbgprint),
		cmocka_unit_test(test_packet_info),
		cmocka_unit_test(test_adjust_buffer_length),
		cmocka_unit_test_setup(test_set_attributes_and_update, tl_setup),
		cmocka_unit_test(test_characteristics_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
