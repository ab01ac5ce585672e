/* SPDX-License-Identifier: MIT */
/*
 * wdkmp.c - a small NDIS 5.1 miniport written the way WDK source is
 * written (NTAPI, SAL, role types, NDIS51_MINIPORT, <pshpack1.h>, L""
 * strings, Interlocked*, list helpers, DbgPrint, OIDs, CM resource and
 * PCI configuration layouts), built as a shared object with the
 * ndisdma-driver flags and loaded through its DriverEntry. It uses only
 * calls ndisdma implements, so it links with -Wl,--no-undefined.
 * WdkmpSelfTest (called by the host test after the adapter started)
 * checks what the source can only check at run time.
 */
#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include <ndis.h>

C_ASSERT(NDIS_MINIPORT_MAJOR_VERSION == 5);
C_ASSERT(NDIS_MINIPORT_MINOR_VERSION == 1);
C_ASSERT(sizeof(NDIS_MINIPORT_CHARACTERISTICS) ==
	 sizeof(NDIS51_MINIPORT_CHARACTERISTICS));
C_ASSERT(sizeof(WCHAR) == 2 && sizeof(L"ab") == 6);

#define WDKMP_TAG 'pmdW'
#define WDKMP_RING 8
#define WDKMP_MAX_MCAST 4
#define WDKMP_FRAME 1514

#include <pshpack1.h>
typedef struct _WDKMP_ETH_HEADER {
	UCHAR Destination[6];
	UCHAR Source[6];
	USHORT EtherType;
} WDKMP_ETH_HEADER, *PWDKMP_ETH_HEADER;
typedef struct _WDKMP_DESCRIPTOR {
	UINT64 Address;
	USHORT Length;
	UCHAR Status;
} WDKMP_DESCRIPTOR;
#include <poppack.h>
C_ASSERT(sizeof(WDKMP_ETH_HEADER) == 14);
C_ASSERT(sizeof(WDKMP_DESCRIPTOR) == 11);
C_ASSERT(FIELD_OFFSET(WDKMP_DESCRIPTOR, Status) == 10);

typedef struct _WDKMP_SLOT {
	LIST_ENTRY Link;
	ULONG Index;
} WDKMP_SLOT, *PWDKMP_SLOT;

typedef struct _WDKMP_ADAPTER {
	NDIS_HANDLE AdapterHandle;
	NDIS_SPIN_LOCK Lock;
	LIST_ENTRY FreeSlots;
	WDKMP_SLOT Slots[WDKMP_RING];
	PVOID SharedVa;
	NDIS_PHYSICAL_ADDRESS SharedPa;
	NDIS_HANDLE PacketPool;
	NDIS_HANDLE BufferPool;
	PNDIS_PACKET Packet;
	PNDIS_BUFFER Buffer;
	LONG volatile Requests;
	UINT64 FramesSent;
	UCHAR PermanentAddress[6];
	UCHAR CurrentAddress[6];
	UCHAR Multicast[WDKMP_MAX_MCAST][6];
	ULONG MulticastCount;
	ULONG PacketFilter;
	ULONG Lookahead;
	NDIS_MEDIA_STATE MediaState;
	NDIS_HARDWARE_STATUS HardwareStatus;
	KINTERRUPT_MODE InterruptMode;
	USHORT IoBase;
	ULONG InterruptLevel;
} WDKMP_ADAPTER, *PWDKMP_ADAPTER;

static const NDIS_OID WdkmpSupportedOids[] = {
	OID_GEN_SUPPORTED_LIST,	      OID_GEN_HARDWARE_STATUS,
	OID_GEN_MEDIA_SUPPORTED,      OID_GEN_MEDIA_IN_USE,
	OID_GEN_MAXIMUM_LOOKAHEAD,    OID_GEN_MAXIMUM_FRAME_SIZE,
	OID_GEN_LINK_SPEED,	      OID_GEN_CURRENT_PACKET_FILTER,
	OID_GEN_CURRENT_LOOKAHEAD,    OID_GEN_MAC_OPTIONS,
	OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_PHYSICAL_MEDIUM,
	OID_GEN_XMIT_OK,	      OID_GEN_RCV_OK,
	OID_GEN_RCV_CRC_ERROR,	      OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS,    OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,  OID_802_3_RCV_ERROR_ALIGNMENT,
	OID_802_3_XMIT_ONE_COLLISION, OID_PNP_CAPABILITIES,
	OID_PNP_QUERY_POWER,
};

EXTERN_C DRIVER_INITIALIZE DriverEntry;
MINIPORT_PROCESS_SG_LIST WdkmpProcessSgList;
MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE WdkmpAllocateComplete;
EXTERN_C LONG WdkmpSelfTest(_In_ NDIS_HANDLE MiniportAdapterContext);

static NDIS_STATUS NTAPI WdkmpInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus, _Out_ PUINT SelectedMediumIndex,
	_In_reads_(MediumArraySize) PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize, _In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext);
static VOID NTAPI WdkmpHalt(_In_ NDIS_HANDLE MiniportAdapterContext);
static NDIS_STATUS NTAPI WdkmpQueryInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext, _In_ NDIS_OID Oid,
	_Out_writes_bytes_to_(InformationBufferLength, *BytesWritten)
		PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength, _Out_ PULONG BytesWritten,
	_Out_ PULONG BytesNeeded);
static NDIS_STATUS NTAPI WdkmpSetInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext, _In_ NDIS_OID Oid,
	_In_reads_bytes_(InformationBufferLength) PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength, _Out_ PULONG BytesRead,
	_Out_ PULONG BytesNeeded);

/* The scatter-gather callback of NDIS 6 (declared through its role
 * type); an NDIS 5.1 miniport never receives it. */
VOID WdkmpProcessSgList(_In_ PDEVICE_OBJECT pDO, _In_ PVOID Reserved,
			_In_ PSCATTER_GATHER_LIST pSGL, _In_ PVOID Context)
{
	UNREFERENCED_PARAMETER(pDO);
	UNREFERENCED_PARAMETER(Reserved);
	UNREFERENCED_PARAMETER(pSGL);
	UNREFERENCED_PARAMETER(Context);
}

VOID WdkmpAllocateComplete(_In_ NDIS_HANDLE MiniportAdapterContext,
			   _In_ PVOID VirtualAddress,
			   _In_ PNDIS_PHYSICAL_ADDRESS PhysicalAddress,
			   _In_ ULONG Length, _In_ PVOID Context)
{
	UNREFERENCED_PARAMETER(MiniportAdapterContext);
	UNREFERENCED_PARAMETER(VirtualAddress);
	UNREFERENCED_PARAMETER(PhysicalAddress);
	UNREFERENCED_PARAMETER(Length);
	UNREFERENCED_PARAMETER(Context);
}

static FORCEINLINE BOOLEAN WdkmpIsMulticast(_In_reads_bytes_(6)
						    const UCHAR *Address)
{
	return (Address[0] & 1) != 0;
}

/* Read the I/O port and interrupt out of a resource list the way a
 * miniport walks NdisMQueryAdapterResources' result. */
static VOID WdkmpParseResources(_Inout_ PWDKMP_ADAPTER Adapter,
				_In_ PNDIS_RESOURCE_LIST Resources)
{
	for (ULONG i = 0; i < Resources->Count; i++) {
		PCM_PARTIAL_RESOURCE_DESCRIPTOR d =
			&Resources->PartialDescriptors[i];
		switch (d->Type) {
		case CmResourceTypePort:
			Adapter->IoBase = (USHORT)d->u.Port.Start.LowPart;
			break;
		case CmResourceTypeInterrupt:
			Adapter->InterruptLevel = d->u.Interrupt.Level;
			Adapter->InterruptMode =
				(d->Flags & CM_RESOURCE_INTERRUPT_LATCHED)
					? Latched
					: LevelSensitive;
			break;
		default:
			break;
		}
	}
}

NTSTATUS NTAPI DriverEntry(_In_ PDRIVER_OBJECT DriverObject,
			   _In_ PUNICODE_STRING RegistryPath)
{
	NDIS_HANDLE wrapper;
	NDIS_MINIPORT_CHARACTERISTICS chars;
	NDIS_STATUS status;

	NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
	if (wrapper == NULL)
		return STATUS_UNSUCCESSFUL;
	NdisZeroMemory(&chars, sizeof(chars));
	chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	chars.InitializeHandler = WdkmpInitialize;
	chars.HaltHandler = WdkmpHalt;
	chars.QueryInformationHandler = WdkmpQueryInformation;
	chars.SetInformationHandler = WdkmpSetInformation;
	chars.AllocateCompleteHandler = WdkmpAllocateComplete;
	status = NdisMRegisterMiniport(wrapper, &chars, sizeof(chars));
	if (status != NDIS_STATUS_SUCCESS) {
		DbgPrint("wdkmp: NdisMRegisterMiniport failed 0x%08lx\n",
			 (ULONG)status);
		NdisTerminateWrapper(wrapper, NULL);
		return status;
	}
	return STATUS_SUCCESS;
}

static VOID WdkmpFreeAll(_In_ PWDKMP_ADAPTER a)
{
	if (a->Packet != NULL) {
		PNDIS_BUFFER b;
		NdisUnchainBufferAtFront(a->Packet, &b);
		if (b != NULL)
			NdisFreeBuffer(b);
		NdisFreePacket(a->Packet);
	}
	if (a->Buffer != NULL)
		NdisFreeBuffer(a->Buffer);
	if (a->BufferPool != NULL)
		NdisFreeBufferPool(a->BufferPool);
	if (a->PacketPool != NULL)
		NdisFreePacketPool(a->PacketPool);
	if (a->SharedVa != NULL)
		NdisMFreeSharedMemory(a->AdapterHandle, PAGE_SIZE, FALSE,
				      a->SharedVa, a->SharedPa);
	NdisFreeSpinLock(&a->Lock);
	NdisFreeMemory(a, sizeof(*a), 0);
}

static NDIS_STATUS NTAPI WdkmpInitialize(
	_Out_ PNDIS_STATUS OpenErrorStatus, _Out_ PUINT SelectedMediumIndex,
	_In_reads_(MediumArraySize) PNDIS_MEDIUM MediumArray,
	_In_ UINT MediumArraySize, _In_ NDIS_HANDLE MiniportAdapterHandle,
	_In_ NDIS_HANDLE WrapperConfigurationContext)
{
	PWDKMP_ADAPTER a;
	NDIS_STATUS status;
	UINT i;

	PAGED_CODE();
	UNREFERENCED_PARAMETER(OpenErrorStatus);
	UNREFERENCED_PARAMETER(WrapperConfigurationContext);
	for (i = 0; i < MediumArraySize; i++)
		if (MediumArray[i] == NdisMedium802_3)
			break;
	if (i == MediumArraySize)
		return NDIS_STATUS_UNSUPPORTED_MEDIA;
	*SelectedMediumIndex = i;

	status = NdisAllocateMemoryWithTag((PVOID *)&a, sizeof(*a), WDKMP_TAG);
	if (status != NDIS_STATUS_SUCCESS)
		return NDIS_STATUS_RESOURCES;
	NdisZeroMemory(a, sizeof(*a));
	a->AdapterHandle = MiniportAdapterHandle;
	NdisAllocateSpinLock(&a->Lock);
	InitializeListHead(&a->FreeSlots);
	for (i = 0; i < ARRAYSIZE(a->Slots); i++) {
		a->Slots[i].Index = i;
		InsertTailList(&a->FreeSlots, &a->Slots[i].Link);
	}
	a->MediaState = NdisMediaStateConnected;
	a->HardwareStatus = NdisHardwareStatusReady;
	a->Lookahead = WDKMP_FRAME - sizeof(WDKMP_ETH_HEADER);
	{
		static const UCHAR mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
		NdisMoveMemory(a->PermanentAddress, mac, 6);
		NdisMoveMemory(a->CurrentAddress, mac, 6);
	}

	NdisMSetAttributesEx(MiniportAdapterHandle, a, 0,
			     NDIS_ATTRIBUTE_BUS_MASTER |
				     NDIS_ATTRIBUTE_DESERIALIZE,
			     NdisInterfacePci);
	status = NdisMInitializeScatterGatherDma(MiniportAdapterHandle, TRUE,
						 WDKMP_FRAME);
	if (status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisMAllocateSharedMemory(MiniportAdapterHandle, PAGE_SIZE, FALSE,
				  &a->SharedVa, &a->SharedPa);
	if (a->SharedVa == NULL) {
		status = NDIS_STATUS_RESOURCES;
		goto fail;
	}
	NdisAllocatePacketPool(&status, &a->PacketPool, 4,
			       PROTOCOL_RESERVED_SIZE_IN_PACKET);
	if (status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocateBufferPool(&status, &a->BufferPool, 4);
	if (status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocatePacket(&status, &a->Packet, a->PacketPool);
	if (status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAllocateBuffer(&status, &a->Buffer, a->BufferPool, a->SharedVa,
			   WDKMP_FRAME);
	if (status != NDIS_STATUS_SUCCESS)
		goto fail;
	NdisAdjustBufferLength(a->Buffer, 60);
	NdisChainBufferAtBack(a->Packet, a->Buffer);
	a->Buffer = NULL; /* owned by the packet now */
	NDIS_SET_PACKET_CANCEL_ID(a->Packet, (PVOID)(ULONG_PTR)1);
	NdisMUpdateSharedMemory(MiniportAdapterHandle, 64, a->SharedVa,
				a->SharedPa);

	/* What NdisMQueryAdapterResources would hand over for an I/O BAR
	 * at 0xc000 and a level-sensitive interrupt 11. */
	{
		UCHAR raw[sizeof(NDIS_RESOURCE_LIST) +
			  sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)];
		PNDIS_RESOURCE_LIST list = (PNDIS_RESOURCE_LIST)raw;
		NdisZeroMemory(raw, sizeof(raw));
		list->Version = 1;
		list->Revision = 1;
		list->Count = 2;
		list->PartialDescriptors[0].Type = CmResourceTypePort;
		list->PartialDescriptors[0].Flags = CM_RESOURCE_PORT_IO;
		list->PartialDescriptors[0].u.Port.Start.QuadPart = 0xc000;
		list->PartialDescriptors[0].u.Port.Length = 0x40;
		list->PartialDescriptors[1].Type = CmResourceTypeInterrupt;
		list->PartialDescriptors[1].ShareDisposition =
			CmResourceShareShared;
		list->PartialDescriptors[1].Flags =
			CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE;
		list->PartialDescriptors[1].u.Interrupt.Level = 11;
		list->PartialDescriptors[1].u.Interrupt.Vector = 11;
		list->PartialDescriptors[1].u.Interrupt.Affinity = (KAFFINITY)-1;
		WdkmpParseResources(a, list);
	}
	ASSERT(a->IoBase == 0xc000);
	return NDIS_STATUS_SUCCESS;

fail:
	WdkmpFreeAll(a);
	return status;
}

static VOID NTAPI WdkmpHalt(_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PWDKMP_ADAPTER a = (PWDKMP_ADAPTER)MiniportAdapterContext;
	WdkmpFreeAll(a);
}

static NDIS_STATUS NTAPI WdkmpQueryInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext, _In_ NDIS_OID Oid,
	_Out_writes_bytes_to_(InformationBufferLength, *BytesWritten)
		PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength, _Out_ PULONG BytesWritten,
	_Out_ PULONG BytesNeeded)
{
	PWDKMP_ADAPTER a = (PWDKMP_ADAPTER)MiniportAdapterContext;
	ULONG value = 0;
	UINT64 value64 = 0;
	NDIS_PNP_CAPABILITIES pnp;
	const VOID *src = &value;
	ULONG len = sizeof(ULONG);

	InterlockedIncrement(&a->Requests);
	switch (Oid) {
	case OID_GEN_SUPPORTED_LIST:
		src = WdkmpSupportedOids;
		len = sizeof(WdkmpSupportedOids);
		break;
	case OID_GEN_HARDWARE_STATUS:
		value = a->HardwareStatus;
		break;
	case OID_GEN_MEDIA_SUPPORTED:
	case OID_GEN_MEDIA_IN_USE:
		value = NdisMedium802_3;
		break;
	case OID_GEN_PHYSICAL_MEDIUM:
		value = NdisPhysicalMedium802_3;
		break;
	case OID_GEN_MAXIMUM_LOOKAHEAD:
	case OID_GEN_CURRENT_LOOKAHEAD:
		value = a->Lookahead;
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		value = WDKMP_FRAME - sizeof(WDKMP_ETH_HEADER);
		break;
	case OID_GEN_LINK_SPEED:
		value = 10000000; /* 1 Gb/s in 100 b/s units */
		break;
	case OID_GEN_CURRENT_PACKET_FILTER:
		value = a->PacketFilter;
		break;
	case OID_GEN_MAC_OPTIONS:
		value = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA |
			NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
			NDIS_MAC_OPTION_NO_LOOPBACK |
			NDIS_MAC_OPTION_FULL_DUPLEX;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		value = a->MediaState;
		break;
	case OID_GEN_XMIT_OK:
	case OID_GEN_RCV_OK:
		/* 64 bits when the buffer holds them, else 32 */
		value64 = a->FramesSent;
		src = &value64;
		len = InformationBufferLength >= sizeof(UINT64)
			      ? sizeof(UINT64)
			      : sizeof(ULONG);
		break;
	case OID_GEN_RCV_CRC_ERROR:
	case OID_802_3_RCV_ERROR_ALIGNMENT:
	case OID_802_3_XMIT_ONE_COLLISION:
		value = 0;
		break;
	case OID_802_3_PERMANENT_ADDRESS:
		src = a->PermanentAddress;
		len = 6;
		break;
	case OID_802_3_CURRENT_ADDRESS:
		src = a->CurrentAddress;
		len = 6;
		break;
	case OID_802_3_MULTICAST_LIST:
		src = a->Multicast;
		len = a->MulticastCount * 6;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		value = WDKMP_MAX_MCAST;
		break;
	case OID_PNP_CAPABILITIES:
		NdisZeroMemory(&pnp, sizeof(pnp));
		pnp.WakeUpCapabilities.MinMagicPacketWakeUp =
			NdisDeviceStateUnspecified;
		pnp.WakeUpCapabilities.MinPatternWakeUp =
			NdisDeviceStateUnspecified;
		pnp.WakeUpCapabilities.MinLinkChangeWakeUp =
			NdisDeviceStateUnspecified;
		src = &pnp;
		len = sizeof(pnp);
		break;
	case OID_PNP_QUERY_POWER:
		len = 0;
		break;
	default:
		*BytesWritten = 0;
		*BytesNeeded = 0;
		return NDIS_STATUS_NOT_SUPPORTED;
	}
	if (len > InformationBufferLength) {
		*BytesNeeded = len;
		*BytesWritten = 0;
		return NDIS_STATUS_INVALID_LENGTH;
	}
	NdisMoveMemory(InformationBuffer, src, len);
	*BytesWritten = len;
	*BytesNeeded = 0;
	return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS NTAPI WdkmpSetInformation(
	_In_ NDIS_HANDLE MiniportAdapterContext, _In_ NDIS_OID Oid,
	_In_reads_bytes_(InformationBufferLength) PVOID InformationBuffer,
	_In_ ULONG InformationBufferLength, _Out_ PULONG BytesRead,
	_Out_ PULONG BytesNeeded)
{
	PWDKMP_ADAPTER a = (PWDKMP_ADAPTER)MiniportAdapterContext;
	const ULONG allowed = NDIS_PACKET_TYPE_DIRECTED |
			      NDIS_PACKET_TYPE_MULTICAST |
			      NDIS_PACKET_TYPE_ALL_MULTICAST |
			      NDIS_PACKET_TYPE_BROADCAST |
			      NDIS_PACKET_TYPE_PROMISCUOUS;
	ULONG value;

	*BytesRead = 0;
	*BytesNeeded = 0;
	switch (Oid) {
	case OID_802_3_MULTICAST_LIST:
		if (InformationBufferLength % 6 != 0)
			return NDIS_STATUS_INVALID_LENGTH;
		if (InformationBufferLength / 6 > WDKMP_MAX_MCAST)
			return NDIS_STATUS_MULTICAST_FULL;
		for (ULONG i = 0; i < InformationBufferLength / 6; i++)
			if (!WdkmpIsMulticast((PUCHAR)InformationBuffer +
					      6 * i))
				return NDIS_STATUS_INVALID_DATA;
		NdisAcquireSpinLock(&a->Lock);
		NdisMoveMemory(a->Multicast, InformationBuffer,
			       InformationBufferLength);
		a->MulticastCount = InformationBufferLength / 6;
		NdisReleaseSpinLock(&a->Lock);
		*BytesRead = InformationBufferLength;
		return NDIS_STATUS_SUCCESS;
	case OID_GEN_CURRENT_PACKET_FILTER:
	case OID_GEN_CURRENT_LOOKAHEAD:
		if (InformationBufferLength < sizeof(ULONG)) {
			*BytesNeeded = sizeof(ULONG);
			return NDIS_STATUS_INVALID_LENGTH;
		}
		NdisMoveMemory(&value, InformationBuffer, sizeof(value));
		if (Oid == OID_GEN_CURRENT_PACKET_FILTER) {
			if (value & ~allowed)
				return NDIS_STATUS_NOT_SUPPORTED;
			InterlockedExchange((LONG volatile *)&a->PacketFilter,
					    (LONG)value);
		} else {
			a->Lookahead = value;
		}
		*BytesRead = sizeof(ULONG);
		return NDIS_STATUS_SUCCESS;
	default:
		return NDIS_STATUS_INVALID_OID;
	}
}

/* ---- run-time checks, called by the host test ---- */

#define CHECK(e)                                                               \
	do {                                                                   \
		if (!(e)) {                                                    \
			DbgPrint("wdkmp: check failed: %s (line %d)\n", #e,    \
				 __LINE__);                                    \
			failures++;                                            \
		}                                                              \
	} while (0)

__attribute__((visibility("default"))) LONG
WdkmpSelfTest(_In_ NDIS_HANDLE MiniportAdapterContext)
{
	PWDKMP_ADAPTER a = (PWDKMP_ADAPTER)MiniportAdapterContext;
	LONG failures = 0;
	UCHAR buf[256];
	ULONG written, needed, filter;
	NDIS_STATUS st;
	/* the host's own requests at start (datapath) are not ours */
	LONG requests0 = a->Requests;

	/* strings: L"" is a WCHAR string */
	{
		NDIS_STRING key = NDIS_STRING_CONST("NetworkAddress");
		NDIS_STRING lit, made;
		NdisInitUnicodeString(&lit, L"NETWORKADDRESS");
		CHECK(lit.Length == 28 && key.Length == 28);
		CHECK(NdisEqualString(&key, &lit, TRUE));
		CHECK(!NdisEqualString(&key, &lit, FALSE));
		NdisInitializeString(&made, (PUCHAR) "NetworkAddress");
		CHECK(made.Buffer != NULL && NdisEqualString(&key, &made, FALSE));
		DbgPrint("wdkmp: %wZ, adapter %p, %I64u frames\n", &made, a,
			 a->FramesSent);
		NdisFreeString(made);
	}
	/* configuration parameter and PCI configuration layouts */
	{
		NDIS_CONFIGURATION_PARAMETER p;
		PCI_COMMON_CONFIG cfg;
		p.ParameterType = NdisParameterHexInteger;
		p.ParameterData.IntegerData = 0x1f;
		CHECK(p.ParameterData.IntegerData == 0x1f);
		NdisZeroMemory(&cfg, sizeof(cfg));
		((PUCHAR)&cfg)[0] = 0x86;
		((PUCHAR)&cfg)[1] = 0x80;
		((PUCHAR)&cfg)[0x14] = 0xc1;
		((PUCHAR)&cfg)[0x3c] = 11;
		CHECK(cfg.VendorID == 0x8086);
		CHECK(cfg.u.type0.BaseAddresses[1] & PCI_ADDRESS_IO_SPACE);
		CHECK((cfg.u.type0.BaseAddresses[1] &
		       PCI_ADDRESS_IO_ADDRESS_MASK) == 0xc0);
		CHECK(cfg.u.type0.InterruptLine == 11);
		CHECK(PCI_COMMON_HDR_LENGTH == 64);
	}
	/* resources parsed in MiniportInitialize */
	CHECK(a->IoBase == 0xc000 && a->InterruptLevel == 11 &&
	      a->InterruptMode == LevelSensitive);
	/* the free-slot list and the packet built at initialization */
	{
		ULONG n = 0;
		for (PLIST_ENTRY e = a->FreeSlots.Flink; e != &a->FreeSlots;
		     e = e->Flink)
			CHECK(CONTAINING_RECORD(e, WDKMP_SLOT, Link)->Index ==
			      n++);
		CHECK(n == WDKMP_RING);
		UINT total = 0;
		NdisQueryPacketLength(a->Packet, &total);
		CHECK(total == 60);
		CHECK(NDIS_GET_PACKET_CANCEL_ID(a->Packet) == (PVOID)1);
	}
	/* OIDs through the miniport's own handlers */
	st = WdkmpQueryInformation(a, OID_GEN_SUPPORTED_LIST, buf, sizeof(buf),
				   &written, &needed);
	CHECK(st == NDIS_STATUS_SUCCESS &&
	      written == sizeof(WdkmpSupportedOids));
	st = WdkmpQueryInformation(a, OID_802_3_CURRENT_ADDRESS, buf, 4,
				   &written, &needed);
	CHECK(st == NDIS_STATUS_INVALID_LENGTH && needed == 6);
	st = WdkmpQueryInformation(a, OID_GEN_MEDIA_CONNECT_STATUS, buf,
				   sizeof(buf), &written, &needed);
	CHECK(st == NDIS_STATUS_SUCCESS &&
	      *(PULONG)buf == NdisMediaStateConnected);
	st = WdkmpQueryInformation(a, OID_PNP_CAPABILITIES, buf, sizeof(buf),
				   &written, &needed);
	CHECK(st == NDIS_STATUS_SUCCESS &&
	      written == sizeof(NDIS_PNP_CAPABILITIES));
	st = WdkmpQueryInformation(a, OID_GEN_VENDOR_ID, buf, sizeof(buf),
				   &written, &needed);
	CHECK(st == NDIS_STATUS_NOT_SUPPORTED);
	filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
		 NDIS_PACKET_TYPE_MULTICAST;
	st = WdkmpSetInformation(a, OID_GEN_CURRENT_PACKET_FILTER, &filter,
				 sizeof(filter), &written, &needed);
	CHECK(st == NDIS_STATUS_SUCCESS && a->PacketFilter == filter);
	NdisFillMemory(buf, 36, 0x01);
	st = WdkmpSetInformation(a, OID_802_3_MULTICAST_LIST, buf, 30,
				 &written, &needed);
	CHECK(st == NDIS_STATUS_MULTICAST_FULL);
	st = WdkmpSetInformation(a, OID_802_3_MULTICAST_LIST, buf, 12,
				 &written, &needed);
	CHECK(st == NDIS_STATUS_SUCCESS && a->MulticastCount == 2);
	CHECK(a->Requests - requests0 == 5); /* the five queries above */
	return failures;
}
