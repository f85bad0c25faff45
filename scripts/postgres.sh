#!/usr/bin/env bash
# Make sure a local PostgreSQL runs and has the closereader role and database,
# then print its DATABASE_URL. Installs PostgreSQL from Debian when missing
# (as root). Exits non-zero, saying why, when it cannot.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
URL=postgres://closereader:closereader@127.0.0.1:5432/closereader

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1)
  if [ -z "$version" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL is not installed and we are not root: sudo apt-get install postgresql" >&2
      exit 1
    fi
    echo "Installing PostgreSQL from Debian" >&2
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  fi
  if [ "$(id -u)" = 0 ]; then
    pg_ctlcluster "$version" main start >&2 || true  # exits 2 when already running
  fi
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi

if [ "$(id -u)" = 0 ]; then
  (cd / && runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q) >&2 <<'SQL'
SELECT 'CREATE ROLE closereader LOGIN CREATEDB PASSWORD ''closereader'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'closereader')\gexec
SELECT 'CREATE DATABASE closereader OWNER closereader'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'closereader')\gexec
SQL
fi
echo "$URL"
