/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/registers.h - memory-mapped register access as NDIS
 * spells it: NdisReadRegisterUlong / NdisWriteRegisterUlong and the
 * UCHAR/USHORT forms. `Register` points into a BAR mapped with
 * ndisdma_adapter_bar (or NdisMMapIoSpace where available); each access
 * is one volatile load or store of the register's width, ordered against
 * the device by a compiler barrier, which is enough on x86 (uncached MMIO
 * is strongly ordered). Included by <ndis.h>. None of them can fail.
 */
#ifndef NDISDMA_NDIS_REGISTERS_H
#define NDISDMA_NDIS_REGISTERS_H

#include "types.h"

#define ND_MMIO_BARRIER() __asm__ __volatile__("" ::: "memory")

#define NdisReadRegisterUlong(Register, Data)                                 \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(Data) = *(volatile ULONG *)(Register);                      \
		ND_MMIO_BARRIER();                                            \
	} while (0)
#define NdisWriteRegisterUlong(Register, Data)                                \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(volatile ULONG *)(Register) = (Data);                       \
		ND_MMIO_BARRIER();                                            \
	} while (0)
#define NdisReadRegisterUshort(Register, Data)                                \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(Data) = *(volatile USHORT *)(Register);                     \
		ND_MMIO_BARRIER();                                            \
	} while (0)
#define NdisWriteRegisterUshort(Register, Data)                               \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(volatile USHORT *)(Register) = (Data);                      \
		ND_MMIO_BARRIER();                                            \
	} while (0)
#define NdisReadRegisterUchar(Register, Data)                                 \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(Data) = *(volatile UCHAR *)(Register);                      \
		ND_MMIO_BARRIER();                                            \
	} while (0)
#define NdisWriteRegisterUchar(Register, Data)                                \
	do {                                                                  \
		ND_MMIO_BARRIER();                                            \
		*(volatile UCHAR *)(Register) = (Data);                       \
		ND_MMIO_BARRIER();                                            \
	} while (0)

#endif
