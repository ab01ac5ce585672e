/* SPDX-License-Identifier: MIT */
/*
 * debug.c - DbgPrint, DbgPrintEx and DbgBreakPoint for driver source.
 * DbgPrint follows the Microsoft format conventions ("Format
 * specification syntax: printf and wprintf functions", and DbgPrint's
 * reference page for %wZ / %Z): `l` is 32 bits (LONG), `I64`/`ll` 64,
 * `I` pointer-sized, `w`/`S`/`C` wide (WCHAR) strings and characters.
 * Each conversion is rebuilt as a host printf conversion of the right
 * width, so argument sizes match what the caller pushed.
 */
#include "../core/core.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write n WCHARs (or up to the NUL when n is SIZE_MAX) as ISO 8859-1. */
static void put_wide(FILE *out, const WCHAR *w, size_t n, int prec)
{
	if (!w) {
		fputs("(null)", out);
		return;
	}
	for (size_t i = 0; i < n && w[i]; i++) {
		if (prec >= 0 && (int)i >= prec)
			break;
		fputc(w[i] <= 0xff ? (int)w[i] : '?', out);
	}
}

/* Pad s (len chars) to width. */
static void put_padded(FILE *out, const char *s, size_t len, int width,
		       bool left)
{
	size_t pad = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
	if (!left)
		for (size_t i = 0; i < pad; i++)
			fputc(' ', out);
	fwrite(s, 1, len, out);
	if (left)
		for (size_t i = 0; i < pad; i++)
			fputc(' ', out);
}

static void format_ms(FILE *out, const char *f, va_list ap)
{
	while (*f) {
		if (*f != '%') {
			fputc(*f++, out);
			continue;
		}
		const char *start = f++;
		char flags[8];
		size_t nf = 0;
		while (*f && strchr("-+ #0", *f) && nf < sizeof(flags) - 1)
			flags[nf++] = *f++;
		flags[nf] = 0;
		bool left = strchr(flags, '-') != NULL;
		int width = -1, prec = -1;
		if (*f == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			f++;
		} else if (*f >= '0' && *f <= '9') {
			width = (int)strtol(f, (char **)&f, 10);
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else {
				prec = (int)strtol(f, (char **)&f, 10);
			}
		}
		/* size: 0 int, 1 short, 2 char, 4 32-bit, 8 64-bit; wide */
		int size = 0;
		bool wide = false;
		if (f[0] == 'I' && f[1] == '6' && f[2] == '4') {
			size = 8;
			f += 3;
		} else if (f[0] == 'I' && f[1] == '3' && f[2] == '2') {
			size = 4;
			f += 3;
		} else if (f[0] == 'I') {
			size = (int)sizeof(void *);
			f++;
		} else if (f[0] == 'l' && f[1] == 'l') {
			size = 8;
			f += 2;
		} else if (f[0] == 'h' && f[1] == 'h') {
			size = 2;
			f += 2;
		} else if (*f == 'l' || *f == 'w') {
			size = 4;
			wide = true;
			f++;
		} else if (*f == 'h') {
			size = 1;
			f++;
		} else if (*f == 'z' || *f == 'j' || *f == 't' || *f == 'L') {
			size = 8;
			f++;
		}
		char conv = *f;
		if (!conv) {
			fputs(start, out);
			return;
		}
		f++;
		char spec[48];
		switch (conv) {
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			bool sign = conv == 'd' || conv == 'i';
			long long v;
			if (size == 8) {
				v = va_arg(ap, long long);
			} else if (sign) {
				v = va_arg(ap, int);
				if (size == 1)
					v = (short)v;
				else if (size == 2)
					v = (signed char)v;
			} else {
				unsigned int x = va_arg(ap, unsigned int);
				if (size == 1)
					x &= 0xffffu;
				else if (size == 2)
					x &= 0xffu;
				v = (long long)x;
			}
			snprintf(spec, sizeof spec, "%%%s*.*ll%c", flags, conv);
			fprintf(out, spec, width < 0 ? 0 : width,
				prec < 0 ? -1 : prec, v);
			break;
		}
		case 'c':
		case 'C': {
			int c = va_arg(ap, int);
			char ch = (conv == 'C' || wide) && (c & 0xffff) > 0xff
				      ? '?'
				      : (char)c;
			put_padded(out, &ch, 1, width, left);
			break;
		}
		case 's':
		case 'S':
		case 'Z': {
			/* Build the text first, then pad it. */
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);
			if (!m)
				return;
			if (conv == 'Z') {
				if (wide) {
					PCUNICODE_STRING u =
					    va_arg(ap, PCUNICODE_STRING);
					if (u)
						put_wide(m, u->Buffer,
							 u->Length / 2, prec);
					else
						fputs("(null)", m);
				} else {
					PCANSI_STRING a =
					    va_arg(ap, PCANSI_STRING);
					size_t n = a ? a->Length : 0;
					if (prec >= 0 && (size_t)prec < n)
						n = (size_t)prec;
					if (a && a->Buffer)
						fwrite(a->Buffer, 1, n, m);
					else
						fputs("(null)", m);
				}
			} else if (conv == 'S' || wide) {
				put_wide(m, va_arg(ap, const WCHAR *),
					 (size_t)-1, prec);
			} else {
				const char *s = va_arg(ap, const char *);
				if (!s)
					s = "(null)";
				size_t n = strlen(s);
				if (prec >= 0 && (size_t)prec < n)
					n = (size_t)prec;
				fwrite(s, 1, n, m);
			}
			fclose(m);
			put_padded(out, buf, len, width, left);
			free(buf);
			break;
		}
		case 'p':
			fprintf(
			    out, "%0*llX", (int)(2 * sizeof(void *)),
			    (unsigned long long)(uintptr_t)va_arg(ap, void *));
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			snprintf(spec, sizeof spec, "%%%s*.*%c", flags, conv);
			fprintf(out, spec, width < 0 ? 0 : width,
				prec < 0 ? 6 : prec, va_arg(ap, double));
			break;
		case 'n':
			(void)va_arg(ap, void *); /* never written */
			break;
		case '%':
			fputc('%', out);
			break;
		default:
			fwrite(start, 1, (size_t)(f - start), out);
			break;
		}
	}
}

static ULONG vprint(PCSTR format, va_list ap)
{
	if (!format)
		return STATUS_SUCCESS;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return STATUS_SUCCESS;
	format_ms(m, format, ap);
	fclose(m);
	fwrite(buf, 1, len, stderr);
	free(buf);
	return STATUS_SUCCESS;
}

ULONG DbgPrint(PCSTR Format, ...)
{
	va_list ap;
	va_start(ap, Format);
	ULONG r = vprint(Format, ap);
	va_end(ap);
	return r;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
	(void)ComponentId;
	/* Levels 0-31 are numbers, larger values bit masks; the default
	 * filter shows the error level only. */
	if (Level < 32 ? Level != DPFLTR_ERROR_LEVEL : !(Level & 1))
		return STATUS_SUCCESS;
	va_list ap;
	va_start(ap, Format);
	ULONG r = vprint(Format, ap);
	va_end(ap);
	return r;
}

VOID DbgBreakPoint(VOID)
{
	raise(SIGTRAP);
}
