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
# bwrap making the mounts jailrun makes for the flags plan: Firejail's
# read-only /usr, /etc, /var and private /var/tmp, the kernel interfaces it
# always hides (empty read-only directories and files), and /proc's
# tunables read-only. Paths this machine lacks are left out.
same_mounts="--bind / / --ro-bind /usr /usr --ro-bind /etc /etc --ro-bind /var /var --tmpfs /var/tmp --dev /dev --proc /proc --ro-bind /proc/sys /proc/sys"
for d in /boot /proc/sys/fs/binfmt_misc /proc/irq /proc/bus /sys/firmware /sys/power /sys/kernel/debug /sys/fs /sys/module; do
  [ -d "$d" ] && same_mounts="$same_mounts --tmpfs $d --remount-ro $d"
done
for f in /proc/kallsyms /proc/timer_list /proc/sys/kernel/core_pattern /proc/sys/vm/panic_on_oom /sys/kernel/vmcoreinfo; do
  [ -e "$f" ] && same_mounts="$same_mounts --ro-bind /dev/null $f"
done
same_mounts="$same_mounts --tmpfs /tmp --unshare-pid --unshare-ipc --unshare-uts --unshare-net --cap-drop ALL --die-with-parent"
hyperfine -N -w 10 -r 100 --export-json "$out/r.json" \
  -n "jailrun (flags plan)" "$out/jailrun --plan $out/flags.plan -- /bin/true" \
  -n "jailc run (flags profile)" "$out/jailc run --profile $out/flags.profile -- /bin/true" \
  -n "firejail (flags)" "firejail --quiet --noprofile --caps.drop=all --net=none --ipc-namespace --private-tmp --private-dev --nonewprivs /bin/true" \
  -n "bwrap (flags)" "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-pid --unshare-ipc --unshare-uts --unshare-net --cap-drop ALL --die-with-parent /bin/true" \
  -n "bwrap (flags, same mounts)" "bwrap $same_mounts /bin/true" \
  -n "jailrun (ping plan)" "$out/jailrun --allow-unsupported --plan $out/ping.plan -- /bin/true" \
  -n "firejail (ping profile)" "firejail --quiet --profile=/etc/firejail/ping.profile /bin/true" >/dev/null
python3 - "$out/r.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:28s} {v:7.2f} ms")
print()
print(f"jailrun / bwrap (flags):        {r['jailrun (flags plan)'] / r['bwrap (flags)']:.2f}x   (target <= 1.0x; bwrap with fewer mounts)")
print(f"jailrun / bwrap (same mounts):  {r['jailrun (flags plan)'] / r['bwrap (flags, same mounts)']:.2f}x   (target <= 1.0x)")
print(f"jailrun / firejail (flags):     {r['jailrun (flags plan)'] / r['firejail (flags)']:.2f}x   (target <= 0.15x)")
print(f"jailrun / firejail (ping):      {r['jailrun (ping plan)'] / r['firejail (ping profile)']:.2f}x   (target <= 0.15x)")
print(f"jailc run / jailrun (flags):    {r['jailc run (flags profile)'] / r['jailrun (flags plan)']:.2f}x")
PY
