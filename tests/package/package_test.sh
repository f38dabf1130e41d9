#!/usr/bin/env bash
# Installs hareyaka-portal, hareyaka-gateway and hareyaka-preserve from the .deb files deploy/package makes,
# as hospital IT would: dpkg -i, systemd-analyze verify on the installed units, each daemon
# started from /usr/bin as its system user with a copy of the installed /etc/hareyaka
# configuration (edited for certificates, database, storage folders and port 0), /readyz,
# SIGTERM, then dpkg --purge, after which only data and the administrator's own
# configuration may remain. Leaves the machine as it found it, also on failure.
#
#   package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
pkgs=(hareyaka-portal hareyaka-gateway hareyaka-preserve)

fail() {
  echo "package_test: FAIL: $*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i, system users)"
# Never touch an installation that is not ours.
for p in "${pkgs[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
    fail "$p is installed on this machine already; not touching it"
  fi
  ! getent passwd "$p" >/dev/null || fail "user $p exists already; not touching it"
  [ ! -e "/var/lib/$p" ] || fail "/var/lib/$p exists already; not touching it"
done
etc_existed=0
[ -e /etc/hareyaka ] && etc_existed=1

tmp=$(mktemp -d /tmp/hareyaka-package-test.XXXXXX)
chmod 755 "$tmp" # the daemons' users and postgres read below it
pids=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$src/deploy/local-pg" "$tmp/pg" stop || true
  for p in "${pkgs[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok"; then
      dpkg --purge "$p" >/dev/null 2>&1 || true
    fi
    rm -rf "/var/lib/$p"
    getent passwd "$p" >/dev/null && userdel "$p" 2>/dev/null
    getent group "$p" >/dev/null && groupdel "$p" 2>/dev/null
  done
  [ "$etc_existed" = 1 ] || rm -rf /etc/hareyaka
  if [ "$rc" -ne 0 ]; then
    for f in "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT INT TERM

echo "== building the packages"
# The suite's build as it is: no second ninja in the build tree while other tests run.
HAREYAKA_PACKAGE_SKIP_BUILD=1 BUILD_DIR=$build "$src/deploy/package" "$tmp/debs" >"$tmp/package.log" 2>&1 ||
  { cat "$tmp/package.log" >&2; fail "deploy/package"; }
version=$(sed -n 's/^project(hareyaka VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
debs=()
for p in "${pkgs[@]}"; do
  f=$(ls "$tmp/debs/${p}_${version}_"*.deb 2>/dev/null) || fail "no ${p}_${version}_*.deb"
  debs+=("$f")
done

echo "== dpkg -i"
if ! dpkg -i "${debs[@]}" >"$tmp/dpkg.log" 2>&1; then
  # Only when a Depends is missing from this machine (deploy/install-deps brings them).
  DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq </dev/null >>"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log" >&2; fail "dpkg -i"; }
fi
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" | grep -q "install ok installed" || fail "$p not installed"
  getent passwd "$p" >/dev/null || fail "postinst did not create the user $p"
  [ "$(stat -c %U "/var/lib/$p")" = "$p" ] || fail "/var/lib/$p is not owned by $p"
  [ -x "/usr/bin/$p" ] || fail "/usr/bin/$p missing"
  "/usr/bin/$p" --help | grep -q -- "--ports-file" || fail "$p --help does not list --ports-file"
  [ "$("/usr/bin/$p" --version)" = "$p $version" ] || fail "$p --version is not $version"
  # In the package, not on disk: minimal images tell dpkg to skip /usr/share/man.
  dpkg-deb -c "$tmp/debs/${p}_${version}_"*.deb | grep -q "/usr/share/man/man8/$p.8.gz" ||
    fail "no manual page for $p"
  role=${p#hareyaka-}
  dpkg-query -W -f='${Conffiles}' "$p" | grep -q "/etc/hareyaka/$role.json" ||
    fail "/etc/hareyaka/$role.json is not a conffile of $p"
  # Its files (not the directories, shared or not: /lib is a symlink on merged /usr).
  dpkg -L "$p" | while read -r f; do [ -d "$f" ] || echo "$f"; done >"$tmp/$p.files"
  [ -s "$tmp/$p.files" ] || fail "dpkg -L $p lists no files"
done
[ -x /usr/bin/hareyaka-audit-verify ] || fail "/usr/bin/hareyaka-audit-verify missing"

echo "== dpkg -i again (the upgrade path): an edited configuration is kept"
sed -i 's|"level": "info"|"level": "debug"|' /etc/hareyaka/gateway.json
dpkg -i "${debs[@]}" >>"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i again"; }
grep -q '"level": "debug"' /etc/hareyaka/gateway.json || fail "reinstalling replaced an edited conffile"
sed -i 's|"level": "debug"|"level": "info"|' /etc/hareyaka/gateway.json

echo "== systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/hareyaka-portal.service \
  /lib/systemd/system/hareyaka-gateway.service /lib/systemd/system/hareyaka-preserve.service \
  >"$tmp/verify.log" 2>&1 ||
  { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify"; }
if grep -i "hareyaka" "$tmp/verify.log"; then fail "systemd-analyze verify warns about the units"; fi

echo "== certificates, database, storage"
"$src/deploy/dev-pki" "$tmp/pki" portal gateway node >/dev/null
chown hareyaka-portal "$tmp/pki/portal.key" "$tmp/pki/assertion.key"
chown hareyaka-gateway "$tmp/pki/gateway.key"
chown hareyaka-preserve "$tmp/pki/node.key"
install -d -m 755 "$tmp/etc"
conninfo=$("$src/deploy/local-pg" "$tmp/pg" start)
psql "$conninfo" -qc "CREATE DATABASE hareyaka" >/dev/null
echo "host=$tmp/pg dbname=hareyaka user=hareyaka" |
  install -m 600 -o hareyaka-portal /dev/stdin "$tmp/etc/db-conninfo"
(umask 077 && openssl rand -base64 32 >"$tmp/etc/totp-key-2026-1")
chown hareyaka-portal "$tmp/etc/totp-key-2026-1"
install -d -o hareyaka-portal "$tmp/run-portal"
install -d -o hareyaka-gateway "$tmp/run-gateway"
install -d -o hareyaka-preserve "$tmp/run-preserve"
install -d "$tmp/ssmix2/standard" "$tmp/ssmix2/extended"

# The installed examples, edited where this machine differs from a hospital's: the dev
# certificates and secrets below $tmp, loopback and port 0 (never collide with anything).
edit_common=(-e "s|/etc/hareyaka/tls/portal-web\.|$tmp/pki/portal.|g"
  -e "s|/etc/hareyaka/tls/[a-z-]*ca\.pem|$tmp/pki/ca.pem|g"
  -e "s|/etc/hareyaka/tls/|$tmp/pki/|g" -e "s|/etc/hareyaka/assertion\.|$tmp/pki/assertion.|g"
  -e "s|/etc/hareyaka/|$tmp/etc/|g" -e 's|"address": "0.0.0.0"|"address": "127.0.0.1"|g'
  -e 's|\("address": "127.0.0.1", "port": \)[0-9]*|\10|g')
sed "${edit_common[@]}" /etc/hareyaka/portal.json >"$tmp/etc/portal.json"

ports_of() { # ports-file listener
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['listeners'][sys.argv[2]])" "$1" "$2"
}
start() { # package config ports-file
  rm -f "$3"
  setpriv --reuid "$1" --regid "$1" --init-groups -- "/usr/bin/$1" --config "$2" \
    --ports-file "$3" 2>"$tmp/$1.err" &
  pids+=($!)
  local deadline=$((SECONDS + 60))
  until [ -s "$3" ]; do
    kill -0 "${pids[-1]}" 2>/dev/null || fail "/usr/bin/$1 exited at start"
    [ $SECONDS -lt $deadline ] || fail "/usr/bin/$1 wrote no ports file in 60 s"
    sleep 0.2
  done
}
ready() { # url [client-cert-node]
  local extra=() deadline=$((SECONDS + 60))
  [ -n "${2:-}" ] && extra=(--cert "$tmp/pki/$2.pem" --key "$tmp/pki/$2.key")
  until curl -fsS --cacert "$tmp/pki/ca.pem" "${extra[@]}" "$1" >"$tmp/ready.out" 2>&1; do
    [ $SECONDS -lt $deadline ] || { cat "$tmp/ready.out" >&2; fail "$1 not ready in 60 s"; }
    sleep 0.2
  done
}

echo "== hareyaka-portal from /usr/bin"
grep -q '"port": 0' "$tmp/etc/portal.json" || fail "editing portal.json"
start hareyaka-portal "$tmp/etc/portal.json" "$tmp/run-portal/ports.json"
web=$(ports_of "$tmp/run-portal/ports.json" web)
nodes=$(ports_of "$tmp/run-portal/ports.json" nodes)
ready "https://127.0.0.1:$web/readyz"
ready "https://127.0.0.1:$nodes/readyz" gateway
# The shipped web_root: the installed web UI.
curl -fsS --cacert "$tmp/pki/ca.pem" "https://127.0.0.1:$web/" | grep -qi "<html" ||
  fail "the portal does not serve the installed web UI"

echo "== hareyaka-gateway from /usr/bin"
sed "${edit_common[@]}" -e "s|/srv/ssmix2/|$tmp/ssmix2/|g" \
  -e "s|https://portal.example.jp:8444|https://127.0.0.1:$nodes|" \
  -e 's|"port": 11112,|"port": 0,|' /etc/hareyaka/gateway.json >"$tmp/etc/gateway.json"
start hareyaka-gateway "$tmp/etc/gateway.json" "$tmp/run-gateway/ports.json"
gw=$(ports_of "$tmp/run-gateway/ports.json" nodes)
ready "https://127.0.0.1:$gw/readyz" portal

echo "== hareyaka-preserve from /usr/bin"
sed "${edit_common[@]}" /etc/hareyaka/preserve.json >"$tmp/etc/preserve.json"
start hareyaka-preserve "$tmp/etc/preserve.json" "$tmp/run-preserve/ports.json"
pv=$(ports_of "$tmp/run-preserve/ports.json" nodes)
ready "https://127.0.0.1:$pv/readyz" gateway
[ -d /var/lib/hareyaka-preserve ] || fail "no /var/lib/hareyaka-preserve"

echo "== SIGTERM"
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || fail "a daemon exited with $? on SIGTERM"; done
pids=()

echo "== dpkg --purge"
# What an administrator adds to /etc/hareyaka is theirs: purge must keep it.
if [ "$etc_existed" = 0 ]; then
  install -d /etc/hareyaka/tls
  cp "$tmp/pki/ca.pem" /etc/hareyaka/tls/network-ca.pem
fi
[ -n "$(ls -A /var/lib/hareyaka-gateway)" ] || fail "the gateway wrote nothing to its state_dir"
dpkg --purge "${pkgs[@]}" >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge"; }
for p in "${pkgs[@]}"; do
  ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok" || fail "$p still known to dpkg"
  while read -r f; do
    if [ -e "$f" ] || [ -L "$f" ]; then fail "$f of $p is left after purge"; fi
  done <"$tmp/$p.files"
  ! getent passwd "$p" >/dev/null || fail "user $p left after purge"
  ! getent group "$p" >/dev/null || fail "group $p left after purge"
done
for d in /usr/share/hareyaka-portal /usr/share/doc/hareyaka-portal /usr/share/doc/hareyaka-gateway \
  /var/lib/hareyaka-portal; do
  [ ! -e "$d" ] || fail "$d left after purge"
done
# The gateway's state (outbox, index, DICOM copies) is data: kept, owned by root.
[ -d /var/lib/hareyaka-gateway ] || fail "purge removed the gateway's data"
[ "$(stat -c %U:%a /var/lib/hareyaka-gateway)" = root:700 ] ||
  fail "/var/lib/hareyaka-gateway after purge is $(stat -c %U:%a /var/lib/hareyaka-gateway), not root:700"
if [ "$etc_existed" = 0 ]; then
  [ -f /etc/hareyaka/tls/network-ca.pem ] || fail "purge removed the administrator's certificate"
  [ "$(find /etc/hareyaka -type f | wc -l)" = 1 ] ||
    fail "purge left configuration behind: $(find /etc/hareyaka -type f)"
fi
echo "package_test: passed"
