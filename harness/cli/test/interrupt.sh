#!/bin/sh
# interrupt.sh SIPWRIGHT SCENARIO: a run waiting for a call gets SIGTERM after a second; it must
# stop at once, say so, and exit with status 1 (the run did not pass).
out=$(mktemp)
"$1" run "$2" --local 127.0.0.1:0 --timeout 30 >"$out" 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
cat "$out"
grep -q '^interrupted by signal 15: ' "$out" || { echo "no 'interrupted' line"; rm -f "$out"; exit 1; }
rm -f "$out"
[ "$rc" -eq 1 ] || { echo "exit status $rc, wanted 1"; exit 1; }
