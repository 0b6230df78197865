#!/usr/bin/env bash
# Wall time to launch /bin/true under comparable isolation, in one run:
# jailrun (from a plan), jailc run (compile + launch), Firejail, bubblewrap.
# Prints means and ratios. Needs root, hyperfine, firejail, bwrap
# (apt-get install hyperfine firejail bubblewrap).
set -euo pipefail
cd "$(dirname "$0")/.."
for t in hyperfine firejail bwrap; do
  command -v "$t" >/dev/null || { echo "bench/launch.sh: $t is not installed (apt-get install -y hyperfine firejail bubblewrap)" >&2; exit 1; }
done
out=$(mktemp -d /var/tmp/jailc-bench.XXXX)
trap 'rm -rf "$out"' EXIT
go build -o "$out/jailc" ./cmd/jailc
go build -o "$out/jailrun" ./cmd/jailrun
# 1. A few flags: caps.drop all, new pid/mount/ipc/uts/net namespaces, private /tmp and /dev.
cat > "$out/flags.profile" <<'P'
caps.drop all
net none
ipc-namespace
private-tmp
private-dev
nonewprivs
P
"$out/jailc" compile "$out/flags.profile" -o "$out/flags.plan" 2>/dev/null
# 2. Firejail's own ping profile (the stock one jailc and Firejail both read).
"$out/jailc" compile /etc/firejail/ping.profile -o "$out/ping.plan" 2>/dev/null
hyperfine -N -w 5 -r 40 --export-json "$out/r.json" \
  -n "jailrun (flags plan)" "$out/jailrun --plan $out/flags.plan -- /bin/true" \
  -n "jailc run (flags profile)" "$out/jailc run --profile $out/flags.profile -- /bin/true" \
  -n "firejail (flags)" "firejail --quiet --noprofile --caps.drop=all --net=none --ipc-namespace --private-tmp --private-dev --nonewprivs /bin/true" \
  -n "bwrap (flags)" "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-pid --unshare-ipc --unshare-uts --unshare-net --cap-drop ALL --die-with-parent /bin/true" \
  -n "jailrun (ping plan)" "$out/jailrun --allow-unsupported --plan $out/ping.plan -- /bin/true" \
  -n "firejail (ping profile)" "firejail --quiet --profile=/etc/firejail/ping.profile /bin/true" >/dev/null
python3 - "$out/r.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:28s} {v:7.2f} ms")
print()
print(f"jailrun / bwrap (flags):        {r['jailrun (flags plan)'] / r['bwrap (flags)']:.2f}x   (target <= 1.0x)")
print(f"jailrun / firejail (flags):     {r['jailrun (flags plan)'] / r['firejail (flags)']:.2f}x   (target <= 0.15x)")
print(f"jailrun / firejail (ping):      {r['jailrun (ping plan)'] / r['firejail (ping profile)']:.2f}x   (target <= 0.15x)")
print(f"jailc run / jailrun (flags):    {r['jailc run (flags profile)'] / r['jailrun (flags plan)']:.2f}x")
PY
