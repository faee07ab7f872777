#!/bin/sh
# Fresh Debian 12, as root: install dependencies, build smogd, run the main job.
#   sh deploy/quickstart.sh          replays the bundled Jiang County episode and writes its report
#   sh deploy/quickstart.sh serve    starts the server on ./smogd.db (127.0.0.1:8080)
set -eu
cd "$(dirname "$0")/.."
sh deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)"
if [ "${1:-demo}" = serve ]; then
    shift
    exec ./build/engine/smogd serve --db ./smogd.db "$@"
fi
exec ./build/engine/smogd demo "$@"
