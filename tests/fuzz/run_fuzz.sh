#!/bin/sh
# Time-boxed libFuzzer run of every tests/fuzz/fuzz_*.c target, from its
# committed corpus, under clang with AddressSanitizer and UBSan.
#   sh tests/fuzz/run_fuzz.sh [SECONDS_PER_TARGET]     (default 15; nightly: 600)
# A crash makes the script fail; the crashing input is copied into the
# target's corpus directory (crash-<sha1>) so that the ctest replay keeps
# it as a regression test once the bug is fixed. New coverage found during
# the run stays in build-fuzz/corpus/, not in the repository.
set -eu
cd "$(dirname "$0")/../.."
SECS="${1:-${SMOGD_FUZZ_SECONDS:-15}}"
if ! command -v clang >/dev/null 2>&1; then
    echo "run_fuzz: clang is not installed; skipped"
    exit 0
fi
B=build-fuzz
CC=clang cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Debug -DSM_FUZZ=ON \
      -DSM_SANITIZE=address,undefined >/dev/null
targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
# shellcheck disable=SC2086
cmake --build "$B" -j"$(nproc)" --target $targets >"$B/build.log" 2>&1 || { tail -30 "$B/build.log"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
for t in $targets; do
    name=${t#fuzz_}
    exe=$(find "$B" -name "$t" -type f -perm -u+x | head -1)
    work="$B/corpus/$name"
    art="$B/artifacts/$name/"
    mkdir -p "$work" "$art"
    if "$exe" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
            -print_final_stats=1 -artifact_prefix="$art" "$work" "tests/fuzz/corpus/$name" \
            >"$B/$t.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$t.log")
        echo "run_fuzz: $t: ${runs:-?} runs in ${SECS}s, no crash"
    else
        fail=1
        echo "run_fuzz: $t FAILED; last lines of $B/$t.log:"
        tail -20 "$B/$t.log"
        for c in "$art"crash-* "$art"leak-* "$art"timeout-*; do
            [ -f "$c" ] && cp "$c" "tests/fuzz/corpus/$name/" && echo "  kept $c in tests/fuzz/corpus/$name/"
        done
    fi
done
exit $fail
