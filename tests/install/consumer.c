/* SPDX-License-Identifier: MIT */
/* An outside program built only from the installed headers and library,
 * through pkg-config: <ndis.h> and the native API resolve. */
#include <ndis.h>
#include <ndisdma/ndisdma.h>

#include <stdio.h>

static NDIS_STATUS init(PNDIS_STATUS oe, PUINT sel, PNDIS_MEDIUM m, UINT n,
			NDIS_HANDLE h, NDIS_HANDLE cfg)
{
	(void)oe, (void)m, (void)n, (void)cfg;
	*sel = 0;
	NdisMSetAttributesEx(h, h, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	return NdisMAllocateMapRegisters(h, 0, NDIS_DMA_32BITS, 1, 2048);
}

static VOID halt(NDIS_HANDLE ctx)
{
	NdisMFreeMapRegisters(ctx);
}

static NTSTATUS entry(PDRIVER_OBJECT o, PUNICODE_STRING p)
{
	NDIS_HANDLE w;
	NDIS_MINIPORT_CHARACTERISTICS c = { 0 };
	NdisMInitializeWrapper(&w, o, p, NULL);
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = init;
	c.HaltHandler = halt;
	return NdisMRegisterMiniport(w, &c, sizeof(c));
}

int main(void)
{
	ndisdma_driver *d;
	ndisdma_adapter *a;
	if (ndisdma_driver_load(entry, "consumer", &d) ||
	    ndisdma_adapter_start(d, "sim", &a))
		return 1;
	int leaks = ndisdma_adapter_halt(a);
	ndisdma_driver_unload(d);
	printf("consumer: halt reclaimed %d\n", leaks);
	return leaks != 0;
}
