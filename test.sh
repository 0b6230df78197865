#!/usr/bin/env bash
# Runs jailc's whole test suite on a fresh Debian machine: installs what the
# tests need (Firejail 0.9.72 and its profiles are the oracle and the corpus),
# fetches Go modules, then vets and tests every package.
set -euo pipefail
cd "$(dirname "$0")"

# Firejail and its profiles are the oracle and the corpus; the runtime
# tests compare sandboxes for these stock profiles' programs, build an
# int 0x80 probe with gcc, and run as root; the oracle test starts a
# D-Bus daemon for profiles that filter D-Bus.
packages=(firejail firejail-profiles gcc iputils-ping curl wget file git less man-db gnupg vim openssh-client
  bzip2 xz-utils unzip tar gzip binutils util-linux dbus-daemon iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

go mod download
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt needed on:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
# The runner has architecture-specific files (the in-process launch is
# amd64/arm64 only): every architecture jailc targets must still build.
for arch in 386 arm arm64; do
  GOARCH=$arch go vet ./runtime/... ./cmd/jailrun
done
go test -count=1 ./...
