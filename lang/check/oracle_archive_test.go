package check_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/resolve"
	"github.com/jailc/jailc/lang/source"
)

// TestOracleArchives asks the real Firejail 0.9.72 about every command line
// of the spec archives (testdata/check/*.txtar) and requires jailc's
// "Firejail rejects" verdict on the same input to agree. (TestOracleFirejail
// in oracle_test.go asks about a fixed list of one-line profiles; this test
// follows the archives as they grow.)
//
// Cases. Each non-conditional command line of every archive file becomes a
// small profile: the line itself, copied byte for byte (comments, tabs, CR
// and NUL included), preceded by the context it needs: earlier lines of the
// same file that feed the same cross-line rule (oaGroup: the network lines
// before `ip`, writable-etc before private-etc, protocol before protocol,
// the shared caps list, dbus policies, the seccomp lines before seccomp.32*)
// and earlier ignore lines. Context lines are only lines Firejail accepts
// by the archive's own account (no want!). All archive files are written
// next to the case, so include lines find their targets. Each archive's
// first file is also run whole, as the archive presents it ("whole" cases:
// include depth and cycles, conditionals, ...), unless it is an include
// fragment (jailc judges a fragment as included, not started).
//
// Classes. Lines marked `want!` (Firejail rejects) and lines with no want
// (Firejail accepts) are asserted: a disagreement fails the test. Lines
// with only `want` (a diagnostic Firejail accepts) are run too, but a
// disagreement there is logged, not failed: many of them are lines Firejail
// does not read in their archive (ignored, false conditional) and mean
// something else in isolation. Whole-archive cases are asserted.
//
// Two legs. Every case runs as root (home /root, uid 0) and, when the
// machine has one, as the first ordinary user (uid >= 1000 with a home
// directory; it stands in for the spec archives' "user"): Firejail as that
// user through setpriv, jailc with that user's macros and Root false. The
// user leg exercises Debian's restricted-network and the root-only
// directives.
//
// Verdict. jailc: resolve + check on the case profile, with the archive's
// firejail.config or the machine's, and a view of the filesystem matching
// the sandbox below (oaStat). Firejail: the exact same profile, run by
//
//	unshare --mount --net -- sh -c '<tmpfs on /run, /tmp, /root and the
//	    user's home; overlay on /etc; every other rw mount read-only>;
//	    firejail --profile=P -- /bin/true'
//
// so nothing the profile does (mkdir/mkfile on the host, /etc/ld.so.preload
// for tracelog, /run/firejail state, sandbox names for join-or-start)
// survives the case or touches the host, and network set-up happens in an
// empty network namespace. Profiles that mention dbus get a session and a
// system bus (dbus-daemon) in the namespace, since `dbus-user filter`
// refuses to start without one. Firejail rejected the profile when it
// exited non-zero without printing "Child process initialized" (a sandbox
// that started but whose /bin/true failed, e.g. under a seccomp.keep list,
// was accepted). One start costs 20-60 ms.
//
// Parse-only cases. Lines that configure a network device (net DEV,
// veth-name, ip, ip6, iprange, mac, mtu, netmask, defaultgw) and netns are
// run as `firejail --profile=P --version`, which reads the profile (every
// parse-time check) and exits before starting a sandbox: a real start
// spends about 1.1 s per interface in Firejail's ARP check and `ip dhcp`
// needs dhclient. When that run accepts a profile jailc rejects, the case
// is run again as a real start on stub devices (a veth or a bridge with
// 10.0.0.1/24 for every `net` name), because some values (ip6 with an IPv4
// address) are refused only at start.
//
// Skipped kinds (oaSkip): bare `x11` and `x11 xpra|xephyr|xvfb` start an X
// server and re-execute Firejail inside it; `x11 xorg` needs a running X
// server ("--x11=xorg requires an 'outer' X11 server"); there is none here.
// Conditional lines are left out as single cases (their truth depends on
// context the one-line profile cannot carry; the whole-archive cases still
// run them).
func TestOracleArchives(t *testing.T) {
	fj := "/usr/bin/firejail"
	if _, err := os.Stat(fj); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: /usr/bin/firejail is missing; the oracle test needs Firejail 0.9.72")
		}
		t.Skip("/usr/bin/firejail is not installed; the oracle test asks Firejail 0.9.72 itself")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: the oracle test must run as root (it starts sandboxes in throwaway mount and network namespaces)")
		}
		t.Skip("not root: the oracle test starts Firejail sandboxes in throwaway mount and network namespaces")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatalf("unshare (util-linux) is needed to isolate the sandboxes: %v", err)
	}
	hostCfg, err := config.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.Chmod(work, 0o755); err != nil {
		t.Fatal(err)
	}
	xdgRoot := filepath.Join(work, "empty-root") // homes are empty: XDG directories never resolve
	if err := os.Mkdir(xdgRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &oaRunner{unshare: unshare, hostCfg: hostCfg, xdgRoot: xdgRoot}

	users := []*oaUser{{name: "root", uid: 0, gid: 0, home: "/root"}}
	if u := oaFindUser(); u != nil {
		users = append(users, u)
	} else {
		t.Logf("no ordinary user (uid >= 1000 with a home directory) on this machine: only the root leg runs")
	}

	// Can Firejail start a sandbox at all here?
	for _, u := range users {
		probe := &oaCase{name: "probe", files: map[string][]byte{}, profile: []byte("nonewprivs\n"), user: u}
		probe.dir = filepath.Join(work, "probe-"+u.name)
		r.run(probe)
		if probe.err != nil || probe.fjRejects {
			t.Skipf("Firejail cannot start a sandbox in this machine as %s (probe `nonewprivs` under unshare): exit %d, err %v, output:\n%s",
				u.name, probe.fjExit, probe.err, probe.fjOut)
		}
	}

	base, skipped := oaCollect(t)
	var cases []*oaCase
	for _, c := range base {
		for _, u := range users {
			cc := *c
			cc.user = u
			cc.name = c.name + " as " + u.name
			cases = append(cases, &cc)
		}
	}
	limit := 3000
	if testing.Short() {
		limit = 300
	}
	if len(cases) > limit {
		t.Logf("capping the oracle at %d of %d cases", limit, len(cases))
		cases = cases[:limit]
	}
	for i, c := range cases {
		c.dir = filepath.Join(work, fmt.Sprintf("c%04d", i))
	}

	start := time.Now()
	workers := 2 * runtime.NumCPU()
	var wg sync.WaitGroup
	next := make(chan *oaCase)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				t0 := time.Now()
				r.run(c)
				c.dur = time.Since(t0)
			}
		}()
	}
	for _, c := range cases {
		next <- c
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)

	var agree, disagree, infoDisagree, parseOnly, confirmed, contextNotes int
	var infos []string
	perClass := map[string]int{}
	for _, c := range cases {
		perClass[c.class]++
		if c.parseOnly {
			parseOnly++
		}
		if c.confirmed {
			confirmed++
		}
		if c.err != nil {
			t.Errorf("%s: cannot run the case: %v", c.name, c.err)
			continue
		}
		// The archive's own verdict holds for the leg it was written for.
		if c.class != "whole" && (c.user.uid == 0) == c.rootArchive && c.jailc != c.annotRejects {
			contextNotes++
			t.Logf("note %s: in isolation jailc's verdict is %v, the archive says %v (the line depends on context the case does not carry): %q",
				c.name, c.jailc, c.annotRejects, c.target)
		}
		if c.jailc == c.fjRejects {
			agree++
			continue
		}
		msg := fmt.Sprintf("%s [%s]: %q\n\tjailc: Firejail rejects = %v %v\n\tFirejail: rejects = %v (exit %d, %s)\n\tprofile:\n%s\tFirejail output:\n%s",
			c.name, c.class, c.target, c.jailc, c.jailcDiags, c.fjRejects, c.fjExit, c.mode(),
			oaIndent(string(c.profile)), oaIndent(c.fjOut))
		if c.class == "want" {
			infoDisagree++
			infos = append(infos, msg)
			continue
		}
		disagree++
		t.Error("disagreement: " + msg)
	}
	for _, m := range infos {
		t.Logf("disagreement on a `want` line (logged, not failed): %s", m)
	}
	slow := append([]*oaCase(nil), cases...)
	sort.Slice(slow, func(i, j int) bool { return slow[i].dur > slow[j].dur })
	for _, c := range slow[:min(8, len(slow))] {
		t.Logf("slowest: %v %s (%s)", c.dur.Round(time.Millisecond), c.name, c.mode())
	}
	var kinds []string
	for k, n := range skipped {
		kinds = append(kinds, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(kinds)
	var legs []string
	for _, u := range users {
		legs = append(legs, u.name)
	}
	t.Logf("oracle: %d cases (%d lines/archives × legs %s; %v; %d parse-only, %d of them re-run as a start) in %v with %d workers: %d agree, %d disagree (asserted), %d disagree on want-only lines (logged); %d isolated verdicts differ from the archive's; skipped: %s",
		len(cases), len(base), strings.Join(legs, "+"), perClass, parseOnly, confirmed, elapsed.Round(time.Millisecond), workers,
		agree, disagree, infoDisagree, contextNotes, strings.Join(kinds, ", "))
}

type oaUser struct {
	name     string
	uid, gid int
	home     string
}

// oaFindUser returns the first passwd entry with uid >= 1000 (not nobody)
// whose home is an existing directory other than /.
func oaFindUser() *oaUser {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ":")
		if len(fs) < 7 {
			continue
		}
		uid, err1 := strconv.Atoi(fs[2])
		gid, err2 := strconv.Atoi(fs[3])
		if err1 != nil || err2 != nil || uid < 1000 || uid >= 65534 || fs[5] == "/" || !strings.HasPrefix(fs[5], "/") {
			continue
		}
		if st, err := os.Stat(fs[5]); err != nil || !st.IsDir() || strings.ContainsAny(fs[5], " \t\n") {
			continue
		}
		return &oaUser{name: fs[0], uid: uid, gid: gid, home: filepath.Clean(fs[5])}
	}
	return nil
}

type oaCase struct {
	name    string
	class   string // "want!", "none", "want" (only non-! wants), "whole"
	files   map[string][]byte
	config  []byte // firejail.config of the archive, or nil
	main    string // profile file name to run ("" = oracle-case.profile)
	profile []byte // content of oracle-case.profile
	target  string
	dir     string
	user    *oaUser

	parseOnly    bool
	confirmed    bool     // a parse-only acceptance re-run as a real start
	netDevs      []string // devices named by `net` lines, stubbed for a real start
	dbus         bool     // start session and system buses for the sandbox
	annotRejects bool     // the archive marks the line want!
	rootArchive  bool     // the archive is checked as root (header option)

	dur        time.Duration
	jailc      bool
	jailcDiags []string
	fjRejects  bool
	fjExit     int
	fjOut      string
	err        error
}

func (c *oaCase) mode() string {
	if c.confirmed {
		return "parse-only run accepted, then sandbox start on stub devices"
	}
	if c.parseOnly {
		return "parse-only run (--version)"
	}
	return "sandbox start"
}

const oaCaseFile = "oracle-case.profile"

// oaPATH is the PATH Firejail runs with (it expands ${PATH} from it).
const oaPATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// oaScript runs inside `unshare --mount --net --propagation private`, in
// the case directory (which stays reachable as the working directory after
// /tmp is covered). $1 is "start" or "parse", $2 the profile. The
// environment names the user (ORACLE_UID, ORACLE_GID, ORACLE_HOME; empty
// for root), the stub devices (ORACLE_NETDEVS) and whether to start D-Bus
// (ORACLE_DBUS).
const oaScript = `set -e
mount -t tmpfs -o mode=755 oracle-run /run
mkdir /run/.oracle /run/.oracle/etc /run/.oracle/work
if mount -t overlay -o lowerdir=/etc,upperdir=/run/.oracle/etc,workdir=/run/.oracle/work oracle-etc /etc 2>/dev/null; then
  if [ -f oracle-firejail.config ]; then cat oracle-firejail.config > /etc/firejail/firejail.config; fi
elif [ -f oracle-firejail.config ]; then
  mount --bind oracle-firejail.config /etc/firejail/firejail.config
fi
mount -t tmpfs -o mode=1777 oracle-tmp /tmp
mount -t tmpfs -o mode=700 oracle-root /root
runas=
if [ -n "$ORACLE_UID" ]; then
  mount -t tmpfs -o "mode=700,uid=$ORACLE_UID,gid=$ORACLE_GID" oracle-home "$ORACLE_HOME"
  mkdir -p "/run/user/$ORACLE_UID"
  chown "$ORACLE_UID:$ORACLE_GID" "/run/user/$ORACLE_UID"
  chmod 700 "/run/user/$ORACLE_UID"
  runas="setpriv --reuid $ORACLE_UID --regid $ORACLE_GID --init-groups"
fi
while read -r _ _ _ _ mp opts _; do
  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/run|/run/*|/tmp|/tmp/*|/root|/root/*|/etc|"$ORACLE_HOME") continue;; esac
  case ",$opts," in *,rw,*) mount -o remount,bind,ro "$mp" 2>/dev/null || true;; esac
done < /proc/self/mountinfo
if [ -n "$ORACLE_NETDEVS" ]; then
  ip link set lo up
  for n in $ORACLE_NETDEVS; do
    case "$n" in br*) ip link add "$n" type bridge;; *) ip link add "$n" type veth peer name "o$n"; ip link set "o$n" up;; esac
    ip addr add 10.0.0.1/24 dev "$n"
    ip link set "$n" up
  done
fi
if [ -n "$ORACLE_DBUS" ]; then
  u=${ORACLE_UID:-0}
  mkdir -p /run/user/$u /run/dbus
  $runas dbus-daemon --session --address=unix:path=/run/user/$u/bus --nofork --nopidfile </dev/null >/dev/null 2>&1 & p1=$!
  dbus-daemon --system --nofork --nopidfile </dev/null >/dev/null 2>&1 & p2=$!
  export DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$u/bus
  i=0
  while [ ! -S /run/user/$u/bus ] || [ ! -S /run/dbus/system_bus_socket ]; do
    i=$((i+1)); [ $i -lt 300 ]; sleep 0.01
  done
fi
set +e
echo ORACLE-SETUP-OK
if [ "$1" = parse ]; then $runas /usr/bin/firejail --profile="$2" --version; rc=$?
else $runas /usr/bin/firejail --profile="$2" -- /bin/true; rc=$?; fi
[ -z "$p1" ] || kill $p1 $p2 2>/dev/null
exit $rc
`

type oaRunner struct {
	unshare string
	hostCfg *config.Config
	xdgRoot string
}

func (r *oaRunner) run(c *oaCase) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		c.err = err
		return
	}
	for name, data := range c.files {
		p := filepath.Join(c.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			c.err = err
			return
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			c.err = err
			return
		}
	}
	main := c.main
	if main == "" {
		main = oaCaseFile
		if err := os.WriteFile(filepath.Join(c.dir, main), c.profile, 0o644); err != nil {
			c.err = err
			return
		}
	} else {
		c.profile = c.files[main]
	}
	cfg := r.hostCfg
	if c.config != nil {
		if err := os.WriteFile(filepath.Join(c.dir, "oracle-firejail.config"), c.config, 0o644); err != nil {
			c.err = err
			return
		}
		var err error
		if cfg, err = config.Parse("firejail.config", c.config); err != nil {
			c.err = err
			return
		}
	}

	// jailc's verdict.
	u := c.user
	env := macro.NewEnv(u.name, u.uid, u.home)
	env.PATH = macro.SplitPATH(oaPATH)
	env.Root = r.xdgRoot
	ropts := resolve.Options{IncludeDirs: []string{c.dir}, SystemDir: "/etc/firejail", Env: env, Config: cfg,
		Conditions: map[string]bool{}, NoCWD: true}
	copts := check.Options{Config: cfg, Env: env, Root: u.uid == 0, Stat: oaStat(u.home)}
	res := check.Check(resolve.Load(filepath.Join(c.dir, main), ropts), copts)
	for _, d := range res.Diags {
		mark := ""
		if d.Firejail {
			c.jailc, mark = true, "!"
		}
		c.jailcDiags = append(c.jailcDiags, fmt.Sprintf("%s %s%s: %s", d.Severity, d.Code, mark, d.Message))
	}

	// Firejail's verdict. A parse-only run that accepts what jailc rejects
	// is repeated as a real start on stub devices, since some network
	// values (ip6 with an IPv4 address) are refused only at start.
	if !c.parseOnly {
		c.fjRejects, c.fjExit, c.fjOut, c.err = r.firejail(c, "start", nil)
		return
	}
	c.fjRejects, c.fjExit, c.fjOut, c.err = r.firejail(c, "parse", nil)
	if c.err == nil && !c.fjRejects && c.jailc {
		c.confirmed = true
		c.fjRejects, c.fjExit, c.fjOut, c.err = r.firejail(c, "start", c.netDevs)
	}
}

// firejail runs the case's profile under unshare (see oaScript).
func (r *oaRunner) firejail(c *oaCase, mode string, netDevs []string) (rejects bool, exit int, output string, err error) {
	main := c.main
	if main == "" {
		main = oaCaseFile
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.unshare, "--mount", "--net", "--propagation", "private", "/bin/sh", "-c", oaScript, "oracle", mode, main)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + oaPATH, "HOME=" + c.user.home, "LANG=C", "TERM=dumb", "ORACLE_NETDEVS=" + strings.Join(netDevs, " ")}
	if c.user.uid != 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("ORACLE_UID=%d", c.user.uid), fmt.Sprintf("ORACLE_GID=%d", c.user.gid), "ORACLE_HOME="+c.user.home)
	}
	if c.dbus {
		cmd.Env = append(cmd.Env, "ORACLE_DBUS=1")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	before, output, setup := strings.Cut(out.String(), "ORACLE-SETUP-OK\n")
	if !setup {
		output = before
	}
	if len(output) > 1500 {
		output = output[:1500] + "..."
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return false, 0, output, fmt.Errorf("timed out; output:\n%s", output)
	case runErr == nil:
	case errors.As(runErr, &ee):
		exit = ee.ExitCode()
	default:
		return false, 0, output, runErr
	}
	if !setup {
		return false, exit, output, fmt.Errorf("namespace set-up failed (exit %d):\n%s", exit, output)
	}
	started := strings.Contains(output, "Child process initialized")
	return exit != 0 && !(started && mode == "start"), exit, output, nil
}

// oaStat is the filesystem the sandbox sees: empty /run, /tmp and /root,
// and an empty home directory.
func oaStat(home string) func(string) (bool, bool) {
	return func(p string) (bool, bool) {
		for _, d := range []string{"/run", "/tmp", "/root", home} {
			if p == d {
				return true, true
			}
			if strings.HasPrefix(p, d+"/") {
				return false, false
			}
		}
		st, err := os.Stat(p)
		if err != nil {
			return false, false
		}
		return true, st.IsDir()
	}
}

// oaGroup names the cross-line rule a keyword takes part in; earlier lines
// of the same group are the context of a case.
var oaGroup = map[string]string{
	"net": "net", "veth-name": "net", "ip": "net", "ip6": "net", "iprange": "net", "mac": "net",
	"mtu": "net", "netmask": "net", "defaultgw": "net",
	"dns":          "dns",
	"writable-etc": "etc", "private-etc": "etc",
	"dbus-user": "dbus", "dbus-system": "dbus", "nodbus": "dbus",
	"protocol":  "protocol",
	"caps.drop": "caps", "caps.keep": "caps",
	"seccomp": "seccomp", "seccomp.drop": "seccomp", "seccomp.keep": "seccomp",
	"seccomp.32": "seccomp", "seccomp.32.drop": "seccomp", "seccomp.32.keep": "seccomp",
	"ignore": "ignore",
}

// oaParseOnly: keywords run with --version (see the test's comment).
var oaParseOnly = map[string]bool{
	"veth-name": true, "ip": true, "ip6": true, "iprange": true, "mac": true, "mtu": true,
	"netmask": true, "defaultgw": true, "netns": true,
}

func oaIsParseOnly(kw string, hasArg bool, arg string) bool {
	if kw == "net" {
		return hasArg && arg != "none"
	}
	return oaParseOnly[kw]
}

// oaSkip says why a line cannot be asked of Firejail, or "".
func oaSkip(kw string, hasArg bool, arg string) string {
	if kw == "x11" && (!hasArg || arg == "xpra" || arg == "xephyr" || arg == "xvfb") {
		return "x11 server modes (start an X server and re-execute Firejail)"
	}
	if kw == "x11" && arg == "xorg" {
		return "x11 xorg (needs a running X server: \"--x11=xorg requires an 'outer' X11 server\")"
	}
	return ""
}

// oaNetDev returns the device a `net` line names, or "".
func oaNetDev(l oaLine) string {
	if l.kw == "net" && l.hasArg && l.arg != "none" && l.arg != "lo" && !l.cond {
		return l.arg
	}
	return ""
}

func oaAddDev(devs []string, d string) []string {
	if d == "" {
		return devs
	}
	for _, x := range devs {
		if x == d {
			return devs
		}
	}
	return append(devs, d)
}

var oaWantRE = regexp.MustCompile(`want(!?) "`)

type oaLine struct {
	raw    []byte
	kw     string
	hasArg bool
	arg    string
	cond   bool
	bang   bool
	plain  bool
}

func oaCollect(t *testing.T) ([]*oaCase, map[string]int) {
	paths, err := filepath.Glob("../../testdata/check/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no spec archives: %v", err)
	}
	skipped := map[string]int{}
	var cases []*oaCase
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		arName := strings.TrimSuffix(filepath.Base(path), ".txtar")
		rootArchive := false
		for _, l := range strings.Split(string(ar.Comment), "\n") {
			if strings.TrimSpace(l) == "root" {
				rootArchive = true
			}
		}
		files := map[string][]byte{}
		var order []string
		var cfg []byte
		marks := map[string]map[int]string{} // file → line → want text
		for _, f := range ar.Files {
			name, data := f.Name, f.Data
			switch {
			case name == "want":
				for _, l := range strings.Split(string(data), "\n") {
					loc, rest, ok := strings.Cut(strings.TrimSpace(l), " ")
					if !ok {
						continue
					}
					file, ln, _ := strings.Cut(loc, ":")
					n, _ := strconv.Atoi(ln)
					file = strings.TrimSuffix(file, ".esc")
					if marks[file] == nil {
						marks[file] = map[int]string{}
					}
					marks[file][n] += " " + rest
				}
				continue
			case name == "firejail.config":
				cfg = data
				continue
			case strings.HasSuffix(name, ".esc"):
				s, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(string(data), `"`, `\"`), "\n", `\n`) + `"`)
				if err != nil {
					t.Fatalf("%s: %s: %v", path, name, err)
				}
				name, data = strings.TrimSuffix(name, ".esc"), []byte(s)
			}
			files[name] = data
			order = append(order, name)
		}
		if len(order) == 0 {
			continue
		}
		archiveSkip := ""
		archiveParse, archiveDBus := false, false
		var archiveDevs []string
		for _, name := range order {
			data := files[name]
			af, _ := parse.File(source.NewFile(name, data))
			raws := bytes.Split(data, []byte("\n"))
			var prev []oaLine
			seen := map[int]bool{}
			for _, l := range af.Lines {
				if l.Piece != 0 || seen[l.Line] || l.Line-1 >= len(raws) {
					continue
				}
				seen[l.Line] = true
				raw := raws[l.Line-1]
				ol := oaLine{raw: raw, cond: len(l.Conds) > 0}
				if l.Cmd != nil {
					ol.kw, ol.hasArg, ol.arg = l.Cmd.Keyword, l.Cmd.HasArg, l.Cmd.Arg
				}
				mark := marks[name][l.Line]
				if i := bytes.Index(raw, []byte("# want")); i >= 0 {
					mark += string(raw[i:])
				}
				for _, m := range oaWantRE.FindAllStringSubmatch(mark, -1) {
					if m[1] == "!" {
						ol.bang = true
					} else {
						ol.plain = true
					}
				}
				if why := oaSkip(ol.kw, ol.hasArg, ol.arg); why != "" {
					archiveSkip = why
					if !ol.cond {
						skipped[why]++
					}
					prev = append(prev, ol)
					continue
				}
				if oaIsParseOnly(ol.kw, ol.hasArg, ol.arg) {
					archiveParse = true
				}
				archiveDevs = oaAddDev(archiveDevs, oaNetDev(ol))
				if bytes.Contains(raw, []byte("dbus")) {
					archiveDBus = true
				}
				if ol.cond || l.Cmd == nil {
					if ol.cond {
						skipped["conditional lines (truth depends on context)"]++
					}
					prev = append(prev, ol)
					continue
				}
				c := &oaCase{
					name: fmt.Sprintf("%s/%s:%d", arName, name, l.Line), files: files, config: cfg,
					target: strings.TrimRight(string(raw), "\r"), annotRejects: ol.bang, rootArchive: rootArchive,
				}
				switch {
				case ol.bang:
					c.class = "want!"
				case ol.plain:
					c.class = "want"
				default:
					c.class = "none"
				}
				var prof bytes.Buffer
				group := oaGroup[ol.kw]
				for _, p := range prev {
					if p.cond || p.bang || p.kw == "" || oaSkip(p.kw, p.hasArg, p.arg) != "" {
						continue
					}
					if g := oaGroup[p.kw]; g == "ignore" || (group != "" && g == group) {
						prof.Write(p.raw)
						prof.WriteByte('\n')
						if oaIsParseOnly(p.kw, p.hasArg, p.arg) {
							c.parseOnly = true
						}
						c.netDevs = oaAddDev(c.netDevs, oaNetDev(p))
					}
				}
				prof.Write(raw)
				prof.WriteByte('\n')
				c.profile = prof.Bytes()
				c.netDevs = oaAddDev(c.netDevs, oaNetDev(ol))
				c.dbus = bytes.Contains(c.profile, []byte("dbus"))
				if oaIsParseOnly(ol.kw, ol.hasArg, ol.arg) {
					c.parseOnly = true
				}
				cases = append(cases, c)
				prev = append(prev, ol)
			}
		}
		if archiveSkip != "" {
			skipped["whole archive with "+archiveSkip]++
			continue
		}
		if oaFragment(order[0]) {
			// jailc judges an include fragment as included by some
			// profile, not as a profile Firejail starts.
			skipped["whole archive whose first file is an include fragment"]++
			continue
		}
		cases = append(cases, &oaCase{
			name: arName + " (whole)", class: "whole", files: files, config: cfg, main: order[0],
			target: "the whole archive: " + order[0], parseOnly: archiveParse, netDevs: archiveDevs, dbus: archiveDBus,
			rootArchive: rootArchive,
		})
	}
	return cases, skipped
}

// oaFragment mirrors resolve's rule for include fragments: names ending in
// .inc or .local, or holding ".inc.".
func oaFragment(name string) bool {
	base := filepath.Base(name)
	return strings.HasSuffix(base, ".inc") || strings.HasSuffix(base, ".local") || strings.Contains(base, ".inc.")
}

func oaIndent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("\t\t" + l + "\n")
	}
	return b.String()
}
