package bpf

import (
	"fmt"
	"math"
	"strings"

	"github.com/jailc/jailc/compiler/seccomp"
	"github.com/jailc/jailc/compiler/sysnum"
)

// ErrnoNamer turns an errno number into its name ("" if unknown). The
// package does not know errno names itself: jailc passes the language's
// table, and the runner, which must not link the language, passes none.
type ErrnoNamer func(int) string

// ActionName renders a filter return value: ALLOW, KILL_PROCESS,
// ERRNO(1) EPERM, ...
func ActionName(ret uint32, errno ErrnoNamer) string {
	a := seccomp.ActionOf(ret)
	switch a.Kind {
	case seccomp.Errno:
		if errno == nil {
			return fmt.Sprintf("ERRNO(%d)", a.Errno)
		}
		if n := errno(int(a.Errno)); n != "" {
			return fmt.Sprintf("ERRNO(%d) %s", a.Errno, n)
		}
		return fmt.Sprintf("ERRNO(%d)", a.Errno)
	case seccomp.Allow:
		return "ALLOW"
	case seccomp.Log:
		return "LOG"
	case seccomp.KillProcess:
		return "KILL_PROCESS"
	case seccomp.KillThread:
		return "KILL_THREAD"
	case seccomp.Trap:
		return "TRAP"
	case seccomp.Trace:
		return "TRACE"
	case seccomp.UserNotif:
		return "USER_NOTIF"
	}
	return fmt.Sprintf("%#x", ret)
}

func archName(k uint32) string {
	for _, a := range sysnum.Arches() {
		if a.AuditArch == k {
			return "AUDIT_ARCH_" + strings.ToUpper(a.Name)
		}
	}
	return fmt.Sprintf("%#x", k)
}

func fieldName(off uint32) string {
	switch {
	case off == OffNr:
		return "nr"
	case off == OffArch:
		return "arch"
	case off == OffIP:
		return "instruction_pointer"
	case off == OffIP+4:
		return "instruction_pointer_hi"
	case off >= OffArgs && off < OffArgs+48:
		i := (off - OffArgs) / 8
		if (off-OffArgs)%8 == 0 {
			return fmt.Sprintf("args[%d]", i)
		}
		return fmt.Sprintf("args[%d]_hi", i)
	}
	return fmt.Sprintf("[%d]", off)
}

// Disasm prints a program one instruction per line: index, mnemonic,
// absolute jump targets, syscall names beside numbers compared against nr
// (for the architecture the path has checked), architecture and action
// names.
func Disasm(prog []Instruction, errno ErrnoNamer) string {
	// Track which architecture each instruction runs under by following
	// the arch dispatch: after "jeq AUDIT_ARCH_X" the true branch is X.
	archAt := make([]*sysnum.Arch, len(prog))
	loadedArch := make([]bool, len(prog))
	var walk func(pc int, arch *sysnum.Arch, acc string, depth int)
	seen := map[[2]int]bool{}
	walk = func(pc int, arch *sysnum.Arch, acc string, depth int) {
		for pc < len(prog) && depth < 10000 {
			key := [2]int{pc, archIndex(arch)}
			if seen[key] {
				return
			}
			seen[key] = true
			if arch != nil {
				archAt[pc] = arch
			}
			in := prog[pc]
			loadedArch[pc] = acc == "arch"
			switch {
			case in.Code == LdAbsW:
				acc = fieldName(in.K)
			case in.Code == Ja:
				pc += int(in.K)
			case isCond(in.Code):
				t := arch
				if acc == "arch" && in.Code == JeqK {
					for _, a := range sysnum.Arches() {
						if a.AuditArch == in.K {
							t = a
						}
					}
				}
				walk(pc+1+int(in.Jt), t, acc, depth+1)
				pc += int(in.Jf)
			case in.Code == RetK || in.Code == RetA:
				return
			}
			pc++
		}
	}
	walk(0, nil, "", 0)
	var b strings.Builder
	acc := ""
	for i, in := range prog {
		var text string
		switch {
		case in.Code == LdAbsW:
			acc = fieldName(in.K)
			text = "ld  " + acc
		case in.Code == AndK:
			text = fmt.Sprintf("and %#x", in.K)
		case in.Code == Ja:
			text = fmt.Sprintf("ja  %d", i+1+int(in.K))
		case isCond(in.Code):
			op := map[uint16]string{JeqK: "jeq", JgtK: "jgt", JgeK: "jge", JsetK: "jset"}[in.Code]
			val := fmt.Sprintf("%#x", in.K)
			if loadedArch[i] || acc == "arch" {
				val = archName(in.K)
			} else if acc == "nr" && archAt[i] != nil {
				if n, ok := archAt[i].SyscallName(int(in.K)); ok {
					val = fmt.Sprintf("%d %s", in.K, n)
				} else {
					val = fmt.Sprintf("%d", in.K)
				}
				if in.K >= sysnum.X32SyscallBit {
					val = fmt.Sprintf("%#x (x32)", in.K)
				}
			}
			text = fmt.Sprintf("%-4s %s ? %d : %d", op, val, i+1+int(in.Jt), i+1+int(in.Jf))
		case in.Code == RetK:
			text = "ret " + ActionName(in.K, errno)
		case in.Code == RetA:
			text = "ret A"
		default:
			text = fmt.Sprintf("code=%#04x jt=%d jf=%d k=%#x", in.Code, in.Jt, in.Jf, in.K)
		}
		arch := ""
		if archAt[i] != nil {
			arch = archAt[i].Name
		}
		fmt.Fprintf(&b, "%04d  %-8s %s\n", i, arch, text)
	}
	return b.String()
}

func archIndex(a *sysnum.Arch) int {
	for i, x := range sysnum.Arches() {
		if x == a {
			return i
		}
	}
	return -1
}

// Stats summarises a program for one architecture of its filter.
type Stats struct {
	Arch               string
	Length             int
	Min, Max           int
	Mean               float64
	Floor              float64 // 4 + optimal depth over runs, weighted like Mean
	Allowed            int     // numbers whose outcome is unconditional ALLOW
	Cached             int     // of those, how many the action cache can serve
	NumbersConsidered  int
	ArgumentDependents int
}

// Measure runs every number 0..511 (args zero) through prog for policy p
// and compares with the floor.
func Measure(prog []Instruction, p *seccomp.Policy) (Stats, error) {
	st := Stats{Arch: p.Arch.Name, Length: len(prog), Min: math.MaxInt}
	total := 0
	for nr := 0; nr < 512; nr++ {
		d := seccomp.Data{Nr: int32(nr), Arch: p.Arch.AuditArch}
		ret, trace, err := Run(prog, d)
		if err != nil {
			return st, err
		}
		if want := p.Eval(d).Ret(); ret != want {
			return st, fmt.Errorf("nr %d: program returns %#x, policy says %#x", nr, ret, want)
		}
		n := len(trace)
		total += n
		st.Min, st.Max = min(st.Min, n), max(st.Max, n)
		st.NumbersConsidered++
		if s, ok := p.Lookup(nr); ok {
			if _, unc := s.Unconditional(); !unc {
				st.ArgumentDependents++
				continue
			}
		}
		if seccomp.ActionOf(ret).Kind == seccomp.Allow {
			st.Allowed++
			if r, _, err := RunNoArgs(prog, d); err == nil && seccomp.ActionOf(r).Kind == seccomp.Allow {
				st.Cached++
			}
		}
	}
	st.Mean = float64(total) / 512
	st.Floor = 4 + optimalDepth(Runs(p))
	return st, nil
}

// optimalDepth is the minimum weighted mean depth of an alphabetic binary
// search tree over the runs restricted to 0..511 (dynamic programming,
// weights = numbers covered).
func optimalDepth(rs []numRun) float64 {
	var w []float64
	for _, r := range rs {
		if r.lo > 511 {
			continue
		}
		w = append(w, float64(min(r.hi, 511)-r.lo+1))
	}
	n := len(w)
	if n <= 1 {
		return 0
	}
	pre := make([]float64, n+1)
	for i, x := range w {
		pre[i+1] = pre[i] + x
	}
	cost := make([][]float64, n)
	for i := range cost {
		cost[i] = make([]float64, n)
	}
	for length := 2; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			best := math.Inf(1)
			for k := i; k < j; k++ {
				if c := cost[i][k] + cost[k+1][j]; c < best {
					best = c
				}
			}
			cost[i][j] = best + pre[j+1] - pre[i]
		}
	}
	return cost[0][n-1] / pre[n]
}
