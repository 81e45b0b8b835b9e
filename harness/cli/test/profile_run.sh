#!/bin/sh
# profile_run.sh SIPWRIGHT PROFILE: `sipwright run --profile` with a profile that starts the
# reference device, names a user for 200 only and has no trigger. The scenario that applies plays
# and passes; the others are skipped with their reason (console SKIP, JUnit <skipped>), never
# passed; the output keeps the order given although scenarios play at once; the device the
# profile started is stopped when the run ends.
sw=$1 profile=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; cat "$dir/out"; exit 1; }
"$sw" run --profile "$profile" device-callee/busy-486 device-callee/basic-call \
  device-caller/basic-call device-callee/record-route --out "$dir/results" --color never \
  >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
[ "$rc" -eq 0 ] || fail "exit status $rc, wanted 0"
grep -v '^\(device\|reports\): ' "$dir/out" | grep -v '^      ' >"$dir/lines"
cat >"$dir/want" <<'END'
SKIP  device-callee/busy-486  (caller)  not applicable: the profile's [services] names no user for 486
PASS  device-callee/basic-call  (Basic call, the device answers, caller)  1/1 call passed  TIME
SKIP  device-caller/basic-call  (callee)  not applicable: no [trigger] command: the device cannot be made to call
PASS  device-callee/record-route  (The device copies Record-Route into its 2xx, caller)  1/1 call passed  TIME
2 passed, 0 failed, 2 skipped
END
sed -i 's/passed  [0-9.]* s$/passed  TIME/' "$dir/lines"
diff "$dir/want" "$dir/lines" || fail "the console lines differ (want, got)"
junit=$dir/results/junit.xml
[ "$(grep -c "name=\"applicable to the device\"" "$junit")" -eq 2 ] || fail "junit.xml does not hold the 2 skipped scenarios"
grep -q "<skipped message=\"not applicable: no \\[trigger\\] command" "$junit" || fail "junit.xml lacks the reason"
port=$(sed -n 's/^device: .* at UDP 127\.0\.0\.1:\([0-9]*\) (log: .*)$/\1/p' "$dir/out")
[ -n "$port" ] || fail "no 'device:' line"
grep -q 'listening on UDP' "$dir/results/device.log" || fail "device.log lacks the device's output"
if ss -Hlun "sport = :$port" | grep -q .; then fail "the device still listens on $port"; fi
# --trigger on the command line counts as the profile's: the device-caller scenario applies.
"$sw" run --profile "$profile" device-caller/busy-486 --color never --out "$dir/triggered" \
  --trigger "$sw refdut --call {host}:{port} --transport {transport} --user {user} --t1 100 --timeout 10" \
  >"$dir/out" 2>&1 || fail "with --trigger: exit status $?"
grep -q '^1 passed, 0 failed, 0 skipped$' "$dir/out" || fail "with --trigger the scenario did not play"
echo "ok"
