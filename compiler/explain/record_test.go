package explain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jailc/jailc/compiler/sysnum"
)

const fixtures = "../../testdata/explain"

func readFixture(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// observed are the eleven records triggered on this machine (kernel
// 6.18, x86_64) for the fixtures, in order: what each child process did is
// known from how it was started, so these are the expected values, not the
// parser's output. The i386 calls were made with int 0x80 from a 64-bit
// process; the errno filters returned ERRNO(EPERM) and ERRNO(EACCES) and
// were installed with SECCOMP_FILTER_FLAG_LOG; the last three ran as a
// binary named "my prog", whose name the kernel hex-encodes.
var observed = []struct {
	pid     int
	arch    *sysnum.Arch
	nr      int
	name    string
	code    uint32
	kind    string // the action kind; ausearch -i says "kill" for both kills
	sig     int
	compat  int
	comm    string
	exe     string
	interpK string
}{
	{12088, sysnum.X86_64, 110, "getppid", 0x7ffc0000, "log", 0, 0, "exe", "/tmp/scexp/scexp", "log"},
	{12098, sysnum.X86_64, 110, "getppid", 0x80000000, "kill-process", 31, 0, "exe", "/tmp/scexp/scexp", "kill"},
	{12103, sysnum.X86_64, 110, "getppid", 0x0, "kill-thread", 31, 0, "exe", "/tmp/scexp/scexp", "kill"},
	{3271, sysnum.I386, 64, "getppid", 0x7ffc0000, "log", 0, 1, "exe", "/tmp/scexp/scexp", "log"},
	{3276, sysnum.I386, 64, "getppid", 0x80000000, "kill-process", 31, 1, "exe", "/tmp/scexp/scexp", "kill"},
	{9921, sysnum.X86_64, 110, "getppid", 0x50000, "errno", 0, 0, "exe", "/tmp/scexp/scexp", "errno"},
	{9926, sysnum.X86_64, 110, "getppid", 0x30000, "trap", 0, 0, "exe", "/tmp/scexp/scexp", "trap"},
	{9931, sysnum.I386, 120, "clone", 0x50000, "errno", 0, 1, "exe", "/tmp/scexp/scexp", "errno"},
	{21673, sysnum.I386, 102, "socketcall", 0x50000, "errno", 0, 1, "my prog", "/tmp/scexp/my prog", "errno"},
	{21678, sysnum.I386, 120, "clone", 0x80000000, "kill-process", 31, 1, "my prog", "/tmp/scexp/my prog", "kill"},
	{21683, sysnum.X86_64, 110, "getppid", 0x7ffc0000, "log", 0, 0, "my prog", "/tmp/scexp/my prog", "log"},
}

// TestObservedFormats reads the same eleven records in every framing they
// were observed in (dmesg, dmesg -T, dmesg -r, /dev/kmsg, ausearch raw and
// -i) or converted to (audit.log, which ausearch accepted).
func TestObservedFormats(t *testing.T) {
	for _, tc := range []struct {
		file  string
		form  Form
		other int
	}{
		{"observed-dmesg.log", FormKernel, 6},
		{"observed-dmesg-T.log", FormKernel, 0},
		{"observed-dmesg-r.log", FormKernel, 0},
		{"observed-kmsg.log", FormKernel, 0},
		{"converted-audit.log", FormAuditd, 0},
		{"observed-ausearch.log", FormAuditd, 22}, // "----" and "time->..." lines
		{"observed-ausearch-i.log", FormInterpreted, 11},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var recs []*Record
			other := 0
			for i, line := range readFixture(t, tc.file) {
				r, err := ParseLine(line)
				if errors.Is(err, ErrNotRecord) {
					other++
					continue
				}
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				recs = append(recs, r)
			}
			if len(recs) != len(observed) || other != tc.other {
				t.Fatalf("%d records and %d other lines, want %d and %d", len(recs), other, len(observed), tc.other)
			}
			for i, want := range observed {
				r := recs[i]
				c, a := CallOf(r), ActionOf(r)
				if r.Form != tc.form || r.PID != want.pid || c.Arch != want.arch || c.Nr != want.nr || c.Name != want.name ||
					r.Sig != want.sig || r.Compat != want.compat || r.Comm != want.comm || r.Exe != want.exe {
					t.Errorf("record %d: got form %s pid %d arch %v nr %d %q sig %d compat %d comm %q exe %q; want %+v",
						i+1, r.Form, r.PID, c.Arch, c.Nr, c.Name, r.Sig, r.Compat, r.Comm, r.Exe, want)
				}
				wantKind := want.kind
				if tc.form == FormInterpreted {
					wantKind = want.interpK
					if r.HasCode || r.CodeName != want.interpK {
						t.Errorf("record %d: interpreted code %q (has raw code %v)", i+1, r.CodeName, r.HasCode)
					}
				} else if !r.HasCode || r.Code != want.code {
					t.Errorf("record %d: code %#x, want %#x", i+1, r.Code, want.code)
				}
				if a.Kind != wantKind {
					t.Errorf("record %d: action %q, want %q", i+1, a.Kind, wantKind)
				}
				if a.Kind == "errno" && a.Errno != -1 {
					t.Errorf("record %d: the kernel logs no errno value, got %d", i+1, a.Errno)
				}
			}
		})
	}
}

// TestWrittenFormats covers framings not observable here (no journald,
// syslog or auditd on this machine), written from their sources'
// format strings; see testdata/explain/README.md.
func TestWrittenFormats(t *testing.T) {
	var recs []*Record
	for i, line := range readFixture(t, "written-formats.log") {
		r, err := ParseLine(line)
		if errors.Is(err, ErrNotRecord) {
			continue
		}
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		recs = append(recs, r)
	}
	forms := map[Form]int{}
	want := observed[0]
	for i, r := range recs {
		forms[r.Form]++
		if i == len(recs)-1 {
			break
		}
		c := CallOf(r)
		if r.PID != want.pid || c.Arch != want.arch || c.Name != want.name || ActionOf(r).Kind != want.kind || r.Exe != want.exe || r.Comm != want.comm || r.Sig != 0 || r.Compat != 0 {
			t.Errorf("record %d: %+v", i+1, r)
		}
	}
	if forms[FormKernel] != 4 || forms[FormJournal] != 2 || forms[FormAuditd] != 2 {
		t.Errorf("forms %v", forms)
	}
	last := recs[len(recs)-1]
	if last.Subj != "snap.chromium.chromium (enforce)" || last.PID != 1234 || last.Comm != "chrome" || CallOf(last).Name != "pkey_mprotect" {
		t.Errorf("AppArmor label with a space: %+v", last)
	}
}

func TestCallOf(t *testing.T) {
	for _, tc := range []struct {
		arch    uint32
		nr      int
		name    string
		x32     bool
		archTxt string
		compat  int
		callOn  *sysnum.Arch
	}{
		// Numbers from the kernel's tables: the same name, different
		// numbers per architecture, and the same number, different names.
		{0xc000003e, 56, "clone", false, "x86_64", 0, nil},
		{0x40000003, 120, "clone", false, "i386", 0, nil},
		{0x40000003, 102, "socketcall", false, "i386", 0, nil},
		{0x40000003, 56, "mpx", false, "i386", 0, nil},
		{0x40000003, 11, "execve", false, "i386", 0, nil},
		{0xc000003e, 59, "execve", false, "x86_64", 0, nil},
		{0xc00000b7, 220, "clone", false, "aarch64", 0, nil},
		{0x40000028, 120, "clone", false, "arm", 0, nil},
		{0xc000003e, 0x40000000 | 56, "clone", true, "x86_64", 0, nil},
		{0xc000003e, 100000, "", false, "x86_64", 0, nil},
		{0xc00000f3, 220, "", false, "unknown architecture (AUDIT_ARCH 0xc00000f3)", 0, nil},
		// x32 records carry compat=1 and the x32 bit; compat=1 without it
		// can only be an i386 call.
		{0xc000003e, 0x40000000 | 56, "clone", true, "x86_64", 1, sysnum.X86_64},
		{0xc000003e, 120, "clone", false, "x86_64", 1, sysnum.I386},
		{0xc000003e, 102, "socketcall", false, "x86_64", 1, sysnum.I386},
	} {
		r := &Record{Arch: tc.arch, Syscall: tc.nr, Compat: tc.compat, PID: -1, Sig: -1}
		c := CallOf(r)
		if tc.callOn == nil {
			tc.callOn = ArchOf(tc.arch)
		}
		if c.Name != tc.name || c.X32 != tc.x32 || ArchText(r) != tc.archTxt || c.Arch != tc.callOn || c.Compat32 != (tc.callOn != ArchOf(tc.arch)) {
			t.Errorf("arch %#x nr %d: got %q x32=%v %q, want %q x32=%v %q", tc.arch, tc.nr, c.Name, c.X32, ArchText(r), tc.name, tc.x32, tc.archTxt)
		}
	}
}

func TestActionOf(t *testing.T) {
	for _, tc := range []struct {
		code   uint32
		kind   string
		errno  int
		denied bool
	}{
		{0x80000000, "kill-process", -1, true},
		{0x00000000, "kill-thread", -1, true},
		{0x00030000, "trap", -1, true},
		{0x00050000, "errno", -1, true},
		{0x00050001, "errno", 1, true},
		{0x0005000d, "errno", 13, true},
		{0x7fc00000, "user-notif", -1, false},
		{0x7ff00000, "trace", -1, false},
		{0x7ffc0000, "log", -1, false},
		{0x7fff0000, "allow", -1, false},
		{0x12340000, "unknown", -1, true},
	} {
		a := ActionOf(&Record{Code: tc.code, HasCode: true, Sig: -1})
		if a.Kind != tc.kind || a.Errno != tc.errno || a.Denied != tc.denied || a.Meaning == "" {
			t.Errorf("code %#x: %+v", tc.code, a)
		}
	}
	if a := ActionOf(&Record{Code: 0x5000d, HasCode: true}); !strings.Contains(a.Meaning, "EACCES (13)") {
		t.Errorf("errno meaning: %q", a.Meaning)
	}
}

// TestMalformed: every line of malformed.log holds a broken record (one
// per comment); each is an error, none is taken for a non-record.
func TestMalformed(t *testing.T) {
	n := 0
	for i, line := range readFixture(t, "malformed.log") {
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		n++
		r, err := ParseLine(line)
		if err == nil || errors.Is(err, ErrNotRecord) {
			t.Errorf("line %d: got %+v, %v; want a malformed-record error", i+1, r, err)
		}
	}
	if n < 8 {
		t.Errorf("only %d malformed lines", n)
	}
}

func TestNotRecords(t *testing.T) {
	for _, line := range []string{
		"", "----", "time->Tue Nov 24 10:24:51 2026",
		"[ 9533.044644] br1: entered promiscuous mode",
		"type=13260 audit(1.2:3): arch=c000003e syscall=1",
		"xtype=1326 audit(1.2:3): arch=c000003e syscall=1",
		"type=SYSCALL msg=audit(1795515891.154:2): arch=c000003e syscall=110 success=yes",
		"Nov 24 10:00:00 vm audit[1]: SYSCALL arch=c000003e syscall=1",
		"Nov 24 10:00:00 vm myaudit[1]: SECCOMP arch=c000003e syscall=1",
	} {
		if _, err := ParseLine(line); !errors.Is(err, ErrNotRecord) {
			t.Errorf("%q: %v, want ErrNotRecord", line, err)
		}
	}
}

func TestSessionGroups(t *testing.T) {
	lines := readFixture(t, "observed-dmesg.log")
	s := NewSession(NewExplainer(nil))
	// the first record three times (three processes), then everything.
	in := append([]string{lines[0], strings.Replace(lines[0], "pid=12088", "pid=12089", 1), lines[0]}, lines...)
	for i, l := range in {
		if _, _, err := s.Add(i+1, l); err != nil {
			t.Fatal(err)
		}
	}
	gs := s.Groups()
	// getppid on x86_64 by /tmp/scexp/scexp: log, kill-process,
	// kill-thread, errno, trap are five groups; i386 getppid log and
	// kill-process two; i386 clone errno one; "my prog" three.
	if len(gs) != 11 || s.Records != 14 || s.Other != 6 {
		t.Fatalf("%d groups, %d records, %d other", len(gs), s.Records, s.Other)
	}
	if g := gs[0]; g.Count != 4 || g.FirstLine != 1 || g.LastLine != 4 || len(g.PIDs) != 2 || g.PIDs[1] != 12089 {
		t.Errorf("first group: %+v", g)
	}
}

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", MaxLine+10)
	in := "a\n" + long + "\nb\r\nc"
	var got []string
	err := ReadLines(strings.NewReader(in), func(n int, line string, tooLong bool) error {
		got = append(got, strings.TrimRight(line, "\r\n")[:min(3, len(strings.TrimRight(line, "\r\n")))])
		if (n == 2) != tooLong {
			t.Errorf("line %d: tooLong=%v", n, tooLong)
		}
		return nil
	})
	if err != nil || strings.Join(got, ",") != "a,xxx,b,c" {
		t.Errorf("%v %q", err, got)
	}
}
