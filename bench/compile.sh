#!/usr/bin/env bash
# Compiles every stock profile to a plan with `jailc compile` (one process
# per profile, as a packaging script would) and with the in-process
# benchmark; prints profiles/s and the peak memory of the largest compile.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/jailc-bench ./cmd/jailc
files=(/etc/firejail/*.profile)
start=$(date +%s.%N)
peak=0
for f in "${files[@]}"; do
  /usr/bin/time -f '%M' -o /tmp/jailc-bench.rss /tmp/jailc-bench compile -o /dev/null "$f" 2>/dev/null
  kb=$(tail -1 /tmp/jailc-bench.rss)
  [ "$kb" -gt "$peak" ] && peak=$kb
done
end=$(date +%s.%N)
awk -v n="${#files[@]}" -v s="$start" -v e="$end" -v kb="$peak" 'BEGIN{
  printf "jailc compile, one process per profile: %d profiles in %.1f s = %.0f profiles/s, peak RSS %.1f MB\n", n, e-s, n/(e-s), kb/1024 }'
go test -run XXX -bench CompileCorpus -benchtime 3x ./compiler/build | grep -E 'Benchmark'
