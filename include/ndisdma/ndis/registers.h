/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/registers.h - memory-mapped register access as NDIS
 * spells it: NdisReadRegisterUlong / NdisWriteRegisterUlong and the
 * UCHAR/USHORT forms. `Register` points into space NdisMMapIoSpace mapped
 * (or a BAR mapped with ndisdma_adapter_bar). On vfio and uio each access
 * is one volatile load or store of the register's width, ordered against
 * the device by a compiler barrier, which is enough on x86 (uncached MMIO
 * is strongly ordered). On sim, NdisMMapIoSpace returns addresses in a
 * range no mapping can occupy (kernel space: NDISDMA_SIMIO_BASE ..
 * + NDISDMA_SIMIO_SPAN); the macros recognise them and call the device
 * model through ndisdma_mmio_read_ / ndisdma_mmio_write_. Included by
 * <ndis.h>. None of them can fail.
 */
#ifndef NDISDMA_NDIS_REGISTERS_H
#define NDISDMA_NDIS_REGISTERS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ND_MMIO_BARRIER() __asm__ __volatile__("" ::: "memory")

/* Simulated register space: slot (bits 32..43) and offset (bits 0..31). */
#define NDISDMA_SIMIO_BASE ((ULONG_PTR)0xFFFFE00000000000ULL)
#define NDISDMA_SIMIO_SPAN ((ULONG_PTR)1 << 44)

/* One access of `width` (1, 2, 4) bytes at a simulated register address:
 * the device model's callback. An address outside the mapping it belongs
 * to, or of a mapping already unmapped, is reported (io.mmio-range):
 * reads give all ones, writes are dropped. Any IRQL. Cannot fail. */
ULONG ndisdma_mmio_read_(ULONG_PTR addr, unsigned width);
void ndisdma_mmio_write_(ULONG_PTR addr, unsigned width, ULONG value);

#define ND_SIMIO_(r)                                                           \
	__builtin_expect(                                                      \
	    (ULONG_PTR)(r)-NDISDMA_SIMIO_BASE < NDISDMA_SIMIO_SPAN, 0)

static inline ULONG ndisdma_reg_read_(const volatile void *r, unsigned w)
{
	ULONG v;
	if (ND_SIMIO_(r))
		return ndisdma_mmio_read_((ULONG_PTR)r, w);
	ND_MMIO_BARRIER();
	v = w == 4   ? *(const volatile ULONG *)r
	    : w == 2 ? *(const volatile USHORT *)r
		     : *(const volatile UCHAR *)r;
	ND_MMIO_BARRIER();
	return v;
}

static inline void ndisdma_reg_write_(volatile void *r, unsigned w, ULONG v)
{
	if (ND_SIMIO_(r)) {
		ndisdma_mmio_write_((ULONG_PTR)r, w, v);
		return;
	}
	ND_MMIO_BARRIER();
	if (w == 4)
		*(volatile ULONG *)r = v;
	else if (w == 2)
		*(volatile USHORT *)r = (USHORT)v;
	else
		*(volatile UCHAR *)r = (UCHAR)v;
	ND_MMIO_BARRIER();
}

/* Register may be a pointer or an integer, as the WDK's casts allow. */
#define ND_REG_(Register) ((volatile void *)(ULONG_PTR)(Register))
#define NdisReadRegisterUlong(Register, Data)                                  \
	((void)(*(Data) = (ULONG)ndisdma_reg_read_(ND_REG_(Register), 4)))
#define NdisReadRegisterUshort(Register, Data)                                 \
	((void)(*(Data) = (USHORT)ndisdma_reg_read_(ND_REG_(Register), 2)))
#define NdisReadRegisterUchar(Register, Data)                                  \
	((void)(*(Data) = (UCHAR)ndisdma_reg_read_(ND_REG_(Register), 1)))
#define NdisWriteRegisterUlong(Register, Data)                                 \
	ndisdma_reg_write_(ND_REG_(Register), 4, (ULONG)(Data))
#define NdisWriteRegisterUshort(Register, Data)                                \
	ndisdma_reg_write_(ND_REG_(Register), 2, (USHORT)(Data))
#define NdisWriteRegisterUchar(Register, Data)                                 \
	ndisdma_reg_write_(ND_REG_(Register), 1, (UCHAR)(Data))

#ifdef __cplusplus
}
#endif

#endif
