/* SPDX-License-Identifier: MIT */
/*
 * io.c - port ranges and mapped I/O space: NdisMRegisterIoPortRange,
 * NdisMDeregisterIoPortRange, NdisMMapIoSpace, NdisMUnmapIoSpace. Checks
 * the documented rules, then calls core (iospace.c), where the port and
 * register accesses themselves are.
 */
#include "../core/hwio.h"

#include <errno.h>

NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE h,
				     UINT InitialPort, UINT NumberOfPorts)
{
	const void *site = ND_SITE();
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMRegisterIoPortRange", site);
	if (!ad || !PortOffset || NumberOfPorts == 0 ||
	    (uint64_t)InitialPort + NumberOfPorts > 0x100000000ull)
		return NDIS_STATUS_FAILURE;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMRegisterIoPortRange", ad, site);
	if (!nd_in_init(ad))
		nd_report(ND_RULE_IO_CONTEXT, ad, InitialPort, NumberOfPorts,
			  site,
			  "NdisMRegisterIoPortRange outside "
			  "MiniportInitialize");
	bool decoded;
	if (nd_io_port_register(ad, InitialPort, NumberOfPorts, &decoded, site))
		return NDIS_STATUS_RESOURCES;
	if (!decoded)
		nd_report(ND_RULE_IO_PORT_REGISTER, ad, InitialPort,
			  NumberOfPorts, site,
			  "NdisMRegisterIoPortRange of ports 0x%x..0x%x: no "
			  "I/O BAR of the device decodes all of them",
			  InitialPort, InitialPort + NumberOfPorts - 1);
	/* x86: the mapped "virtual" port is the port itself */
	*PortOffset = (PVOID)(ULONG_PTR)InitialPort;
	return NDIS_STATUS_SUCCESS;
}

void NdisMDeregisterIoPortRange(NDIS_HANDLE h, UINT InitialPort,
				UINT NumberOfPorts, PVOID PortOffset)
{
	const void *site = ND_SITE();
	(void)PortOffset;
	struct nd_adapter *ad =
	    nd_adapter_lookup(h, "NdisMDeregisterIoPortRange", site);
	if (!ad)
		return;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMDeregisterIoPortRange", ad, site);
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
	struct nd_adapter *ad = nd_adapter_lookup(h, "NdisMMapIoSpace", site);
	if (!ad || !VirtualAddress || Length == 0)
		return NDIS_STATUS_FAILURE;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMMapIoSpace", ad, site);
	uint64_t pa = (uint64_t)PhysicalAddress.QuadPart;
	if (!nd_in_init(ad))
		nd_report(ND_RULE_IO_CONTEXT, ad, pa, Length, site,
			  "NdisMMapIoSpace outside MiniportInitialize");
	int rc = nd_io_map(ad, pa, Length, VirtualAddress, site);
	if (rc == -ENOENT) {
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
	struct nd_adapter *ad = nd_adapter_lookup(h, "NdisMUnmapIoSpace", site);
	if (!ad)
		return;
	nd_irql_at_most(PASSIVE_LEVEL, "NdisMUnmapIoSpace", ad, site);
	if (nd_io_unmap(ad, VirtualAddress, Length))
		nd_report(ND_RULE_IO_UNMAP_UNKNOWN, ad,
			  (uintptr_t)VirtualAddress, Length, site,
			  "NdisMUnmapIoSpace of %p+%u: not a mapping "
			  "NdisMMapIoSpace returned on this adapter (or "
			  "unmapped already, or another length)",
			  VirtualAddress, Length);
}
