#!/usr/bin/env bash
# The restore drill (deploy/restore-drill) on a fresh small demo network: fails when the
# audit chain does not verify after the restore or a record written before the disaster is
# lost. Everything lives in one temporary folder, removed afterwards; ports are the
# system's choice.
set -euo pipefail
root=$1
build=$2
demo=$(mktemp -d /tmp/hareyaka-drill-XXXXXX)
chmod 755 "$demo" # the private PostgreSQL and pgBackRest run as postgres when we are root
trap 'rm -rf "$demo"' EXIT
HAREYAKA_DEMO_PATIENTS=10 HAREYAKA_DEMO_SKIP_BUILD=1 BUILD_DIR=$build HAREYAKA_DEMO_DIR=$demo \
  HAREYAKA_DEMO_THEN="$root/deploy/restore-drill" "$root/deploy/demo" --smoke | tee "$demo/drill.out"
grep -q "recovery point gap: 0 audit records" "$demo/drill.out"
if pgrep -f -- "$demo/" >/dev/null; then
  echo "FAIL: processes of the drill still running" >&2
  exit 1
fi
echo "restore drill: restored, chain verified, nothing lost"
