package explain

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/frontend"
)

// compile builds dir/name with dir as the only include directory (so
// `include p.local` finds dir/p.local, and a missing one is skipped).
func compile(t testing.TB, dir, name string) *plan.Plan {
	t.Helper()
	sess, err := frontend.NewSession(frontend.Options{IncludeDirs: []string{dir}, ConfigPath: "/dev/null", SystemDir: "-", NoUserDir: true})
	if err != nil {
		t.Fatal(err)
	}
	res := sess.Check(filepath.Join(dir, name))
	for _, d := range res.Diags {
		if d.Severity.String() == "error" {
			t.Fatalf("%s: %v", name, d)
		}
	}
	p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// plainDir is a temporary directory whose path Firejail accepts (t.TempDir
// puts the test's name in it, and Firejail rejects ',' and '!' in paths).
func plainDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "explain")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// record is a kernel record in the format of kernel/auditsc.c.
func record(arch uint32, nr, compat int, code uint32) string {
	return fmt.Sprintf(`[  42.000001] audit: type=1326 audit(1700000000.123:45): auid=1000 uid=1000 gid=1000 ses=1 pid=4242 comm="prog" exe="/usr/bin/prog" sig=0 arch=%x syscall=%d compat=%d ip=0x7f0000001000 code=%#x`, arch, nr, compat, code)
}

func verdict(t *testing.T, p *plan.Plan, line string) (*Group, *Verdict) {
	t.Helper()
	s := NewSession(NewExplainer(p))
	g, _, err := s.Add(1, line)
	if err != nil || g == nil {
		t.Fatalf("%q: %v", line, err)
	}
	return g, g.Verdict
}

// planAction is the plan's unconditional answer for a call ("args" when
// it depends on arguments).
func planAction(p *plan.Plan, arch *sysnum.Arch, name string) string {
	nr, ok := arch.Number(name)
	if !ok {
		return "no such call"
	}
	if !p.Seccomp.Enabled {
		return "allow"
	}
	for _, ap := range p.Seccomp.Policies {
		if ap.Arch != arch.Name {
			continue
		}
		for _, r := range ap.Syscalls {
			if r.Nr == nr {
				if len(r.Rules) > 0 {
					return "args"
				}
				return r.Else
			}
		}
		return ap.Default
	}
	return "no policy"
}

// apply carries out a fix in dir: add its lines to the .local (the file
// named by the profile's include), or replace the line it names.
func apply(t *testing.T, dir string, f *Fix) {
	t.Helper()
	if f.Replace != nil {
		data, err := os.ReadFile(f.Replace.File)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		i := f.Replace.Line - 1
		lines = append(lines[:i], append(append([]string{}, f.Add...), lines[i+1:]...)...)
		if err := os.WriteFile(f.Replace.File, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	name, _, _ := strings.Cut(f.File, " ")
	path := filepath.Join(dir, filepath.Base(name))
	old, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(old, []byte(strings.Join(f.Add, "\n")+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pingKeep is the walkthrough's strace list (reference: hardening
// workflows §1), which lacks clone.
const pingKeep = "read,write,open,close,fstat,mmap,mprotect,munmap,brk,rt_sigaction,rt_sigprocmask,ioctl,access,setitimer,getpid,socket,connect,sendto,recvmsg,getsockname,setsockopt,getsockopt,execve,getuid,setuid,geteuid,capget,capset,prctl,arch_prctl"

const (
	x86 = 0xc000003e
	i32 = 0x40000003
)

// TestFixes: for each way a profile can deny a call, the fix jailc prints,
// carried out, makes the recompiled plan allow the call and changes
// nothing else that was checked.
func TestFixes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile string
		local   string // existing .local content
		arch    uint32
		nr      int
		cause   string
		add     []string // expected fix lines ("" entries skipped)
		replace bool
		still   map[string]string // name -> plan action after the fix (x86_64)
	}{
		{
			name:    "keep list, .local first (the ping walkthrough)",
			profile: "include p.local\ncaps.keep net_raw\nseccomp.keep " + pingKeep + "\n",
			arch:    x86, nr: 56, cause: CauseKeep,
			add:   []string{"seccomp.keep " + pingKeep + ",clone", "ignore seccomp.keep"},
			still: map[string]string{"clone": "allow", "read": "allow", "mount": "errno(1)"},
		},
		{
			name:    "keep list, i386 clone is 120",
			profile: "include p.local\nseccomp.keep " + pingKeep + "\n",
			arch:    i32, nr: 120, cause: CauseKeep,
			add:   []string{"seccomp.keep " + pingKeep + ",clone", "ignore seccomp.keep"},
			still: map[string]string{"clone": "allow"},
		},
		{
			name:    "keep list, .local read last",
			profile: "seccomp.keep read,write\ninclude p.local\n",
			arch:    x86, nr: 56, cause: CauseKeep,
			add:   []string{"seccomp.keep read,write,clone"},
			still: map[string]string{"clone": "allow", "write": "allow", "open": "errno(1)"},
		},
		{
			name:    "keep list, no .local",
			profile: "seccomp.keep read,write\n",
			arch:    x86, nr: 56, cause: CauseKeep, replace: true,
			add:   []string{"seccomp.keep read,write,clone"},
			still: map[string]string{"clone": "allow", "open": "errno(1)"},
		},
		{
			name:    "keep list excludes the call with !name",
			profile: "include p.local\nseccomp.keep read,!clone,write\n",
			arch:    x86, nr: 56, cause: CauseKeep,
			add:   []string{"seccomp.keep read,write,clone", "ignore seccomp.keep"},
			still: map[string]string{"clone": "allow"},
		},
		{
			name:    "keep list already in the .local",
			profile: "include p.local\nnonewprivs\n",
			local:   "seccomp.keep read,write\n",
			arch:    x86, nr: 56, cause: CauseKeep, replace: true,
			add:   []string{"seccomp.keep read,write,clone"},
			still: map[string]string{"clone": "allow", "open": "errno(1)"},
		},
		{
			name:    "default group, bare seccomp",
			profile: "include p.local\nseccomp\n",
			arch:    x86, nr: 165, cause: CauseDefault,
			add:   []string{"seccomp !mount"},
			still: map[string]string{"mount": "allow", "chroot": "errno(1)", "umount2": "errno(1)"},
		},
		{
			name:    "default group, seccomp LIST after the .local",
			profile: "include p.local\nseccomp !chroot\n",
			arch:    x86, nr: 165, cause: CauseDefault,
			add:   []string{"seccomp !chroot,!mount", "ignore seccomp"},
			still: map[string]string{"mount": "allow", "chroot": "allow", "umount2": "errno(1)"},
		},
		{
			name:    "named by seccomp LIST",
			profile: "include p.local\nseccomp getppid\n",
			arch:    x86, nr: 110, cause: CauseList,
			add:   []string{"seccomp !getppid", "ignore seccomp"}, // an empty list would be no filter
			still: map[string]string{"getppid": "allow", "mount": "errno(1)"},
		},
		{
			name:    "seccomp.drop list",
			profile: "include p.local\nseccomp.drop mount,chroot\n",
			arch:    x86, nr: 161, cause: CauseList,
			add:   []string{"seccomp.drop mount", "ignore seccomp.drop"},
			still: map[string]string{"chroot": "allow", "mount": "errno(1)"},
		},
		{
			name:    "seccomp.drop through a group",
			profile: "include p.local\nseccomp.drop @mount\n",
			arch:    x86, nr: 161, cause: CauseList,
			add:   []string{"seccomp.drop @mount,!chroot", "ignore seccomp.drop"},
			still: map[string]string{"chroot": "allow", "mount": "errno(1)", "pivot_root": "errno(1)"},
		},
		{
			name:    "memory-deny-write-execute",
			profile: "include p.local\nmemory-deny-write-execute\n",
			arch:    x86, nr: 319, cause: CauseMDWX,
			add:   []string{"ignore memory-deny-write-execute"},
			still: map[string]string{"memfd_create": "allow"},
		},
		{
			name:    "block-secondary denies i386",
			profile: "include p.local\nseccomp\nseccomp.block-secondary\n",
			arch:    i32, nr: 20, cause: CauseBlockSecondary,
			add: []string{"ignore seccomp.block-secondary"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := plainDir(t)
			if err := os.WriteFile(filepath.Join(dir, "p.profile"), []byte(tc.profile), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.local != "" {
				if err := os.WriteFile(filepath.Join(dir, "p.local"), []byte(tc.local), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p := compile(t, dir, "p.profile")
			g, v := verdict(t, p, record(tc.arch, tc.nr, map[uint32]int{x86: 0, i32: 1}[tc.arch], 0x50000))
			if v.Cause != tc.cause || v.Fix == nil {
				t.Fatalf("cause %q fix %+v, want %q\nwhy: %s", v.Cause, v.Fix, tc.cause, v.Why)
			}
			if (v.Fix.Replace != nil) != tc.replace || strings.Join(v.Fix.Add, "\n") != strings.Join(tc.add, "\n") || v.Fix.Reason == "" {
				t.Fatalf("fix: replace %v add %q (%s), want replace %v add %q", v.Fix.Replace != nil, v.Fix.Add, v.Fix.Reason, tc.replace, tc.add)
			}
			if v.Rule == nil || v.Rule.File == "" {
				t.Errorf("no rule: %+v", v)
			}
			apply(t, dir, v.Fix)
			after := compile(t, dir, "p.profile")
			if got := planAction(after, g.Call.Arch, g.Call.Name); got != "allow" {
				t.Errorf("after the fix %s on %s: %s", g.Call.Name, g.Call.Arch.Name, got)
			}
			for name, want := range tc.still {
				if got := planAction(after, sysnum.X86_64, name); got != want {
					t.Errorf("after the fix %s: %s, want %s", name, got, want)
				}
			}
			firejailAgrees(t, dir, v.Fix.Add[0])
		})
	}
}

// firejailAgrees runs Firejail 0.9.72 on the fixed profile and checks that
// the list it hands to fseccomp is the fix's list: the .local line won.
func firejailAgrees(t *testing.T, dir, line string) {
	t.Helper()
	kw, list, _ := strings.Cut(line, " ")
	sub := map[string]string{"seccomp.keep": "keep", "seccomp.drop": "drop", "seccomp": "default drop"}[kw]
	if sub == "" {
		return
	}
	fj, err := exec.LookPath("firejail")
	if err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("firejail and root are needed to check the fix against Firejail: %v, euid %d", err, os.Geteuid())
		}
		t.Logf("not checked against Firejail: needs firejail (%v) and root (euid %d)", err, os.Geteuid())
		return
	}
	// Firejail looks for p.local in ~/.config/firejail, /etc/firejail,
	// then the working directory.
	cmd := exec.Command(fj, "--debug", "--profile="+filepath.Join(dir, "p.profile"), "/bin/true")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	want := "/run/firejail/lib/fseccomp " + sub + " "
	for _, l := range strings.Split(string(out), "\n") {
		if i := strings.Index(l, want); i >= 0 {
			f := strings.Fields(l[i+len(want):])
			if len(f) == 0 || f[len(f)-1] != list {
				t.Errorf("firejail built %q, want list %q", l[i:], list)
			}
			return
		}
	}
	t.Errorf("firejail ran no %q; its output:\n%s", want, out)
}

func TestVerdicts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("keep.profile", "include keep.local\nseccomp.keep "+pingKeep+"\n")
	write("proto.profile", "include proto.local\nprotocol unix,inet\nseccomp\n")
	write("ns.profile", "include ns.local\nrestrict-namespaces\n")
	write("none.profile", "caps.drop all\n")
	write("kill.profile", "include kill.local\nseccomp.keep read\nseccomp-error-action kill\n")
	keep := compile(t, dir, "keep.profile")

	// i386 socketcall (102) is not x86_64's 102 (getuid, which the list keeps).
	g, v := verdict(t, keep, record(i32, 102, 1, 0))
	if g.Call.Name != "socketcall" || v.Cause != CauseKeep || !strings.HasSuffix(v.Fix.Add[0], ",socketcall") || !strings.Contains(v.Fix.Reason, "no x86_64 syscall") {
		t.Errorf("i386 socketcall: %s %+v %+v", g.CallText(), v, v.Fix)
	}
	if _, v := verdict(t, keep, record(x86, 102, 0, 0)); v.Cause != CauseAllowed || v.Fix != nil || len(v.Notes) == 0 {
		t.Errorf("x86_64 getuid is kept, so the record came from elsewhere: %+v", v)
	}
	// the record's errno is not logged; the plan's is.
	if _, v := verdict(t, keep, record(x86, 56, 0, 0x50000)); !strings.Contains(strings.Join(v.Notes, "\n"), "EPERM (1)") {
		t.Errorf("errno note: %q", v.Notes)
	}
	// a kill record against an errno plan says so.
	if _, v := verdict(t, keep, record(x86, 56, 0, 0)); !strings.Contains(strings.Join(v.Notes, "\n"), "kill-thread but this plan's is errno(1)") {
		t.Errorf("action mismatch note: %q", v.Notes)
	}
	if _, v := verdict(t, compile(t, dir, "kill.profile"), record(x86, 56, 0, 0x80000000)); len(v.Notes) != 0 || v.PlanAction != "kill-process" {
		t.Errorf("kill-process plan, kill-process record: %+v", v)
	}
	// x32 and foreign architectures cannot be fixed from a profile.
	if g, v := verdict(t, keep, record(x86, 0x40000000|56, 1, 0)); v.Cause != CauseX32 || v.Fix != nil || !g.Call.X32 {
		t.Errorf("x32: %+v", v)
	}
	if _, v := verdict(t, keep, record(0xc00000f3, 220, 0, 0)); v.Cause != CauseForeign || v.Fix != nil {
		t.Errorf("riscv64: %+v", v)
	}
	// protocol: the family is not in the record.
	_, v = verdict(t, compile(t, dir, "proto.profile"), record(x86, 41, 0, 0x50000))
	if v.Cause != CauseProtocol || v.Fix == nil || v.Fix.Add[0] != "protocol FAMILY" || !strings.Contains(v.Fix.Reason, "inet6, netlink, packet, bluetooth") || v.Rule.Line != 2 {
		t.Errorf("protocol: %+v %+v", v, v.Fix)
	}
	// restrict-namespaces: clone3 is expected to fail; clone needs a choice.
	ns := compile(t, dir, "ns.profile")
	if _, v := verdict(t, ns, record(x86, 435, 0, 0x50000)); v.Cause != CauseNamespaces || v.Fix != nil || len(v.Notes) == 0 {
		t.Errorf("clone3: %+v", v)
	}
	_, v = verdict(t, ns, record(x86, 56, 0, 0x50000))
	if v.Cause != CauseNamespaces || v.Fix == nil || len(v.Fix.Add) != 2 || v.Fix.Add[1] != "ignore restrict-namespaces" || !strings.HasPrefix(v.Fix.Add[0], "restrict-namespaces cgroup,ipc,net,mnt,pid,time,user,uts") {
		t.Errorf("clone under restrict-namespaces: %+v %+v", v, v.Fix)
	}
	if _, v := verdict(t, compile(t, dir, "none.profile"), record(x86, 56, 0, 0)); v.Cause != CauseNoFilter {
		t.Errorf("no filter: %+v", v)
	}
	// without a plan there is no verdict.
	if _, v := verdict(t, nil, record(x86, 56, 0, 0)); v != nil {
		t.Errorf("no plan: %+v", v)
	}
}
