#!/usr/bin/env bash
# Seccomp program quality, measured in one run: jailc vs Firejail's fseccomp,
# libseccomp 2.5.4 (-O2, a small C exporter) and elastic/go-seccomp-bpf, for
# four policies, against the floor. Needs firejail and libseccomp-dev
# (apt-get install -y firejail libseccomp-dev gcc).
set -euo pipefail
cd "$(dirname "$0")/seccomp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/export" cexport/libseccomp_export.c -lseccomp
go mod tidy >/dev/null 2>&1
go run . "$tmp/export"
