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

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CM resource descriptors (the layout of wdm.h: packed to 4) ---- */

#ifndef NDISDMA_HAVE_CM_RESOURCES
#define NDISDMA_HAVE_CM_RESOURCES 1

typedef ULONG_PTR KAFFINITY;

#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3
#define CmResourceTypeDma 4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber 6
#define CmResourceTypeMemoryLarge 7

typedef enum _CM_SHARE_DISPOSITION {
	CmResourceShareUndetermined = 0,
	CmResourceShareDeviceExclusive,
	CmResourceShareDriverExclusive,
	CmResourceShareShared
} CM_SHARE_DISPOSITION;

#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0
#define CM_RESOURCE_INTERRUPT_LATCHED 1
#define CM_RESOURCE_INTERRUPT_MESSAGE 2
#define CM_RESOURCE_MEMORY_READ_WRITE 0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY 0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY 0x0002
#define CM_RESOURCE_MEMORY_PREFETCHABLE 0x0004
#define CM_RESOURCE_PORT_MEMORY 0x0000
#define CM_RESOURCE_PORT_IO 0x0001
#define CM_RESOURCE_PORT_10_BIT_DECODE 0x0004
#define CM_RESOURCE_PORT_12_BIT_DECODE 0x0008
#define CM_RESOURCE_PORT_16_BIT_DECODE 0x0010
#define CM_RESOURCE_PORT_POSITIVE_DECODE 0x0020

#pragma pack(push, 4)
typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
	UCHAR Type;
	UCHAR ShareDisposition;
	USHORT Flags;
	union {
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Generic, Port, Memory;
		struct {
			ULONG Level;
			ULONG Vector;
			KAFFINITY Affinity;
		} Interrupt;
		struct {
			ULONG Channel;
			ULONG Port;
			ULONG Reserved1;
		} Dma;
		struct {
			ULONG Data[3];
		} DevicePrivate;
		struct {
			ULONG Start;
			ULONG Length;
			ULONG Reserved;
		} BusNumber;
		struct {
			ULONG DataSize;
			ULONG Reserved1;
			ULONG Reserved2;
		} DeviceSpecificData;
	} u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;
#pragma pack(pop)

typedef struct _CM_PARTIAL_RESOURCE_LIST {
	USHORT Version;
	USHORT Revision;
	ULONG Count;
	CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;

typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;
#endif /* NDISDMA_HAVE_CM_RESOURCES */

/* ---- configuration parameters ---- */

#ifndef NDISDMA_HAVE_CONFIGURATION_PARAMETER
#define NDISDMA_HAVE_CONFIGURATION_PARAMETER 1
typedef enum _NDIS_PARAMETER_TYPE {
	NdisParameterInteger,
	NdisParameterHexInteger,
	NdisParameterString,
	NdisParameterMultiString,
	NdisParameterBinary
} NDIS_PARAMETER_TYPE,
    *PNDIS_PARAMETER_TYPE;

typedef struct {
	USHORT Length;
	PVOID Buffer;
} BINARY_DATA;

typedef struct _NDIS_CONFIGURATION_PARAMETER {
	NDIS_PARAMETER_TYPE ParameterType;
	union {
		ULONG IntegerData;
		NDIS_STRING StringData;
		BINARY_DATA BinaryData;
	} ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;

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
#endif /* NDISDMA_HAVE_CONFIGURATION_PARAMETER */

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
