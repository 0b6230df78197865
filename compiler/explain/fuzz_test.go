package explain

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLine: no line makes the parser, the explainer or the renderers
// panic; what parses is self-consistent.
func FuzzParseLine(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtures, "*.log"))
	for _, name := range files {
		for _, line := range readFixture(f, filepath.Base(name)) {
			f.Add(line)
		}
	}
	f.Add(record(x86, 0x40000000|56, 1, 0))
	f.Add(record(0xffffffff, -1, 0, 0xffffffff))
	f.Add("Nov 24 10:24:51 vm audit[]: SECCOMP arch=c000003e syscall=1")
	f.Add("type=SECCOMP msg=audit(1/2/3 4:5:6.7:8) : arch=armv7l syscall=unknown-syscall(99999999999999999999) code=unknown-seccomp-code(0xzz)")
	dir := plainDir(f)
	profile := "include p.local\nprotocol unix\nrestrict-namespaces user\nmemory-deny-write-execute\nseccomp.keep read,!write,clone:EPERM\nseccomp.block-secondary\n"
	if err := os.WriteFile(filepath.Join(dir, "p.profile"), []byte(profile), 0o644); err != nil {
		f.Fatal(err)
	}
	ex := NewExplainer(compile(f, dir, "p.profile"))
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseLine(line)
		if err != nil {
			if r != nil {
				t.Fatalf("a record and an error: %+v %v", r, err)
			}
			return
		}
		if r.Compat < -1 || r.Compat > 1 || r.PID < -1 || (r.Syscall < 0 && r.Syscall != -1) {
			t.Fatalf("out of range: %+v", r)
		}
		if c := CallOf(r); c.Arch != nil && c.Name != "" {
			if _, ok := c.Arch.Number(c.Name); !ok && r.Form != FormInterpreted {
				t.Fatalf("%s has no syscall %q", c.Arch.Name, c.Name)
			}
		}
		_ = ArchText(r)
		s := NewSession(ex)
		g, isNew, err := s.Add(7, line)
		if err != nil || g == nil || !isNew {
			t.Fatalf("parsed, but the session says %v %v %v", g, isNew, err)
		}
		if err := WriteText(io.Discard, g); err != nil {
			t.Fatal(err)
		}
		_ = g.JSON()
		_ = WriteUpdate(io.Discard, g)
	})
}
