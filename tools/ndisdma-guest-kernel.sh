# SPDX-License-Identifier: MIT
# Sourced by tools/ndisdma-vm.sh and tests/qemu/run_qemu_test.sh: the guest
# kernel of the throwaway VMs, Debian's cloud kernel, downloaded once.
#
# nd_guest_kernel DIR - make sure DIR/kernel holds the unpacked package
# (apt-get download + dpkg -x; nothing else is fetched) and set VMLINUZ,
# KVER and KMOD (the modules' kernel/ directory). Calls the caller's skip
# (no package known or downloadable) or fail (unpacking failed).
nd_guest_kernel() {
	_kdir=$1/kernel
	if ! ls "$_kdir"/boot/vmlinuz-* >/dev/null 2>&1; then
		echo "ndisdma: fetching the guest kernel (Debian linux-image-cloud-amd64) into $1" >&2
		_pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			awk '/Depends: linux-image-/ {print $2; exit}')
		[ -n "$_pkg" ] || skip "no guest kernel: apt-cache knows no linux-image-cloud-amd64 (apt-get update), or put one in $_kdir"
		rm -rf "$1/deb" && mkdir -p "$1/deb"
		(cd "$1/deb" && apt-get download "$_pkg" >/dev/null 2>&1) ||
			skip "the kernel package $_pkg could not be downloaded (apt-get download)"
		rm -rf "$_kdir.tmp"
		dpkg -x "$1"/deb/*.deb "$_kdir.tmp" || fail "dpkg -x failed"
		rm -rf "$_kdir" && mv "$_kdir.tmp" "$_kdir" && rm -rf "$1/deb"
	fi
	VMLINUZ=$(ls "$_kdir"/boot/vmlinuz-* | head -1)
	KVER=$(ls "$_kdir/lib/modules" | head -1)
	KMOD=$_kdir/lib/modules/$KVER/kernel
}
