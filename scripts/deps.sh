# SPDX-License-Identifier: MIT
# Sourced by scripts/demo and scripts/test: install the Debian packages
# named in "$@" that are missing (needs root, or sudo), without their
# recommended packages (QEMU would otherwise pull in a GUI stack).
ndisdma_need() {
	missing=""
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "ndisdma: installing Debian packages:$missing"
	sudo_=""
	[ "$(id -u)" -ne 0 ] && sudo_="sudo"
	$sudo_ apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends $missing
}
