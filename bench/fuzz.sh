#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for N minutes each, JOBS at a time,
# and prints executions, speed, corpus growth and findings per target.
#
#   bash bench/fuzz.sh            # 10 minutes per target, 2 at a time
#   MINUTES=1 bash bench/fuzz.sh traffic_csv upload
#
# Needs the nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz
# (`cargo install cargo-fuzz`, installed here when missing). The crate itself builds on
# stable; only the fuzz build uses nightly, for the sanitizer.
#
# New inputs go into fuzz/corpus/<target>/, which is then minimised (`cargo fuzz cmin`):
# commit it, and tests/fuzz_corpus.rs replays it in the test command. A crash or a hang
# (over 10 s on one input) is saved in fuzz/artifacts/<target>/; copy it to
# fuzz/regressions/<target>/, fix the cause, and the replay test keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-10}
JOBS=${JOBS:-2}
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz.sh: the nightly toolchain is missing; run: rustup toolchain install nightly" >&2
  exit 2
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
if [ $# -gt 0 ]; then targets=("$@"); else
  targets=()
  for f in fuzz/fuzz_targets/*.rs; do targets+=("$(basename "$f" .rs)"); done
fi
logs=target/fuzz-logs
mkdir -p "$logs"
echo "== building ${#targets[@]} fuzz targets (nightly, AddressSanitizer)"
cargo +nightly fuzz build -O >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log"; exit 1; }

run_one() {
  local t=$1
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  find "fuzz/corpus/$t" -type f | wc -l >"$logs/$t.before"
  # -timeout: an input that takes over 10 s counts as a hang, a finding like a crash.
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" -- \
    -max_total_time=$((MINUTES * 60)) -timeout=10 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t/" >"$logs/$t.log" 2>&1 || true
}
export -f run_one
export MINUTES logs

echo "== fuzzing: $MINUTES min per target, $JOBS at a time (logs in $logs/)"
printf '%s\n' "${targets[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

echo "== minimising the corpora"
for t in "${targets[@]}"; do
  cargo +nightly fuzz cmin -O "$t" "fuzz/corpus/$t" >"$logs/$t.cmin.log" 2>&1 || true
done

printf '\n%-18s %8s %14s %9s %12s %9s\n' target minutes executions "exec/s" "corpus" findings
status=0
for t in "${targets[@]}"; do
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' || echo "?")
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' || echo "?")
  after=$(find "fuzz/corpus/$t" -type f | wc -l)
  found=$(find "fuzz/artifacts/$t" -type f | wc -l)
  printf '%-18s %8s %14s %9s %12s %9s\n' "$t" "$MINUTES" "${execs:-?}" "${speed:-?}" \
    "$(cat "$logs/$t.before") → $after" "$found"
  if [ "$found" -gt 0 ]; then
    status=1
    find "fuzz/artifacts/$t" -type f | sed 's/^/  finding: /'
    grep -m1 -E 'panicked at|ERROR: (AddressSanitizer|libFuzzer)' "$logs/$t.log" | sed 's/^/  /' || true
  fi
done
exit $status
