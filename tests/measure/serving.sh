#!/usr/bin/env bash
# Server CPU per request of the same two pages served by rsp, by raw hyper + sailfish and
# by axum + askama (tests/examples/serve_*.rs): the TechEmpower fortunes page and a static
# 100-byte page. Each server runs pinned to core 0 and wrk to core 1 (64 connections), in
# ROUNDS rounds of SECONDS seconds, the servers taking turns in each round; CPU is the
# server's user + system ticks from /proc, pooled over the rounds. rsp runs twice: with its
# access log at the default level (written to a file) and with it off (RUST_LOG=warn).
# Then the stripped size of each binary, and of the smallest rsp server (default features
# off). Not a test: run it on a quiet machine. On a busy one, instructions.sh counts
# instructions per request instead, which do not move with the load around.
#
#   bash tests/measure/serving.sh [ROUNDS] [SECONDS]     (default 8 rounds of 10 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-8}
seconds=${2:-10}
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian's package)" >&2
  apt-get install -y wrk >/dev/null
fi
cargo build --release --quiet -p rsp-tests --features serving --examples
bin=target/release/examples
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# start NAME EXE [ENV…]: the server on a free port, pinned to core 0; sets $port.
declare -A port_of pid_of
start() {
  local name=$1 exe=$2; shift 2
  local port=$((20000 + RANDOM % 20000))
  env "$@" taskset -c 0 "$bin/$exe" --addr "127.0.0.1:$port" >"$work/$name.out" 2>"$work/$name.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    grep -q "listening on" "$work/$name.out" 2>/dev/null && break
    sleep 0.05
  done
  port_of[$name]=$port
  pid_of[$name]=$pid
}

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load NAME PAGE SECONDS: wrk against it from core 1; prints the requests it completed.
load() {
  taskset -c 1 wrk -t1 -c64 -d"$3"s "http://127.0.0.1:${port_of[$1]}/$2" |
    awk '/requests in/ { print $1 }'
}

start rsp serve_rsp RUST_LOG=info
start rsp-quiet serve_rsp RUST_LOG=warn
start hyper serve_hyper
start axum serve_axum
servers=(rsp rsp-quiet hyper axum)
pages=(fortunes static)

declare -A cpu requests
for server in "${servers[@]}"; do
  for page in "${pages[@]}"; do
    load "$server" "$page" 2 >/dev/null # warm up
    cpu[$server/$page]=0
    requests[$server/$page]=0
  done
done
for round in $(seq 1 "$rounds"); do
  for server in "${servers[@]}"; do
    for page in "${pages[@]}"; do
      before=$(ticks "${pid_of[$server]}")
      done_now=$(load "$server" "$page" "$seconds")
      after=$(ticks "${pid_of[$server]}")
      cpu[$server/$page]=$((cpu[$server/$page] + after - before))
      requests[$server/$page]=$((requests[$server/$page] + done_now))
    done
  done
  echo "round $round of $rounds done" >&2
done

# Ticks (1/100 s of CPU) per 1000 requests.
per_k() { awk -v t="${cpu[$1]}" -v n="${requests[$1]}" 'BEGIN { printf "%.3f", t * 1000 / n }'; }
ratio() { awk -v a="$(per_k "$1")" -v b="$(per_k "$2")" 'BEGIN { printf "%.2f", a / b }'; }
rps() { awk -v n="${requests[$1]}" -v r="$rounds" -v s="$seconds" 'BEGIN { printf "%.0f", n / (r * s) }'; }

echo
echo "server CPU per request, ticks per 1000 requests ($rounds rounds of ${seconds} s, pooled)"
echo
echo "| page | server | ticks/1k req | req/s | rsp / raw hyper | rsp / axum |"
echo "| --- | --- | --- | --- | --- | --- |"
for page in "${pages[@]}"; do
  for server in "${servers[@]}"; do
    case $server in
      rsp | rsp-quiet) vs="$(ratio "$server/$page" "hyper/$page") | $(ratio "$server/$page" "axum/$page")" ;;
      *) vs="| " ;;
    esac
    label=$server
    [ "$server" = rsp ] && label="rsp (access log on)"
    [ "$server" = rsp-quiet ] && label="rsp (access log off)"
    [ "$server" = hyper ] && label="raw hyper + sailfish"
    [ "$server" = axum ] && label="axum + askama"
    echo "| $page | $label | $(per_k "$server/$page") | $(rps "$server/$page") | $vs |"
  done
done

# The smallest rsp server a site can be: the static page with rsp's default features off
# (no SQLite, no HTTP/2), as axum's defaults have no HTTP/2 either.
minimal=$work/minimal
mkdir -p "$minimal/src"
cat >"$minimal/Cargo.toml" <<EOF
[package]
name = "serve_rsp_minimal"
version = "0.1.0"
edition = "2021"

[dependencies]
rsp = { path = "$PWD/runtime", default-features = false }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }

[workspace]
EOF
cat >"$minimal/src/main.rs" <<'EOF'
use rsp::prelude::*;

page! {
    GET "/static" => static_page;
    "<!doctype html><title>Static</title><p>A page with nothing to compute.</p>"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    App::new().serve().await
}
EOF
CARGO_TARGET_DIR=target/serving-minimal cargo build --release --quiet \
  --manifest-path "$minimal/Cargo.toml"
cp target/serving-minimal/release/serve_rsp_minimal "$bin/"

echo
echo "stripped binary sizes (MiB)"
for exe in serve_rsp serve_rsp_minimal serve_hyper serve_axum; do
  strip -o "$work/$exe" "$bin/$exe"
  echo "$exe $(stat -c %s "$work/$exe" | awk '{ printf "%.2f", $1 / 1048576 }')"
done
