#!/usr/bin/env bash
# User-space instructions per request of the pages serving.sh measures, for rsp, raw
# hyper + sailfish and axum + askama, counted by callgrind. Unlike CPU time, the count
# does not move with what else the machine runs, so it shows a change of a few percent
# that timing cannot; it leaves out the kernel (the socket's work, the same for every
# server) and counts an instruction the same whatever it costs. Each server runs under
# callgrind while wrk sends it requests for SECONDS seconds; its count over the whole run
# (start-up included, a small share) is divided by the requests it answered. The profiles
# stay in target/instructions/ for callgrind_annotate.
#
#   bash tests/measure/instructions.sh [SECONDS]     (default 8)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-8}
for tool in wrk valgrind; do
  if ! command -v "$tool" >/dev/null; then
    echo "installing $tool (Debian's package)" >&2
    apt-get install -y "$tool" >/dev/null
  fi
done
cargo build --release --quiet -p rsp-tests --features serving --examples
bin=target/release/examples
out=target/instructions
mkdir -p "$out"

# count EXE PAGE: instructions per request of EXE serving PAGE.
count() {
  local exe=$1 page=$2 port=$((20000 + RANDOM % 20000))
  local profile=$out/$exe.$page.callgrind
  RUST_LOG=info valgrind --tool=callgrind --callgrind-out-file="$profile" \
    "$bin/$exe" --addr "127.0.0.1:$port" >/dev/null 2>"$out/$exe.$page.log" &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/$page" && break
    sleep 0.3
  done
  local requests
  requests=$(wrk -t1 -c8 -d"$seconds"s "http://127.0.0.1:$port/$page" | awk '/requests in/ { print $1 }')
  kill -TERM "$pid"
  wait "$pid" || true
  local total
  total=$(callgrind_annotate "$profile" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  awk -v t="$total" -v n="$requests" 'BEGIN { printf "%.0f", t / n }'
}

echo "user-space instructions per request (callgrind, ${seconds} s of wrk -c8 each)"
echo
echo "| page | rsp | raw hyper + sailfish | axum + askama | rsp / raw hyper | rsp / axum |"
echo "| --- | --- | --- | --- | --- | --- |"
for page in fortunes static; do
  rsp=$(count serve_rsp "$page")
  hyper=$(count serve_hyper "$page")
  axum=$(count serve_axum "$page")
  ratios=$(awk -v r="$rsp" -v h="$hyper" -v a="$axum" 'BEGIN { printf "%.2f | %.2f", r / h, r / a }')
  echo "| $page | $rsp | $hyper | $axum | $ratios |"
done
