#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -DNDES_FUZZ=ON) and runs each one for
# SECONDS (default 60) against a copy of its seed corpus (corpus/<target>/) plus
# the inputs of past findings (regressions/<target>/):
#   tests/fuzz/run-fuzzers.sh [SECONDS]
# SECONDS=0 only runs every seed once (a quick regression check of the corpus).
#
# Environment:
#   NDES_FUZZ_BUILD_DIR  build tree (default <src>/build-fuzz)
#   NDES_FUZZ_TARGETS    space-separated subset of targets (default: all built)
#   NDES_FUZZ_CXX        compiler (default clang++-14, else clang++)
#   NDES_FUZZ_JOBS       build parallelism (default nproc)
#   NDES_FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (10)
#   NDES_FUZZ_KEEP_CORPUS=1  keep growing the working corpus of the last run instead
#                        of starting again from the seeds
#   NDES_FUZZ_SKIP_BUILD=1  run the targets already built (a long run beside a build)
#   NDES_FUZZ_PARALLEL   targets run at once (default 1; the CI stage runs one per core)
#   NDES_FUZZ_ARGS       extra libFuzzer flags, e.g. "-fork=1 -ignore_crashes=1" to
#                        go on after a known finding (executions are then read from
#                        the last "#N" status line)
#
# Prints, per target, the executions (stat::number_of_executed_units of
# -print_final_stats=1), the corpus growth and the result. Exits 1 if any target
# found a crash, a leak, a UBSan error, a hang or an out-of-memory; the input is
# left in <build>/fuzz-artifacts/ (reproduce: <build>/fuzz/<target> <file>).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
seconds="${1:-60}"
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
build="${NDES_FUZZ_BUILD_DIR:-$src/build-fuzz}"
jobs="${NDES_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
timeout="${NDES_FUZZ_TIMEOUT:-10}"
parallel="${NDES_FUZZ_PARALLEL:-1}"
cxx="${NDES_FUZZ_CXX:-}"
if [ -z "$cxx" ]; then
  if command -v clang++-14 >/dev/null; then cxx=clang++-14; else cxx=clang++; fi
fi

# --- build ---------------------------------------------------------------------
configure=(-S "$src" -B "$build" -DNDES_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx"
           -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNDES_BUILD_TESTS=OFF)
if [ "${NDES_FUZZ_SKIP_BUILD:-0}" != 1 ]; then
  cmake "${configure[@]}" >/dev/null
  cmake --build "$build" --target ndes_fuzz_targets -j "$jobs"
fi

targets="${NDES_FUZZ_TARGETS:-$(cat "$build/fuzz/targets.txt")}"
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"

# libFuzzer sets its own ASan defaults; these make every report fatal and complete.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}"
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/bin/llvm-symbolizer-14 ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-14
fi

# --- run -----------------------------------------------------------------------
# One target: runs it and writes its summary line to <build>/fuzz-run/<t>.summary.
run_target() {
  local t="$1" bin seeds work log before after execs rate status rc crash
  local -a args
  bin="$build/fuzz/$t"
  seeds="$here/corpus/$t"
  work="$build/fuzz-run/$t"
  log="$build/fuzz-run/$t.log"
  if [ ! -x "$bin" ]; then
    echo "run-fuzzers: $t was not built" >&2
    printf '%-26s %14s %8s  %s\n' "$t" "-" "-" "FAILED (not built)" > "$build/fuzz-run/$t.summary"
    return
  fi
  if [ "${NDES_FUZZ_KEEP_CORPUS:-0}" != 1 ] || [ ! -d "$work" ]; then
    rm -rf "$work"; mkdir -p "$work"
    if [ -d "$seeds" ]; then cp -a "$seeds/." "$work/"; fi
  fi
  # Inputs of past findings (regressions/<target>/) are replayed in every run.
  if [ -d "$here/regressions/$t" ]; then cp -a "$here/regressions/$t/." "$work/"; fi
  before="$(find "$work" -type f | wc -l)"
  args=(-print_final_stats=1 -timeout="$timeout" -rss_limit_mb=2048
        -artifact_prefix="$artifacts/$t-")
  # shellcheck disable=SC2206  # word splitting of the flags is wanted
  args+=(${NDES_FUZZ_ARGS:-})
  if [ "$seconds" -eq 0 ]; then
    args+=(-runs=0)
  else
    args+=(-max_total_time="$seconds")
  fi
  echo "=== $t: ${seconds}s, $before seed(s)"
  set +e
  "$bin" "${args[@]}" "$work" > "$log" 2>&1
  rc=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  if [ -z "$execs" ]; then  # fork mode: the parent's last "#N: cov: ..." line
    execs="$(sed -n 's/^#\([0-9][0-9]*\):* .*/\1/p' "$log" | tail -1)"
  fi
  after="$(find "$work" -type f | wc -l)"
  if [ "$rc" -eq 0 ]; then
    status="ok, corpus $before -> $after"
  else
    crash="$(ls -t "$artifacts/$t-"* 2>/dev/null | head -1 || true)"
    status="FAILED (exit $rc) ${crash:-(no artifact)}"
    # The report: the sanitizer or libFuzzer summary and the top frames.
    grep -E 'ERROR: |SUMMARY: |runtime error|ALARM|fuzz check failed|#[0-9]+ 0x' "$log" | head -40 >&2 || true
    echo "run-fuzzers: full log $log; reproduce: $bin ${crash:-<input>}" >&2
    # A CI machine's build tree is gone after the run: the input goes into the log too
    # (base64 -d > tests/fuzz/regressions/$t/<name> brings it back).
    if [ -n "$crash" ] && [ "$(stat -c %s "$crash")" -le 65536 ]; then
      echo "run-fuzzers: $(basename "$crash") as base64:" >&2
      base64 -w 76 "$crash" >&2
    fi
  fi
  printf '%-26s %14s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$status" > "$build/fuzz-run/$t.summary"
}

mkdir -p "$build/fuzz-run"
for t in $targets; do rm -f "$build/fuzz-run/$t.summary"; done
for t in $targets; do
  run_target "$t" &
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
done
wait
failed=0
summary=()
for t in $targets; do
  line="$(cat "$build/fuzz-run/$t.summary" 2>/dev/null || printf '%-26s %14s %8s  %s' "$t" "?" "?" "FAILED (no result)")"
  case "$line" in *FAILED*) failed=1 ;; esac
  summary+=("$line")
done

echo
printf '%-26s %14s %8s  %s\n' "target" "executions" "exec/s" "result (${seconds}s each)"
printf '%s\n' "${summary[@]}"
exit "$failed"
