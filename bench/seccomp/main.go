// Command seccomp-bench prints, for four policies, the mean number of BPF
// instructions executed per syscall number (x86_64, numbers 0..511,
// arguments zero) and the program length, for jailc, Firejail 0.9.72's
// fseccomp, libseccomp 2.5.4 at optimisation level 2, and
// elastic/go-seccomp-bpf — all measured in this run with jailc's exact
// interpreter — against the floor for the policy. Run bench/seccomp.sh.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	gsb "github.com/elastic/go-seccomp-bpf"
	moby "github.com/moby/profiles/seccomp"
	xbpf "golang.org/x/net/bpf"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/check"
	"github.com/jailc/jailc/lang/config"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/lang/resolve"
)

const fseccomp = "/usr/lib/x86_64-linux-gnu/firejail/fseccomp"

var x86 = sysnum.X86_64

type result struct {
	mean float64
	len  int
}

func measure(progs ...[]bpf.Instruction) result {
	// Stacked filters (Firejail installs several): the kernel runs each.
	total, length := 0, 0
	for _, p := range progs {
		length += len(p)
	}
	for nr := 0; nr < 512; nr++ {
		for _, p := range progs {
			_, tr, err := bpf.Run(p, seccomp.Data{Nr: int32(nr), Arch: x86.AuditArch})
			if err != nil {
				panic(err)
			}
			total += len(tr)
		}
	}
	return result{float64(total) / 512, length}
}

func fj(args ...string) []bpf.Instruction {
	dir, _ := os.MkdirTemp("", "fj")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "f")
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "OUT", out)
	}
	cmd := exec.Command(fseccomp, args...)
	cmd.Env = append(os.Environ(), "FIREJAIL_QUIET=yes")
	if b, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("fseccomp %v: %v %s", args, err, b))
	}
	data, _ := os.ReadFile(out)
	p, err := bpf.Unmarshal(data)
	if err != nil {
		panic(err)
	}
	return p
}

// libseccomp exports the policy through the C helper built by the script.
func libseccomp(exporter string, pol *seccomp.Policy) []bpf.Instruction {
	var in bytes.Buffer
	act := func(a seccomp.Action) string {
		switch a.Kind {
		case seccomp.Allow:
			return "allow"
		case seccomp.Errno:
			return fmt.Sprint(a.Errno)
		}
		return "kill"
	}
	fmt.Fprintf(&in, "default %s\n", act(pol.Default))
	for _, s := range pol.Syscalls {
		if a, ok := s.Unconditional(); ok && a != pol.Default {
			fmt.Fprintf(&in, "%d %s\n", s.Nr, act(a))
		}
	}
	cmd := exec.Command(exporter)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		panic(fmt.Sprintf("libseccomp exporter: %v", err))
	}
	p, err := bpf.Unmarshal(out)
	if err != nil {
		panic(err)
	}
	return p
}

// goSeccompBPF assembles elastic/go-seccomp-bpf's linear filter.
func goSeccompBPF(pol *seccomp.Policy) []bpf.Instruction {
	toAction := func(a seccomp.Action) gsb.Action {
		switch a.Kind {
		case seccomp.Allow:
			return gsb.ActionAllow
		case seccomp.Errno:
			return gsb.ActionErrno
		}
		return gsb.ActionKillProcess
	}
	groups := map[seccomp.Action][]string{}
	for _, s := range pol.Syscalls {
		if a, ok := s.Unconditional(); ok && a != pol.Default {
			n, _ := x86.SyscallName(s.Nr)
			groups[a] = append(groups[a], n)
		}
	}
	p := gsb.Policy{DefaultAction: toAction(pol.Default)}
	for a, ns := range groups {
		sort.Strings(ns)
		p.Syscalls = append(p.Syscalls, gsb.SyscallGroup{Names: ns, Action: toAction(a)})
	}
	insts, err := p.Assemble()
	if err != nil {
		panic(err)
	}
	raw, err := xbpf.Assemble(insts)
	if err != nil {
		panic(err)
	}
	out := make([]bpf.Instruction, len(raw))
	for i, r := range raw {
		out[i] = bpf.Instruction{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out
}

// planPolicy compiles profile text with jailc and returns the filter for
// an x86_64 host and its native policy.
func planPolicy(text string) (*seccomp.Filter, *seccomp.Policy) {
	dir, _ := os.MkdirTemp("", "p")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "p.profile")
	os.WriteFile(path, []byte(text), 0o644)
	env := macro.NewEnv("user", 1000, "/home/user")
	cfg := config.Default()
	res := check.Check(resolve.Load(path, resolve.Options{Env: env, Config: cfg, NoCWD: true}), check.Options{Config: cfg, Env: env})
	p, err := build.Build(res, build.Options{Env: env, Config: cfg})
	if err != nil {
		panic(err)
	}
	f, err := p.Seccomp.Filter(x86)
	if err != nil {
		panic(err)
	}
	return f, f.Policies[0]
}

var ping = "read,write,open,close,fstat,mmap,mprotect,munmap,brk,rt_sigaction,rt_sigprocmask,ioctl,access,setitimer,getpid,socket,connect,sendto,recvmsg,getsockname,setsockopt,getsockopt,execve,getuid,setuid,geteuid,capget,capset,prctl,arch_prctl,setresuid,setresgid,getgid,fcntl,clone,set_robust_list,stat,nanosleep,wait4,getdents,exit_group"

func dockerAllowlist() string {
	var out []string
	for _, s := range moby.DefaultProfile().Syscalls {
		if s.Action != "SCMP_ACT_ALLOW" || len(s.Args) > 0 || s.Includes != nil || s.Excludes != nil {
			continue // keep the unconditional, every-arch, every-capability entries
		}
		for _, n := range s.Names {
			if _, ok := x86.Number(n); ok && x86.FirejailKnows(n) {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func main() {
	exporter := os.Args[1]
	blockGroups := "@default-nodebuggers,@clock,@cpu-emulation,@debug,@module,@mount,@obsolete,@raw-io,@reboot,@swap,@resources,@keyring,@memlock"
	docker := dockerAllowlist()
	type row struct {
		name     string
		profile  string
		firejail [][]bpf.Instruction
	}
	rows := []row{
		{"Firejail default seccomp", "seccomp\n", [][]bpf.Instruction{fj("default", "OUT")}},
		{"ping allowlist (41)", "seccomp.keep " + ping + "\n", [][]bpf.Instruction{fj("keep", "OUT", "OUT.post", ping)}},
		{fmt.Sprintf("Docker default allowlist (%d, no args)", strings.Count(docker, ",")+1), "seccomp.keep " + docker + "\n", [][]bpf.Instruction{fj("keep", "OUT", "OUT.post", docker)}},
		{"large blocklist + protocol + restrict-namespaces", "seccomp.drop " + blockGroups + "\nprotocol unix,inet,inet6\nrestrict-namespaces\n",
			[][]bpf.Instruction{fj("drop", "OUT", "OUT.post", blockGroups), fj("protocol", "build", "unix,inet,inet6", "OUT"), fj("restrict-namespaces", "OUT", "cgroup,ipc,net,mnt,pid,time,user,uts")}},
	}
	fmt.Printf("%-50s %18s %18s %18s %18s %18s %8s %8s\n", "policy (mean executed / length)", "jailc", "floor", "Firejail", "libseccomp O2", "go-seccomp-bpf", "jailc/floor", "cacheable")
	for _, r := range rows {
		f, pol := planPolicy(r.profile)
		prog, err := bpf.Compile(f)
		if err != nil {
			panic(err)
		}
		st, err := bpf.Measure(prog, pol)
		if err != nil {
			panic(err)
		}
		// Length like-for-like: libseccomp and go-seccomp-bpf export the
		// native architecture only; so does this program.
		nativeOnly, err := bpf.Compile(&seccomp.Filter{Policies: f.Policies[:1], Foreign: f.Foreign})
		if err != nil {
			panic(err)
		}
		st.Length = len(nativeOnly)
		fjr := measure(r.firejail...)
		ls := measure(libseccomp(exporter, pol))
		gs := measure(goSeccompBPF(pol))
		note := ""
		if strings.Contains(r.name, "protocol") {
			note = " (libseccomp, go-seccomp-bpf: blocklist only)"
		}
		fmt.Printf("%-50s %10.2f / %-5d %18.2f %10.2f / %-5d %10.2f / %-5d %10.2f / %-5d %7.2fx %5d/%d%s\n", r.name,
			st.Mean, st.Length, st.Floor, fjr.mean, fjr.len, ls.mean, ls.len, gs.mean, gs.len, st.Mean/st.Floor, st.Cached, st.Allowed, note)
	}
	_ = names.ErrnoName
}
