#!/usr/bin/env bash
# Measures `jailc check` over every stock profile (with their includes):
# profiles per second and peak memory (max RSS), best of 5 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/jailc-bench ./cmd/jailc
files=(/etc/firejail/*.profile)
n=${#files[@]}
best=""
rss=0
for i in 1 2 3 4 5; do
  out=$( { /usr/bin/time -f '%e %M' /tmp/jailc-bench check --no-notes "${files[@]}" >/dev/null; } 2>&1 | tail -1)
  secs=${out% *}; kb=${out#* }
  if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
  [ "$kb" -gt "$rss" ] && rss=$kb
done
awk -v n="$n" -v s="$best" -v kb="$rss" 'BEGIN{
  printf "profiles: %d\nbest wall time: %.3f s\nprofiles/s: %.0f\npeak RSS: %.1f MB\n", n, s, (s>0? n/s : 0), kb/1024 }'
