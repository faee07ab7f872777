#!/bin/sh
# Fresh Debian 12, as root: install dependencies, build with warnings as
# errors under AddressSanitizer and UndefinedBehaviorSanitizer, run every test.
set -eu
cd "$(dirname "$0")/.."
SMOGD_TEST_PKGS="nginx systemd openssl python3-yaml" sh deploy/install-deps.sh
# tests that need those tools fail instead of skipping when they are missing
export SMOGD_REQUIRE_TOOLS=1
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DSM_WERROR=ON \
      -DSM_SANITIZE=address,undefined >/dev/null
cmake --build build-test -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-test --output-on-failure -j2 --timeout 600 "$@"
