#!/usr/bin/env bash
# Browser tests in headless Debian Chromium (playwright-core drives it; no browser download).
# Front-end tests always run; the end-to-end tests against a demo network run when
# HAREYAKA_URL and the demo accounts are set (README.md), and are skipped otherwise.
# Usage: tests/e2e/run.sh [test files...]   (default: tests/*.test.js)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

chromium=${HAREYAKA_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "e2e: $chromium not found; install it with: apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
fi
if ! fc-list :lang=ja 2>/dev/null | grep -q .; then
  echo "e2e: no Japanese font; install fonts-noto-cjk (screenshots would show boxes)" >&2
fi
# Install exactly the locked packages, once (again when the lock file changes).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

export HAREYAKA_ARTIFACTS=${HAREYAKA_ARTIFACTS:-$root/build/e2e-artifacts}
mkdir -p "$HAREYAKA_ARTIFACTS"
if [ -z "${HAREYAKA_URL:-}" ]; then
  echo "e2e: HAREYAKA_URL unset: front-end tests only; the demo-network tests are skipped"
fi
if [ $# -eq 0 ]; then set -- tests/*.test.js; fi
status=0
node --test --test-concurrency=1 --test-reporter=spec "$@" || status=$?
echo "e2e: screenshots in $HAREYAKA_ARTIFACTS"
exit $status
