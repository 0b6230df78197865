package resolve

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func codes(u *Unit) []string {
	var out []string
	for _, d := range u.Diags {
		out = append(out, d.Code)
	}
	return out
}

// Firejail's last resort for a bare include name is the working directory;
// jailc follows it and warns, because the result depends on where firejail
// is started.
func TestIncludeFromCWD(t *testing.T) {
	dir := t.TempDir()
	cwd, _ := os.Getwd()
	defer os.Chdir(cwd)
	os.Chdir(dir)
	os.WriteFile(filepath.Join(dir, "here.inc"), []byte("nonewprivs\n"), 0o644)
	lib := fstest.MapFS{"top.profile": {Data: []byte("include here.inc\n")}}
	u := Load(StdlibPrefix+"top.profile", Options{Stdlib: lib})
	if got := strings.Join(codes(u), ","); got != CodeIncludeFromCWD {
		t.Errorf("codes %q, want %s", got, CodeIncludeFromCWD)
	}
	found := false
	for _, e := range u.Entries {
		if e.Line.Cmd != nil && e.Line.Cmd.Keyword == "nonewprivs" {
			found = true
		}
	}
	if !found {
		t.Error("the file in the working directory was not read")
	}
	// With NoCWD the same include is missing.
	u = Load(StdlibPrefix+"top.profile", Options{Stdlib: lib, NoCWD: true})
	if got := strings.Join(codes(u), ","); got != CodeMissingInclude {
		t.Errorf("NoCWD: codes %q", got)
	}
}

// A profile whose includes multiply beyond MaxEntries lines stops with a
// diagnostic instead of hanging (Firejail would read them all).
func TestExpansionLimit(t *testing.T) {
	lib := fstest.MapFS{}
	lines := strings.Repeat("include f1\n", 64)
	lib["f0"] = &fstest.MapFile{Data: []byte(lines)}
	for i := 1; i < 4; i++ {
		lib[fmt.Sprintf("f%d", i)] = &fstest.MapFile{Data: []byte(strings.Repeat(fmt.Sprintf("include f%d\n", i+1), 64))}
	}
	lib["f4"] = &fstest.MapFile{Data: []byte(strings.Repeat("nonewprivs\n", 64))}
	u := Load(StdlibPrefix+"f0", Options{Stdlib: lib, NoCWD: true})
	if len(u.Entries) > MaxEntries+1 {
		t.Errorf("%d entries", len(u.Entries))
	}
	if !strings.Contains(strings.Join(codes(u), ","), CodeTooLarge) {
		t.Errorf("no %s diagnostic: %v", CodeTooLarge, codes(u))
	}
}
