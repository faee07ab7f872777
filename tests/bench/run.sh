#!/bin/sh
# The smogd benchmark: builds smogd and the reference programs in release
# mode (build-bench/), then runs every case in interleaved rounds against
# nginx, a no-database evhttp peer, raw SQLite and bare libxml2, on
# 127.0.0.1 only. Prints a table; writes tests/bench/results/latest.json.
# Options are passed to bench.py (e.g. --rounds 5, --sizes 100,10000).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build="$src/build-bench"

need=""
for pkg in wrk nginx-light nghttp2-client valgrind sqlite3 iproute2; do
    case $pkg in
        nginx-light) command -v nginx >/dev/null 2>&1 || need="$need $pkg" ;;
        *) dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg" ;;
    esac
done
if [ -n "$need" ]; then
    echo "installing:$need" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSM_SANITIZE= >/dev/null
cmake --build "$build" -j"$(nproc)" --target smogd peer_ack sqlite_bulk cap_bare cap_parse list_gen >/dev/null

mkdir -p "$src/tests/bench/results"
exec timeout 3600 python3 "$src/tests/bench/bench.py" --build "$build" \
    --out "$src/tests/bench/results/latest.json" "$@"
