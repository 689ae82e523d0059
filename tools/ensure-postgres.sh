#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl) are on this machine, because the test
# run starts its own throw-away server on loopback (tests/pg.py) and a missing server must fail
# the run, not skip it. Installs the Debian package only when they are absent, so it is cheap on
# a prepared machine. It never starts or configures a system-wide cluster: the tests bring
# their own, owned by the `postgres` user the package creates.
set -euo pipefail
have_pg() {
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && return 0
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}
if have_pg; then exit 0; fi
echo "ensure-postgres: PostgreSQL server binaries are missing; installing the postgresql package"
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-postgres: need root to install PostgreSQL" \
       "(run: sudo apt-get install postgresql)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgres: no apt-get here; install the PostgreSQL server (initdb, pg_ctl)" \
       "with this system's package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
have_pg || { echo "ensure-postgres: postgresql installed but initdb/pg_ctl not found" >&2; exit 1; }
