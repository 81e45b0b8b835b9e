#!/usr/bin/env bash
# sipwright setup: installs the missing Debian packages, configures and builds with
# CMake + Ninja + ccache, then runs what was asked.
#   ./setup.sh suite   build, then run sipwright's main job and write a JUnit report
#   ./setup.sh test    build, then run every test (ctest), failing on any failure
#   ./setup.sh build   build only
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-build}
build_dir=${SIPWRIGHT_BUILD_DIR:-build}
preset=${SIPWRIGHT_PRESET:-default}

packages=(
  g++ cmake ninja-build ccache pkg-config
  catch2 libcli11-dev libfmt-dev libpcap-dev
  libboost1.81-dev libpugixml-dev    # Boost.Asio 1.81 engine, scenario XML loader
  libxml2-dev libxml2-utils          # XSD validation of XML bodies (380); xmllint for the scenario XSD
  sip-tester python3                 # SIPp: the interop peer (label interop)
  tshark python3-junitparser         # the reports' tests read the pcap and the JUnit file
  clang libclang-rt-14-dev           # libFuzzer target under suite/fuzz
  libosip2-dev libsofia-sip-ua-dev   # parse-speed comparison under suite/bench
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake --preset "$preset" -B "$build_dir"
fi
cmake --build "$build_dir" -j "$jobs"

case "$mode" in
  build) ;;
  suite)
    # The bundled conformance library against the built-in reference device (sipwright refdut),
    # on loopback, with a small T1 so the timers run fast. Device-caller scenarios make the
    # reference device call with --trigger. (The JUnit report comes with the reports module.)
    sw="$(pwd)/$build_dir/harness/cli/sipwright"
    timers=(--t1 100 --t2 800)
    log=$(mktemp)
    "$sw" refdut --local 127.0.0.1:0 "${timers[@]}" >"$log" 2>&1 &
    refdut_pid=$!
    trap 'kill "$refdut_pid" 2>/dev/null; wait "$refdut_pid" 2>/dev/null; rm -f "$log"' EXIT
    port=
    for _ in $(seq 100); do
      port=$(sed -n 's/^listening on UDP 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
      [ -n "$port" ] && break
      sleep 0.1
    done
    if [ -z "$port" ]; then echo "setup: the reference device did not start:" >&2; cat "$log" >&2; exit 1; fi
    mapfile -t ids < <("$sw" list | awk '/^device-/ {print $1}')
    "$sw" run "${ids[@]}" --dut "127.0.0.1:$port" --local 127.0.0.1:0 "${timers[@]}" \
      --trigger "$sw refdut --call {host}:{port} --transport {transport} --user {user} ${timers[*]} --timeout 30"
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 600
    ;;
  *) echo "usage: $0 [build|suite|test]" >&2; exit 2 ;;
esac
