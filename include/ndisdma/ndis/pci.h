/* SPDX-License-Identifier: MIT */
/*
 * ndisdma/ndis/pci.h - the PCI configuration header as
 * NdisReadPciSlotInformation returns it (PCI_COMMON_CONFIG, with the
 * type 0/1/2 header unions), its bit fields and the WhichSpace values of
 * NdisMGetBusData / NdisMSetBusData. Layout as wdm.h declares it (the
 * PCI 3.0 configuration header: 64 bytes, then 192 device-specific bytes).
 * Included by <ndis.h>.
 */
#ifndef NDISDMA_NDIS_PCI_H
#define NDISDMA_NDIS_PCI_H

#include "wdk.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PCI_TYPE0_ADDRESSES 6
#define PCI_TYPE1_ADDRESSES 2
#define PCI_TYPE2_ADDRESSES 5

struct _PCI_HEADER_TYPE_0 {
	ULONG BaseAddresses[PCI_TYPE0_ADDRESSES];
	ULONG CIS;
	USHORT SubVendorID;
	USHORT SubSystemID;
	ULONG ROMBaseAddress;
	UCHAR CapabilitiesPtr;
	UCHAR Reserved1[3];
	ULONG Reserved2;
	UCHAR InterruptLine;
	UCHAR InterruptPin;
	UCHAR MinimumGrant;
	UCHAR MaximumLatency;
};

struct _PCI_HEADER_TYPE_1 {
	ULONG BaseAddresses[PCI_TYPE1_ADDRESSES];
	UCHAR PrimaryBus;
	UCHAR SecondaryBus;
	UCHAR SubordinateBus;
	UCHAR SecondaryLatency;
	UCHAR IOBase;
	UCHAR IOLimit;
	USHORT SecondaryStatus;
	USHORT MemoryBase;
	USHORT MemoryLimit;
	USHORT PrefetchBase;
	USHORT PrefetchLimit;
	ULONG PrefetchBaseUpper32;
	ULONG PrefetchLimitUpper32;
	USHORT IOBaseUpper16;
	USHORT IOLimitUpper16;
	UCHAR CapabilitiesPtr;
	UCHAR Reserved1[3];
	ULONG ROMBaseAddress;
	UCHAR InterruptLine;
	UCHAR InterruptPin;
	USHORT BridgeControl;
};

struct _PCI_HEADER_TYPE_2 {
	ULONG SocketRegistersBaseAddress;
	UCHAR CapabilitiesPtr;
	UCHAR Reserved;
	USHORT SecondaryStatus;
	UCHAR PrimaryBus;
	UCHAR SecondaryBus;
	UCHAR SubordinateBus;
	UCHAR SecondaryLatency;
	struct {
		ULONG Base;
		ULONG Limit;
	} Range[PCI_TYPE2_ADDRESSES - 1];
	UCHAR InterruptLine;
	UCHAR InterruptPin;
	USHORT BridgeControl;
};

/* The first 64 bytes of configuration space. */
#define NDISDMA_PCI_HEADER_FIELDS_                                             \
	USHORT VendorID;                                                       \
	USHORT DeviceID;                                                       \
	USHORT Command;                                                        \
	USHORT Status;                                                         \
	UCHAR RevisionID;                                                      \
	UCHAR ProgIf;                                                          \
	UCHAR SubClass;                                                        \
	UCHAR BaseClass;                                                       \
	UCHAR CacheLineSize;                                                   \
	UCHAR LatencyTimer;                                                    \
	UCHAR HeaderType;                                                      \
	UCHAR BIST;                                                            \
	union {                                                                \
		struct _PCI_HEADER_TYPE_0 type0;                               \
		struct _PCI_HEADER_TYPE_1 type1;                               \
		struct _PCI_HEADER_TYPE_2 type2;                               \
	} u

typedef struct _PCI_COMMON_HEADER {
	NDISDMA_PCI_HEADER_FIELDS_;
} PCI_COMMON_HEADER, *PPCI_COMMON_HEADER;

/* wdm.h embeds PCI_COMMON_HEADER as an unnamed member (an MS extension);
 * the same fields are spelled out here so that plain C reaches them the
 * same way (Config.VendorID, Config.u.type0.BaseAddresses[i]). */
typedef struct _PCI_COMMON_CONFIG {
	NDISDMA_PCI_HEADER_FIELDS_;
	UCHAR DeviceSpecific[192];
} PCI_COMMON_CONFIG, *PPCI_COMMON_CONFIG;

#define PCI_COMMON_HDR_LENGTH (FIELD_OFFSET(PCI_COMMON_CONFIG, DeviceSpecific))
#define PCI_EXTENDED_CONFIG_LENGTH 0x1000
#define PCI_MAX_DEVICES 32
#define PCI_MAX_FUNCTION 8
#define PCI_MAX_BRIDGE_NUMBER 0xFF
#define PCI_INVALID_VENDORID 0xFFFF

/* HeaderType */
#define PCI_MULTIFUNCTION 0x80
#define PCI_DEVICE_TYPE 0x00
#define PCI_BRIDGE_TYPE 0x01
#define PCI_CARDBUS_BRIDGE_TYPE 0x02
#define PCI_CONFIGURATION_TYPE(PciData)                                        \
	(((PPCI_COMMON_CONFIG)(PciData))->HeaderType & ~PCI_MULTIFUNCTION)
#define PCI_MULTIFUNCTION_DEVICE(PciData)                                      \
	((((PPCI_COMMON_CONFIG)(PciData))->HeaderType & PCI_MULTIFUNCTION) != 0)

/* Command */
#define PCI_ENABLE_IO_SPACE 0x0001
#define PCI_ENABLE_MEMORY_SPACE 0x0002
#define PCI_ENABLE_BUS_MASTER 0x0004
#define PCI_ENABLE_SPECIAL_CYCLES 0x0008
#define PCI_ENABLE_WRITE_AND_INVALIDATE 0x0010
#define PCI_ENABLE_VGA_COMPATIBLE_PALETTE 0x0020
#define PCI_ENABLE_PARITY 0x0040
#define PCI_ENABLE_WAIT_CYCLE 0x0080
#define PCI_ENABLE_SERR 0x0100
#define PCI_ENABLE_FAST_BACK_TO_BACK 0x0200
#define PCI_DISABLE_LEVEL_INTERRUPT 0x0400

/* Status */
#define PCI_STATUS_INTERRUPT_PENDING 0x0008
#define PCI_STATUS_CAPABILITIES_LIST 0x0010
#define PCI_STATUS_66MHZ_CAPABLE 0x0020
#define PCI_STATUS_UDF_SUPPORTED 0x0040
#define PCI_STATUS_FAST_BACK_TO_BACK 0x0080
#define PCI_STATUS_DATA_PARITY_DETECTED 0x0100
#define PCI_STATUS_DEVSEL 0x0600
#define PCI_STATUS_SIGNALED_TARGET_ABORT 0x0800
#define PCI_STATUS_RECEIVED_TARGET_ABORT 0x1000
#define PCI_STATUS_RECEIVED_MASTER_ABORT 0x2000
#define PCI_STATUS_SIGNALED_SYSTEM_ERROR 0x4000
#define PCI_STATUS_DETECTED_PARITY_ERROR 0x8000

/* Base address registers */
#define PCI_ADDRESS_IO_SPACE 0x00000001
#define PCI_ADDRESS_MEMORY_TYPE_MASK 0x00000006
#define PCI_ADDRESS_MEMORY_PREFETCHABLE 0x00000008
#define PCI_ADDRESS_IO_ADDRESS_MASK 0xfffffffc
#define PCI_ADDRESS_MEMORY_ADDRESS_MASK 0xfffffff0
#define PCI_ADDRESS_ROM_ADDRESS_MASK 0xfffff800
#define PCI_TYPE_32BIT 0
#define PCI_TYPE_20BIT 2
#define PCI_TYPE_64BIT 4
#define PCI_ROMADDRESS_ENABLED 0x00000001

/* Base classes a NIC driver checks */
#define PCI_CLASS_NETWORK_CTLR 0x02
#define PCI_SUBCLASS_NET_ETHERNET_CTLR 0x00

/* NdisReadPciSlotInformation / NdisMGetBusData WhichSpace */
#define PCI_WHICHSPACE_CONFIG 0x0
#define PCI_WHICHSPACE_ROM 0x52696350

#if defined(__cplusplus)
static_assert(sizeof(PCI_COMMON_CONFIG) == 256, "PCI_COMMON_CONFIG");
#else
_Static_assert(sizeof(PCI_COMMON_HEADER) == 64, "PCI header is 64 bytes");
_Static_assert(sizeof(PCI_COMMON_CONFIG) == 256,
	       "PCI_COMMON_CONFIG covers the 256-byte configuration space");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type0.BaseAddresses) == 0x10,
	       "BAR0 at 0x10");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type0.SubVendorID) == 0x2c,
	       "subsystem vendor at 0x2c");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type0.CapabilitiesPtr) == 0x34,
	       "capabilities pointer at 0x34");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type0.InterruptLine) == 0x3c,
	       "interrupt line at 0x3c");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type1.BridgeControl) == 0x3e,
	       "type 1 bridge control at 0x3e");
_Static_assert(offsetof(PCI_COMMON_CONFIG, u.type2.BridgeControl) == 0x3e,
	       "type 2 bridge control at 0x3e");
#endif

#ifdef __cplusplus
}
#endif
#endif
