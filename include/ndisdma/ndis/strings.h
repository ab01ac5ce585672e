/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/strings.h - counted strings: NDIS_STRING (UNICODE_STRING,
 * Length and MaximumLength in bytes) and NDIS_ANSI_STRING, the NDIS calls
 * that make, compare and convert them, and the Rtl calls they stand for.
 * WCHAR is 16 bits: build driver source with -fshort-wchar (pkg-config
 * module ndisdma-driver) so that L"..." is a WCHAR string.
 * The "ANSI" code page is ISO 8859-1 (each byte is the code point of the
 * same value; a character above U+00FF becomes '?'), and case-insensitive
 * comparison folds ASCII and Latin-1 letters. Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_STRINGS_H
#define NDISDMA_NDIS_STRINGS_H

#include "types.h"
#include "memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Make Destination describe the NUL-terminated SourceString (not
 * copied): Length = its bytes without the NUL, MaximumLength = Length + 2;
 * NULL gives an empty string with a NULL Buffer. Cannot fail. */
VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString,
			  PCWSTR SourceString);
VOID NdisInitUnicodeString(PNDIS_STRING DestinationString, PCWSTR SourceString);
/* The same for a char string (MaximumLength = Length + 1). */
VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSTR SourceString);
VOID RtlInitString(PSTRING DestinationString, PCSTR SourceString);
VOID NdisInitAnsiString(PNDIS_ANSI_STRING DestinationString,
			PCSTR SourceString);

/* Allocate (general memory, tag 'SidN') a NUL-terminated WCHAR copy of
 * the char string Source and describe it in *Destination; free it with
 * NdisFreeString. On allocation failure (or a NULL Source, or a string
 * over 32766 characters) *Destination is empty with a NULL Buffer, as
 * ndis.sys leaves it. */
VOID NdisInitializeString(PNDIS_STRING Destination, PUCHAR Source);
/* Free a string NdisInitializeString made: the WDK's macro (the argument
 * is the NDIS_STRING itself), so NdisFreeMemory's checks apply. */
#define NdisFreeString(String)                                                 \
	NdisFreeMemory((String).Buffer, (String).MaximumLength, 0)

/* TRUE when the strings have the same length and characters
 * (CaseInInsensitive: after upcasing). Cannot fail. */
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1,
			      PCUNICODE_STRING String2,
			      BOOLEAN CaseInSensitive);
BOOLEAN NdisEqualString(PNDIS_STRING String1, PNDIS_STRING String2,
			BOOLEAN CaseInsensitive);
BOOLEAN NdisEqualUnicodeString(PNDIS_STRING String1, PNDIS_STRING String2,
			       BOOLEAN CaseInsensitive);
/* <0, 0 or >0 as String1 sorts before, with or after String2 (by
 * character value, a prefix first). */
LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
			     BOOLEAN CaseInSensitive);
/* Copy as much of Source as fits in Destination->MaximumLength (NUL-
 * terminated when there is room); a NULL Source empties Destination. */
VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString,
			  PCUNICODE_STRING SourceString);
/* The upper-case form of a WCHAR (ASCII and Latin-1 letters). */
WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter);
/* Upcase Source into Destination (the same string allowed): returns
 * NDIS_STATUS_SUCCESS, or NDIS_STATUS_BUFFER_OVERFLOW (nothing written)
 * when Destination->MaximumLength is shorter than Source->Length. */
NDIS_STATUS NdisUpcaseUnicodeString(PUNICODE_STRING DestinationString,
				    PUNICODE_STRING SourceString);

/* Convert into the caller's buffer of Destination: NDIS_STATUS_SUCCESS,
 * NDIS_STATUS_BUFFER_OVERFLOW when Destination->MaximumLength cannot hold
 * the converted characters (nothing written), NDIS_STATUS_FAILURE for a
 * NULL argument. The result is NUL-terminated when there is room. */
NDIS_STATUS NdisAnsiStringToUnicodeString(PNDIS_STRING DestinationString,
					  PNDIS_ANSI_STRING SourceString);
NDIS_STATUS NdisUnicodeStringToAnsiString(PNDIS_ANSI_STRING DestinationString,
					  PNDIS_STRING SourceString);
/* The Rtl forms: AllocateDestinationString TRUE allocates the buffer
 * (free it with RtlFreeUnicodeString / RtlFreeAnsiString). Return
 * STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW, STATUS_NO_MEMORY or
 * STATUS_INVALID_PARAMETER (NULL, or a result over 65534 bytes). */
NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
				      PCANSI_STRING SourceString,
				      BOOLEAN AllocateDestinationString);
NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
				      PCUNICODE_STRING SourceString,
				      BOOLEAN AllocateDestinationString);
VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString);
VOID RtlFreeAnsiString(PANSI_STRING AnsiString);

/* Parse a decimal/hex/octal/binary number (Base 0: a 0x, 0o or 0b
 * prefix chooses, else 10; leading blanks and a sign allowed) in a
 * counted string: STATUS_SUCCESS and *Value, or STATUS_INVALID_PARAMETER
 * (bad Base, NULL). Digits stop at the first character that is not one,
 * as on Windows. */
NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base,
				   PULONG Value);

/* The number of leading bytes at which the two blocks agree. */
SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2,
			SIZE_T Length);

#ifdef __cplusplus
}
#endif
#endif
