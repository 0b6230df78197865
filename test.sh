#!/usr/bin/env bash
# Runs jailc's whole test suite on a fresh Debian machine: installs what the
# tests need (Firejail 0.9.72 and its profiles are the oracle and the corpus),
# fetches Go modules, then vets and tests every package.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v firejail >/dev/null 2>&1 || need+=(firejail)
[ -f /etc/firejail/firefox.profile ] || need+=(firejail-profiles)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq firejail firejail-profiles >/dev/null
fi

go mod download
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt needed on:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 ./...
