#!/usr/bin/env bash
# Copies the vendored browser libraries from their npm packages into this folder, so the
# portal serves them itself (hospital networks are closed: no CDN). Run it after changing a
# version below, then update README.md (version, licence, sha256) and commit the files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

UQR_VERSION=0.1.3   # QR codes for the TOTP enrolment screen (MIT)

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "uqr@$UQR_VERSION"
cp node_modules/uqr/dist/index.mjs "$here/uqr.js"
cp node_modules/uqr/LICENSE "$here/uqr.LICENSE"
cd "$here"
sha256sum uqr.js uqr.LICENSE
