#!/bin/bash
# SPDX-License-Identifier: MIT
#
# ndisdma-vm.sh - the body of `ndisdma vm` (the command passes --ndisdma,
# the path of its own binary). Boots a throwaway VM (QEMU TCG, q35) whose
# only NIC is QEMU's MODEL, binds that NIC to vfio-pci (behind an emulated
# Intel IOMMU) or uio_pci_generic, runs `ndisdma run --tap nd0 DRIVER.so
# BUS:BDF` in it, gives nd0 an address and pings a real Linux IP stack on
# the other end of the emulated wire: a network namespace created here on
# the host, holding QEMU and the tap QEMU's NIC is wired to. Addresses
# exist only in the VM and in that namespace; nothing leaves them. Prints
# ping's summary and the driver's halt report; exits 0 only when all N
# replies came back and `ndisdma run` ended clean (no leak, no verifier
# report), 1 on a failure, 77 when something it needs is missing (it says
# what), 2 on a usage error. Cleans up the namespace on every exit path.
#
# Environment: NDISDMA_VM_CACHE (default ~/.cache/ndisdma) holds the guest
# kernel (Debian's cloud kernel, `apt-get download`ed once);
# NDISDMA_VM_KEEP=1 keeps the work directory (console log, initramfs).
set -u
SKIP=77
usage() {
	cat >&2 <<EOF
usage: ndisdma vm --nic MODEL --driver DRIVER.so [--bus vfio|uio] [--ping N]
                  [--param NAME=VALUE]... [--pcap FILE] [--timeout S]
  MODEL: QEMU's device name of the NIC (e1000, e1000-82545em, rtl8139,
  pcnet, ne2k_pci, ...). --bus vfio (default) puts it behind an emulated
  IOMMU; uio uses uio_pci_generic without one. --ping N (default 10).
  --pcap FILE records the emulated wire (QEMU's filter-dump).
EOF
	exit 2
}
skip() { echo "ndisdma vm: cannot run: $*" >&2; exit $SKIP; }
fail() { echo "ndisdma vm: $*" >&2; exit 1; }

NIC="" DRIVER="" BUS=vfio PING=10 PARAMS=() NDISDMA="" PCAP="" TIMEOUT=600
while [ $# -gt 0 ]; do
	case $1 in
	--nic) NIC=${2-}; shift 2 || usage ;;
	--driver) DRIVER=${2-}; shift 2 || usage ;;
	--bus) BUS=${2-}; shift 2 || usage ;;
	--ping) PING=${2-}; shift 2 || usage ;;
	--param) PARAMS+=("${2-}"); shift 2 || usage ;;
	--pcap) PCAP=${2-}; shift 2 || usage ;;
	--timeout) TIMEOUT=${2-}; shift 2 || usage ;;
	--ndisdma) NDISDMA=${2-}; shift 2 || usage ;;
	-h|--help) usage ;;
	*) echo "ndisdma vm: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$NIC" ] || { echo "ndisdma vm: --nic MODEL is required" >&2; usage; }
[ -n "$DRIVER" ] || { echo "ndisdma vm: --driver DRIVER.so is required" >&2; usage; }
case $BUS in vfio|uio) ;; *) echo "ndisdma vm: --bus must be vfio or uio" >&2; usage ;; esac
case $PING in ''|*[!0-9]*) echo "ndisdma vm: --ping takes a count" >&2; usage ;; esac
[ "$PING" -ge 1 ] || { echo "ndisdma vm: --ping must be at least 1" >&2; usage; }
case $NIC in ''|*[!A-Za-z0-9_-]*) echo "ndisdma vm: bad NIC model '$NIC'" >&2; usage ;; esac
for p in "${PARAMS[@]+"${PARAMS[@]}"}"; do
	case $p in *=*) ;; *) echo "ndisdma vm: --param takes NAME=VALUE, not '$p'" >&2; usage ;; esac
	case $p in *"'"*) echo "ndisdma vm: --param must not contain a quote" >&2; usage ;; esac
done
[ -f "$DRIVER" ] || fail "driver '$DRIVER' not found"
[ -n "$NDISDMA" ] && [ -x "$NDISDMA" ] || fail "internal: --ndisdma BINARY not given (run this through \`ndisdma vm\`)"

# ---- what is needed ----
missing=""
[ "$(id -u)" = 0 ] || skip "needs root (network namespace, tap, and the guest kernel package)"
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
[ -n "$BUSYBOX" ] || missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
command -v ip >/dev/null || missing="$missing iproute2"
command -v ldd >/dev/null || missing="$missing libc-bin(ldd)"
[ -e /dev/net/tun ] || missing="$missing /dev/net/tun(modprobe tun)"
[ -z "$missing" ] || skip "missing:$missing (Debian: apt-get install --no-install-recommends qemu-system-x86 busybox-static cpio iproute2)"
qemu-system-x86_64 -device help 2>/dev/null | grep -q "name \"$NIC\"" ||
	fail "QEMU has no NIC model '$NIC' (qemu-system-x86_64 -device help | grep -i net)"

# ---- the guest kernel: Debian's cloud kernel, downloaded once ----
CACHE=${NDISDMA_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ndisdma}
mkdir -p "$CACHE" || fail "cannot create $CACHE"
. "$(dirname "$0")/ndisdma-guest-kernel.sh" ||
	fail "ndisdma-guest-kernel.sh missing beside $0"
nd_guest_kernel "$CACHE"
KDIR=$CACHE/kernel

# ---- work directory, namespace, cleanup on every exit ----
WORK=$(mktemp -d /tmp/ndisdma-vm.XXXXXX) || fail "mktemp"
NS=ndisdma-vm-$$
TAP=ndvm$$
TAP=${TAP:0:15}
QPID=""
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "${NDISDMA_VM_KEEP:-0}" = 1 ]; then
		echo "ndisdma vm: work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- the initramfs: busybox, ndisdma + the driver with their libraries ----
R=$WORK/root
mkdir -p "$R"/{bin,dev,proc,sys,lib/modules,tmp,run} || fail "mkdir"
cp "$BUSYBOX" "$R/bin/busybox"
copy_with_libs() { # FILE DEST: the file, and every library ldd names
	cp "$1" "$R$2" || fail "cannot copy $1"
	ldd "$1" 2>/dev/null | awk '/=>/ {print $3} /^\t\// {print $1}' |
	while read -r lib; do
		[ -f "$lib" ] || continue
		mkdir -p "$R$(dirname "$lib")"
		cp -L -n "$lib" "$R$lib"
	done
	if ldd "$1" 2>/dev/null | grep -q 'not found'; then
		echo "ndisdma vm: $1 needs libraries ldd cannot find:" >&2
		ldd "$1" | grep 'not found' >&2
		exit 1
	fi
}
copy_with_libs "$NDISDMA" /ndisdma
copy_with_libs "$DRIVER" /driver.so
# the guest has no ld.so.cache: name every directory a library went to
# (an installed libndisdma may live in /usr/local/lib)
LIBDIRS=$(cd "$R" && find . -name '*.so*' -type f ! -path './lib/modules/*' \
	-printf '%h\n' | sed 's|^\.||' | sort -u | tr '\n' ':')
if [ "$BUS" = vfio ]; then
	MODS="virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_iommu_type1
	      drivers/vfio/vfio_virqfd drivers/vfio/pci/vfio-pci-core
	      drivers/vfio/pci/vfio-pci"
	KDRV=vfio-pci
else
	MODS="drivers/uio/uio drivers/uio/uio_pci_generic"
	KDRV=uio_pci_generic
fi
MODS="$MODS drivers/net/tun"
LOAD=""
for m in $MODS; do
	f=$(ls "$KMOD/$m.ko"* 2>/dev/null | head -1)
	if [ -z "$f" ]; then
		# built into the kernel?
		grep -q "/${m##*/}.ko" "$KDIR/lib/modules/$KVER/modules.builtin" 2>/dev/null && continue
		skip "module $m missing from the guest kernel $KVER"
	fi
	cp "$f" "$R/lib/modules/"
	LOAD="$LOAD $(basename "$f")"
done
PARGS=""
for p in "${PARAMS[@]+"${PARAMS[@]}"}"; do PARGS="$PARGS --param '$p'"; done
NET_GUEST=10.213.77.2 NET_HOST=10.213.77.1
cat > "$R/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export LD_LIBRARY_PATH=${LIBDIRS%:}
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo "VM: booted at guest uptime \$(cut -d' ' -f1 /proc/uptime) s"
for m in $LOAD; do
	case \$m in *.xz) xz -d /lib/modules/\$m; m=\${m%.xz};; esac
	insmod /lib/modules/\$m || echo "VM: insmod \$m failed"
done
ip link set lo up
BDF=""
for d in /sys/bus/pci/devices/*; do
	case \$(cat \$d/class) in 0x02*) BDF=\${d##*/};; esac
done
[ -n "\$BDF" ] || { echo "VM: no network controller found"; echo "VM RESULT: run=none"; poweroff -f; }
echo "VM: NIC $NIC at \$BDF (\$(cat /sys/bus/pci/devices/\$BDF/vendor):\$(cat /sys/bus/pci/devices/\$BDF/device)), binding to $KDRV"
[ "$BUS" = uio ] && echo 32 > /proc/sys/vm/nr_hugepages
echo $KDRV > /sys/bus/pci/devices/\$BDF/driver_override
echo \$BDF > /sys/bus/pci/drivers_probe
echo "VM: driver of \$BDF: \$(basename \$(readlink /sys/bus/pci/devices/\$BDF/driver) 2>/dev/null)"
echo "VM: ---- ndisdma run ----"
/ndisdma run --tap nd0 $PARGS /driver.so $BUS:\$BDF &
RUN=\$!
UP=0
for i in \$(seq 120); do
	kill -0 \$RUN 2>/dev/null || break
	if [ -e /sys/class/net/nd0 ] && [ "\$(cat /sys/class/net/nd0/carrier 2>/dev/null)" = 1 ]; then UP=1; break; fi
	sleep 0.5
done
if [ \$UP = 1 ]; then
	ip addr add $NET_GUEST/24 dev nd0
	echo "VM: nd0 up: \$(cat /sys/class/net/nd0/address), mtu \$(cat /sys/class/net/nd0/mtu), $NET_GUEST/24"
	echo "VM: ---- ping $NET_HOST (the host's namespace) ----"
	ping -c $PING -W 3 $NET_HOST > /tmp/ping.log 2>&1
	cat /tmp/ping.log
	echo "VM PING: \$(grep 'packets transmitted' /tmp/ping.log)"
else
	echo "VM: nd0 did not come up with carrier (ndisdma run: see above)"
fi
kill -INT \$RUN 2>/dev/null
for i in \$(seq 60); do kill -0 \$RUN 2>/dev/null || break; sleep 0.5; done
kill -0 \$RUN 2>/dev/null && { echo "VM: ndisdma run did not stop on SIGINT"; kill -9 \$RUN; }
wait \$RUN
RC=\$?
echo "VM RESULT: run=\$RC"
poweroff -f
INIT
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$WORK/initrd.gz" ||
	fail "cannot build the initramfs"

# ---- the host's side: a namespace with the tap QEMU uses ----
ip netns add "$NS" || fail "cannot create network namespace $NS"
ip -n "$NS" link set lo up &&
	ip -n "$NS" tuntap add dev "$TAP" mode tap &&
	ip -n "$NS" addr add $NET_HOST/24 dev "$TAP" &&
	ip -n "$NS" link set "$TAP" up || fail "cannot set up the tap $TAP in $NS"
echo "ndisdma vm: namespace $NS: $TAP $NET_HOST/24 (the peer); guest: nd0 $NET_GUEST/24"

if [ "$BUS" = vfio ]; then
	IOMMU=(-device intel-iommu,intremap=on,caching-mode=on)
	APPEND="console=ttyS0 intel_iommu=on quiet"
else
	IOMMU=()
	APPEND="console=ttyS0 quiet"
fi
DUMP=()
[ -n "$PCAP" ] && DUMP=(-object "filter-dump,id=f0,netdev=n0,file=$(realpath -m "$PCAP")")
LOG=$WORK/console.log
echo "ndisdma vm: booting ($NIC on $BUS; TCG, this takes a while)"
START=$(date +%s)
ip netns exec "$NS" timeout "$TIMEOUT" qemu-system-x86_64 \
	-machine q35,accel=tcg,kernel-irqchip=split -m 512 -smp 1 \
	-nodefaults -display none -serial stdio "${IOMMU[@]}" \
	-kernel "$VMLINUZ" -initrd "$WORK/initrd.gz" -append "$APPEND" \
	-netdev tap,id=n0,ifname="$TAP",script=no,downscript=no \
	-device "$NIC",netdev=n0 "${DUMP[@]}" -no-reboot < /dev/null > "$LOG" 2>&1 &
QPID=$!
wait $QPID
QRC=$?
QPID=""
END=$(date +%s)
tr -d '\r' < "$LOG" | grep -v '^$' | grep -v '^VM RESULT'
echo "ndisdma vm: QEMU exit $QRC after $((END - START)) s"
RES=$(tr -d '\r' < "$LOG" | sed -n 's/^VM RESULT: run=\(.*\)/\1/p' | tail -1)
PL=$(tr -d '\r' < "$LOG" | sed -n 's/^VM PING: //p' | tail -1)
TX=$(echo "$PL" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
RX=$(echo "$PL" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
ok=1
if [ -z "$PL" ]; then
	echo "ndisdma vm: no ping result"; ok=0
elif [ "${RX:-0}" != "$PING" ]; then
	echo "ndisdma vm: ${RX:-0} of $PING ping replies"; ok=0
fi
if [ -z "$RES" ]; then
	echo "ndisdma vm: the VM did not finish (timeout ${TIMEOUT}s or crash)"; ok=0
elif [ "$RES" != 0 ]; then
	echo "ndisdma vm: ndisdma run exited $RES (leaks, verifier reports or an error)"; ok=0
fi
if [ $ok = 1 ]; then
	echo "ndisdma vm: PASS: $RX/$PING replies, halt clean"
	exit 0
fi
echo "ndisdma vm: FAIL"
exit 1
