/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/config.h - a miniport's configuration and resources: the
 * parameters of its registry key (NdisOpenConfiguration,
 * NdisReadConfiguration, ...), the hardware resources of its adapter
 * (NdisMQueryAdapterResources, NdisMPciAssignResources) and its PCI
 * configuration space (NdisReadPciSlotInformation). Included by <ndis.h>.
 *
 * The parameters are strings the host sets per driver
 * (ndisdma_driver_set_param), as an INF's AddReg creates REG_SZ values.
 * The resources are the device's BARs and its interrupt, as Windows gives
 * a PCI function's translated resources.
 */
#ifndef NDISDMA_NDIS_CONFIG_H
#define NDISDMA_NDIS_CONFIG_H

#include "resources.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The CM resource types (NDIS_RESOURCE_LIST) and NDIS_CONFIGURATION_PARAMETER
 * are in <ndisdma/ndis/resources.h>. */

typedef enum _NDIS_ENVIRONMENT_TYPE {
	NdisEnvironmentWindows,
	NdisEnvironmentWindowsNt
} NDIS_ENVIRONMENT_TYPE,
    *PNDIS_ENVIRONMENT_TYPE;

typedef enum _NDIS_PROCESSOR_TYPE {
	NdisProcessorX86,
	NdisProcessorMips,
	NdisProcessorAlpha,
	NdisProcessorPpc,
	NdisProcessorAmd64,
	NdisProcessorIA64,
	NdisProcessorArm,
	NdisProcessorArm64
} NDIS_PROCESSOR_TYPE,
    *PNDIS_PROCESSOR_TYPE;

/* Open the adapter's parameter key. WrapperConfigurationContext is the
 * handle MiniportInitialize got (the adapter). *Status: SUCCESS with
 * *ConfigurationHandle, RESOURCES (memory), FAILURE (not an adapter's
 * context: reported handle.unknown). Using the context outside
 * MiniportInitialize is reported (config.context) and works. PASSIVE_LEVEL.
 * The handle and everything read through it live until
 * NdisCloseConfiguration; one still open at halt is closed and reported
 * (halt.leak-object). */
void NdisOpenConfiguration(PNDIS_STATUS Status,
			   PNDIS_HANDLE ConfigurationHandle,
			   NDIS_HANDLE WrapperConfigurationContext);

/* Open subkey KeyName (parameters named "KeyName\\Value") / the Index-th
 * subkey (in the order the names were first set) of an open key. *Status
 * SUCCESS with *KeyHandle, FAILURE (no such subkey, a handle not open:
 * reported config.bad-handle), RESOURCES. Close it with
 * NdisCloseConfiguration. PASSIVE_LEVEL. */
void NdisOpenConfigurationKeyByName(PNDIS_STATUS Status,
				    NDIS_HANDLE ConfigurationHandle,
				    PNDIS_STRING SubKeyName,
				    PNDIS_HANDLE SubKeyHandle);
void NdisOpenConfigurationKeyByIndex(PNDIS_STATUS Status,
				     NDIS_HANDLE ConfigurationHandle,
				     ULONG Index, PNDIS_STRING KeyName,
				     PNDIS_HANDLE KeyHandle);

/* Read value Keyword (case-insensitive) of the key. The value is a string;
 * asked as NdisParameterInteger it is returned as an integer when it is a
 * decimal number (as NDIS converts a REG_SZ with base 10), asked as
 * NdisParameterHexInteger when it is a hex number (base 16, "0x" allowed),
 * otherwise - and asked as any other type - as NdisParameterString.
 * Predefined keywords (when not set): Environment (NdisEnvironmentWindowsNt),
 * ProcessorType (this machine's), NdisVersion (0x00060000).
 * *Status: SUCCESS with *ParameterValue (valid until the handle is closed),
 * FAILURE (no such value, NULL arguments, a handle not open: reported
 * config.bad-handle), RESOURCES. PASSIVE_LEVEL. */
void NdisReadConfiguration(PNDIS_STATUS Status,
			   PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
			   NDIS_HANDLE ConfigurationHandle,
			   PNDIS_STRING Keyword,
			   NDIS_PARAMETER_TYPE ParameterType);

/* Set value Keyword of the key for this adapter (NdisReadConfiguration sees
 * it at once; the driver's parameters for other adapters do not change).
 * Integers are stored as decimal (NdisParameterInteger) or hex
 * (NdisParameterHexInteger) text, strings as they are. *Status: SUCCESS,
 * NOT_SUPPORTED (MultiString or Binary), FAILURE (bad handle: reported,
 * NULL arguments), RESOURCES. PASSIVE_LEVEL. */
void NdisWriteConfiguration(PNDIS_STATUS Status,
			    NDIS_HANDLE ConfigurationHandle,
			    PNDIS_STRING Keyword,
			    PNDIS_CONFIGURATION_PARAMETER ParameterValue);

/* Close a key opened by NdisOpenConfiguration(KeyBy*), freeing what was
 * read through it. A handle not open is reported (config.bad-handle) and
 * ignored. PASSIVE_LEVEL. */
void NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle);

/* The NetworkAddress parameter as a MAC address: 12 hex digits, optionally
 * separated in pairs by ':' or '-' ("02:00:00:00:00:01", "020000000001").
 * *Status: SUCCESS with *NetworkAddress (6 bytes, valid until the handle is
 * closed) and *NetworkAddressLength 6; FAILURE (absent or malformed, bad
 * handle: reported). PASSIVE_LEVEL. */
void NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress,
			    PUINT NetworkAddressLength,
			    NDIS_HANDLE ConfigurationHandle);

/* The adapter's resources: port and memory BARs (in BAR order) and the
 * interrupt (Level = Vector = the Interrupt Line of config space, level
 * sensitive, shared), as a CM_PARTIAL_RESOURCE_LIST in the caller's buffer
 * of *BufferSize bytes. *Status SUCCESS; RESOURCES when the buffer is too
 * small (*BufferSize is set to the size needed); FAILURE for an unknown
 * context (reported handle.unknown). Outside MiniportInitialize: reported
 * config.context, works. PASSIVE_LEVEL. */
void NdisMQueryAdapterResources(PNDIS_STATUS Status,
				NDIS_HANDLE WrapperConfigurationContext,
				PNDIS_RESOURCE_LIST ResourceList,
				PUINT BufferSize);

/* The same list, owned by NDIS (freed at halt). Returns SUCCESS,
 * RESOURCES, FAILURE (unknown handle). SlotNumber is ignored, as on
 * Windows 2000 and later. PASSIVE_LEVEL. */
NDIS_STATUS NdisMPciAssignResources(NDIS_HANDLE MiniportAdapterHandle,
				    ULONG SlotNumber,
				    PNDIS_RESOURCE_LIST *AssignedResources);

/* Read / write Length bytes of the adapter's PCI configuration space at
 * Offset. SlotNumber is ignored. Returns the bytes transferred: 0 for an
 * unknown handle (reported), a range past 256 bytes, or a bus without
 * configuration space. On sim, a device without a model reads all ones.
 * At most DISPATCH_LEVEL. */
ULONG NdisReadPciSlotInformation(NDIS_HANDLE NdisAdapterHandle,
				 ULONG SlotNumber, ULONG Offset, PVOID Buffer,
				 ULONG Length);
ULONG NdisWritePciSlotInformation(NDIS_HANDLE NdisAdapterHandle,
				  ULONG SlotNumber, ULONG Offset, PVOID Buffer,
				  ULONG Length);

#ifdef __cplusplus
}
#endif

#endif
