// Package explain reads the kernel's seccomp audit records (AUDIT_SECCOMP,
// type 1326) from log lines and explains each one against a compiled plan:
// the architecture, the syscall's name on that architecture, what the filter's
// action did, which profile line denied the call, and the line to add to the
// profile's .local file to allow it. It sits after compiler/plan and
// compiler/why: it reads plans, never profiles' semantics, so its answers are
// the runtime's answers. It prints nothing itself; cmd/jailc renders Groups.
//
// The record, as the kernel writes it (kernel/auditsc.c: audit_log_task then
// __audit_seccomp):
//
//	auid=%u uid=%u gid=%u ses=%u[ subj=%s] pid=%d comm=%s exe=%s sig=%ld arch=%x syscall=%ld compat=%d ip=0x%lx code=0x%x
//
// comm and exe are "untrusted strings": quoted when they hold only printable
// characters other than '"' and space, otherwise upper-case hex without quotes
// (exe is (null) for a task without memory). code is the filter's action
// without its data (SECCOMP_RET_ACTION_FULL): an ERRNO(EPERM) return is
// logged as code=0x50000, observed on this machine.
//
// The record reaches a log in these framings, all accepted by ParseLine:
//
//	[ 8689.335100] audit: type=1326 audit(1795515891.154:2): ...      dmesg
//	[Tue Nov 24 10:24:50 2026] audit: type=1326 audit(...): ...       dmesg -T
//	<5>[ 8689.335100] audit: type=1326 ...                             dmesg -r
//	5,344,8689335100,-;audit: type=1326 ...                           /dev/kmsg
//	Nov 24 10:24:51 vm kernel: audit: type=1326 ...                   journalctl -k, syslog
//	type=SECCOMP msg=audit(1795515891.154:2): ...                     audit.log, ausearch
//	type=SECCOMP msg=audit(11/24/26 10:24:51.154:2) : ... arch=x86_64 syscall=getppid ... code=log
//	                                                                  ausearch -i (interpreted)
//	Nov 24 10:24:51 vm audit[12088]: SECCOMP auid=4294967295 ...      journald's audit transport
//
// ausearch -i loses information: it masks code with SECCOMP_RET_ACTION, so
// kill-thread and kill-process both read "kill" (auparse/interpret.c).
package explain

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jailc/jailc/compiler/sysnum"
)

// Form says how a record was framed.
type Form string

// The framings ParseLine recognises.
const (
	FormKernel      Form = "kernel"      // printk: dmesg, /dev/kmsg, syslog, journalctl -k
	FormAuditd      Form = "auditd"      // audit.log and ausearch's raw output
	FormInterpreted Form = "interpreted" // ausearch -i
	FormJournal     Form = "journal"     // journald's audit transport: "audit[PID]: SECCOMP ..."
)

// Record is one seccomp audit record. Numeric fields are -1 when the record
// does not carry them.
type Record struct {
	Form  Form
	Stamp string // inside audit(...): "SECONDS.MILLIS:SERIAL", or ausearch -i's date
	PID   int
	UID   string // as written (a number, or a name in interpreted records)
	AUID  string
	Subj  string
	Comm  string
	Exe   string
	Sig   int
	// Arch is the AUDIT_ARCH value; 0 when an interpreted record names an
	// architecture jailc has no table for (ArchName keeps the name).
	Arch     uint32
	ArchName string
	// Syscall is the number as logged (x32 calls carry 0x40000000); -1
	// when an interpreted record gives a name jailc cannot map.
	Syscall     int
	SyscallName string // interpreted records only
	Compat      int
	IP          string
	// Code is the filter's action as logged, valid when HasCode.
	// Interpreted records give only CodeName ("kill", "errno", ...).
	Code     uint32
	HasCode  bool
	CodeName string
}

// ErrNotRecord marks a line that holds no seccomp record (most lines of a
// kernel log); callers skip such lines silently.
var ErrNotRecord = errors.New("not a seccomp audit record")

// markers that open a record, with the framing they imply.
var markers = []struct {
	text string
	form Form
}{
	{"type=1326 ", FormKernel},
	{"type=SECCOMP ", FormAuditd},
}

// findMarker returns the offset just after a record marker at a token
// boundary, and the form; -1 if none.
func findMarker(s string) (int, Form) {
	for _, m := range markers {
		from := 0
		for {
			i := strings.Index(s[from:], m.text)
			if i < 0 {
				break
			}
			i += from
			if i == 0 || isSpace(s[i-1]) {
				return i + len(m.text), m.form
			}
			from = i + 1
		}
	}
	// journald: "audit[PID]: SECCOMP " (or AUDIT1326 when systemd does
	// not know the type's name).
	for _, name := range []string{": SECCOMP ", ": AUDIT1326 "} {
		i := strings.Index(s, name)
		if i < 0 {
			continue
		}
		head := s[:i]
		j := strings.LastIndex(head, "audit[")
		if j < 0 || (j > 0 && !isSpace(head[j-1])) || !strings.HasSuffix(head, "]") {
			continue
		}
		if _, err := strconv.Atoi(head[j+len("audit[") : len(head)-1]); err != nil {
			continue
		}
		return i + len(name), FormJournal
	}
	return -1, ""
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' }

// ParseLine reads one log line. It returns ErrNotRecord for lines without a
// seccomp record and a descriptive error for a record it cannot read.
func ParseLine(line string) (*Record, error) {
	line = strings.TrimRight(line, "\r\n")
	at, form := findMarker(line)
	if at < 0 {
		return nil, ErrNotRecord
	}
	r := &Record{Form: form, PID: -1, Sig: -1, Syscall: -1, Compat: -1}
	rest := line[at:]
	if form != FormJournal {
		rest = strings.TrimLeft(rest, " \t")
		want := "audit("
		if form == FormAuditd {
			want = "msg=audit("
		}
		if !strings.HasPrefix(rest, want) {
			return nil, fmt.Errorf("expected %q after the record type", want)
		}
		rest = rest[len(want):]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil, errors.New("audit( is not closed")
		}
		r.Stamp = rest[:end]
		rest = rest[end+1:]
		switch {
		case strings.HasPrefix(rest, ":"):
			rest = rest[1:]
		case strings.HasPrefix(rest, " :"):
			rest = rest[2:]
		default:
			return nil, errors.New("expected ':' after audit(...)")
		}
		interp, err := checkStamp(r.Stamp)
		if err != nil {
			return nil, err
		}
		if interp {
			if form != FormAuditd {
				return nil, errors.New("an interpreted time stamp in a kernel record")
			}
			r.Form = FormInterpreted
		}
	}
	// auditd's ENRICHED log format appends interpreted fields after a
	// 0x1d separator; the raw fields before it are authoritative.
	if i := strings.IndexByte(rest, 0x1d); i >= 0 {
		rest = rest[:i]
	}
	fields, err := splitFields(rest, r.Form == FormInterpreted)
	if err != nil {
		return nil, err
	}
	if err := r.fill(fields); err != nil {
		return nil, err
	}
	return r, nil
}

// checkStamp validates the inside of audit(...): SECONDS.MILLIS:SERIAL, or
// ausearch -i's "MM/DD/YY[YY] HH:MM:SS.mmm:SERIAL". It reports whether the
// stamp is the interpreted kind.
func checkStamp(s string) (bool, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || !allDigits(s[i+1:]) {
		return false, fmt.Errorf("bad audit time stamp %q", s)
	}
	t := s[:i]
	if secs, ms, ok := strings.Cut(t, "."); ok && allDigits(secs) && allDigits(ms) {
		return false, nil
	}
	date, clock, ok := strings.Cut(t, " ")
	if ok && len(strings.Split(date, "/")) == 3 && len(strings.Split(clock, ":")) == 3 {
		for _, p := range append(strings.Split(date, "/"), strings.Split(strings.Replace(clock, ".", ":", 1), ":")...) {
			if !allDigits(p) {
				return false, fmt.Errorf("bad audit time stamp %q", s)
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("bad audit time stamp %q", s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type field struct {
	key, value string
	quoted     bool
}

// splitFields splits "k=v k2="v 2" ..." into fields. A word without '='
// continues the previous value where values may hold spaces: an LSM label
// (AppArmor's "subj=/usr/bin/foo (enforce)"), and any value ausearch -i
// decoded (loose). Elsewhere such a word means a line was cut.
func splitFields(s string, loose bool) ([]field, error) {
	var out []field
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		sp := strings.IndexAny(s, " \t")
		if eq < 0 || (sp >= 0 && sp < eq) || !validKey(s[:eq]) {
			end := len(s)
			if sp >= 0 {
				end = sp
			}
			if len(out) == 0 || !(loose || out[len(out)-1].key == "subj") {
				return nil, fmt.Errorf("expected key=value, found %q (a cut line?)", s[:end])
			}
			out[len(out)-1].value += " " + s[:end]
			s = s[end:]
			continue
		}
		f := field{key: s[:eq]}
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted value for %s", f.key)
			}
			f.value, f.quoted = s[1:1+end], true
			s = s[end+2:]
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			f.value = s[:end]
			s = s[end:]
		}
		out = append(out, f)
	}
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// untrusted decodes the kernel's audit_log_untrustedstring: quoted text as
// is, otherwise upper-case hex of the bytes (or a literal such as "(null)").
func untrusted(f field, interpreted bool) string {
	if f.quoted || interpreted || len(f.value)%2 != 0 || f.value == "" {
		return f.value
	}
	for i := 0; i < len(f.value); i++ {
		c := f.value[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return f.value
		}
	}
	b, err := hex.DecodeString(f.value)
	if err != nil {
		return f.value
	}
	return string(b)
}

// signals that ausearch -i prints by name; only these appear in seccomp
// records (0 for log/errno/trap, SIGSYS for the kill actions).
var signals = map[string]int{"SIG0": 0, "SIGSYS": 31}

// archNames are the names auparse gives the four architectures jailc has
// tables for (lib/machinetab.h).
var archNames = map[string]*sysnum.Arch{
	"x86_64": sysnum.X86_64, "i386": sysnum.I386, "i486": sysnum.I386, "i586": sysnum.I386, "i686": sysnum.I386,
	"aarch64": sysnum.AArch64, "arm": sysnum.ARM, "armeb": sysnum.ARM, "armv5tejl": sysnum.ARM, "armv5tel": sysnum.ARM,
	"armv6l": sysnum.ARM, "armv7l": sysnum.ARM,
}

func (r *Record) fill(fields []field) error {
	interp := r.Form == FormInterpreted
	var haveArch, haveSyscall bool
	for _, f := range fields {
		v := f.value
		switch f.key {
		case "pid":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("bad pid %q", v)
			}
			r.PID = n
		case "uid":
			r.UID = v
		case "auid":
			r.AUID = v
		case "subj":
			r.Subj = v
		case "comm":
			r.Comm = untrusted(f, interp)
		case "exe":
			r.Exe = untrusted(f, interp)
		case "sig":
			if n, ok := signals[v]; ok && interp {
				r.Sig = n
				break
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("bad sig %q", v)
			}
			r.Sig = n
		case "arch":
			haveArch = true
			if interp {
				r.ArchName = v
				if a := archNames[v]; a != nil {
					r.Arch = a.AuditArch
				}
				break
			}
			n, err := strconv.ParseUint(v, 16, 32)
			if err != nil {
				return fmt.Errorf("bad arch %q (want the AUDIT_ARCH value in hex)", v)
			}
			r.Arch = uint32(n)
		case "syscall":
			haveSyscall = true
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				r.Syscall = n
				break
			}
			if !interp {
				return fmt.Errorf("bad syscall number %q", v)
			}
			r.SyscallName = v
			if s, ok := strings.CutPrefix(v, "unknown-syscall("); ok {
				if n, err := strconv.Atoi(strings.TrimSuffix(s, ")")); err == nil && n >= 0 {
					r.Syscall, r.SyscallName = n, ""
				}
			}
		case "compat":
			n, err := strconv.Atoi(v)
			if err != nil || (n != 0 && n != 1) {
				return fmt.Errorf("bad compat %q", v)
			}
			r.Compat = n
		case "ip":
			r.IP = v
		case "code":
			if interp {
				r.CodeName = v
				if s, ok := strings.CutPrefix(v, "unknown-seccomp-code("); ok {
					if n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSuffix(s, ")"), "0x"), 16, 32); err == nil {
						r.Code, r.HasCode, r.CodeName = uint32(n), true, ""
					}
				}
				break
			}
			h, ok := strings.CutPrefix(v, "0x")
			n, err := strconv.ParseUint(h, 16, 32)
			if !ok || err != nil {
				return fmt.Errorf("bad code %q (want 0x and the action in hex)", v)
			}
			r.Code, r.HasCode = uint32(n), true
		}
	}
	switch {
	case !haveArch:
		return errors.New("no arch= field")
	case !haveSyscall:
		return errors.New("no syscall= field")
	}
	if r.SyscallName != "" && r.Syscall < 0 {
		if a := ArchOf(r.Arch); a != nil {
			if n, ok := a.Number(r.SyscallName); ok {
				r.Syscall = n
			}
		}
	}
	return nil
}

// ArchOf returns the table for an AUDIT_ARCH value; nil if jailc has none.
func ArchOf(audit uint32) *sysnum.Arch {
	for _, a := range sysnum.Arches() {
		if a.AuditArch == audit {
			return a
		}
	}
	return nil
}
