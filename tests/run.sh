#!/bin/sh
# Fresh Debian 12, as root: install dependencies, build with warnings as
# errors under AddressSanitizer and UndefinedBehaviorSanitizer, run every test.
set -eu
cd "$(dirname "$0")/.."
# Test-only tools: nginx, systemd-analyze, openssl, PyYAML for the deploy tests;
# strace, faketime for the reliability suite's I/O-fault and clock tests;
# clang and its runtime for the time-boxed libFuzzer run; cppcheck; a browser
# and node for the console's end-to-end test (npm comes with nodejs from some
# sources and is a separate package in Debian's).
E2E_PKGS="chromium fonts-wqy-microhei"
command -v node >/dev/null 2>&1 || E2E_PKGS="$E2E_PKGS nodejs"
command -v npm >/dev/null 2>&1 || E2E_PKGS="$E2E_PKGS npm"
SMOGD_TEST_PKGS="nginx systemd openssl python3-yaml strace faketime clang libclang-rt-14-dev cppcheck clang-tidy valgrind" \
SMOGD_EXTRA_PKGS="${SMOGD_EXTRA_PKGS:-} $E2E_PKGS" sh deploy/install-deps.sh
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/e2e --no-audit --no-fund
# tests that need those tools fail instead of skipping when they are missing
export SMOGD_REQUIRE_TOOLS=1
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DSM_WERROR=ON \
      -DSM_SANITIZE=address,undefined >/dev/null
cmake --build build-test -j"$(nproc)"
# static analysis (seconds); jansson's iteration macros are spelled out for it
cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 --inline-suppr \
    -I engine --suppress=missingIncludeSystem --library=posix \
    '-Djson_array_foreach(a,i,v)=for(i=0;i<1;i++)' '-Djson_object_foreach(o,k,v)=for(;k;)' \
    engine notifiers
# clang-tidy with the project's .clang-tidy (warnings are errors; about 2 minutes)
run-clang-tidy -p build-test -quiet "$(pwd)/(engine|notifiers)/" >build-test/clang-tidy.log 2>&1 ||
    { grep -E "error:|warning:" build-test/clang-tidy.log; exit 1; }
# coverage-guided fuzzing, time-boxed (about 15 s per target; nightly: a longer box)
sh tests/fuzz/run_fuzz.sh "${SMOGD_FUZZ_SECONDS:-15}"
# valgrind: a plain build (no sanitizers), the unit tests under memcheck, and
# the server under valgrind through three integration tests (about 3 minutes)
cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug -DSM_WERROR=ON >/dev/null
cmake --build build-vg -j"$(nproc)"
ctest --test-dir build-vg -T memcheck -L unit -j2 --output-on-failure >build-vg/memcheck.log 2>&1 ||
    { tail -50 build-vg/memcheck.log; exit 1; }
for t in test_foundation test_warnings_orders test_http; do
    SMOGD="$(pwd)/build-vg/engine/smogd" SMOGD_SOURCE_DIR="$(pwd)" PYTHONPATH=tests/support \
    SMOGD_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
        python3 tests/integration/$t.py >build-vg/$t.log 2>&1 || { tail -50 build-vg/$t.log; exit 1; }
done
# the test suite last, so its summary closes the output
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-test --output-on-failure -j2 --timeout 900 "$@"
