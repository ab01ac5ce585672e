#!/bin/sh
# SPDX-License-Identifier: MIT
# vm_cleanup.sh NDISDMA E1000_SO: start `ndisdma vm`, stop it (SIGTERM;
# a background job of a script has SIGINT ignored, so not SIGINT)
# once QEMU runs in its network namespace, and check that the namespace,
# its tap and QEMU are gone. 77 (skip) when the VM cannot run here.
set -u
NDISDMA=$1 SO=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no QEMU"; exit 77; }
OUT=$(mktemp)
"$NDISDMA" vm --nic e1000 --driver "$SO" --ping 1000 > "$OUT" 2>&1 &
PID=$!
NS=ndisdma-vm-$PID
# (a first run may download the guest kernel first)
up=0
for i in $(seq 1200); do
	kill -0 $PID 2>/dev/null || break
	if ip netns list | grep -q "^$NS" && grep -q "booting" "$OUT"; then
		up=1
		break
	fi
	sleep 0.2
done
if [ $up = 0 ]; then
	kill -TERM $PID 2>/dev/null
	wait $PID
	rc=$?
	cat "$OUT"
	rm -f "$OUT"
	[ $rc = 77 ] && exit 77
	echo "FAIL: QEMU never started in namespace $NS"
	exit 1
fi
sleep 3
kill -TERM $PID
wait $PID
rc=$?
cat "$OUT"
rm -f "$OUT"
ok=1
if ip netns list | grep -q "^$NS"; then echo "FAIL: namespace $NS still there"; ok=0; fi
if ip link show | grep -q "ndvm$PID"; then echo "FAIL: tap ndvm$PID still there"; ok=0; fi
if pgrep -f "ifname=ndvm$PID" >/dev/null; then echo "FAIL: QEMU still running"; ok=0; fi
[ $rc = 143 ] || { echo "FAIL: exit status $rc, not 143"; ok=0; }
[ $ok = 1 ] && echo "PASS: interrupted (exit $rc), namespace, tap and QEMU gone"
[ $ok = 1 ]
