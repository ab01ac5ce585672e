/* SPDX-License-Identifier: MIT */
/*
 * strings.c - counted strings (NDIS_STRING / UNICODE_STRING and
 * ANSI_STRING): initialization, allocation through general memory,
 * comparison, case folding and the ANSI <-> Unicode conversions
 * (Microsoft: "NdisInitUnicodeString", "NdisInitializeString",
 * "NdisEqualString", "NdisAnsiStringToUnicodeString",
 * "RtlAnsiStringToUnicodeString" reference pages). The ANSI code page
 * is ISO 8859-1.
 */
#include "../core/core.h"

#include <string.h>

#define TAG_STRING 0x4e646953u /* 'SidN', as a driver would write it */
#define MAX_USHORT_BYTES 0xfffeu

static size_t wlen(PCWSTR s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

VOID RtlInitUnicodeString(PUNICODE_STRING d, PCWSTR s)
{
	if (!d)
		return;
	d->Buffer = (PWSTR)s;
	if (!s) {
		d->Length = d->MaximumLength = 0;
		return;
	}
	size_t bytes = wlen(s) * sizeof(WCHAR);
	if (bytes > MAX_USHORT_BYTES - sizeof(WCHAR))
		bytes = MAX_USHORT_BYTES - sizeof(WCHAR);
	d->Length = (USHORT)bytes;
	d->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
}

VOID NdisInitUnicodeString(PNDIS_STRING d, PCWSTR s)
{
	RtlInitUnicodeString(d, s);
}

VOID RtlInitAnsiString(PANSI_STRING d, PCSTR s)
{
	if (!d)
		return;
	d->Buffer = (PCHAR)s;
	if (!s) {
		d->Length = d->MaximumLength = 0;
		return;
	}
	size_t n = strlen(s);
	if (n > MAX_USHORT_BYTES - 1)
		n = MAX_USHORT_BYTES - 1;
	d->Length = (USHORT)n;
	d->MaximumLength = (USHORT)(n + 1);
}

VOID RtlInitString(PSTRING d, PCSTR s)
{
	RtlInitAnsiString(d, s);
}

VOID NdisInitAnsiString(PNDIS_ANSI_STRING d, PCSTR s)
{
	RtlInitAnsiString(d, s);
}

VOID NdisInitializeString(PNDIS_STRING d, PUCHAR s)
{
	const void *site = ND_SITE();
	if (!d)
		return;
	d->Length = d->MaximumLength = 0;
	d->Buffer = NULL;
	if (!s)
		return;
	size_t n = strlen((const char *)s);
	if ((n + 1) * sizeof(WCHAR) > MAX_USHORT_BYTES)
		return;
	size_t max = (n + 1) * sizeof(WCHAR);
	PWSTR buf = nd_mem_alloc(max, 0, TAG_STRING, MEM_TAGGED, NULL, site);
	if (!buf)
		return;
	for (size_t i = 0; i < n; i++)
		buf[i] = s[i];
	buf[n] = 0;
	d->Buffer = buf;
	d->Length = (USHORT)(n * sizeof(WCHAR));
	d->MaximumLength = (USHORT)max;
}

WCHAR RtlUpcaseUnicodeChar(WCHAR c)
{
	if (c >= 'a' && c <= 'z')
		return (WCHAR)(c - ('a' - 'A'));
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7) /* Latin-1 letters */
		return (WCHAR)(c - 0x20);
	if (c == 0xff)
		return 0x178;
	return c;
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING a, PCUNICODE_STRING b, BOOLEAN ci)
{
	size_t na = a->Length / sizeof(WCHAR), nb = b->Length / sizeof(WCHAR);
	size_t n = na < nb ? na : nb;
	for (size_t i = 0; i < n; i++) {
		WCHAR x = a->Buffer[i], y = b->Buffer[i];
		if (ci) {
			x = RtlUpcaseUnicodeChar(x);
			y = RtlUpcaseUnicodeChar(y);
		}
		if (x != y)
			return (LONG)x - (LONG)y;
	}
	return (LONG)na - (LONG)nb;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING a, PCUNICODE_STRING b,
			      BOOLEAN ci)
{
	if (!a || !b)
		return a == b;
	if (a->Length != b->Length)
		return FALSE;
	return RtlCompareUnicodeString(a, b, ci) == 0;
}

BOOLEAN NdisEqualString(PNDIS_STRING a, PNDIS_STRING b, BOOLEAN ci)
{
	return RtlEqualUnicodeString(a, b, ci);
}

BOOLEAN NdisEqualUnicodeString(PNDIS_STRING a, PNDIS_STRING b, BOOLEAN ci)
{
	return RtlEqualUnicodeString(a, b, ci);
}

VOID RtlCopyUnicodeString(PUNICODE_STRING d, PCUNICODE_STRING s)
{
	if (!d)
		return;
	if (!s || !s->Buffer) {
		d->Length = 0;
		return;
	}
	USHORT n = s->Length < d->MaximumLength ? s->Length : d->MaximumLength;
	n &= (USHORT)~1u;
	memmove(d->Buffer, s->Buffer, n);
	d->Length = n;
	if (n + sizeof(WCHAR) <= d->MaximumLength)
		d->Buffer[n / sizeof(WCHAR)] = 0;
}

NDIS_STATUS NdisUpcaseUnicodeString(PUNICODE_STRING d, PUNICODE_STRING s)
{
	if (!d || !s)
		return NDIS_STATUS_FAILURE;
	if (d->MaximumLength < s->Length)
		return NDIS_STATUS_BUFFER_OVERFLOW;
	for (size_t i = 0; i < s->Length / sizeof(WCHAR); i++)
		d->Buffer[i] = RtlUpcaseUnicodeChar(s->Buffer[i]);
	d->Length = s->Length;
	return NDIS_STATUS_SUCCESS;
}

/* Convert n chars of s into d (room for `room` bytes); NUL when it fits. */
static void ansi_to_wide(PWSTR d, size_t room, const CHAR *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (UCHAR)s[i];
	if ((n + 1) * sizeof(WCHAR) <= room)
		d[n] = 0;
}

static void wide_to_ansi(PCHAR d, size_t room, const WCHAR *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = s[i] <= 0xff ? (CHAR)s[i] : '?';
	if (n + 1 <= room)
		d[n] = 0;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING d, PCANSI_STRING s,
				      BOOLEAN alloc)
{
	const void *site = ND_SITE();
	if (!d || !s)
		return STATUS_INVALID_PARAMETER;
	size_t n = s->Length;
	size_t bytes = n * sizeof(WCHAR);
	if (bytes + sizeof(WCHAR) > MAX_USHORT_BYTES)
		return STATUS_INVALID_PARAMETER;
	if (alloc) {
		size_t max = bytes + sizeof(WCHAR);
		d->Buffer =
		    nd_mem_alloc(max, 0, TAG_STRING, MEM_TAGGED, NULL, site);
		if (!d->Buffer)
			return STATUS_NO_MEMORY;
		d->MaximumLength = (USHORT)max;
	} else if (bytes > d->MaximumLength) {
		return STATUS_BUFFER_OVERFLOW;
	}
	ansi_to_wide(d->Buffer, d->MaximumLength, s->Buffer, n);
	d->Length = (USHORT)bytes;
	return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING d, PCUNICODE_STRING s,
				      BOOLEAN alloc)
{
	const void *site = ND_SITE();
	if (!d || !s)
		return STATUS_INVALID_PARAMETER;
	size_t n = s->Length / sizeof(WCHAR);
	if (alloc) {
		d->Buffer =
		    nd_mem_alloc(n + 1, 0, TAG_STRING, MEM_TAGGED, NULL, site);
		if (!d->Buffer)
			return STATUS_NO_MEMORY;
		d->MaximumLength = (USHORT)(n + 1);
	} else if (n > d->MaximumLength) {
		return STATUS_BUFFER_OVERFLOW;
	}
	wide_to_ansi(d->Buffer, d->MaximumLength, s->Buffer, n);
	d->Length = (USHORT)n;
	return STATUS_SUCCESS;
}

NDIS_STATUS NdisAnsiStringToUnicodeString(PNDIS_STRING d, PNDIS_ANSI_STRING s)
{
	if (!d || !s)
		return NDIS_STATUS_FAILURE;
	NTSTATUS st = RtlAnsiStringToUnicodeString(d, s, FALSE);
	return st == STATUS_SUCCESS	      ? NDIS_STATUS_SUCCESS
	       : st == STATUS_BUFFER_OVERFLOW ? NDIS_STATUS_BUFFER_OVERFLOW
					      : NDIS_STATUS_FAILURE;
}

NDIS_STATUS NdisUnicodeStringToAnsiString(PNDIS_ANSI_STRING d, PNDIS_STRING s)
{
	if (!d || !s)
		return NDIS_STATUS_FAILURE;
	NTSTATUS st = RtlUnicodeStringToAnsiString(d, s, FALSE);
	return st == STATUS_SUCCESS	      ? NDIS_STATUS_SUCCESS
	       : st == STATUS_BUFFER_OVERFLOW ? NDIS_STATUS_BUFFER_OVERFLOW
					      : NDIS_STATUS_FAILURE;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING s)
{
	if (!s || !s->Buffer)
		return;
	nd_mem_free(s->Buffer, 0, 0, 0, MEM_TAGGED, false, ND_SITE());
	s->Buffer = NULL;
	s->Length = s->MaximumLength = 0;
}

VOID RtlFreeAnsiString(PANSI_STRING s)
{
	if (!s || !s->Buffer)
		return;
	nd_mem_free(s->Buffer, 0, 0, 0, MEM_TAGGED, false, ND_SITE());
	s->Buffer = NULL;
	s->Length = s->MaximumLength = 0;
}

static int digit_value(WCHAR c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = RtlUpcaseUnicodeChar(c);
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING str, ULONG base,
				   PULONG value)
{
	if (!str || !value ||
	    (base != 0 && base != 2 && base != 8 && base != 10 && base != 16))
		return STATUS_INVALID_PARAMETER;
	const WCHAR *p = str->Buffer;
	size_t n = str->Buffer ? str->Length / sizeof(WCHAR) : 0, i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	bool neg = false;
	if (i < n && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	if (base == 0) {
		base = 10;
		if (i + 1 < n && p[i] == '0') {
			WCHAR x = p[i + 1];
			if (x == 'x' || x == 'X')
				base = 16;
			else if (x == 'o' || x == 'O')
				base = 8;
			else if (x == 'b' || x == 'B')
				base = 2;
			if (base != 10)
				i += 2;
		}
	}
	ULONG v = 0;
	for (; i < n; i++) {
		int d = digit_value(p[i]);
		if (d >= (int)base)
			break;
		v = v * base + (ULONG)d;
	}
	*value = neg ? (ULONG)(0u - v) : v;
	return STATUS_SUCCESS;
}

SIZE_T RtlCompareMemory(const VOID *a, const VOID *b, SIZE_T n)
{
	const UCHAR *x = a, *y = b;
	SIZE_T i = 0;
	while (i < n && x[i] == y[i])
		i++;
	return i;
}
