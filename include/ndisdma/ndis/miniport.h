/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/miniport.h - registering a miniport driver and its adapters:
 * NDIS 5.x (NdisMInitializeWrapper, NdisMRegisterMiniport,
 * NdisMSetAttributesEx) and NDIS 6 (NdisMRegisterMiniportDriver,
 * NdisMSetMiniportAttributes). Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_MINIPORT_H
#define NDISDMA_NDIS_MINIPORT_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum _NDIS_MEDIUM {
	NdisMedium802_3,
	NdisMedium802_5,
	NdisMediumFddi,
	NdisMediumWan,
	NdisMediumLocalTalk,
	NdisMediumDix,
	NdisMediumArcnetRaw,
	NdisMediumArcnet878_2,
	NdisMediumAtm,
	NdisMediumWirelessWan,
	NdisMediumIrda,
	NdisMediumBpc,
	NdisMediumCoWan,
	NdisMedium1394,
	NdisMediumInfiniBand,
	NdisMediumTunnel,
	NdisMediumNative802_11,
	NdisMediumLoopback,
	NdisMediumMax
} NDIS_MEDIUM, *PNDIS_MEDIUM;

typedef enum _NDIS_INTERFACE_TYPE {
	NdisInterfaceInternal = 0,
	NdisInterfaceIsa = 1,
	NdisInterfaceEisa = 2,
	NdisInterfaceMca = 3,
	NdisInterfaceTurboChannel = 4,
	NdisInterfacePci = 5,
	NdisInterfacePcMcia = 8,
	NdisInterfaceCBus = 9,
	NdisInterfaceMPIBus = 10,
	NdisInterfaceMPSABus = 11,
	NdisInterfaceProcessorInternal = 12,
	NdisInterfaceInternalPowerBus = 13,
	NdisInterfacePNPISABus = 14,
	NdisInterfacePNPBus = 15,
	NdisInterfaceUSB = 16,
	NdisInterfaceIrda = 17,
	NdisInterface1394 = 18,
	NdisMaximumInterfaceType
} NDIS_INTERFACE_TYPE, *PNDIS_INTERFACE_TYPE;

/* ===================== NDIS 5.x ===================== */

struct _NDIS_PACKET;     /* <ndisdma/ndis/packet.h> */
struct _NET_BUFFER_LIST; /* <ndisdma/ndis/nbl.h> */

typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(
	PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
	PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
	NDIS_HANDLE MiniportAdapterHandle,
	NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_HALT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ISR_HANDLER)(PBOOLEAN InterruptRecognized,
			      PBOOLEAN QueueMiniportHandleInterrupt,
			      NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(
	NDIS_HANDLE MiniportAdapterContext, ULONG Oid, PVOID InformationBuffer,
	ULONG InformationBufferLength, PULONG BytesWritten,
	PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(
	PNDIS_STATUS OpenErrorStatus, NDIS_HANDLE MiniportAdapterContext,
	NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(PBOOLEAN AddressingReset,
				       NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
				      struct _NDIS_PACKET *Packet, UINT Flags);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(
	NDIS_HANDLE MiniportAdapterContext, ULONG Oid, PVOID InformationBuffer,
	ULONG InformationBufferLength, PULONG BytesRead, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(
	struct _NDIS_PACKET *Packet, PUINT BytesTransferred,
	NDIS_HANDLE MiniportAdapterContext,
	NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
	UINT BytesToTransfer);
typedef VOID (*W_RETURN_PACKET_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
					struct _NDIS_PACKET *Packet);
typedef VOID (*W_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
				       struct _NDIS_PACKET **PacketArray,
				       UINT NumberOfPackets);
/* MiniportAllocateComplete: the result of NdisMAllocateSharedMemoryAsync.
 * VirtualAddress is NULL (and *PhysicalAddress 0) on failure. */
typedef VOID (*W_ALLOCATE_COMPLETE_HANDLER)(
	NDIS_HANDLE MiniportAdapterContext, PVOID VirtualAddress,
	PNDIS_PHYSICAL_ADDRESS PhysicalAddress, ULONG Length, PVOID Context);
typedef VOID (*W_CANCEL_SEND_PACKETS_HANDLER)(
	NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef VOID (*W_PNP_EVENT_NOTIFY_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
					   LONG PnPEvent,
					   PVOID InformationBuffer,
					   ULONG InformationBufferLength);
typedef VOID (*W_MINIPORT_SHUTDOWN_HANDLER)(NDIS_HANDLE MiniportAdapterContext);

/* NDIS_MINIPORT_CHARACTERISTICS as of NDIS 5.1; a 3.0/4.0/5.0 driver
 * passes a shorter CharacteristicsLength (the prefix of its version). */
typedef struct _NDIS_MINIPORT_CHARACTERISTICS {
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	USHORT Filler;
	UINT Reserved;
	W_CHECK_FOR_HANG_HANDLER CheckForHangHandler;
	W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
	W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
	W_HALT_HANDLER HaltHandler;
	W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler;
	W_INITIALIZE_HANDLER InitializeHandler;
	W_ISR_HANDLER ISRHandler;
	W_QUERY_INFORMATION_HANDLER QueryInformationHandler;
	W_RECONFIGURE_HANDLER ReconfigureHandler;
	W_RESET_HANDLER ResetHandler;
	W_SEND_HANDLER SendHandler;
	W_SET_INFORMATION_HANDLER SetInformationHandler;
	W_TRANSFER_DATA_HANDLER TransferDataHandler;
	/* NDIS 4.0 */
	W_RETURN_PACKET_HANDLER ReturnPacketHandler;
	W_SEND_PACKETS_HANDLER SendPacketsHandler;
	W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler;
	/* NDIS 5.0 (connection-oriented; never called by ndisdma) */
	PVOID CoCreateVcHandler;
	PVOID CoDeleteVcHandler;
	PVOID CoActivateVcHandler;
	PVOID CoDeactivateVcHandler;
	PVOID CoSendPacketsHandler;
	PVOID CoRequestHandler;
	/* NDIS 5.1 */
	W_CANCEL_SEND_PACKETS_HANDLER CancelSendPacketsHandler;
	W_PNP_EVENT_NOTIFY_HANDLER PnPEventNotifyHandler;
	W_MINIPORT_SHUTDOWN_HANDLER AdapterShutdownHandler;
	PVOID Reserved1;
	PVOID Reserved2;
	PVOID Reserved3;
	PVOID Reserved4;
} NDIS_MINIPORT_CHARACTERISTICS, *PNDIS_MINIPORT_CHARACTERISTICS;

typedef NDIS_MINIPORT_CHARACTERISTICS NDIS51_MINIPORT_CHARACTERISTICS;

/* NdisMSetAttributesEx flags */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT 0x00000001
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT 0x00000002
#define NDIS_ATTRIBUTE_IGNORE_TOKEN_RING_ERRORS 0x00000004
#define NDIS_ATTRIBUTE_BUS_MASTER 0x00000008
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER 0x00000010
#define NDIS_ATTRIBUTE_DESERIALIZE 0x00000020
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND 0x00000040
#define NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK 0x00000080
#define NDIS_ATTRIBUTE_NOT_CO_NDIS 0x00000100
#define NDIS_ATTRIBUTE_USES_SAFE_BUFFER_APIS 0x00000200

/* Begin registration from DriverEntry: *NdisWrapperHandle receives the
 * handle for NdisMRegisterMiniport. SystemSpecific1/2 are DriverEntry's
 * DriverObject and RegistryPath. On failure (not called from DriverEntry,
 * or an unknown driver object) *NdisWrapperHandle is NULL and the misuse
 * is reported (rule "miniport.wrapper"). */
VOID NdisMInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle,
			    PVOID SystemSpecific1, PVOID SystemSpecific2,
			    PVOID SystemSpecific3);
/* Register an NDIS 3.0-5.1 miniport. Returns NDIS_STATUS_SUCCESS,
 * NDIS_STATUS_BAD_VERSION (MajorNdisVersion not 3, 4 or 5, or a length
 * too short for the version), NDIS_STATUS_BAD_CHARACTERISTICS (no
 * InitializeHandler or HaltHandler), NDIS_STATUS_FAILURE (bad wrapper
 * handle, or already registered). */
NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
				  PNDIS_MINIPORT_CHARACTERISTICS
					  MiniportCharacteristics,
				  UINT CharacteristicsLength);
/* End a registration begun with NdisMInitializeWrapper (from DriverEntry
 * after a failure, or from an unload handler). Cannot fail. */
VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle,
			  PVOID SystemSpecific);
/* From MiniportInitialize: record the adapter context the other handlers
 * receive, and the attributes (NDIS_ATTRIBUTE_BUS_MASTER enables shared
 * memory and map registers). A call outside MiniportInitialize or with
 * an unknown handle is reported (rule "miniport.attributes") and
 * ignored. */
VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle,
			  NDIS_HANDLE MiniportAdapterContext,
			  UINT CheckForHangTimeInSeconds, ULONG AttributeFlags,
			  NDIS_INTERFACE_TYPE AdapterType);

/* ===================== NDIS 6 ===================== */

typedef UCHAR NDIS_OBJECT_TYPE;
typedef struct _NDIS_OBJECT_HEADER {
	UCHAR Type;
	UCHAR Revision;
	USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_TYPE_DEFAULT 0x80
#define NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS 0x81
#define NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION 0x83
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT 0x84
#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS 0x8A
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES 0x9E
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES 0x9F

typedef enum _NDIS_HALT_ACTION {
	NdisHaltDeviceDisabled,
	NdisHaltDeviceInstanceDeInitialized,
	NdisHaltDevicePoweredDown,
	NdisHaltDeviceSurpriseRemoved,
	NdisHaltDeviceFailed,
	NdisHaltDeviceInitializationFailed,
	NdisHaltDeviceStopped
} NDIS_HALT_ACTION, *PNDIS_HALT_ACTION;

typedef ULONG NET_IFINDEX;
typedef union _NET_LUID {
	ULONG64 Value;
	struct {
		ULONG64 Reserved : 24;
		ULONG64 NetLuidIndex : 24;
		ULONG64 IfType : 16;
	} Info;
} NET_LUID, *PNET_LUID;

/* Handed to MiniportInitializeEx. AllocatedResources is NULL on every
 * bus ndisdma has: a driver reaches its registers through the native
 * API's device-access calls. */
typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	struct _CM_PARTIAL_RESOURCE_LIST *AllocatedResources;
	NDIS_HANDLE IMDeviceInstanceContext;
	NDIS_HANDLE MiniportAddDeviceContext;
	NET_IFINDEX IfIndex;
	NET_LUID NetLuid;
	PVOID DefaultPortAuthStates;
	PVOID PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;
#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1

typedef NDIS_STATUS (*MINIPORT_SET_OPTIONS)(NDIS_HANDLE NdisDriverHandle,
					    NDIS_HANDLE DriverContext);
typedef NDIS_STATUS (*MINIPORT_INITIALIZE)(
	NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
	PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef VOID (*MINIPORT_HALT)(NDIS_HANDLE MiniportAdapterContext,
			      NDIS_HALT_ACTION HaltAction);
typedef VOID (*MINIPORT_UNLOAD)(PDRIVER_OBJECT DriverObject);
typedef NDIS_STATUS (*MINIPORT_PAUSE)(NDIS_HANDLE MiniportAdapterContext,
				      PVOID PauseParameters);
typedef NDIS_STATUS (*MINIPORT_RESTART)(NDIS_HANDLE MiniportAdapterContext,
					PVOID RestartParameters);
typedef NDIS_STATUS (*MINIPORT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
					    PVOID OidRequest);
typedef VOID (*MINIPORT_SEND_NET_BUFFER_LISTS)(
	NDIS_HANDLE MiniportAdapterContext,
	struct _NET_BUFFER_LIST *NetBufferList, ULONG PortNumber,
	ULONG SendFlags);
typedef VOID (*MINIPORT_RETURN_NET_BUFFER_LISTS)(
	NDIS_HANDLE MiniportAdapterContext,
	struct _NET_BUFFER_LIST *NetBufferLists, ULONG ReturnFlags);
typedef VOID (*MINIPORT_CANCEL_SEND)(NDIS_HANDLE MiniportAdapterContext,
				     PVOID CancelId);
typedef BOOLEAN (*MINIPORT_CHECK_FOR_HANG)(NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*MINIPORT_RESET)(NDIS_HANDLE MiniportAdapterContext,
				      PBOOLEAN AddressingReset);
typedef VOID (*MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(
	NDIS_HANDLE MiniportAdapterContext, PVOID NetDevicePnPEvent);
typedef VOID (*MINIPORT_SHUTDOWN)(NDIS_HANDLE MiniportAdapterContext,
				  LONG ShutdownAction);
typedef VOID (*MINIPORT_CANCEL_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
					    PVOID RequestId);
typedef NDIS_STATUS (*MINIPORT_DIRECT_OID_REQUEST)(
	NDIS_HANDLE MiniportAdapterContext, PVOID OidRequest);
typedef VOID (*MINIPORT_CANCEL_DIRECT_OID_REQUEST)(
	NDIS_HANDLE MiniportAdapterContext, PVOID RequestId);
typedef NDIS_STATUS (*MINIPORT_SYNCHRONOUS_OID_REQUEST)(
	NDIS_HANDLE MiniportAdapterContext, PVOID OidRequest);

typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	UCHAR MajorDriverVersion;
	UCHAR MinorDriverVersion;
	ULONG Flags;
	MINIPORT_SET_OPTIONS SetOptionsHandler;
	MINIPORT_INITIALIZE InitializeHandlerEx;
	MINIPORT_HALT HaltHandlerEx;
	MINIPORT_UNLOAD UnloadHandler;
	MINIPORT_PAUSE PauseHandler;
	MINIPORT_RESTART RestartHandler;
	MINIPORT_OID_REQUEST OidRequestHandler;
	MINIPORT_SEND_NET_BUFFER_LISTS SendNetBufferListsHandler;
	MINIPORT_RETURN_NET_BUFFER_LISTS ReturnNetBufferListsHandler;
	MINIPORT_CANCEL_SEND CancelSendHandler;
	MINIPORT_CHECK_FOR_HANG CheckForHangHandlerEx;
	MINIPORT_RESET ResetHandlerEx;
	MINIPORT_DEVICE_PNP_EVENT_NOTIFY DevicePnPEventNotifyHandler;
	MINIPORT_SHUTDOWN ShutdownHandlerEx;
	MINIPORT_CANCEL_OID_REQUEST CancelOidRequestHandler;
	/* revision 2 (NDIS 6.20) */
	MINIPORT_DIRECT_OID_REQUEST DirectOidRequestHandler;
	MINIPORT_CANCEL_DIRECT_OID_REQUEST CancelDirectOidRequestHandler;
	/* revision 3 (NDIS 6.80) */
	MINIPORT_SYNCHRONOUS_OID_REQUEST SynchronousOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  CancelOidRequestHandler) +                                   \
	 sizeof(MINIPORT_CANCEL_OID_REQUEST))
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  CancelDirectOidRequestHandler) +                             \
	 sizeof(MINIPORT_CANCEL_DIRECT_OID_REQUEST))
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  SynchronousOidRequestHandler) +                              \
	 sizeof(MINIPORT_SYNCHRONOUS_OID_REQUEST))

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	NDIS_HANDLE MiniportAdapterContext;
	ULONG AttributeFlags;
	UINT CheckForHangTimeInSeconds;
	NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
	*PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1       \
	(offsetof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,               \
		  InterfaceType) +                                             \
	 sizeof(NDIS_INTERFACE_TYPE))

#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE 0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM 0x00000002
#define NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK 0x00000004
#define NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS 0x00000008
#define NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO 0x00000010
#define NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND 0x00000020
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER 0x00000040
#define NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT 0x00000080

/* The union NDIS passes to NdisMSetMiniportAttributes; only the
 * registration attributes matter to the DMA system. */
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
	NDIS_OBJECT_HEADER Header;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/* Register an NDIS 6 miniport from DriverEntry. Returns
 * NDIS_STATUS_SUCCESS and *NdisMiniportDriverHandle;
 * NDIS_STATUS_BAD_VERSION (MajorNdisVersion not 6, or a header revision
 * this library does not know); NDIS_STATUS_BAD_CHARACTERISTICS (header
 * type or size wrong, no InitializeHandlerEx or HaltHandlerEx);
 * NDIS_STATUS_FAILURE (not from DriverEntry, or already registered). */
NDIS_STATUS NdisMRegisterMiniportDriver(
	PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
	NDIS_HANDLE MiniportDriverContext,
	PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
	PNDIS_HANDLE NdisMiniportDriverHandle);
/* Undo NdisMRegisterMiniportDriver (from DriverEntry after a failure, or
 * the unload handler). Cannot fail; an unknown handle is reported. */
VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle);
/* From MiniportInitializeEx: registration attributes (adapter context,
 * NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER). Returns NDIS_STATUS_SUCCESS,
 * NDIS_STATUS_INVALID_PARAMETER (unknown handle, NULL, a header of
 * another type/revision/size), NDIS_STATUS_FAILURE (outside
 * MiniportInitializeEx). Other attribute types are accepted and
 * ignored. */
NDIS_STATUS NdisMSetMiniportAttributes(
	NDIS_HANDLE NdisMiniportHandle,
	PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);

#ifdef __cplusplus
}
#endif
#endif
