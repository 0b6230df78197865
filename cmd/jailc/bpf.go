package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/names"
)

type bpfCmd struct {
	profileFlags
	Arch    string `default:"x86_64" help:"Host architecture of the program: x86_64, i386, aarch64, arm."`
	Output  string `short:"o" placeholder:"FILE" help:"Write the raw struct sock_filter array here."`
	Disasm  bool   `help:"Print the program readably."`
	Eval    string `placeholder:"CALL" help:"Run the program on a call, e.g. 'socket(10,1,0)' or '56' or 'i386:socket(2,1,0)', and say what the kernel will do."`
	Stats   bool   `help:"Print length, executed instructions (min/mean/max over numbers 0..511), the floor, and action-cache coverage."`
	Profile string `arg:"" help:"Profile or compiled plan (.json)."`
}

func (c *bpfCmd) Run(env *runEnv) error {
	arch := sysnum.Lookup(c.Arch)
	if arch == nil {
		return usageError{fmt.Errorf("unknown architecture %q: use x86_64, i386, aarch64 or arm", c.Arch)}
	}
	p, err := c.loadPlan(env, c.Profile)
	if err != nil {
		return err
	}
	if !p.Seccomp.Enabled {
		return fmt.Errorf("%s installs no seccomp filter (no seccomp, protocol, restrict-namespaces, memory-deny-write-execute or block-secondary line)", c.Profile)
	}
	f, err := p.Seccomp.Filter(arch)
	if err != nil {
		return err
	}
	prog, err := bpf.Compile(f)
	if err != nil {
		return err
	}
	did := false
	if c.Output != "" {
		if err := writeAtomic(c.Output, bpf.Marshal(prog)); err != nil {
			return err
		}
		did = true
	}
	if c.Disasm {
		fmt.Fprint(env.stdout, bpf.Disasm(prog, names.ErrnoName))
		did = true
	}
	if c.Eval != "" {
		if err := c.eval(env, prog, f, arch); err != nil {
			return err
		}
		did = true
	}
	if c.Stats || !did {
		for _, pol := range f.Policies {
			st, err := bpf.Measure(prog, pol)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "%s: %d instructions; executed per syscall min %d, mean %.2f, max %d (floor %.2f); %d of %d unconditionally allowed numbers served by the kernel's action cache; %d argument-dependent\n",
				st.Arch, st.Length, st.Min, st.Mean, st.Max, st.Floor, st.Cached, st.Allowed, st.ArgumentDependents)
		}
	}
	return nil
}

// eval parses "[arch:]name(args)" or "[arch:]number".
func (c *bpfCmd) eval(env *runEnv, prog []bpf.Instruction, f *seccomp.Filter, host *sysnum.Arch) error {
	call := strings.TrimSpace(c.Eval)
	arch := host
	if a, rest, ok := strings.Cut(call, ":"); ok {
		if arch = sysnum.Lookup(a); arch == nil {
			return usageError{fmt.Errorf("unknown architecture %q in --eval", a)}
		}
		call = rest
	}
	name, argText, hasArgs := strings.Cut(call, "(")
	d := seccomp.Data{Arch: arch.AuditArch}
	if n, err := strconv.ParseInt(name, 0, 64); err == nil {
		d.Nr = int32(n)
	} else if nr, ok := arch.Number(name); ok {
		d.Nr = int32(nr)
	} else {
		return usageError{fmt.Errorf("%q is not a syscall on %s", name, arch.Name)}
	}
	if hasArgs {
		argText = strings.TrimSuffix(strings.TrimSpace(argText), ")")
		if strings.TrimSpace(argText) != "" {
			for i, a := range strings.Split(argText, ",") {
				if i >= 6 {
					return usageError{fmt.Errorf("at most 6 arguments")}
				}
				v, err := strconv.ParseUint(strings.TrimSpace(a), 0, 64)
				if err != nil {
					return usageError{fmt.Errorf("argument %d: %q is not a number", i, a)}
				}
				d.Args[i] = v
			}
		}
	}
	ret, trace, err := bpf.Run(prog, d)
	if err != nil {
		return err
	}
	sname, _ := arch.SyscallName(int(d.Nr))
	if sname == "" {
		sname = "?"
	}
	steps := make([]string, len(trace))
	for i, pc := range trace {
		steps[i] = strconv.Itoa(pc)
	}
	fmt.Fprintf(env.stdout, "%s %s(%d) args %v: %s\n  instructions %s (%d executed)\n", arch.Name, sname, d.Nr, d.Args, bpf.ActionName(ret, names.ErrnoName), strings.Join(steps, " "), len(trace))
	if want := f.Eval(d).Ret(); want != ret {
		return fmt.Errorf("internal error: program says %#x, policy says %#x", ret, want)
	}
	return nil
}
