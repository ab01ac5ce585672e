/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/pool_abi.h - what the inline fast paths of the public headers
 * use of the library's descriptor pools. It is the engine's one internal
 * header, <ndisdma/internal/pool_engine.h> (not for drivers: may change
 * without notice, guarded by the versioned symbol ndisdma_pool_abi_v2).
 */
#ifndef NDISDMA_POOL_ABI_H
#define NDISDMA_POOL_ABI_H

#include <ndisdma/internal/pool_engine.h>

#endif
