#!/usr/bin/env bash
# The example site scaled out on 127.0.0.1: PostgreSQL, Redis, two release instances and
# HAProxy in front, 50 users through a SIGTERM and a SIGKILL of an instance; prints a table
# and fails if an acknowledged entry or visit was lost or a request failed where none may
# (see tests/examples/scale_out.rs). Installs what it needs with apt-get if missing.
#
#   bash tests/measure/scale_out.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v psql >/dev/null || missing+=(postgresql-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --quiet -p site
cargo build --release --quiet -p rsp-tests --example scale_out
target/release/examples/scale_out target/release/site
