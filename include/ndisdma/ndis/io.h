/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/io.h - port I/O and mapped I/O space as NDIS 5 spells them:
 * NdisMRegisterIoPortRange, NdisRawReadPort* / NdisRawWritePort* (and the
 * Buffer forms), NdisMMapIoSpace / NdisMUnmapIoSpace. The register reads
 * and writes on mapped space are in <ndisdma/ndis/registers.h>. Included
 * by <ndis.h>.
 *
 * Ports: NdisMRegisterIoPortRange returns the port number itself as
 * PortOffset (as NDIS does on x86), so a driver may use either that or
 * the raw port it read from its I/O BAR. The port macros take an integer
 * or a pointer, as Windows' do, and reach the device that decodes the port
 * (vfio: the BAR's region; uio: sysfs resourceN; sim: the device model).
 */
#ifndef NDISDMA_NDIS_IO_H
#define NDISDMA_NDIS_IO_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Claim ports [InitialPort, InitialPort + NumberOfPorts) of the adapter's
 * I/O BARs for port I/O; *PortOffset = (PVOID)InitialPort. Returns
 * SUCCESS; RESOURCES (memory); FAILURE (unknown handle: reported
 * handle.unknown, NumberOfPorts 0). A range that no I/O BAR of the
 * device decodes is reported (io.port-register) and granted, as Windows
 * grants it; its ports read all ones. Outside MiniportInitialize: reported
 * (io.context), granted. PASSIVE_LEVEL. A range still registered at halt is
 * deregistered and reported (halt.leak-object). */
NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset,
				     NDIS_HANDLE MiniportAdapterHandle,
				     UINT InitialPort, UINT NumberOfPorts);
/* Release a range: InitialPort and NumberOfPorts as registered. A range
 * not registered on this adapter is reported (io.deregister-unknown) and
 * ignored. PASSIVE_LEVEL. */
void NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle,
				UINT InitialPort, UINT NumberOfPorts,
				PVOID PortOffset);

/* Map PhysicalAddress .. + Length (inside one memory BAR of the device, as
 * NdisMQueryAdapterResources gave it) for NdisReadRegister* /
 * NdisWriteRegister*. vfio, uio: *VirtualAddress points into the BAR's
 * mapping. sim: it is an address that only the register macros accept
 * (dereferencing it faults); each access calls the device model. Returns
 * SUCCESS; RESOURCE_CONFLICT (no memory BAR of the device covers the range:
 * reported io.map-outside, *VirtualAddress NULL); RESOURCES (memory, or the
 * bus cannot map the BAR); FAILURE (unknown handle, Length 0).
 * PASSIVE_LEVEL. Mappings still present at halt are unmapped and reported
 * (halt.leak-object). */
NDIS_STATUS NdisMMapIoSpace(PVOID *VirtualAddress,
			    NDIS_HANDLE MiniportAdapterHandle,
			    NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length);
/* Unmap what NdisMMapIoSpace returned (same address and length). Anything
 * else is reported (io.unmap-unknown) and ignored. PASSIVE_LEVEL. */
void NdisMUnmapIoSpace(NDIS_HANDLE MiniportAdapterHandle, PVOID VirtualAddress,
		       UINT Length);

/* The engine behind the port macros: one access of `width` (1, 2, 4)
 * bytes at `port`. A port outside every registered range is reported
 * (io.port-range) and still reaches the device that decodes it; a port no
 * device decodes reads all ones and drops writes. Any IRQL. Cannot fail. */
ULONG ndisdma_port_read_(ULONG_PTR port, unsigned width);
void ndisdma_port_write_(ULONG_PTR port, unsigned width, ULONG value);
/* `count` accesses of `width` at one port into / from `buf`. */
void ndisdma_port_read_buf_(ULONG_PTR port, unsigned width, void *buf,
			    ULONG count);
void ndisdma_port_write_buf_(ULONG_PTR port, unsigned width, const void *buf,
			     ULONG count);

#define ND_PORT_(Port) ((ULONG_PTR)(Port))
#define NdisRawReadPortUchar(Port, Data)                                       \
	((void)(*(Data) = (UCHAR)ndisdma_port_read_(ND_PORT_(Port), 1)))
#define NdisRawReadPortUshort(Port, Data)                                      \
	((void)(*(Data) = (USHORT)ndisdma_port_read_(ND_PORT_(Port), 2)))
#define NdisRawReadPortUlong(Port, Data)                                       \
	((void)(*(Data) = (ULONG)ndisdma_port_read_(ND_PORT_(Port), 4)))
#define NdisRawWritePortUchar(Port, Data)                                      \
	ndisdma_port_write_(ND_PORT_(Port), 1, (UCHAR)(Data))
#define NdisRawWritePortUshort(Port, Data)                                     \
	ndisdma_port_write_(ND_PORT_(Port), 2, (USHORT)(Data))
#define NdisRawWritePortUlong(Port, Data)                                      \
	ndisdma_port_write_(ND_PORT_(Port), 4, (ULONG)(Data))
#define NdisRawReadPortBufferUchar(Port, Buffer, Length)                       \
	ndisdma_port_read_buf_(ND_PORT_(Port), 1, (Buffer), (Length))
#define NdisRawReadPortBufferUshort(Port, Buffer, Length)                      \
	ndisdma_port_read_buf_(ND_PORT_(Port), 2, (Buffer), (Length))
#define NdisRawReadPortBufferUlong(Port, Buffer, Length)                       \
	ndisdma_port_read_buf_(ND_PORT_(Port), 4, (Buffer), (Length))
#define NdisRawWritePortBufferUchar(Port, Buffer, Length)                      \
	ndisdma_port_write_buf_(ND_PORT_(Port), 1, (Buffer), (Length))
#define NdisRawWritePortBufferUshort(Port, Buffer, Length)                     \
	ndisdma_port_write_buf_(ND_PORT_(Port), 2, (Buffer), (Length))
#define NdisRawWritePortBufferUlong(Port, Buffer, Length)                      \
	ndisdma_port_write_buf_(ND_PORT_(Port), 4, (Buffer), (Length))

#ifdef __cplusplus
}
#endif

#endif
