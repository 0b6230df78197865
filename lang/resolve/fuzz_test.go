package resolve

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"
)

// FuzzResolve: include resolution always terminates with a result; cycles
// end in an include-cycle diagnostic, never a hang. The input is split on
// '|' into up to four files f0..f3 of an in-memory library; f0 is the root.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"include f1|include f0",
		"include f1|include f2|include f3|include f1",
		"include f0",
		"include f1\ninclude f1|quiet",
		"ignore include f1\ninclude f1|x",
		"?HAS_NET: include f1|x",
		"include f1.local|include f9",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := fstest.MapFS{}
		for i, part := range bytes.SplitN(data, []byte("|"), 4) {
			fs[fmt.Sprintf("f%d", i)] = &fstest.MapFile{Data: part}
		}
		u := Load(StdlibPrefix+"f0", Options{Stdlib: fs, NoCWD: true})
		if len(u.Entries) > MaxEntries+1 {
			t.Fatalf("%d entries: the expansion limit was not enforced", len(u.Entries))
		}
		for _, e := range u.Entries {
			if e.Depth > MaxDepth {
				t.Fatalf("line read at include depth %d", e.Depth)
			}
		}
		if bytes.HasPrefix(data, []byte("include f0\n")) && !hasCode(u, CodeIncludeCycle) {
			t.Fatalf("self-include without an include-cycle diagnostic")
		}
	})
}

func hasCode(u *Unit, code string) bool {
	for _, d := range u.Diags {
		if d.Code == code {
			return true
		}
	}
	return false
}
