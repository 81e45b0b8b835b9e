#!/usr/bin/env bash
# sipwright setup: installs the missing Debian packages, configures and builds with
# CMake + Ninja + ccache, then runs what was asked.
#   ./setup.sh suite   build, then run the bundled library against the reference device and write
#                      sipwright-results/{junit.xml,report.html,run.pcap}
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
  libtomlplusplus-dev                # device profiles (TOML)
  libssl-dev                         # digest authentication (MD5, SHA-256, SHA-512-256)
  libboost1.81-dev libpugixml-dev    # Boost.Asio 1.81 engine, scenario XML loader
  libxml2-dev libxml2-utils          # XSD validation of XML bodies (380); xmllint for the scenario XSD
  sip-tester python3                 # SIPp: the interop peer (label interop)
  kamailio                           # registrar and proxy with digest auth (label interop)
  baresip                            # a real phone as the device under test (label interop)
  tshark python3-junitparser         # the reports' tests read the pcap and the JUnit file
  chromium chromium-driver python3-selenium  # the HTML report's test in headless Chromium
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
# ccache: paths relative to the checkout, so that another clone of the same tree (CI clones
# afresh) hits the same cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
if [ ! -f "$build_dir/build.ninja" ]; then
  cmake --preset "$preset" -B "$build_dir"
fi
cmake --build "$build_dir" -j "$jobs"

case "$mode" in
  build) ;;
  suite)
    # The bundled conformance library against the built-in reference device, which the bundled
    # profile starts on a free loopback port with T1 = 100 ms; the reports go to
    # sipwright-results/ (junit.xml, report.html, run.pcap). The exit status is sipwright's.
    exec "$build_dir/harness/cli/sipwright" run --profile suite/profiles/refdut.toml \
      --out sipwright-results
    ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 600
    ;;
  *) echo "usage: $0 [build|suite|test]" >&2; exit 2 ;;
esac
