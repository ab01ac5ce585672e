/* SPDX-License-Identifier: MIT */
/* pshpack4.h - pack the structures that follow to 4 byte(s), until the matching
 * <poppack.h>; the Windows idiom for wire and hardware layouts. No include
 * guard: it is meant to be included again for each block. */
#pragma pack(push, 4)
