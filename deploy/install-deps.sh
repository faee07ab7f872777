#!/bin/sh
# Installs what smogd needs to build and test on Debian 12 (run as root).
# Packages already present are not fetched again.
set -eu
PKGS="build-essential cmake pkg-config libevent-dev libsqlite3-dev libxml2-dev
libjansson-dev libssl-dev libcurl4-openssl-dev libzip-dev python3 sqlite3 curl"
[ -n "${SMOGD_EXTRA_PKGS:-}" ] && PKGS="$PKGS $SMOGD_EXTRA_PKGS"
# Only the tests need these (tests/run.sh sets it): nginx -t and a live proxy, systemd-analyze
# verify and test certificates (dpkg-deb and cpack come with dpkg and cmake).
[ -n "${SMOGD_TEST_PKGS:-}" ] && PKGS="$PKGS $SMOGD_TEST_PKGS"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
