#!/bin/sh
# Builds the Debian package (Debian 12) into build-deb/: smogd_VERSION_ARCH.deb.
# Release build with /usr as prefix, so the binary finds /usr/share/smogd/rules.
set -eu
cd "$(dirname "$0")/.."
sh deploy/install-deps.sh
cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
      -DBUILD_TESTING=OFF >/dev/null
cmake --build build-deb -j"$(nproc)"
(cd build-deb && cpack -G DEB)
ls -1 build-deb/*.deb
