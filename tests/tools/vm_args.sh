#!/bin/sh
# SPDX-License-Identifier: MIT
# vm_args.sh NDISDMA SO: `ndisdma vm` refuses bad arguments with exit status
# 2 (usage) or 1 (a missing driver file) and a sentence saying what is
# wrong, before it needs root or QEMU.
set -u
NDISDMA=$1 SO=$2
fails=0
expect() { # STATUS TEXT ARGS...
	want=$1 text=$2
	shift 2
	out=$("$NDISDMA" vm "$@" 2>&1)
	rc=$?
	if [ $rc != "$want" ] || ! printf '%s' "$out" | grep -q -- "$text"; then
		echo "FAIL: ndisdma vm $*: exit $rc (want $want), output:"
		echo "$out"
		fails=$((fails + 1))
	fi
}
expect 2 "--nic MODEL is required"
expect 2 "--driver DRIVER.so is required" --nic e1000
expect 2 "--bus must be vfio or uio" --nic e1000 --driver "$SO" --bus pci
expect 2 "--ping takes a count" --nic e1000 --driver "$SO" --ping x
expect 2 "at least 1" --nic e1000 --driver "$SO" --ping 0
expect 2 "bad NIC model" --nic 'e1000;x' --driver "$SO"
expect 2 "NAME=VALUE" --nic e1000 --driver "$SO" --param NoEquals
expect 2 "unknown argument" --nic e1000 --driver "$SO" --frobnicate
expect 1 "not found" --nic e1000 --driver /nonexistent/x.so
[ $fails = 0 ] && echo "PASS: 9 argument errors"
[ $fails = 0 ]
