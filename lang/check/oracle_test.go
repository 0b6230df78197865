package check_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/lang/frontend"
)

// oracleCases are small profiles (one case per entry; "|" separates lines)
// covering Firejail's parse-time and start-time errors and their
// accepting neighbours. Nothing here says what the answer is: the test asks
// Firejail 0.9.72 itself and requires jailc's Firejail-rejects verdict to
// agree. Lines with host side effects beyond /tmp (network set-up, x11,
// join) are not included, nor private-bin: Firejail 0.9.72 cannot start any
// program under private-bin on Debian 12 ("Cannot start application: No
// such file or directory"; see runtime/firejail_test.go), which says
// nothing about the profile.
var oracleCases = []string{
	"nonewprivs", "nonewprivs yes", "blacklst /tmp/x", "Blacklist /tmp/x", "blacklist", "blacklist /tmp/a&b",
	"blacklist /tmp/a;b", "blacklist /tmp/../etc", "blacklist /tmp/*.log", "blacklist ${HOME}/.ssh", "blacklist ${CFG}/x",
	"blacklist ${DOWNLOADS}/x", "blacklist $HOME/.ssh", "noblacklist /tmp/a%b", "whitelist /tmp/x;y",
	"caps.drop all", "caps.drop CHOWN", "caps.drop cap_chown", "caps.drop chown,,kill", "caps.keep net_raw,net_admin",
	"caps.keep net_rwa", "seccomp", "seccomp chroot,mount", "seccomp mount, umount2", "seccomp mount;umount2",
	"seccomp chrot", "seccomp @clok", "seccomp @clock:EPERM", "seccomp mount:EFOO", "seccomp.drop ,", "seccomp.32",
	"seccomp.keep", "seccomp-error-action ENOPE", "seccomp-error-action eacces", "seccomp-error-action kill",
	"protocol unix,inet", "protocol unx", "protocol unix|protocol -unix", "restrict-namespaces usr",
	"restrict-namespaces user,net", "env FOO=bar", "env NOVALUE", "env =x", "rlimit-nofile 1024", "rlimit-nofile asdf",
	"rlimit-nproc 100.23", "rlimit-sigpending 67asd56", "rlimit-fsize -1024", "rlimit-as 512m", "rlimit-foo 10",
	"timeout 01:30:00", "timeout 90", "timeout 00:00:00", "cpu 0", "cpu 32", "cpu 0-3", "private-etc passwd,group",
	"private-etc", "writable-etc|private-etc hosts", "private-cwd relative", "mkdir /tmp/jailc-oracle/d",
	"mkdir /etc/jailc-oracle", "mkfile /var/jailc-oracle", "dbus-user.talk foo", "dbus-user.talk org.foo.Bar",
	"dbus-user.call org.foo.Bar", "dbus-user.call org.foo.Bar=org.foo.Bar.*@/org/foo", "dbus-user maybe",
	"shell none", "shell /bin/bash", "keep-fd", "keep-fd 3", "landlock.fs.read /usr", "notpm", "overlay",
	"?HAS_NODBUSprivate", "?HAS_NODBUS", "?HAS_NODBUS:", "?HAS_FOO: nosound", "?HAS_NETWORK: net none",
	"?BROWSER_DISABLE_U2F: include x.inc", "?ALLOW_TRAY: garbage", "?HAS_NET: nosound", "include missing-x.inc",
	"include missing-x.local", "include $HOME/x.inc", "include a*.inc", "ignore caps.drop|caps.drop foo",
	"private-libfoo", "x11 foo", "hostname sandbox", "nice abc", "tab", "apparmor-replace", "netfilter6 /nonexistent",
}

func TestOracleFirejail(t *testing.T) {
	fj, err := exec.LookPath("firejail")
	if err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: the oracle test needs firejail and root")
		}
		t.Skip("needs Firejail 0.9.72 installed and root (it starts sandboxes)")
	}
	dir := t.TempDir()
	os.RemoveAll("/tmp/jailc-oracle")
	defer os.RemoveAll("/tmp/jailc-oracle")
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	agree := 0
	for i, c := range oracleCases {
		p := filepath.Join(dir, fmt.Sprintf("case%03d.profile", i))
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(c, "|", "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(fj, "--quiet", "--profile="+p, "--", "/bin/true")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		fjRejects := err != nil
		res := sess.Check(p)
		jailcRejects := false
		for _, d := range res.Diags {
			if d.Firejail {
				jailcRejects = true
			}
		}
		if fjRejects != jailcRejects {
			t.Errorf("%q: Firejail rejects=%v (%s), jailc says %v: %v", c, fjRejects, strings.TrimSpace(string(out)), jailcRejects, res.Diags)
			continue
		}
		agree++
	}
	t.Logf("%d of %d cases: jailc's verdict equals Firejail's", agree, len(oracleCases))
}
