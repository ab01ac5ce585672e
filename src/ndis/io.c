/* SPDX-License-Identifier: MIT */
/*
 * io.c - port ranges and mapped I/O space: NdisMRegisterIoPortRange,
 * NdisMDeregisterIoPortRange, NdisMMapIoSpace, NdisMUnmapIoSpace. Checks
 * the documented rules (report, then what ndis.sys does: nd_report), then
 * calls core (iospace.c), where the port and register accesses are.
 */
#include "../core/hwio.h"

#include <errno.h>

NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE h,
				     UINT InitialPort, UINT NumberOfPorts)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMRegisterIoPortRange", site);
	if (!ad || !PortOffset || NumberOfPorts == 0 ||
	    (uint64_t)InitialPort + NumberOfPorts > 0x100000000ull)
		return NDIS_STATUS_FAILURE;
	if (!nd_irql_at_most(PASSIVE_LEVEL, "NdisMRegisterIoPortRange", ad,
			     site))
		return NDIS_STATUS_FAILURE;
	if (!nd_in_init(ad) &&
	    nd_report(ND_RULE_IO_CONTEXT, ad, InitialPort, NumberOfPorts, site,
		      "NdisMRegisterIoPortRange outside MiniportInitialize"))
		return NDIS_STATUS_FAILURE;
	if (!nd_io_port_decoded(ad, InitialPort, NumberOfPorts) &&
	    nd_report(ND_RULE_IO_PORT_REGISTER, ad, InitialPort, NumberOfPorts,
		      site,
		      "NdisMRegisterIoPortRange of ports 0x%x..0x%x: no I/O "
		      "BAR of the device decodes all of them",
		      InitialPort, InitialPort + NumberOfPorts - 1))
		return NDIS_STATUS_RESOURCE_CONFLICT;
	if (nd_io_port_register(ad, InitialPort, NumberOfPorts, site))
		return NDIS_STATUS_RESOURCES;
	/* x86: the mapped "virtual" port is the port itself */
	*PortOffset = (PVOID)(ULONG_PTR)InitialPort;
	return NDIS_STATUS_SUCCESS;
}

void NdisMDeregisterIoPortRange(NDIS_HANDLE h, UINT InitialPort,
				UINT NumberOfPorts, PVOID PortOffset)
{
	const void *site = ND_SITE();
	(void)PortOffset;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMDeregisterIoPortRange", site);
	if (!ad || !nd_irql_at_most(PASSIVE_LEVEL, "NdisMDeregisterIoPortRange",
				    ad, site))
		return;
	if (nd_io_port_deregister(ad, InitialPort, NumberOfPorts))
		nd_report(ND_RULE_IO_DEREGISTER_UNKNOWN, ad, InitialPort,
			  NumberOfPorts, site,
			  "NdisMDeregisterIoPortRange of ports 0x%x+%u: not "
			  "a range this adapter registered",
			  InitialPort, NumberOfPorts);
}

NDIS_STATUS NdisMMapIoSpace(PVOID *VirtualAddress, NDIS_HANDLE h,
			    NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length)
{
	const void *site = ND_SITE();
	if (VirtualAddress)
		*VirtualAddress = NULL;
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMMapIoSpace", site);
	if (!ad || !VirtualAddress || Length == 0)
		return NDIS_STATUS_FAILURE;
	if (!nd_irql_at_most(PASSIVE_LEVEL, "NdisMMapIoSpace", ad, site))
		return NDIS_STATUS_FAILURE;
	uint64_t pa = (uint64_t)PhysicalAddress.QuadPart;
	if (!nd_in_init(ad) &&
	    nd_report(ND_RULE_IO_CONTEXT, ad, pa, Length, site,
		      "NdisMMapIoSpace outside MiniportInitialize"))
		return NDIS_STATUS_FAILURE;
	int rc = nd_io_map(ad, pa, Length, VirtualAddress, site);
	if (rc == -ENOENT) {
		/* Windows maps any physical range; user space cannot */
		nd_report(ND_RULE_IO_MAP_OUTSIDE, ad, pa, Length, site,
			  "NdisMMapIoSpace of 0x%llx+%u: no memory BAR of the "
			  "device covers it (see NdisMQueryAdapterResources)",
			  (unsigned long long)pa, Length);
		return NDIS_STATUS_RESOURCE_CONFLICT;
	}
	return rc ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS;
}

void NdisMUnmapIoSpace(NDIS_HANDLE h, PVOID VirtualAddress, UINT Length)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(h, "NdisMUnmapIoSpace", site);
	if (!ad ||
	    !nd_irql_at_most(PASSIVE_LEVEL, "NdisMUnmapIoSpace", ad, site))
		return;
	if (nd_io_unmap(ad, VirtualAddress, Length))
		/* Windows bug-checks: nothing is unmapped */
		nd_report(ND_RULE_IO_UNMAP_UNKNOWN, ad,
			  (uintptr_t)VirtualAddress, Length, site,
			  "NdisMUnmapIoSpace of %p+%u: not a mapping "
			  "NdisMMapIoSpace returned on this adapter (or "
			  "unmapped already, or another length)",
			  VirtualAddress, Length);
}

/* Whether ctx is the WrapperConfigurationContext of a running
 * MiniportInitialize called at PASSIVE_LEVEL (else reported: unknown
 * handle, stale context, IRQL). */
static bool immediate_ctx(NDIS_HANDLE ctx, const char *fn, const void *site)
{
	struct nd_adapter *ad ND_ADAPTER_AUTOPUT =
	    nd_adapter_lookup(ctx, fn, site);
	if (!ad || !nd_irql_at_most(PASSIVE_LEVEL, fn, ad, site))
		return false;
	return nd_in_init(ad) ||
	       !nd_report(ND_RULE_CONFIG_CONTEXT, ad, 0, 0, site,
			  "%s with the WrapperConfigurationContext outside "
			  "MiniportInitialize",
			  fn);
}

#define ND_IMMEDIATE_READ(name, type, width)                                   \
	void name(NDIS_HANDLE ctx, ULONG Port, type *Data)                     \
	{                                                                      \
		const void *site = ND_SITE();                                  \
		uint32_t v = 0xFFFFFFFFu;                                      \
		if (immediate_ctx(ctx, #name, site))                           \
			v = nd_port_immediate(Port, width, false, 0);          \
		if (Data)                                                      \
			*Data = (type)v;                                       \
	}
#define ND_IMMEDIATE_WRITE(name, type, width)                                  \
	void name(NDIS_HANDLE ctx, ULONG Port, type Data)                      \
	{                                                                      \
		const void *site = ND_SITE();                                  \
		if (immediate_ctx(ctx, #name, site))                           \
			nd_port_immediate(Port, width, true, Data);            \
	}

ND_IMMEDIATE_READ(NdisImmediateReadPortUchar, UCHAR, 1)
ND_IMMEDIATE_READ(NdisImmediateReadPortUshort, USHORT, 2)
ND_IMMEDIATE_READ(NdisImmediateReadPortUlong, ULONG, 4)
ND_IMMEDIATE_WRITE(NdisImmediateWritePortUchar, UCHAR, 1)
ND_IMMEDIATE_WRITE(NdisImmediateWritePortUshort, USHORT, 2)
ND_IMMEDIATE_WRITE(NdisImmediateWritePortUlong, ULONG, 4)
