#!/usr/bin/env bash
# How long `cargo dev` takes from a save to the new page being served, on the example site
# and on generated sites of 50 pages and of 1: a text-only edit (served without a rebuild)
# and a code edit (rebuild, new process on the same socket), each seen by curl and, when
# chromedriver is installed, as the reload of a page open in headless Chromium. Not a
# test: run it on a quiet machine, after one build of the workspace.
#
#   bash tests/measure/dev_loop.sh [ROUNDS]
#
# Prints one line per measurement, in seconds, and the median of each kind.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
rounds=${1:-5}
cargo build --quiet -p rsp-dev

# Seconds (with fractions) since the epoch.
now() { date +%s.%N; }

# Waits until $1 serves a body containing $2; prints the seconds since $3.
served_after() {
  local url=$1 text=$2 start=$3
  for _ in $(seq 1 2000); do
    if curl -s -m 2 "$url" | grep -qF -- "$text"; then
      echo "$(now) $start" | awk '{ printf "%.3f\n", $1 - $2 }'
      return
    fi
    sleep 0.01
  done
  echo "timeout"
}

# Headless Chromium through chromedriver's WebDriver API, if there is one.
driver=""
if command -v chromedriver >/dev/null; then
  driver_port=$((20000 + RANDOM % 20000))
  chromedriver --port="$driver_port" >/dev/null 2>&1 &
  driver_pid=$!
  # Closing the session ends Chromium too; chromedriver alone would leave it running.
  trap 'curl -s -m 10 -X DELETE "$driver" >/dev/null; kill "$driver_pid" 2>/dev/null || true' EXIT
  driver="http://127.0.0.1:$driver_port"
  for _ in $(seq 1 100); do
    curl -s "$driver/status" | grep -q '"ready":true' && break
    sleep 0.1
  done
  profile=$(mktemp -d)
  session=$(curl -s -X POST -H 'Content-Type: application/json' "$driver/session" -d '{"capabilities":
    {"alwaysMatch": {"goog:chromeOptions": {"binary": "'"${RSP_CHROMIUM:-/usr/bin/chromium}"'", "args":
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
     "--user-data-dir='"$profile"'"]}}}}' | sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
  driver="$driver/session/$session"
fi

# webdriver COMMAND JSON: one WebDriver command in the open session.
webdriver() { curl -s -m 30 -X POST -H 'Content-Type: application/json' "$driver/$1" -d "$2"; }

# Waits until the page open in Chromium was reloaded and shows $1; prints the seconds
# since $2.
reloaded_after() {
  local text=$1 start=$2
  local check='{"script": "return !window.__rspOld && document.body.textContent.includes(arguments[0])", "args": ["'"$text"'"]}'
  for _ in $(seq 1 6000); do
    if webdriver execute/sync "$check" | grep -q '"value":true'; then
      echo "$(now) $start" | awk '{ printf "%.3f\n", $1 - $2 }'
      return
    fi
    sleep 0.01
  done
  echo "timeout"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# measure NAME ROOT FILE URL: text and code edits of FILE, checked on URL.
measure() {
  local name=$1 root=$2 file=$3 url=$4 target=$5
  local port=$((20000 + RANDOM % 20000))
  # `exec`: the background job is the tool itself, whose SIGTERM stops its site too.
  (cd "$root" && CARGO_TARGET_DIR=$target exec "$repo/target/debug/rsp-dev" --addr "127.0.0.1:$port" \
     -p "$6" >/tmp/rsp-dev-measure.log 2>&1) &
  local tool=$!
  served_after "http://127.0.0.1:$port$url" "MARK" "$(now)" >/dev/null
  # Kept outside the watched tree: a new file there would be an edit too.
  local orig
  orig=$(mktemp)
  cp "$file" "$orig"
  local text=() code=()
  for round in $(seq 1 "$rounds"); do
    sed -i "s/MARK[a-z0-9]*</MARKt$round</" "$file"
    text+=("$(served_after "http://127.0.0.1:$port$url" "MARKt$round<" "$(now)")")
    sed -i "s/let mark = \"[a-z0-9]*\";/let mark = \"c$round\";/" "$file"
    code+=("$(served_after "http://127.0.0.1:$port$url" "mark=c$round" "$(now)")")
  done
  echo "$name: text edit  ${text[*]}  median $(printf '%s\n' "${text[@]}" | median) s"
  echo "$name: code edit  ${code[*]}  median $(printf '%s\n' "${code[@]}" | median) s"
  if [ -n "$driver" ]; then
    webdriver url '{"url": "'"http://127.0.0.1:$port$url"'"}' >/dev/null
    text=() code=()
    for round in $(seq 1 "$rounds"); do
      webdriver execute/sync '{"script": "window.__rspOld = true", "args": []}' >/dev/null
      sed -i "s/MARK[a-z0-9]*</MARKb$round</" "$file"
      text+=("$(reloaded_after "MARKb$round" "$(now)")")
      webdriver execute/sync '{"script": "window.__rspOld = true", "args": []}' >/dev/null
      sed -i "s/let mark = \"[a-z0-9]*\";/let mark = \"b$round\";/" "$file"
      code+=("$(reloaded_after "mark=b$round" "$(now)")")
    done
    echo "$name: text edit, reload seen in Chromium  ${text[*]}  median $(printf '%s\n' "${text[@]}" | median) s"
    echo "$name: code edit, reload seen in Chromium  ${code[*]}  median $(printf '%s\n' "${code[@]}" | median) s"
  fi
  cp "$orig" "$file"
  rm -f "$orig"
  kill "$tool" 2>/dev/null; wait "$tool" 2>/dev/null || true
}

# A workspace with a site of N pages, each like the example site's.
generate() {
  local root=$1 pages=$2
  rm -rf "$root"; mkdir -p "$root/gen/src/pages"
  # The profile the README's "Start your own site" recommends.
  printf '[workspace]\nmembers = ["gen"]\nresolver = "2"\n\n[profile.dev]\ndebug = "line-tables-only"\n' >"$root/Cargo.toml"
  cp "$repo/Cargo.lock" "$root/"
  printf '[package]\nname = "gen"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nrsp = { path = "%s/runtime" }\ntokio = { version = "1", features = ["rt-multi-thread", "macros"] }\n' \
    "$repo" >"$root/gen/Cargo.toml"
  : >"$root/gen/src/pages/mod.rs"
  for i in $(seq 1 "$pages"); do
    echo "mod p$i;" >>"$root/gen/src/pages/mod.rs"
    cat >"$root/gen/src/pages/p$i.rs" <<PAGE
use rsp::prelude::*;

page! {
    GET "/p$i" => p$i;
    let mark = "c0";
    let items: Vec<u32> = (0..20).collect();
    r#"<!doctype html>
<title>Page $i</title>
<h1>MARK0<span>mark=<%= mark %></span></h1>
<ul><% for item in &items { %><li><%= item %></li><% } %></ul>
<form method="post"><input name="q" value="<%= mark %>"></form>"#
}
PAGE
  done
  printf 'mod pages;\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    rsp::App::new().serve().await\n}\n' \
    >"$root/gen/src/main.rs"
}

# A workspace with a copy of the example site, its about page marked for the edits.
example() {
  local root=$1
  rm -rf "$root"; mkdir -p "$root"
  printf '[workspace]\nmembers = ["site"]\nresolver = "2"\n\n[profile.dev]\ndebug = "line-tables-only"\n' >"$root/Cargo.toml"
  cp "$repo/Cargo.lock" "$root/"
  cp -r "$repo/site" "$root/site"
  rm -rf "$root/site/tests"
  sed -i -e 's/^\(version\|edition\|license\|rust-version\)\.workspace = true$//' \
    -e 's|^rsp = { workspace = true }|rsp = { path = "'"$repo"'/runtime" }|' \
    -e 's|^rsp-tests = .*||' -e 's/^name = "site"/name = "site"\nversion = "0.1.0"\nedition = "2021"/' \
    "$root/site/Cargo.toml"
  sed -i -e 's|^    r#"$|    let mark = "c0";\n    r#"\n<p>MARK0<span>mark=<%= mark %></span></p>|' \
    "$root/site/src/pages/about.rs"
}

root=$(mktemp -d)
example "$root/example"
measure "example site" "$root/example" "$root/example/site/src/pages/about.rs" /about "$repo/target/tests/rsp-dev" site
generate "$root/gen50" 50
measure "50-page site" "$root/gen50" "$root/gen50/gen/src/pages/p25.rs" /p25 "$repo/target/tests/rsp-dev" gen
generate "$root/gen1" 1
measure "1-page site" "$root/gen1" "$root/gen1/gen/src/pages/p1.rs" /p1 "$repo/target/tests/rsp-dev" gen
rm -rf "$root"
