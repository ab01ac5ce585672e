#!/bin/sh
# SPDX-License-Identifier: MIT
# Every verifier rule in src/core/rules.def must be documented in
# docs/verifier.md and named by at least one test that makes it fire.
set -eu
root="$1"
fail=0
for id in $(sed -n 's/^RULE([A-Z0-9_]*, "\([^"]*\)".*/\1/p' "$root/src/core/rules.def"); do
	if ! grep -q "\`$id\`" "$root/docs/verifier.md"; then
		echo "rule $id is not documented in docs/verifier.md"
		fail=1
	fi
	if ! grep -rqF "\"$id\"" "$root/tests"; then
		echo "rule $id has no test that makes it fire (tests/ never names it)"
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "every rule is documented and tested"
exit "$fail"
