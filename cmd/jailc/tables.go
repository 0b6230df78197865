package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/jailc/jailc/compiler/sysnum"
	"github.com/jailc/jailc/lang/names"
)

type syscallsCmd struct {
	Arch  string `default:"x86_64" help:"Architecture: x86_64, i386, aarch64 or arm."`
	Query string `arg:"" optional:"" help:"A syscall name, a number, or an @group; omit to list every syscall."`
}

func (c *syscallsCmd) Run(env *runEnv) error {
	arch := sysnum.Lookup(c.Arch)
	if arch == nil {
		return usageError{fmt.Errorf("unknown architecture %q: use x86_64, i386, aarch64 or arm", c.Arch)}
	}
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	defer w.Flush()
	q := c.Query
	switch {
	case q == "":
		for _, s := range arch.Syscalls() {
			fmt.Fprintf(w, "%d\t%s\n", s.Nr, s.Name)
		}
		return nil
	case strings.HasPrefix(q, "@"):
		g, ok := names.LookupGroup(q)
		if !ok {
			return fmt.Errorf("unknown syscall group %q; the groups are %s", q, strings.Join(groupList(), ", "))
		}
		members, err := names.ExpandGroup(g.Name, arch)
		if err != nil {
			return err
		}
		for _, m := range members {
			nr, _ := arch.Number(m)
			fmt.Fprintf(w, "%d\t%s\n", nr, m)
		}
		return nil
	}
	if n, err := strconv.ParseInt(strings.TrimPrefix(q, "$"), 0, 64); err == nil {
		name, ok := arch.SyscallName(int(n))
		if !ok {
			env.status = exitProblems
			fmt.Fprintf(env.stderr, "jailc: %d is not a syscall number on %s\n", n, arch.Name)
			return nil
		}
		fmt.Fprintf(w, "%d\t%s\n", n, name)
		return nil
	}
	nr, ok := arch.Number(q)
	if !ok {
		env.status = exitProblems
		msg := fmt.Sprintf("jailc: %q is not a syscall on %s", q, arch.Name)
		var on []string
		for _, a := range sysnum.Arches() {
			if n, ok := a.Number(q); ok {
				on = append(on, fmt.Sprintf("%s %d", a.Name, n))
			}
		}
		if len(on) > 0 {
			msg += " (it is on " + strings.Join(on, ", ") + ")"
		} else if s, ok := names.Suggest(q, sysnum.AllNames()); ok {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		fmt.Fprintln(env.stderr, msg)
		return nil
	}
	fmt.Fprintf(w, "%d\t%s\n", nr, q)
	return nil
}

func groupList() []string {
	out := make([]string, len(names.Groups))
	for i, g := range names.Groups {
		out[i] = g.Name
	}
	return out
}

type capsCmd struct{}

func (capsCmd) Run(env *runEnv) error {
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	for i, c := range names.Capabilities {
		fmt.Fprintf(w, "%d\t%s\n", i, c)
	}
	return w.Flush()
}

type errnosCmd struct{}

func (errnosCmd) Run(env *runEnv) error {
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	for _, e := range names.Errnos {
		fmt.Fprintf(w, "%d\t%s\n", e.Number, e.Name)
	}
	return w.Flush()
}

type protocolsCmd struct{}

func (protocolsCmd) Run(env *runEnv) error {
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	for _, p := range names.Protocols {
		fmt.Fprintf(w, "%d\t%s\n", p.Family, p.Name)
	}
	return w.Flush()
}
