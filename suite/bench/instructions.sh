#!/bin/sh
# Instructions per message for each parser, counted by callgrind (deterministic, unlike time).
# Runs parse_bench twice per parser, with 0 and N passes over one message set, and divides the
# difference by N * messages, so start-up (loading, probing, parser_init) cancels out.
# usage: suite/bench/instructions.sh [path/to/parse_bench] [set: all|typical|rfc4475] [N]
set -eu
bench=${1:-build/suite/bench/parse_bench}
set_name=${2:-all}
n=${3:-200}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
messages=$("$bench" --only sipwright --iterations 0 --set "$set_name" 2>/dev/null |
  sed -n "s/^set $set_name: \([0-9]*\) messages.*/\1/p")
[ -n "$messages" ] || { echo "no set '$set_name' in $bench" >&2; exit 1; }
ir() { # parser passes -> instructions executed by the whole run
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.out" "$bench" --only "$1" \
    --iterations "$2" --set "$set_name" >/dev/null 2>"$out/err"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/err"
}
echo "set $set_name: $messages messages, $n passes (callgrind, instructions per message)"
for p in sipwright osip sofia; do
  base=$(ir "$p" 0)
  full=$(ir "$p" "$n")
  echo "$p $base $full" | awk -v n="$n" -v m="$messages" \
    '{ printf "  %-10s %10.0f instructions/message\n", $1, ($3 - $2) / (n * m) }'
done
