/* SPDX-License-Identifier: MIT */
/*
 * lf_good.c - a tiny NDIS 5.1 miniport built as a shared object for the
 * ndisdma_driver_load_file tests: MiniportInitialize takes one block of
 * shared memory, MiniportHalt gives it back. Variants (by macro): a
 * DriverEntry that fails, none at all, a call to an undefined function.
 */
#include <ndis.h>

static PVOID block_va;
static NDIS_PHYSICAL_ADDRESS block_pa;
static NDIS_HANDLE lf_handle;

/* Exported so the test can see the object's own state (one per load). */
int lf_initialized;

__attribute__((unused)) static NDIS_STATUS
lf_initialize(PNDIS_STATUS open_error, PUINT medium, PNDIS_MEDIUM media,
	      UINT nmedia, NDIS_HANDLE handle, NDIS_HANDLE config)
{
	(void)open_error;
	(void)config;
	UINT i;
	for (i = 0; i < nmedia && media[i] != NdisMedium802_3; i++)
		;
	if (i == nmedia)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*medium = i;
	lf_handle = handle;
	NdisMSetAttributesEx(handle, &block_va, 0, NDIS_ATTRIBUTE_BUS_MASTER,
			     NdisInterfacePci);
	if (NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_64BITS, 1, 2048) !=
	    NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisMAllocateSharedMemory(handle, 4096, FALSE, &block_va, &block_pa);
	if (!block_va) {
		NdisMFreeMapRegisters(handle);
		return NDIS_STATUS_RESOURCES;
	}
	lf_initialized++;
	return NDIS_STATUS_SUCCESS;
}

__attribute__((unused)) static VOID lf_halt(NDIS_HANDLE ctx)
{
	(void)ctx;
	NdisMFreeSharedMemory(lf_handle, 4096, FALSE, block_va, block_pa);
	NdisMFreeMapRegisters(lf_handle);
}

#ifdef LF_UNDEF
void NdisFunctionNobodyDefines(void);
#endif

#ifndef LF_NOENTRY
NTSTATUS DriverEntry(PDRIVER_OBJECT obj, PUNICODE_STRING path);
NTSTATUS DriverEntry(PDRIVER_OBJECT obj, PUNICODE_STRING path)
{
#ifdef LF_UNDEF
	NdisFunctionNobodyDefines();
#endif
#ifdef LF_FAIL
	(void)obj;
	(void)path;
	return STATUS_UNSUCCESSFUL;
#else
	NDIS_HANDLE wrapper;
	NdisMInitializeWrapper(&wrapper, obj, path, NULL);
	if (!wrapper)
		return STATUS_UNSUCCESSFUL;
	NDIS_MINIPORT_CHARACTERISTICS c;
	NdisZeroMemory(&c, sizeof(c));
	c.MajorNdisVersion = 5;
	c.MinorNdisVersion = 1;
	c.InitializeHandler = lf_initialize;
	c.HaltHandler = lf_halt;
	if (NdisMRegisterMiniport(wrapper, &c, sizeof(c)) !=
	    NDIS_STATUS_SUCCESS) {
		NdisTerminateWrapper(wrapper, NULL);
		return STATUS_UNSUCCESSFUL;
	}
	return STATUS_SUCCESS;
#endif
}
#endif
