#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run_qemu_test.sh MODE WORKDIR GUEST_BIN TOOL_BIN HOST_BIN
#
# Boots a small VM (QEMU TCG, q35; with an emulated Intel IOMMU for
# MODE=vfio, without for MODE=uio) whose only NIC is an e1000, runs the
# statically linked e1000 test driver in it on vfio:BDF or uio:BDF, with
# qemu_host holding the other end of the NIC (-netdev dgram over unix
# sockets). Downloads nothing but the Debian cloud kernel package (apt-get
# download). Exits 0 on success, 1 on failure, 77 (skip) when root, QEMU,
# busybox-static or the kernel package is unavailable.
set -u
MODE=$1 WORK=$2 GUEST=$3 TOOL=$4 HOST=$5
HERE=$(cd "$(dirname "$0")" && pwd)
SKIP=77
skip() { echo "SKIP: $*"; exit $SKIP; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (run ctest as root; the kernel package is fetched with apt-get download and unpacked with dpkg -x)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
[ -n "$BUSYBOX" ] || skip "no statically linked busybox (apt-get install busybox-static)"
command -v cpio >/dev/null || skip "cpio not installed"

mkdir -p "$WORK"
cd "$WORK" || fail "cannot enter $WORK"

# ---- the guest kernel: Debian's cloud kernel, downloaded once ----
. "$HERE/../../tools/ndisdma-guest-kernel.sh" || fail "no tools/ndisdma-guest-kernel.sh"
nd_guest_kernel "$WORK"

# ---- the initramfs ----
R=$WORK/root-$MODE
rm -rf "$R" && mkdir -p "$R"/{bin,dev,proc,sys,lib/modules,tmp}
cp "$BUSYBOX" "$R/bin/busybox"
cp "$GUEST" "$R/e1000_guest" && cp "$TOOL" "$R/ndisdma" || fail "copy"
if [ "$MODE" = vfio ]; then
	MODS="virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_iommu_type1
	      drivers/vfio/vfio_virqfd drivers/vfio/pci/vfio-pci-core
	      drivers/vfio/pci/vfio-pci"
	DRIVER=vfio-pci
else
	MODS="drivers/uio/uio drivers/uio/uio_pci_generic"
	DRIVER=uio_pci_generic
fi
LOAD=""
for m in $MODS; do
	f=$(ls "$KMOD/$m.ko"* 2>/dev/null | head -1)
	[ -n "$f" ] || skip "module $m missing from the kernel package"
	cp "$f" "$R/lib/modules/"
	LOAD="$LOAD $(basename "$f")"
done
cat > "$R/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "INIT: started at guest uptime \$(cut -d' ' -f1 /proc/uptime) s"
for m in $LOAD; do
	case \$m in *.xz) xz -d /lib/modules/\$m; m=\${m%.xz};; esac
	insmod /lib/modules/\$m || echo "INIT: insmod \$m failed"
done
BDF=""
for d in /sys/bus/pci/devices/*; do
	if [ "\$(cat \$d/vendor)" = 0x8086 ] && [ "\$(cat \$d/device)" = 0x100e ]; then BDF=\${d##*/}; fi
done
echo "INIT: e1000 at \$BDF"
[ "$MODE" = uio ] && echo 16 > /proc/sys/vm/nr_hugepages
echo 8086 100e > /sys/bus/pci/drivers/$DRIVER/new_id
sleep 1
echo "INIT: driver of \$BDF: \$(basename \$(readlink /sys/bus/pci/devices/\$BDF/driver))"
echo "INIT: ---- ndisdma probe ----"
/ndisdma probe
echo "INIT: ---- e1000 test ----"
T0=\$(cut -d' ' -f1 /proc/uptime)
/e1000_guest $MODE:\$BDF
echo "INIT: guest test from \$T0 s to \$(cut -d' ' -f1 /proc/uptime) s (guest uptime)"
echo "INIT: ---- kernel log: IOMMU faults ----"
dmesg | grep -i -E 'DMAR|fault|vfio|uio' | tail -n 20
echo "INIT: done"
poweroff -f
INIT
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$WORK/initrd-$MODE.gz" ||
	fail "cannot build the initramfs"

# ---- boot ----
SOCK_H=$WORK/host-$MODE.sock SOCK_Q=$WORK/qemu-$MODE.sock LOG=$WORK/console-$MODE.log
rm -f "$SOCK_H" "$SOCK_Q"
"$HOST" "$SOCK_H" "$SOCK_Q" 400 > "$WORK/host-$MODE.log" 2>&1 &
HPID=$!
sleep 0.3
if [ "$MODE" = vfio ]; then
	IOMMU=(-device intel-iommu,intremap=on,caching-mode=on)
	APPEND="console=ttyS0 intel_iommu=on quiet"
else
	IOMMU=()
	APPEND="console=ttyS0 quiet"
fi
START=$(date +%s.%N)
timeout 420 qemu-system-x86_64 -machine q35,accel=tcg,kernel-irqchip=split \
	-m 512 -smp 1 -nodefaults -display none -serial stdio "${IOMMU[@]}" \
	-kernel "$VMLINUZ" -initrd "$WORK/initrd-$MODE.gz" -append "$APPEND" \
	-netdev dgram,id=n0,local.type=unix,local.path="$SOCK_Q",remote.type=unix,remote.path="$SOCK_H" \
	-device e1000,netdev=n0 -no-reboot < /dev/null > "$LOG" 2>&1
QRC=$?
END=$(date +%s.%N)
# the host peer ends by itself after DONE, or at its timeout
for i in $(seq 50); do kill -0 $HPID 2>/dev/null || break; sleep 0.1; done
kill $HPID 2>/dev/null
wait $HPID
HRC=$?
rm -f "$SOCK_H" "$SOCK_Q"

echo "==== console ($LOG) ===="
tr -d '\r' < "$LOG" | grep -v '^$'
echo "==== host peer ===="
cat "$WORK/host-$MODE.log"
echo "==== verdict ===="
BOOT=$(tr -d '\r' < "$LOG" | sed -n 's/^INIT: started at guest uptime \([0-9.]*\) s/\1/p')
echo "qemu exit $QRC; wall time $(echo "$END - $START" | bc 2>/dev/null || awk "BEGIN{print $END-$START}") s; guest kernel boot to /init ${BOOT:-?} s (guest clock)"
tr -d '\r' < "$LOG" | grep '^INIT: guest test from'
ok=1
tr -d '\r' < "$LOG" | grep -q '^GUEST RESULT: PASS' || { echo "guest did not pass"; ok=0; }
[ $HRC = 0 ] || { echo "host peer did not pass (exit $HRC)"; ok=0; }
if [ "$MODE" = vfio ]; then
	grep -q 'vfio: group /dev/vfio/' "$LOG" || { echo "probe did not name the vfio group"; ok=0; }
	if tr -d '\r' < "$LOG" | grep -q -E 'DMAR:.*(fault|Fault)|fault addr'; then
		echo "guest kernel logged the DMAR fault"
	else
		echo "no DMAR fault in the guest kernel log"; ok=0
	fi
else
	grep -q 'uio: /dev/uio' "$LOG" || { echo "probe did not name the uio device"; ok=0; }
fi
[ $ok = 1 ] && { echo "PASS ($MODE)"; exit 0; }
echo "FAIL ($MODE)"
exit 1
