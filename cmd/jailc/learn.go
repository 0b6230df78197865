package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/runtime/trace"
)

type learnCmd struct {
	Output  string   `short:"o" placeholder:"NAME.profile" help:"Write the profile here (default: standard output)."`
	Append  bool     `help:"Merge with the profile already in -o (one run never exercises every path)."`
	Command []string `arg:"" passthrough:"" name:"program" help:"Program and arguments to observe."`
}

var familyNames = map[int]string{}

// alwaysNeeded are added to every learned keep list (see Run).
var alwaysNeeded = []string{"exit", "exit_group", "restart_syscall", "rt_sigreturn"}

func init() {
	for _, p := range names.Protocols {
		familyNames[p.Family] = p.Name
	}
}

// learned is what the profile says, merged over runs.
type learned struct {
	keep     map[string]bool
	keep32   map[string]bool
	caps     map[string]string // capability → why
	protocol map[string]bool
	execs    map[string]bool
	etc      map[string]bool
	notes    []string
}

func (c *learnCmd) Run(env *runEnv) error {
	argv := c.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return usageError{fmt.Errorf("no program given: jailc learn [-o NAME.profile] -- PROGRAM [ARGS...]")}
	}
	l := &learned{keep: map[string]bool{}, keep32: map[string]bool{}, caps: map[string]string{}, protocol: map[string]bool{},
		execs: map[string]bool{}, etc: map[string]bool{}}
	if c.Append && c.Output != "" {
		if err := l.read(c.Output); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// With the profile on stdout, the program's own output goes to stderr.
	progOut := os.Stdout
	if c.Output == "" {
		progOut = os.Stderr
	}
	rep, err := trace.Run(argv, progOut, os.Stderr)
	if err != nil {
		return fmt.Errorf("observing %s: %w", argv[0], err)
	}
	for _, n := range rep.Names("x86_64") {
		l.keep[n] = true
	}
	for _, n := range rep.Names("i386") {
		l.keep32[n] = true
	}
	// What every program needs whether or not one run showed it: returning
	// from a signal handler (Go's runtime preempts with signals, any
	// program may catch one), restarting an interrupted call, exiting.
	for _, n := range alwaysNeeded {
		l.keep[n] = true
	}
	if len(l.keep32) > 0 {
		for _, n := range append([]string{"sigreturn"}, alwaysNeeded...) {
			l.keep32[n] = true
		}
	}
	for fam := range rep.Families {
		if n, ok := familyNames[fam]; ok {
			l.protocol[n] = true
		} else {
			l.notes = append(l.notes, fmt.Sprintf("socket family %d seen; the protocol directive cannot allow it", fam))
		}
	}
	if rep.RawSocket {
		l.caps["net_raw"] = "raw or packet socket opened"
	}
	for port := range rep.LowPorts {
		l.caps["net_bind_service"] = fmt.Sprintf("bound port %d", port)
	}
	if rep.SetID {
		l.notes = append(l.notes, "setuid/setgid calls seen: if the program switches to another user, add setuid,setgid to caps.keep")
	}
	for p := range rep.Execs {
		l.execs[filepath.Base(p)] = true
	}
	for p := range rep.Opened {
		if rest, ok := strings.CutPrefix(p, "/etc/"); ok {
			l.etc[strings.SplitN(rest, "/", 2)[0]] = true
		}
	}
	text := l.profile(argv, rep.ExitCode)
	if c.Output == "" {
		_, err = env.stdout.Write([]byte(text))
		return err
	}
	return writeAtomic(c.Output, []byte(text))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// profile writes the learned profile in Firejail's template order.
func (l *learned) profile(argv []string, exit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Profile learned by `jailc learn` on %s\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "# observed: %s (exit status %d)\n", strings.Join(argv, " "), exit)
	b.WriteString("# It allows what was seen and nothing else; run the program's other paths\n")
	b.WriteString("# with `jailc learn --append -o FILE` to add them.\n")
	for _, n := range l.notes {
		fmt.Fprintf(&b, "# note: %s\n", n)
	}
	b.WriteString("\n")
	if len(l.caps) == 0 {
		b.WriteString("caps.drop all\n")
	} else {
		var cs, why []string
		for c := range l.caps {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		for _, c := range cs {
			why = append(why, c+": "+l.caps[c])
		}
		fmt.Fprintf(&b, "caps.keep %s # %s\n", strings.Join(cs, ","), strings.Join(why, "; "))
	}
	b.WriteString("nonewprivs\n")
	if len(l.protocol) > 0 {
		var ps []string
		for _, p := range names.Protocols { // canonical order
			if l.protocol[p.Name] {
				ps = append(ps, p.Name)
			}
		}
		fmt.Fprintf(&b, "protocol %s # socket families used\n", strings.Join(ps, ","))
	}
	keep := sortedKeys(l.keep)
	fmt.Fprintf(&b, "seccomp.keep %s # %d x86_64 syscalls seen\n", strings.Join(keep, ","), len(keep))
	if len(l.keep32) > 0 {
		k32 := sortedKeys(l.keep32)
		fmt.Fprintf(&b, "seccomp.32.keep %s # %d i386 syscalls seen\n", strings.Join(k32, ","), len(k32))
	}
	b.WriteString("\n# Proposed after review (not applied):\n")
	if len(l.execs) > 0 {
		fmt.Fprintf(&b, "# private-bin %s # programs executed\n", strings.Join(sortedKeys(l.execs), ","))
	}
	if len(l.etc) > 0 {
		fmt.Fprintf(&b, "# private-etc %s # entries of /etc opened\n", strings.Join(sortedKeys(l.etc), ","))
	}
	return b.String()
}

// read merges a previously learned profile (for --append).
func (l *learned) read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	add := func(m map[string]bool, list string) {
		for _, x := range strings.Split(list, ",") {
			if x = strings.TrimSpace(x); x != "" {
				m[x] = true
			}
		}
	}
	for sc.Scan() {
		line := sc.Text()
		commented := strings.HasPrefix(line, "# private-")
		line = strings.TrimPrefix(line, "# ")
		cmd := strings.TrimSpace(strings.SplitN(line, "#", 2)[0])
		kw, arg, _ := strings.Cut(cmd, " ")
		switch {
		case kw == "seccomp.keep":
			add(l.keep, arg)
		case kw == "seccomp.32.keep":
			add(l.keep32, arg)
		case kw == "protocol":
			add(l.protocol, arg)
		case kw == "caps.keep":
			for _, c := range strings.Split(arg, ",") {
				l.caps[c] = "seen in an earlier run"
			}
		case commented && kw == "private-bin":
			add(l.execs, arg)
		case commented && kw == "private-etc":
			add(l.etc, arg)
		}
	}
	return sc.Err()
}
