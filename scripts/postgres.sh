#!/usr/bin/env bash
# A private PostgreSQL for the tests (Debian's postgresql; 127.0.0.1 only; the cluster in var/postgres, or as
# root in the postgres user's home, see below).
#   scripts/postgres.sh        install if missing, create and start the cluster if needed; the last
#                              line on stdout is its URL (role and database `atencion`)
#   scripts/postgres.sh stop   stop it (the data stay)
# Outside CI, a machine where PostgreSQL cannot be installed (no root, no sudo) only gets a warning
# and no URL: the PostgreSQL tests then skip. In CI (CI set) that is an error.
# POSTGRES_TEST_PORT changes the port (55432) of a cluster about to be created.
set -euo pipefail
cd "$(dirname "$0")/.."
base="$PWD/var/postgres"
port="${POSTGRES_TEST_PORT:-55432}"
name=atencion
# initdb and the server refuse to run as root: as root the cluster belongs to the postgres user and
# lives in its home (one per checkout and port), which it can reach wherever the checkout is (a
# `mktemp -d` folder or /root are closed to it). Otherwise it lives in var/postgres.
if [ "$(id -u)" -eq 0 ]; then
  checkout=$(printf '%s:%s' "$PWD" "$port" | sha256sum | cut -c1-12)
  cluster="$(getent passwd postgres 2>/dev/null | cut -d: -f6 || true)"
  cluster="${cluster:-/var/lib/postgresql}/atencion-tests/$checkout"
else
  cluster="$base"
fi
data="$cluster/data"

pg_bin() { find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }

bin=$(pg_bin)
if [ "${1:-}" = stop ]; then
  if [ -n "$bin" ] && [ -f "$data/postmaster.pid" ]; then
    as_owner=()
    [ "$(id -u)" -ne 0 ] || as_owner=(runuser -u postgres --)
    (cd / && "${as_owner[@]}" "$bin/pg_ctl" stop -D "$data" -m fast -s) || true
  fi
  exit 0
fi

if [ -z "$bin" ]; then
  # Status 2: cannot install here, outside CI (warned): no URL, the PostgreSQL tests skip.
  scripts/apt_install.sh PostgreSQL "the PostgreSQL tests will be skipped" postgresql \
    || { [ $? -eq 2 ] && exit 0; exit 1; }
  bin=$(pg_bin)
  [ -n "$bin" ] || { echo "error: postgresql installed but no initdb under /usr/lib/postgresql" >&2; exit 1; }
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
  # A cluster of an earlier version of this script, in the checkout: stopped, its port is ours now.
  if [ -f "$base/data/postmaster.pid" ]; then
    (cd / && runuser -u postgres -- "$bin/pg_ctl" stop -D "$base/data" -m fast -s) || true
  fi
fi
owned() { (cd / && "${as_owner[@]}" "$@"); }

mkdir -p "$base" "$cluster"
# The password lives with the cluster, not with the checkout: a fresh clone at a path that had a
# cluster before (CI clones to the same place every run) reuses that cluster and its password. A
# cluster without its password file (an earlier version of this script) is throwaway: made again.
pwfile="$cluster/password"
if [ -f "$data/PG_VERSION" ] && [ ! -s "$pwfile" ]; then
  echo "remaking the test cluster in $data: its password is unknown" >&2
  owned "$bin/pg_ctl" stop -D "$data" -m fast -s >/dev/null 2>&1 || true
  rm -rf "$data"
fi
if [ ! -f "$data/PG_VERSION" ]; then
  echo "creating the test cluster in $data (port $port)" >&2
  rm -rf "$data" && mkdir -p "$data" "$cluster/log"
  (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$pwfile.tmp") && mv "$pwfile.tmp" "$pwfile"
  [ "$(id -u)" -ne 0 ] || chown -R postgres: "$cluster"
  # The role `atencion` owns the cluster: the tests create and drop their own databases.
  owned "$bin/initdb" -D "$data" -U "$name" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  # A throwaway cluster for tests: loopback only, no socket file, speed rather than durability.
  owned tee -a "$data/postgresql.conf" >/dev/null <<EOF

# scripts/postgres.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi
password=$(cat "$pwfile")
url="postgresql+psycopg2://$name:$password@127.0.0.1:$port/$name"

if ! owned "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
  owned "$bin/pg_ctl" start -D "$data" -l "$cluster/log/postgresql.log" -w -t 60 -s >&2 || {
    echo "error: PostgreSQL did not start; see $cluster/log/postgresql.log" >&2
    tail -n 20 "$cluster/log/postgresql.log" >&2 || true
    exit 1
  }
fi

export PGPASSWORD="$password"
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U "$name" -d postgres -v ON_ERROR_STOP=1 -qAt)
if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
  "${psql[@]}" -c "CREATE DATABASE $name" >&2
fi
echo "$url"
