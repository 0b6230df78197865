package build_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/resolve"
)

const fseccomp = "/usr/lib/x86_64-linux-gnu/firejail/fseccomp"

func needFseccomp(t *testing.T) {
	if _, err := os.Stat(fseccomp); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI: fseccomp missing; .ci/run installs firejail")
		}
		t.Skip("Firejail's fseccomp is not installed (apt-get install firejail)")
	}
}

// fj runs fseccomp and returns the program it wrote.
func fj(t *testing.T, args ...string) []bpf.Instruction {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "f")
	full := []string{}
	for _, a := range args {
		full = append(full, strings.ReplaceAll(a, "OUT", out))
	}
	cmd := exec.Command(fseccomp, full...)
	cmd.Env = append(os.Environ(), "FIREJAIL_QUIET=yes")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fseccomp %v: %v\n%s", args, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := bpf.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// planFor compiles a one-file profile for a fixed user.
func planFor(t *testing.T, text string) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "p.profile")
	os.WriteFile(p, []byte(text), 0o644)
	env := macro.NewEnv("user", 1000, "/home/user")
	cfg := config.Default()
	u := resolve.Load(p, resolve.Options{Env: env, Config: cfg, NoCWD: true})
	res := check.Check(u, check.Options{Config: cfg, Env: env, Stat: func(string) (bool, bool) { return true, true }})
	pl, err := build.Build(res, build.Options{Env: env, Config: cfg})
	if err != nil {
		t.Fatalf("%s: %v %v", text, err, res.Diags)
	}
	return pl
}

func nativePolicy(t *testing.T, p *plan.Plan) *seccomp.Policy {
	for _, ap := range p.Seccomp.Policies {
		if ap.Arch == "x86_64" {
			pol, err := ap.ToPolicy()
			if err != nil {
				t.Fatal(err)
			}
			return pol
		}
	}
	t.Fatal("no x86_64 policy")
	return nil
}

// allowedDiff says whether a difference is one of the documented
// divergences: names Firejail's table lacks, :log, unknown errnos, and
// Firejail's post-exec entries (@default-keep, applied after exec).
func allowedDiff(p *plan.Plan, nr int) bool {
	name, _ := sysnum.X86_64.SyscallName(nr)
	if !sysnum.X86_64.FirejailKnows(name) {
		return true
	}
	for _, it := range p.Seccomp.PostExec {
		if it.Value == name {
			return true
		}
	}
	for _, d := range p.Divergences {
		if (d.Code == "syscall-log" || d.Code == "unknown-errno") && strings.Contains(d.Message, name) {
			return true
		}
	}
	return false
}

// killDiverges: Firejail kills the thread where jailc kills the process,
// a recorded divergence.
func killDiverges(p *plan.Plan, got, want uint32) bool {
	if got != seccomp.RetKillThread || want != seccomp.RetKillProcess {
		return false
	}
	for _, d := range p.Divergences {
		if d.Code == "kill-process" {
			return true
		}
	}
	return false
}

func compareMain(t *testing.T, line string, prog []bpf.Instruction) int {
	t.Helper()
	p := planFor(t, line+"\n")
	pol := nativePolicy(t, p)
	diffs := 0
	for nr := 0; nr < 512; nr++ {
		d := seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch}
		got, _, err := bpf.Run(prog, d)
		if err != nil {
			t.Fatalf("%q: Firejail's program: %v", line, err)
		}
		want := pol.Eval(d).Ret()
		if got != want {
			if allowedDiff(p, nr) || killDiverges(p, got, want) {
				diffs++
				continue
			}
			name, _ := sysnum.X86_64.SyscallName(nr)
			t.Errorf("%q: %s (%d): Firejail %s, plan %s", line, name, nr, bpf.ActionName(got, nil), bpf.ActionName(want, nil))
		}
	}
	return diffs
}

// stockSeccompLines collects the distinct seccomp/seccomp.drop lines of the
// stock profiles.
func stockSeccompLines(t *testing.T) []string {
	files, _ := filepath.Glob("/etc/firejail/*.profile")
	seen := map[string]bool{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			l := strings.TrimSpace(strings.SplitN(sc.Text(), "#", 2)[0])
			if strings.HasPrefix(l, "seccomp ") || strings.HasPrefix(l, "seccomp.drop ") {
				seen[l] = true
			}
		}
		fh.Close()
	}
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Done-means 3 of the plan issue: the plan's native action for every
// x86_64 number equals what Firejail's own fseccomp builds for the same
// directive, apart from documented divergences.
func TestSeccompMatchesFseccomp(t *testing.T) {
	needFseccomp(t)
	lines := append(stockSeccompLines(t),
		"seccomp",
		"seccomp !chroot,mount:EACCES,umount2:kill,@swap,$169,unshare",
		"seccomp.drop mount,ptrace:EPERM,@clock,@obsolete",
		"seccomp.drop @default-nodebuggers,!ptrace",
		"seccomp.keep read,write,exit_group,!mount,openat:ENOENT",
		"seccomp.keep @basic-io,@file-system,@signal,$60",
		"seccomp.drop mount:log,swapon:EFOO,landlock_create_ruleset",
		"seccomp chmod:eacces,unlinkat:ENOENT,execve",
	)
	if len(lines) < 20 {
		t.Fatalf("only %d seccomp lines found", len(lines))
	}
	divergent := 0
	for _, line := range lines {
		kw, list, _ := strings.Cut(line, " ")
		var prog []bpf.Instruction
		switch kw {
		case "seccomp":
			if list == "" {
				prog = fj(t, "default", "OUT")
			} else {
				prog = fj(t, "default", "drop", "OUT", "OUT.post", list)
			}
		case "seccomp.drop":
			prog = fj(t, "drop", "OUT", "OUT.post", list)
		case "seccomp.keep":
			prog = fj(t, "keep", "OUT", "OUT.post", list)
		}
		divergent += compareMain(t, line, prog)
	}
	t.Logf("%d seccomp lines compared over x86_64 numbers 0..511; %d differences, all documented divergences", len(lines), divergent)
}

// protocol, restrict-namespaces and memory-deny-write-execute agree with
// Firejail's filters for the argument values that matter.
func TestArgumentFiltersMatchFseccomp(t *testing.T) {
	needFseccomp(t)
	check := func(line string, prog []bpf.Instruction, nrs []int, argIdx int, values []uint64) {
		pol := nativePolicy(t, planFor(t, line+"\n"))
		for _, nr := range nrs {
			for _, v := range values {
				d := seccomp.Data{Nr: int32(nr), Arch: sysnum.X86_64.AuditArch}
				d.Args[argIdx] = v
				got, _, err := bpf.Run(prog, d)
				if err != nil {
					t.Fatal(err)
				}
				if want := pol.Eval(d).Ret(); got != want {
					t.Errorf("%q: nr %d arg%d=%#x: Firejail %s, plan %s", line, nr, argIdx, v, bpf.ActionName(got, nil), bpf.ActionName(want, nil))
				}
			}
		}
	}
	families := []uint64{}
	for f := uint64(0); f < 46; f++ {
		families = append(families, f)
	}
	for _, list := range []string{"unix", "unix,inet,inet6", "unix,inet,inet6,netlink,packet,bluetooth", "bluetooth"} {
		check("protocol "+list, fj(t, "protocol", "build", list, "OUT"), []int{41}, 0, families)
	}
	flags := []uint64{0, 0x11, 0x80, 0x20000, 0x10000000, 0x40000000, 0x7e020080, 0x20000 | 0x11, 0x100 | 0x10000000}
	for _, list := range []string{"cgroup,ipc,net,mnt,pid,time,user,uts", "user,net", "mnt"} {
		prog := fj(t, "restrict-namespaces", "OUT", list)
		check("restrict-namespaces "+list, prog, []int{56, 272}, 0, flags)
		check("restrict-namespaces "+list, prog, []int{308}, 1, append(flags, 0))
	}
	prot := []uint64{0, 1, 2, 3, 4, 5, 6, 7, 0x8000, 0x8004}
	prog := fj(t, "memory-deny-write-execute", "OUT")
	check("memory-deny-write-execute", prog, []int{9, 10, 329}, 2, prot)
	check("memory-deny-write-execute", prog, []int{30}, 2, prot)
	check("memory-deny-write-execute", prog, []int{319, 0, 1}, 0, []uint64{0})
	_ = fmt.Sprint
}
