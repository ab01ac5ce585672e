/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/resources.h - hardware resource descriptions as NDIS hands
 * them to a miniport: the CM partial resource list that
 * NdisMQueryAdapterResources fills (NDIS_RESOURCE_LIST) and that NDIS 6
 * passes in NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources, the
 * interrupt mode, and the configuration parameter of
 * NdisReadConfiguration. Layouts as wdm.h declares them for x64 (the
 * descriptor is packed to 4 bytes: 20 bytes, union at offset 4).
 * Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_RESOURCES_H
#define NDISDMA_NDIS_RESOURCES_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef ULONG_PTR KAFFINITY, *PKAFFINITY;

/* ---- interrupt mode (NdisMRegisterInterrupt's InterruptMode) ---- */
typedef enum _KINTERRUPT_MODE {
	LevelSensitive,
	Latched
} KINTERRUPT_MODE,
    *PKINTERRUPT_MODE;

typedef KINTERRUPT_MODE NDIS_INTERRUPT_MODE, *PNDIS_INTERRUPT_MODE;
#define NdisInterruptLevelSensitive LevelSensitive
#define NdisInterruptLatched Latched
/* interrupt.h skips its copy */
#define NDISDMA_HAVE_KINTERRUPT_MODE 1

/* ---- CM_PARTIAL_RESOURCE_DESCRIPTOR.Type ---- */
#define CmResourceTypeNull 0
#define CmResourceTypePort 1
#define CmResourceTypeInterrupt 2
#define CmResourceTypeMemory 3
#define CmResourceTypeDma 4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber 6
#define CmResourceTypeMemoryLarge 7
#define CmResourceTypeNonArbitrated 128
#define CmResourceTypeConfigData 128
#define CmResourceTypeDevicePrivate 129
#define CmResourceTypePcCardConfig 130
#define CmResourceTypeMfCardConfig 131
#define CmResourceTypeConnection 132

/* ---- ShareDisposition ---- */
typedef enum _CM_SHARE_DISPOSITION {
	CmResourceShareUndetermined = 0,
	CmResourceShareDeviceExclusive,
	CmResourceShareDriverExclusive,
	CmResourceShareShared
} CM_SHARE_DISPOSITION;

/* ---- Flags, by type ---- */
#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED 0x0001
#define CM_RESOURCE_INTERRUPT_MESSAGE 0x0002
#define CM_RESOURCE_INTERRUPT_POLICY_INCLUDED 0x0004
#define CM_RESOURCE_INTERRUPT_SECONDARY_INTERRUPT 0x0010
#define CM_RESOURCE_INTERRUPT_WAKE_HINT 0x0020
#define CM_RESOURCE_INTERRUPT_LEVEL_LATCHED_BITS 0x0001

#define CM_RESOURCE_MEMORY_READ_WRITE 0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY 0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY 0x0002
#define CM_RESOURCE_MEMORY_WRITEABILITY_MASK 0x0003
#define CM_RESOURCE_MEMORY_PREFETCHABLE 0x0004
#define CM_RESOURCE_MEMORY_COMBINEDWRITE 0x0008
#define CM_RESOURCE_MEMORY_24 0x0010
#define CM_RESOURCE_MEMORY_CACHEABLE 0x0020
#define CM_RESOURCE_MEMORY_WINDOW_DECODE 0x0040
#define CM_RESOURCE_MEMORY_BAR 0x0080
#define CM_RESOURCE_MEMORY_COMPAT_FOR_INACCESSIBLE_RANGE 0x0100
#define CM_RESOURCE_MEMORY_LARGE 0x0E00
#define CM_RESOURCE_MEMORY_LARGE_40 0x0200
#define CM_RESOURCE_MEMORY_LARGE_48 0x0400
#define CM_RESOURCE_MEMORY_LARGE_64 0x0800

#define CM_RESOURCE_PORT_MEMORY 0x0000
#define CM_RESOURCE_PORT_IO 0x0001
#define CM_RESOURCE_PORT_10_BIT_DECODE 0x0004
#define CM_RESOURCE_PORT_12_BIT_DECODE 0x0008
#define CM_RESOURCE_PORT_16_BIT_DECODE 0x0010
#define CM_RESOURCE_PORT_POSITIVE_DECODE 0x0020
#define CM_RESOURCE_PORT_PASSIVE_DECODE 0x0040
#define CM_RESOURCE_PORT_WINDOW_DECODE 0x0080
#define CM_RESOURCE_PORT_BAR 0x0100

#define CM_RESOURCE_DMA_8 0x0000
#define CM_RESOURCE_DMA_16 0x0001
#define CM_RESOURCE_DMA_32 0x0002
#define CM_RESOURCE_DMA_8_AND_16 0x0004
#define CM_RESOURCE_DMA_BUS_MASTER 0x0008
#define CM_RESOURCE_DMA_TYPE_A 0x0010
#define CM_RESOURCE_DMA_TYPE_B 0x0020
#define CM_RESOURCE_DMA_TYPE_F 0x0040

#pragma pack(push, 4)
typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
	UCHAR Type;
	UCHAR ShareDisposition;
	USHORT Flags;
	union {
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Generic;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Port;
		struct {
#if defined(NT_PROCESSOR_GROUPS)
			USHORT Level;
			USHORT Group;
#else
			ULONG Level; /* Group 0: the same bytes */
#endif
			ULONG Vector;
			KAFFINITY Affinity;
		} Interrupt;
		struct {
			union {
				struct {
#if defined(NT_PROCESSOR_GROUPS)
					USHORT Group;
#else
					USHORT Reserved;
#endif
					USHORT MessageCount;
					ULONG Vector;
					KAFFINITY Affinity;
				} Raw;
				struct {
#if defined(NT_PROCESSOR_GROUPS)
					USHORT Level;
					USHORT Group;
#else
					ULONG Level;
#endif
					ULONG Vector;
					KAFFINITY Affinity;
				} Translated;
			};
		} MessageInterrupt;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length;
		} Memory;
		struct {
			ULONG Channel;
			ULONG Port;
			ULONG Reserved1;
		} Dma;
		struct {
			ULONG Channel;
			ULONG RequestLine;
			UCHAR TransferWidth;
			UCHAR Reserved1;
			UCHAR Reserved2;
			UCHAR Reserved3;
		} DmaV3;
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
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length40;
		} Memory40;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length48;
		} Memory48;
		struct {
			PHYSICAL_ADDRESS Start;
			ULONG Length64;
		} Memory64;
		struct {
			UCHAR Class;
			UCHAR Type;
			UCHAR Reserved1;
			UCHAR Reserved2;
			ULONG IdLowPart;
			ULONG IdHighPart;
		} Connection;
	} u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

typedef struct _CM_PARTIAL_RESOURCE_LIST {
	USHORT Version;
	USHORT Revision;
	ULONG Count;
	CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;
#pragma pack(pop)

typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

/* ---- NdisReadConfiguration's parameter ---- */
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

#if defined(__cplusplus)
static_assert(sizeof(void *) != 8 ||
		  sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20,
	      "CM_PARTIAL_RESOURCE_DESCRIPTOR x64 layout");
#else
_Static_assert(sizeof(void *) != 8 ||
		   sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR) == 20,
	       "CM_PARTIAL_RESOURCE_DESCRIPTOR is 0x14 bytes on x64");
_Static_assert(offsetof(CM_PARTIAL_RESOURCE_DESCRIPTOR, u) == 4,
	       "the union follows Type/ShareDisposition/Flags");
_Static_assert(offsetof(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Affinity) ==
		   12,
	       "Interrupt.Affinity at 0xc");
_Static_assert(offsetof(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Length) == 12,
	       "Port.Length at 0xc");
_Static_assert(offsetof(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors) == 8,
	       "descriptors follow Version/Revision/Count");
_Static_assert(sizeof(void *) != 8 ||
		   offsetof(NDIS_CONFIGURATION_PARAMETER, ParameterData) == 8,
	       "NDIS_CONFIGURATION_PARAMETER: the union at 8 on x64");
#endif

#ifdef __cplusplus
}
#endif
#endif
