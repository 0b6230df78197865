package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/caps"
	"github.com/jailc/jailc/compiler/plan"
)

// capNames are the capability names in number order, as in the plan.
var capNames = caps.Names

func capBits(names []string) (uint64, *StepError) {
	var m uint64
	for _, n := range names {
		found := false
		for i, c := range capNames {
			if c == n {
				m |= 1 << uint(i)
				found = true
			}
		}
		if !found {
			return 0, stepErr("capabilities", "look up capability", n, nil, errorf("unknown capability %q in plan", n))
		}
	}
	return m, nil
}

func capset(perm, eff, inh uint64) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(eff), Permitted: uint32(perm), Inheritable: uint32(inh)},
		{Effective: uint32(eff >> 32), Permitted: uint32(perm >> 32), Inheritable: uint32(inh >> 32)},
	}
	return unix.Capset(&hdr, &data[0])
}

// capget returns the permitted set of this thread.
func capget() (uint64, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0, err
	}
	return uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32, nil
}

// lastCap is the highest capability number the kernel knows.
func lastCap() int {
	if b, err := readFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(trim(b)); err == nil {
			return n
		}
	}
	return len(capNames) - 1
}

// setCredentials applies, in this order: bounding set, supplementary
// groups, gid, uid (keeping capabilities across the switch only when the
// plan asks for ambient ones), then permitted/effective/inheritable and
// ambient sets. Capability precedence was resolved by the compiler.
// credentials is what the program's process does with its identity; both
// launch paths apply it in setCredentials' order.
type credentials struct {
	keep     uint64 // bounding set to keep
	ambient  uint64 // ambient capabilities to raise
	want     uint64 // permitted, effective and inheritable sets
	groups   []int  // supplementary groups
	keepCaps bool   // PR_SET_KEEPCAPS across the uid switch
}

// planCredentials resolves the plan's capability names and Firejail's
// precedence (decided by the compiler) into sets: for root the sets equal
// the bounding set (execve as root recomputes permitted from it); for
// another user only the ambient capabilities survive, kept through setuid
// by PR_SET_KEEPCAPS (the daemon case: net_bind_service without setcap).
func planCredentials(s *setup) (credentials, *StepError) {
	c := s.Plan.Credentials
	var cr credentials
	var e *StepError
	if cr.keep, e = capBits(c.Bounding); e != nil {
		return cr, e
	}
	if cr.ambient, e = capBits(c.Ambient); e != nil {
		return cr, e
	}
	cr.groups = s.User.Groups
	if c.NoGroups != nil {
		cr.groups = []int{s.User.GID}
	}
	cr.keepCaps = s.User.UID != 0 && cr.ambient != 0
	cr.want = cr.keep
	if s.User.UID != 0 {
		cr.want = cr.ambient
	}
	return cr, nil
}

func setCredentials(s *setup) *StepError {
	c := s.Plan.Credentials
	o := c.CapsOrigin
	cr, e := planCredentials(s)
	if e != nil {
		return e
	}
	keep, ambient := cr.keep, cr.ambient
	permitted, err := capget()
	if err != nil {
		return stepErr("capabilities", "capget", "", o, err)
	}
	// 1. Bounding set: drop everything not kept (needs CAP_SETPCAP, which
	// we still have as root). With noroot, init did it before starting us
	// in the user namespace, where the kernel refuses it.
	if !noroot(s) {
		if e := dropBounding(keep, o); e != nil {
			return e
		}
	}
	// 2. Groups.
	if noroot(s) || s.Rootless {
		// Inside a user namespace setgroups is denied and only the
		// user's own group exists.
	} else if err := setgroupsThread(cr.groups); err != nil {
		return stepErr("capabilities", "setgroups", "", originOf(c.NoGroups), err)
	}
	u := s.User
	if cr.keepCaps {
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return stepErr("capabilities", "prctl PR_SET_KEEPCAPS", "", o, err)
		}
	}
	if err := rawID(unix.SYS_SETRESGID, u.GID); err != nil {
		return stepErr("capabilities", "setresgid", strconv.Itoa(u.GID), nil, err)
	}
	if err := rawID(unix.SYS_SETRESUID, u.UID); err != nil {
		return stepErr("capabilities", "setresuid", strconv.Itoa(u.UID), nil, err)
	}
	// 3. The capability sets of this process (see planCredentials).
	want := cr.want
	// The plan says what to keep; the process can only keep what it has
	// (a container or VM may already have removed some capabilities).
	want &= permitted
	ambient &= permitted
	if err := capset(want, want, want); err != nil {
		st, _ := readFile("/proc/self/status")
		have := ""
		for _, l := range strings.Split(st, "\n") {
			if strings.HasPrefix(l, "Cap") {
				have += " " + strings.ReplaceAll(l, "\t", "")
			}
		}
		return stepErr("capabilities", fmt.Sprintf("capset to %#x (have%s)", want, have), "", o, err)
	}
	for i := 0; i < len(capNames); i++ {
		if ambient&(1<<uint(i)) == 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(i), 0, 0); err != nil {
			return stepErr("capabilities", "raise ambient capability", capNames[i], o, err)
		}
	}
	return nil
}

// The exec stage runs on one locked thread and calls execve from it, so the
// per-thread system calls are what we want; Go's Setresuid and Setgroups
// change every thread and fail when cgo is linked.
func rawID(nr uintptr, id int) error {
	if _, _, e := unix.RawSyscall(nr, uintptr(id), uintptr(id), uintptr(id)); e != 0 {
		return e
	}
	return nil
}

func setgroupsThread(groups []int) error {
	g := make([]uint32, len(groups)+1)
	for i, x := range groups {
		g[i] = uint32(x)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(groups)), uintptr(unsafe.Pointer(&g[0])), 0); e != 0 {
		return e
	}
	return nil
}

// dropBounding removes every capability not in keep from this thread's
// bounding set (inherited by children and across execve).
func dropBounding(keep uint64, o *plan.Origin) *StepError {
	for i := 0; i <= lastCap(); i++ {
		if keep&(1<<uint(i)) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(i), 0, 0, 0); err != nil {
			name := strconv.Itoa(i)
			if i < len(capNames) {
				name = capNames[i]
			}
			return stepErr("capabilities", "prctl PR_CAPBSET_DROP", name, o, err)
		}
	}
	return nil
}

func originOf(f *plan.Flag) *plan.Origin {
	if f == nil {
		return nil
	}
	return &f.Origin
}

func setNoNewPrivs(p *plan.Plan) *StepError {
	nnp := p.Credentials.NoNewPrivs
	if nnp == nil {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return stepErr("no_new_privs", "prctl PR_SET_NO_NEW_PRIVS", "", &nnp.Origin, err)
	}
	return nil
}

var rlimitIDs = map[string]int{
	"nofile": unix.RLIMIT_NOFILE, "nproc": unix.RLIMIT_NPROC, "cpu": unix.RLIMIT_CPU,
	"sigpending": unix.RLIMIT_SIGPENDING, "as": unix.RLIMIT_AS, "fsize": unix.RLIMIT_FSIZE,
}

func setRlimits(p *plan.Plan) *StepError {
	for _, r := range p.Resources.Rlimits {
		id, ok := rlimitIDs[r.Name]
		if !ok {
			return stepErr("rlimits", "look up limit", r.Name, &r.Origin, errorf("unknown resource limit"))
		}
		lim := unix.Rlimit{Cur: r.Value, Max: r.Value}
		if err := unix.Setrlimit(id, &lim); err != nil {
			return stepErr("rlimits", "setrlimit", "rlimit-"+r.Name, &r.Origin, err)
		}
	}
	return nil
}

func setCPU(p *plan.Plan) *StepError {
	if len(p.Resources.CPUs) == 0 {
		return nil
	}
	var set unix.CPUSet
	for _, c := range p.Resources.CPUs {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return stepErr("cpu", "sched_setaffinity", "", &p.Resources.CPUFrom[0], err)
	}
	return nil
}

func setNice(p *plan.Plan) *StepError {
	n := p.Resources.Nice
	if n == nil {
		return nil
	}
	v, _ := strconv.Atoi(n.Value)
	if err := unix.Setpriority(unix.PRIO_PROCESS, 0, v); err != nil {
		return stepErr("nice", "setpriority", n.Value, &n.Origin, err)
	}
	return nil
}
