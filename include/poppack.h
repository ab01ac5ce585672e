/* SPDX-License-Identifier: MIT */
/* poppack.h - end the packing a <pshpackN.h> started. No include guard:
 * it is meant to be included again for each block. */
#pragma pack(pop)
