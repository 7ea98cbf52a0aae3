#!/usr/bin/env bash
# The statuspost benchmark: build time, memory, output size and home page weight
# for sites of 100, 1,000 and 10,000 incidents, and the watch rebuild latency.
#
#   bash bench/run.sh            # all sizes
#   SIZES="1000" bash bench/run.sh
#
# Sites come from `cargo run --release --example corpus` (deterministic, seed 42).
# Output goes to $BENCH_OUT (default: /dev/shm when present, so that the figures
# measure statuspost rather than the disk; set BENCH_OUT=/tmp to include the disk).
# Times are the median of $RUNS runs (default 5). Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100 1000 10000"}
RUNS=${RUNS:-5}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/statuspost-bench.XXXXXX)}
if [ -z "${BENCH_OUT:-}" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_OUT=/dev/shm; else BENCH_OUT=$WORK; fi
fi
OUT="$BENCH_OUT/statuspost-bench-out.$$"
NOW=2026-11-22T12:00:00Z
trap 'rm -rf "$OUT"' EXIT

cargo build --release --quiet --bin statuspost --example corpus --example watch_latency
BIN=target/release/statuspost

ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); output on $(df -T "$BENCH_OUT" | awk 'NR==2 {print $2}')"
printf '%-8s %12s %12s %12s %10s %10s %12s %12s\n' incidents "full build" "no change" "one edit" "peak RSS" output "index raw" "index gzip"
for n in $SIZES; do
  site="$WORK/site-$n"
  [ -d "$site" ] || target/release/examples/corpus "$site" "$n" 42 2>/dev/null
  full=(); noop=(); edit=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$OUT"
    t0=$(date +%s%N); "$BIN" build --root "$site" --output-dir "$OUT" --now "$NOW" 2>/dev/null; t1=$(date +%s%N)
    full+=("$(ms "$t0" "$t1")")
    t0=$(date +%s%N); "$BIN" build --root "$site" --output-dir "$OUT" --now "$NOW" 2>/dev/null; t1=$(date +%s%N)
    noop+=("$(ms "$t0" "$t1")")
    file=$(ls "$site/incidents" | sed -n "$(( n / 2 ))p")
    printf '\nEdited by the benchmark at %s.\n' "$t1" >> "$site/incidents/$file"
    t0=$(date +%s%N); "$BIN" build --root "$site" --output-dir "$OUT" --now "$NOW" 2>/dev/null; t1=$(date +%s%N)
    edit+=("$(ms "$t0" "$t1")")
  done
  rm -rf "$OUT"
  rss=$( { /usr/bin/time -f '%M' "$BIN" build --root "$site" --output-dir "$OUT" --now "$NOW" 2>&1 >/dev/null; } | tail -1)
  size=$(du -sk "$OUT" | cut -f1)
  raw=$(wc -c < "$OUT/index.html")
  gz=$(gzip -9 -c "$OUT/index.html" | wc -c)
  printf '%-8s %9s ms %9s ms %9s ms %7s MB %7s MB %9s B %9s B\n' "$n" \
    "$(printf '%s\n' "${full[@]}" | median)" "$(printf '%s\n' "${noop[@]}" | median)" "$(printf '%s\n' "${edit[@]}" | median)" \
    "$(( rss / 1024 ))" "$(( size / 1024 ))" "$raw" "$gz"
done

for n in $SIZES; do
  if [ "$n" = 1000 ]; then
    # watch writes its output under TMPDIR: the same place as the builds above.
    TMPDIR="$BENCH_OUT" target/release/examples/watch_latency "$WORK/site-1000" 20 middle
    TMPDIR="$BENCH_OUT" target/release/examples/watch_latency "$WORK/site-1000" 20 newest
  fi
done
