#!/usr/bin/env bash
# The last mile: wall time from the author's one command to a host serving the
# update, for `--publish` (push; a post-receive hook stands in for CI, so CI's
# queue and runner start-up are NOT included) and `--publish=direct`.
#
#   bash bench/last-mile.sh                 # a debug build of this checkout
#   BIN=target/release/statuspost bash bench/last-mile.sh
#
# Everything is local: bare repositories for the content and the pages, a hook
# on the pages repository that deploys the branch into a folder as a static
# host does, and python3's http.server serving it on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then cargo build --quiet --bin statuspost; BIN=target/debug/statuspost; fi
BIN=$(realpath "$BIN")
W=$(mktemp -d /tmp/statuspost-last-mile.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$W"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
mkdir -p "$W/www"
(cd "$W/www" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER=$!

git init -q --bare "$W/pages.git"
cat > "$W/pages.git/hooks/post-receive" <<HOOK
#!/bin/sh
# The host deploys what was pushed.
unset GIT_DIR
rm -rf "$W/www.new" && mkdir "$W/www.new" && git --git-dir="$W/pages.git" archive gh-pages | tar -x -C "$W/www.new"
rm -rf "$W/www.old"; mv "$W/www" "$W/www.old" 2>/dev/null; mv "$W/www.new" "$W/www"
HOOK
git init -q --bare -b main "$W/content.git"
cat > "$W/content.git/hooks/post-receive" <<HOOK
#!/bin/sh
# CI: build and publish what was pushed.
unset GIT_DIR
rm -rf "$W/ci" && mkdir "$W/ci" && git --git-dir="$W/content.git" archive main | tar -x -C "$W/ci"
"$BIN" publish --root "$W/ci" --git "$W/pages.git" --branch gh-pages >/dev/null 2>&1
HOOK
chmod +x "$W/pages.git/hooks/post-receive" "$W/content.git/hooks/post-receive"

cd "$W"
"$BIN" init site >/dev/null 2>&1
cd site
sed -i "s|^base_url = .*|base_url = \"$URL\"|" statuspost.toml
printf '\n[publish]\ngit = "%s"\nbranch = "gh-pages"\n' "$W/pages.git" >> statuspost.toml
git init -q -b main && git add -A
git -c user.name=b -c user.email=b@example.com commit -qm init
git remote add origin "$W/content.git" && git push -q -u origin main
git config user.name "Comms Lead" && git config user.email comms@example.com
# Wait for the python server to answer before timing anything.
for _ in $(seq 50); do curl -s -o /dev/null "$URL/" 2>/dev/null && break; python3 -c 'import time; time.sleep(0.1)'; done

ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
t0=$(ms)
"$BIN" new "Payouts delayed" --impact major --component api --message "Payouts are delayed." --publish --wait=1m 2>"$W/push.log" >/dev/null || { cat "$W/push.log"; exit 1; }
t1=$(ms)
"$BIN" update payouts identified --message "A queue is stuck; we are draining it." --publish=direct --wait=1m 2>"$W/direct.log" >/dev/null || { cat "$W/direct.log"; exit 1; }
t2=$(ms)
echo "binary: $BIN"
echo "push   (1 command; CI stand-in runs at push time): $((t1 - t0)) ms   $(grep '^live at' "$W/push.log")"
echo "direct (1 command):                               $((t2 - t1)) ms   $(grep '^live at' "$W/direct.log")"
