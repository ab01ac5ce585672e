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
#include "oids.h"
#include "resources.h"

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
} NDIS_MEDIUM,
    *PNDIS_MEDIUM;

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
} NDIS_INTERFACE_TYPE,
    *PNDIS_INTERFACE_TYPE;

/* ===================== NDIS 5.x ===================== */

/* The NDIS version a miniport is written for, from the macro its build
 * defines, as the WDK's ndis.h derives it: NDIS51_MINIPORT -> 5.1,
 * NDIS50_MINIPORT -> 5.0, NDIS40_MINIPORT -> 4.0, NDIS_MINIPORT_DRIVER
 * alone -> 3.0, NDIS6x_MINIPORT -> 6.x. Source that defines none of them
 * (a host program, the library) sees the NDIS 5.1 declarations. */
#if defined(NDIS630_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 30
#elif defined(NDIS620_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 20
#elif defined(NDIS61_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 1
#elif defined(NDIS60_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 0
#elif defined(NDIS51_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 1
#elif defined(NDIS50_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 0
#elif defined(NDIS40_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 4
#define NDIS_MINIPORT_MINOR_VERSION 0
#elif defined(NDIS_MINIPORT_DRIVER)
#define NDIS_MINIPORT_MAJOR_VERSION 3
#define NDIS_MINIPORT_MINOR_VERSION 0
#endif

struct _NDIS_PACKET;	 /* <ndisdma/ndis/packet.h> */
struct _NET_BUFFER_LIST; /* <ndisdma/ndis/nbl.h> */

/* PnP events of MiniportPnPEventNotify (NDIS 5.1). */
typedef enum _NDIS_DEVICE_PNP_EVENT {
	NdisDevicePnPEventQueryRemoved,
	NdisDevicePnPEventRemoved,
	NdisDevicePnPEventSurpriseRemoved,
	NdisDevicePnPEventQueryStopped,
	NdisDevicePnPEventStopped,
	NdisDevicePnPEventPowerProfileChanged,
	NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT,
    *PNDIS_DEVICE_PNP_EVENT;

/* The NDIS 5 handlers: pointer types, as the WDK declares them. */
typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(
    PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
    PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
    NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_HALT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ISR_HANDLER)(PBOOLEAN InterruptRecognized,
			      PBOOLEAN QueueMiniportHandleInterrupt,
			      NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(
    NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer,
    ULONG InformationBufferLength, PULONG BytesWritten, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(
    PNDIS_STATUS OpenErrorStatus, NDIS_HANDLE MiniportAdapterContext,
    NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(PBOOLEAN AddressingReset,
				       NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
				      struct _NDIS_PACKET *Packet, UINT Flags);
typedef NDIS_STATUS (*WM_SEND_HANDLER)(NDIS_HANDLE MiniportAdapterContext,
				       NDIS_HANDLE NdisLinkHandle,
				       PVOID Packet);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(
    NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer,
    ULONG InformationBufferLength, PULONG BytesRead, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(
    struct _NDIS_PACKET *Packet, PUINT BytesTransferred,
    NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE MiniportReceiveContext,
    UINT ByteOffset, UINT BytesToTransfer);
typedef NDIS_STATUS (*WM_TRANSFER_DATA_HANDLER)(VOID);
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
					   NDIS_DEVICE_PNP_EVENT PnPEvent,
					   PVOID InformationBuffer,
					   ULONG InformationBufferLength);
typedef VOID (*W_MINIPORT_SHUTDOWN_HANDLER)(NDIS_HANDLE MiniportAdapterContext);

/* NDIS_MINIPORT_CHARACTERISTICS, one layout per version; each extends
 * the one before (NdisMRegisterMiniport reads as many bytes as the
 * version in MajorNdisVersion/MinorNdisVersion has). */
#define NDISDMA_NDIS30_CHARACTERISTICS_                                        \
	UCHAR MajorNdisVersion;                                                \
	UCHAR MinorNdisVersion;                                                \
	USHORT Filler;                                                         \
	UINT Reserved;                                                         \
	W_CHECK_FOR_HANG_HANDLER CheckForHangHandler;                          \
	W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;                   \
	W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;                     \
	W_HALT_HANDLER HaltHandler;                                            \
	W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler;                     \
	W_INITIALIZE_HANDLER InitializeHandler;                                \
	W_ISR_HANDLER ISRHandler;                                              \
	W_QUERY_INFORMATION_HANDLER QueryInformationHandler;                   \
	W_RECONFIGURE_HANDLER ReconfigureHandler;                              \
	W_RESET_HANDLER ResetHandler;                                          \
	union {                                                                \
		W_SEND_HANDLER SendHandler;                                    \
		WM_SEND_HANDLER WanSendHandler;                                \
	};                                                                     \
	W_SET_INFORMATION_HANDLER SetInformationHandler;                       \
	union {                                                                \
		W_TRANSFER_DATA_HANDLER TransferDataHandler;                   \
		WM_TRANSFER_DATA_HANDLER WanTransferDataHandler;               \
	}
#define NDISDMA_NDIS40_CHARACTERISTICS_                                        \
	NDISDMA_NDIS30_CHARACTERISTICS_;                                       \
	W_RETURN_PACKET_HANDLER ReturnPacketHandler;                           \
	W_SEND_PACKETS_HANDLER SendPacketsHandler;                             \
	W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler
/* NDIS 5.0 adds the connection-oriented handlers (never called by
 * ndisdma). */
#define NDISDMA_NDIS50_CHARACTERISTICS_                                        \
	NDISDMA_NDIS40_CHARACTERISTICS_;                                       \
	PVOID CoCreateVcHandler;                                               \
	PVOID CoDeleteVcHandler;                                               \
	PVOID CoActivateVcHandler;                                             \
	PVOID CoDeactivateVcHandler;                                           \
	PVOID CoSendPacketsHandler;                                            \
	PVOID CoRequestHandler
#define NDISDMA_NDIS51_CHARACTERISTICS_                                        \
	NDISDMA_NDIS50_CHARACTERISTICS_;                                       \
	W_CANCEL_SEND_PACKETS_HANDLER CancelSendPacketsHandler;                \
	W_PNP_EVENT_NOTIFY_HANDLER PnPEventNotifyHandler;                      \
	W_MINIPORT_SHUTDOWN_HANDLER AdapterShutdownHandler;                    \
	PVOID Reserved1;                                                       \
	PVOID Reserved2;                                                       \
	PVOID Reserved3;                                                       \
	PVOID Reserved4

typedef struct _NDIS30_MINIPORT_CHARACTERISTICS {
	NDISDMA_NDIS30_CHARACTERISTICS_;
} NDIS30_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS40_MINIPORT_CHARACTERISTICS {
	NDISDMA_NDIS40_CHARACTERISTICS_;
} NDIS40_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS50_MINIPORT_CHARACTERISTICS {
	NDISDMA_NDIS50_CHARACTERISTICS_;
} NDIS50_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS51_MINIPORT_CHARACTERISTICS {
	NDISDMA_NDIS51_CHARACTERISTICS_;
} NDIS51_MINIPORT_CHARACTERISTICS;

/* The layout of the version the source is built for (5.1 when it names
 * none), so that sizeof(NDIS_MINIPORT_CHARACTERISTICS) is the length a
 * driver of that version passes. */
#if !defined(NDIS_MINIPORT_MAJOR_VERSION) ||                                   \
    (NDIS_MINIPORT_MAJOR_VERSION == 5 && NDIS_MINIPORT_MINOR_VERSION == 1)
typedef NDIS51_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#elif NDIS_MINIPORT_MAJOR_VERSION == 5
typedef NDIS50_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#elif NDIS_MINIPORT_MAJOR_VERSION == 4
typedef NDIS40_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#elif NDIS_MINIPORT_MAJOR_VERSION == 3
typedef NDIS30_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#else /* an NDIS 6 driver: the 5.1 layout, for completeness */
typedef NDIS51_MINIPORT_CHARACTERISTICS NDIS_MINIPORT_CHARACTERISTICS;
#endif
typedef NDIS_MINIPORT_CHARACTERISTICS *PNDIS_MINIPORT_CHARACTERISTICS;

#if !defined(__cplusplus)
_Static_assert(sizeof(NDIS30_MINIPORT_CHARACTERISTICS) ==
		   offsetof(NDIS51_MINIPORT_CHARACTERISTICS,
			    ReturnPacketHandler),
	       "each version's characteristics extend the previous ones");
_Static_assert(sizeof(NDIS40_MINIPORT_CHARACTERISTICS) ==
		   offsetof(NDIS51_MINIPORT_CHARACTERISTICS, CoCreateVcHandler),
	       "each version's characteristics extend the previous ones");
_Static_assert(sizeof(NDIS50_MINIPORT_CHARACTERISTICS) ==
		   offsetof(NDIS51_MINIPORT_CHARACTERISTICS,
			    CancelSendPacketsHandler),
	       "each version's characteristics extend the previous ones");
_Static_assert(sizeof(void *) != 8 ||
		   sizeof(NDIS51_MINIPORT_CHARACTERISTICS) == 240,
	       "NDIS 5.1 characteristics are 0xf0 bytes on x64");
#endif

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
/* Register an NDIS 3.0-5.1 miniport (CharacteristicsLength: at least
 * sizeof(NDISxx_MINIPORT_CHARACTERISTICS) of the version the structure
 * names). Returns NDIS_STATUS_SUCCESS,
 * NDIS_STATUS_BAD_VERSION (MajorNdisVersion not 3, 4 or 5, or a length
 * too short for the version), NDIS_STATUS_BAD_CHARACTERISTICS (no
 * InitializeHandler or HaltHandler), NDIS_STATUS_FAILURE (bad wrapper
 * handle, or already registered). */
NDIS_STATUS
NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
		      PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics,
		      UINT CharacteristicsLength);
/* End a registration begun with NdisMInitializeWrapper (from DriverEntry
 * after a failure, or from an unload handler). Cannot fail. */
VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific);
/* From MiniportInitialize: record the adapter context the other handlers
 * receive, and the attributes (NDIS_ATTRIBUTE_BUS_MASTER enables shared
 * memory and map registers). A call outside MiniportInitialize or with
 * an unknown handle is reported (rule "miniport.attributes") and
 * ignored. */
VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle,
			  NDIS_HANDLE MiniportAdapterContext,
			  UINT CheckForHangTimeInSeconds, ULONG AttributeFlags,
			  NDIS_INTERFACE_TYPE AdapterType);
/* The NDIS 3.0 form: NdisMSetAttributesEx with the default hang time and
 * NDIS_ATTRIBUTE_BUS_MASTER when BusMaster; the same reports. */
VOID NdisMSetAttributes(NDIS_HANDLE MiniportAdapterHandle,
			NDIS_HANDLE MiniportAdapterContext, BOOLEAN BusMaster,
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
} NDIS_HALT_ACTION,
    *PNDIS_HALT_ACTION;

typedef ULONG NET_IFINDEX;
typedef union _NET_LUID {
	ULONG64 Value;
	struct {
		ULONG64 Reserved : 24;
		ULONG64 NetLuidIndex : 24;
		ULONG64 IfType : 16;
	} Info;
} NET_LUID, *PNET_LUID;

/* Handed to MiniportInitializeEx. AllocatedResources is the adapter's
 * resource list (its BARs and interrupt), as NdisMQueryAdapterResources
 * gives it; valid until halt. */
typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
	NDIS_OBJECT_HEADER Header;
	ULONG Flags;
	PNDIS_RESOURCE_LIST AllocatedResources;
	NDIS_HANDLE IMDeviceInstanceContext;
	NDIS_HANDLE MiniportAddDeviceContext;
	NET_IFINDEX IfIndex;
	NET_LUID NetLuid;
	PVOID DefaultPortAuthStates;
	PVOID PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;
#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1

/* Parameter blocks of NDIS 6 handlers that ndisdma passes through without
 * reading (declared, not defined: a driver that dereferences one needs
 * the full NDIS 6 declarations). */
typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS NDIS_MINIPORT_PAUSE_PARAMETERS,
    *PNDIS_MINIPORT_PAUSE_PARAMETERS;
typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS
    NDIS_MINIPORT_RESTART_PARAMETERS,
    *PNDIS_MINIPORT_RESTART_PARAMETERS;
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
typedef struct _NET_DEVICE_PNP_EVENT NET_DEVICE_PNP_EVENT,
    *PNET_DEVICE_PNP_EVENT;
typedef ULONG NDIS_PORT_NUMBER, *PNDIS_PORT_NUMBER;

typedef enum _NDIS_SHUTDOWN_ACTION {
	NdisShutdownPowerOff,
	NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION,
    *PNDIS_SHUTDOWN_ACTION;

/* The NDIS 6 roles as the WDK declares them: a function type (so that
 * `MINIPORT_INITIALIZE MPInitializeEx;` declares the driver's function)
 * and a pointer type *_HANDLER for the characteristics. */
typedef VOID(DRIVER_UNLOAD)(PDRIVER_OBJECT DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;
typedef NTSTATUS(DRIVER_INITIALIZE)(PDRIVER_OBJECT DriverObject,
				    PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;

typedef NDIS_STATUS(MINIPORT_SET_OPTIONS)(NDIS_HANDLE NdisDriverHandle,
					  NDIS_HANDLE DriverContext);
typedef MINIPORT_SET_OPTIONS *SET_OPTIONS_HANDLER;
typedef MINIPORT_SET_OPTIONS *MINIPORT_SET_OPTIONS_HANDLER;
typedef NDIS_STATUS(MINIPORT_INITIALIZE)(
    NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
    PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef MINIPORT_INITIALIZE *MINIPORT_INITIALIZE_HANDLER;
typedef VOID(MINIPORT_HALT)(NDIS_HANDLE MiniportAdapterContext,
			    NDIS_HALT_ACTION HaltAction);
typedef MINIPORT_HALT *MINIPORT_HALT_HANDLER;
typedef DRIVER_UNLOAD MINIPORT_UNLOAD;
typedef MINIPORT_UNLOAD *MINIPORT_UNLOAD_HANDLER;
typedef NDIS_STATUS(MINIPORT_PAUSE)(
    NDIS_HANDLE MiniportAdapterContext,
    PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef MINIPORT_PAUSE *MINIPORT_PAUSE_HANDLER;
typedef NDIS_STATUS(MINIPORT_RESTART)(
    NDIS_HANDLE MiniportAdapterContext,
    PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef MINIPORT_RESTART *MINIPORT_RESTART_HANDLER;
typedef NDIS_STATUS(MINIPORT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
					  PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_OID_REQUEST *MINIPORT_OID_REQUEST_HANDLER;
typedef VOID(MINIPORT_SEND_NET_BUFFER_LISTS)(
    NDIS_HANDLE MiniportAdapterContext, struct _NET_BUFFER_LIST *NetBufferList,
    NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
typedef MINIPORT_SEND_NET_BUFFER_LISTS *MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER;
typedef VOID(MINIPORT_RETURN_NET_BUFFER_LISTS)(
    NDIS_HANDLE MiniportAdapterContext, struct _NET_BUFFER_LIST *NetBufferLists,
    ULONG ReturnFlags);
typedef MINIPORT_RETURN_NET_BUFFER_LISTS
    *MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER;
typedef VOID(MINIPORT_CANCEL_SEND)(NDIS_HANDLE MiniportAdapterContext,
				   PVOID CancelId);
typedef MINIPORT_CANCEL_SEND *MINIPORT_CANCEL_SEND_HANDLER;
typedef BOOLEAN(MINIPORT_CHECK_FOR_HANG)(NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CHECK_FOR_HANG *MINIPORT_CHECK_FOR_HANG_HANDLER;
typedef NDIS_STATUS(MINIPORT_RESET)(NDIS_HANDLE MiniportAdapterContext,
				    PBOOLEAN AddressingReset);
typedef MINIPORT_RESET *MINIPORT_RESET_HANDLER;
typedef VOID(MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(
    NDIS_HANDLE MiniportAdapterContext,
    PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef MINIPORT_DEVICE_PNP_EVENT_NOTIFY
    *MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER;
typedef VOID(MINIPORT_SHUTDOWN)(NDIS_HANDLE MiniportAdapterContext,
				NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef MINIPORT_SHUTDOWN *MINIPORT_SHUTDOWN_HANDLER;
typedef VOID(MINIPORT_CANCEL_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
					  PVOID RequestId);
typedef MINIPORT_CANCEL_OID_REQUEST *MINIPORT_CANCEL_OID_REQUEST_HANDLER;
typedef NDIS_STATUS(MINIPORT_DIRECT_OID_REQUEST)(
    NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_DIRECT_OID_REQUEST *MINIPORT_DIRECT_OID_REQUEST_HANDLER;
typedef VOID(MINIPORT_CANCEL_DIRECT_OID_REQUEST)(
    NDIS_HANDLE MiniportAdapterContext, PVOID RequestId);
typedef MINIPORT_CANCEL_DIRECT_OID_REQUEST
    *MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER;

/* NDIS 6 interrupt roles (NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS). */
typedef BOOLEAN(MINIPORT_ISR)(NDIS_HANDLE MiniportInterruptContext,
			      PBOOLEAN QueueDefaultInterruptDpc,
			      PULONG TargetProcessors);
typedef MINIPORT_ISR *MINIPORT_ISR_HANDLER;
typedef VOID(MINIPORT_INTERRUPT_DPC)(NDIS_HANDLE MiniportInterruptContext,
				     PVOID MiniportDpcContext,
				     PVOID ReceiveThrottleParameters,
				     PVOID NdisReserved2);
typedef MINIPORT_INTERRUPT_DPC *MINIPORT_INTERRUPT_DPC_HANDLER;
typedef VOID(MINIPORT_DISABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_DISABLE_INTERRUPT *MINIPORT_DISABLE_INTERRUPT_HANDLER;
typedef VOID(MINIPORT_ENABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_ENABLE_INTERRUPT *MINIPORT_ENABLE_INTERRUPT_HANDLER;
typedef BOOLEAN(MINIPORT_MESSAGE_INTERRUPT)(
    NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
    PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
typedef MINIPORT_MESSAGE_INTERRUPT *MINIPORT_MSI_ISR_HANDLER;
typedef VOID(MINIPORT_MESSAGE_INTERRUPT_DPC)(
    NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
    PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
    PVOID NdisReserved2);
typedef MINIPORT_MESSAGE_INTERRUPT_DPC *MINIPORT_MSI_INTERRUPT_DPC_HANDLER;
typedef VOID(MINIPORT_DISABLE_MESSAGE_INTERRUPT)(
    NDIS_HANDLE MiniportInterruptContext, ULONG MessageId);
typedef MINIPORT_DISABLE_MESSAGE_INTERRUPT
    *MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER;
typedef VOID(MINIPORT_ENABLE_MESSAGE_INTERRUPT)(
    NDIS_HANDLE MiniportInterruptContext, ULONG MessageId);
typedef MINIPORT_ENABLE_MESSAGE_INTERRUPT
    *MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER;
typedef BOOLEAN(MINIPORT_SYNCHRONIZE_INTERRUPT)(NDIS_HANDLE SynchronizeContext);
typedef MINIPORT_SYNCHRONIZE_INTERRUPT *MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER;
typedef NDIS_STATUS(MINIPORT_SYNCHRONOUS_OID_REQUEST)(
    NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_SYNCHRONOUS_OID_REQUEST
    *MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER;

typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
	NDIS_OBJECT_HEADER Header;
	UCHAR MajorNdisVersion;
	UCHAR MinorNdisVersion;
	UCHAR MajorDriverVersion;
	UCHAR MinorDriverVersion;
	ULONG Flags;
	MINIPORT_SET_OPTIONS_HANDLER SetOptionsHandler;
	MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
	MINIPORT_HALT_HANDLER HaltHandlerEx;
	MINIPORT_UNLOAD_HANDLER UnloadHandler;
	MINIPORT_PAUSE_HANDLER PauseHandler;
	MINIPORT_RESTART_HANDLER RestartHandler;
	MINIPORT_OID_REQUEST_HANDLER OidRequestHandler;
	MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
	MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
	MINIPORT_CANCEL_SEND_HANDLER CancelSendHandler;
	MINIPORT_CHECK_FOR_HANG_HANDLER CheckForHangHandlerEx;
	MINIPORT_RESET_HANDLER ResetHandlerEx;
	MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
	MINIPORT_SHUTDOWN_HANDLER ShutdownHandlerEx;
	MINIPORT_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
	/* revision 2 (NDIS 6.20) */
	MINIPORT_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;
	MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER
	CancelDirectOidRequestHandler;
	/* revision 3 (NDIS 6.80) */
	MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER SynchronousOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3 3
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  CancelOidRequestHandler) +                                   \
	 sizeof(MINIPORT_CANCEL_OID_REQUEST_HANDLER))
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  CancelDirectOidRequestHandler) +                             \
	 sizeof(MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER))
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3                 \
	(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS,                        \
		  SynchronousOidRequestHandler) +                              \
	 sizeof(MINIPORT_SYNCHRONOUS_OID_REQUEST_HANDLER))

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
	NDIS_OBJECT_HEADER Header;
	NDIS_HANDLE MiniportAdapterContext;
	ULONG AttributeFlags;
	UINT CheckForHangTimeInSeconds;
	NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES,
    *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1
#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1        \
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
