#!/usr/bin/env bash
# The statuspost benchmark: build time, memory, output size and home page weight
# for sites of 100, 1,000 and 10,000 incidents, and the watch rebuild latency.
#
#   bash bench/run.sh            # all sizes
#   SIZES="1000" bash bench/run.sh
#   bash bench/run.sh --compare feef45b
#                                # the binary of an earlier commit against this one, on the
#                                # same corpus in one run: medians, their ratio, and callgrind
#                                # instruction counts of a full build of 1,000 incidents
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

if [ "${1:-}" = "--compare" ]; then
  rev=$(git rev-parse --short "${2:?usage: bench/run.sh --compare REV}")
  # The earlier binary is built once, in a worktree of its own, and kept by commit.
  old_dir="target/bench-$rev"
  OLD="$old_dir/release/statuspost"
  if [ ! -x "$OLD" ]; then
    tree=$(mktemp -d /tmp/statuspost-bench-tree.XXXXXX)
    git worktree add --detach "$tree" "$rev" >/dev/null
    (cd "$tree" && CARGO_TARGET_DIR="$OLDPWD/$old_dir" cargo build --release --quiet --locked --bin statuspost)
    git worktree remove --force "$tree"
  fi
  echo "machine: $(nproc) cores, $(uname -sr); output on $(df -T "$BENCH_OUT" | awk 'NR==2 {print $2}')"
  echo "old: $rev ($OLD); new: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes') ($BIN)"
  printf '%-8s %-10s %12s %12s %12s\n' incidents binary "full build" "no change" "one edit"
  for n in $SIZES; do
    site="$WORK/site-$n"
    [ -d "$site" ] || target/release/examples/corpus "$site" "$n" 42 2>/dev/null
    declare -A full=() noop=() edit=()
    # Interleaved, so that both binaries meet the same machine load.
    for _ in $(seq "$RUNS"); do
      for which in old new; do
        bin=$BIN; [ "$which" = old ] && bin=$OLD
        rm -rf "$OUT"
        t0=$(date +%s%N); "$bin" build --root "$site" --output-dir "$OUT" --now "$NOW" >/dev/null 2>&1; t1=$(date +%s%N)
        full[$which]+="$(ms "$t0" "$t1") "
        t0=$(date +%s%N); "$bin" build --root "$site" --output-dir "$OUT" --now "$NOW" >/dev/null 2>&1; t1=$(date +%s%N)
        noop[$which]+="$(ms "$t0" "$t1") "
        file=$(ls "$site/incidents" | sed -n "$(( n / 2 ))p")
        printf '\nEdited by the benchmark at %s.\n' "$t1" >> "$site/incidents/$file"
        t0=$(date +%s%N); "$bin" build --root "$site" --output-dir "$OUT" --now "$NOW" >/dev/null 2>&1; t1=$(date +%s%N)
        edit[$which]+="$(ms "$t0" "$t1") "
      done
    done
    for which in old new; do
      printf '%-8s %-10s %9s ms %9s ms %9s ms\n' "$n" "$which" \
        "$(printf '%s\n' ${full[$which]} | median)" "$(printf '%s\n' ${noop[$which]} | median)" "$(printf '%s\n' ${edit[$which]} | median)"
    done
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
    printf '%-8s %-10s %12s %12s %12s\n' "$n" "old/new" \
      "$(ratio "$(printf '%s\n' ${full[old]} | median)" "$(printf '%s\n' ${full[new]} | median)")" \
      "$(ratio "$(printf '%s\n' ${noop[old]} | median)" "$(printf '%s\n' ${noop[new]} | median)")" \
      "$(ratio "$(printf '%s\n' ${edit[old]} | median)" "$(printf '%s\n' ${edit[new]} | median)")"
    unset full noop edit
  done
  if command -v valgrind >/dev/null && [ -d "$WORK/site-1000" ]; then
    # Instructions, not seconds: the same for the same binary and input whatever the machine does.
    for which in old new; do
      bin=$BIN; [ "$which" = old ] && bin=$OLD
      rm -rf "$OUT"
      ir=$(RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$bin" build --root "$WORK/site-1000" --output-dir "$OUT" --now "$NOW" 2>&1 >/dev/null \
        | awk '/Collected :/ {print $4}')
      printf 'callgrind, full build of 1,000 incidents, %s: %s instructions\n' "$which" "$ir"
    done
  fi
  exit 0
fi

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
