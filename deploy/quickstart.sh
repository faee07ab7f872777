#!/bin/sh
# Fresh Debian 12, as root: install dependencies, build smogd, run the main job.
set -eu
cd "$(dirname "$0")/.."
sh deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/engine/smogd serve --db ./smogd.db "$@"
