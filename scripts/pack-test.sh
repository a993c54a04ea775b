#!/usr/bin/env bash
# The CLI as a user gets it: `npm pack`, install the tarball into an empty folder, run it there.
#   scripts/pack-test.sh            (from a checkout after `npm ci`; packing runs the build)
# Checks the tarball's contents, `npx mspbridge --help`, `npx mspbridge version`, migrations on a
# fresh SQLite file, and that `mspbridge serve` answers /healthz and serves the built console.
# Exits non-zero on the first failure. Installing compiles better-sqlite3 (about two minutes).
# PACK_TEST_KEEP=1 keeps the temporary folder (tarball, install log, server log) for a look.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)
work="$(mktemp -d "${TMPDIR:-/tmp}/mspbridge-pack-test.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -n "${PACK_TEST_KEEP:-}" ]; then echo "pack-test: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  echo "pack-test: FAIL: $*" >&2
  exit 1
}
step() { echo "pack-test: $*"; }

version="$(node -p "require('$root/package.json').version")"

step "npm pack (runs the build through the prepare script)"
mkdir -p "$work/pack"
(cd "$root" && npm pack --pack-destination "$work/pack" >"$work/pack.log" 2>&1) || { cat "$work/pack.log" >&2; fail "npm pack"; }
tarball="$(ls "$work"/pack/mspbridge-*.tgz 2>/dev/null | head -1)"
[ -n "$tarball" ] || fail "npm pack wrote no mspbridge-*.tgz"
step "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

step "checking the tarball's contents"
tar -tzf "$tarball" | sed 's|^package/||' | sort >"$work/contents.txt"
for f in \
  package.json README.md bin/mspbridge.js \
  dist/src/main.js dist/src/cli/server.js dist/workers/index.js \
  dist/src/db/migrations/index.js dist/src/db/migrations/001_domain.js \
  dist/console/index.html \
  docs/okta.md docs/entra.md docs/onelogin.md docs/jumpcloud.md docs/troubleshooting.md docs/operations.md; do
  grep -qx "$f" "$work/contents.txt" || fail "the tarball lacks $f"
done
if grep -E '^(src|test|bench|node_modules|data)/|\.sqlite$|\.tgz$' "$work/contents.txt" >"$work/unwanted.txt"; then
  fail "the tarball holds files a user does not need: $(head -5 "$work/unwanted.txt" | tr '\n' ' ')"
fi

step "npm install ./$(basename "$tarball") in an empty folder"
mkdir -p "$work/empty"
cp "$tarball" "$work/empty/"
cd "$work/empty"
npm install --no-audit --no-fund "./$(basename "$tarball")" >"$work/install.log" 2>&1 || { tail -40 "$work/install.log" >&2; fail "npm install of the tarball"; }

# --no: never fetch a package of that name from the registry if the local install is missing;
# --: what follows is the command's own arguments (else npm takes --help for itself).
help="$(npx --no -- mspbridge --help)" || fail "npx mspbridge --help exited $?"
for word in 'Usage: mspbridge' start serve worker migrate scim-token scim-client mapping doctor; do
  grep -q -- "$word" <<<"$help" || fail "npx mspbridge --help does not mention '$word'; it printed: $(head -5 <<<"$help")"
done
step "npx mspbridge --help: ok"

out="$(npx --no -- mspbridge version)" || fail "npx mspbridge version exited $?"
[ "$out" = "mspbridge $version" ] || fail "npx mspbridge version printed '$out', expected 'mspbridge $version'"
step "npx mspbridge version: $out"

export DATABASE_URL="sqlite:$work/data/mspbridge.sqlite" DATA_DIR="$work/data" LOG_LEVEL=warn
applied="$(npx --no -- mspbridge migrate --json)" || fail "npx mspbridge migrate exited $?"
grep -q '"001_domain"' <<<"$applied" || fail "migrate printed $applied"
step "npx mspbridge migrate --json: $applied"

port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
# Redis is not needed for these two answers; a closed port keeps the test independent of one.
# The bin itself (not through npx), so the pid below is the server's own.
PORT="$port" HOST=127.0.0.1 REDIS_URL=redis://127.0.0.1:1 ./node_modules/.bin/mspbridge serve >"$work/serve.log" 2>&1 &
server_pid=$!
node -e "
  const base = 'http://127.0.0.1:$port';
  const until = Date.now() + 30000;
  (async () => {
    for (;;) {
      try {
        const h = await fetch(base + '/healthz');
        if (h.status !== 200) throw new Error('/healthz answered ' + h.status);
        // The console page the build made, and the script it names (built by prepare, never at run time).
        const page = await fetch(base + '/companies');
        const html = await page.text();
        const script = /src=\"(\/assets\/[^\"]+\.js)\"/.exec(html);
        if (page.status !== 200 || !script) throw new Error('/companies answered ' + page.status + ' without the console script');
        const s = await fetch(base + script[1]);
        if (s.status !== 200) throw new Error(script[1] + ' answered ' + s.status);
        return;
      } catch (err) {
        if (Date.now() > until) { console.error(String(err)); process.exit(1); }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  })();
" || { cat "$work/serve.log" >&2; fail "mspbridge serve did not answer /healthz and the console"; }
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
step "npx mspbridge serve: /healthz and the console's static files answer"

echo "pack-test: ok ($(($(date +%s) - started)) s)"
