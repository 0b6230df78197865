package format_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/format"
	"github.com/jailc/jailc/lang/parse"
	"github.com/jailc/jailc/lang/source"
)

// FuzzFormat checks the formatter's contract on arbitrary input:
//   - a file that parses cleanly (no error, no stray CR, no control
//     character) is always formatted;
//   - Changes is empty exactly when the output equals the input;
//   - formatting is idempotent: fmt(fmt(x)) == fmt(x), with no changes;
//   - the output holds the input's commands (as Firejail normalises them,
//     list order aside), and compiles to the same plan with the same
//     checker findings (planOf, samePlan).
//
// Seeds are the golden inputs of testdata/fmt plus a few mixes.
func FuzzFormat(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/fmt/*.txtar")
	for _, p := range files {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name == "in" {
				f.Add(file.Data)
			}
		}
	}
	for _, s := range []string{
		"",
		"\n\n",
		"#x\n",
		"nonewprivs",
		"include a.local\nnoblacklist /a\nblacklist /a\nignore blacklist /b\nblacklist /b\n",
		"?HAS_NET: nosound\nnet none\n?HAS_NET: nogroups\nnosound\n",
		"env A=1\nenv A=2\nrmenv A\n?HAS_X11: nou2f\nenv FIREJAIL_X11=1\n",
		"protocol unix\nprotocol -unix,inet\nprotocol inet6,inet\n",
		"whitelist /tmp/a\nnowhitelist /tmp/a\nwhitelist /tmp/b\nmkdir /tmp/b\n",
		"# head\n\n# para\nprivate-tmp\n#private-dev\nnonewprivs # why\n# note\n\nseccomp.drop b,a\n\n# foot\n",
		"dbus-user.talk a.b\ndbus-user filter\nnodbus\ndbus-system none\n?HAS_NODBUS: notv\n",
		"caps.keep chown\ncaps.drop all\ncaps.drop kill\nquiet\nignore quiet\n",
		"ignore ignore\nignore noroot\nnoroot\n",
		"tmpfs /tmp/x\nnoblacklist /tmp/x\nblacklist /tmp/x\nread-only /tmp/x\nwhitelist-ro /tmp/y\nnoprinters\n",
		"seccomp.drop chmod:EPERM,chown:kill,@clock\nseccomp !a,b:EPERM\n",
		"private-bin b,a\nignore private-bin a,b\nprivate-bin b,a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		res, diags := format.Source("x.profile", src)
		if res == nil {
			if cleanParse(src) {
				t.Fatalf("refused a file that parses: %v\n%q", diags, src)
			}
			if !diags.HasErrors() {
				t.Fatalf("refused without an error: %v", diags)
			}
			return
		}
		if (len(res.Changes) == 0) != bytes.Equal(src, res.Output) {
			t.Fatalf("Changes %v, but output equals input: %v\n%q\n%q", res.Changes, bytes.Equal(src, res.Output), src, res.Output)
		}
		again, d2 := format.Source("x.profile", res.Output)
		if again == nil {
			t.Fatalf("output refused: %v\n%q", d2, res.Output)
		}
		if !bytes.Equal(again.Output, res.Output) || len(again.Changes) != 0 {
			t.Fatalf("not idempotent: %v\nin:\n%s\nonce:\n%s\ntwice:\n%s", again.Changes, src, res.Output, again.Output)
		}
		if err := sameCommands(src, res.Output); err != nil {
			t.Fatalf("%v\nin:\n%s\nout:\n%s", err, src, res.Output)
		}
		if d := samePlan(planOf(src, nil), planOf(res.Output, nil)); d != "" {
			t.Fatalf("formatting changed the meaning: %s\nin:\n%s\nout:\n%s", d, src, res.Output)
		}
	})
}

// cleanParse: the parser reports no error and no NUL, no CR sits
// anywhere but right before a LF, and there is no other control character.
func cleanParse(src []byte) bool {
	_, d := parse.File(source.NewFile("x.profile", src))
	for _, x := range d {
		if x.Severity == diag.Error || x.Code == parse.CodeNUL || x.Code == parse.CodeCR {
			return false
		}
	}
	for _, b := range src {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			return false // control characters: refused (format.CodeControl)
		}
	}
	return !strings.Contains(strings.ReplaceAll(string(src), "\r\n", ""), "\r")
}

// linePool feeds TestRandomProfiles: lines that interact in every way
// order.go knows (ignore, conditionals and their setters, last-wins,
// the filesystem passes, list algebra, D-Bus policies, env), plus
// comments, commented-out commands and blank lines.
var linePool = []string{
	"", "", "", "# comment", "# another comment", "#private-dev", "#net none",
	"include globals.local", "include x.local", "quiet",
	"ignore nosound", "ignore noblacklist /tmp/a", "ignore private-bin b,a", "ignore ignore", "ignore net",
	"nosound", "?HAS_NOSOUND: novideo", "?HAS_NET: nogroups", "net none", "?HAS_NODBUS: notv",
	"?HAS_X11: nou2f", "env FIREJAIL_X11=1", "rmenv FIREJAIL_X11", "?ALLOW_TRAY: no3d", "?HAS_PRIVATE: nodvd",
	"private", "private-home .x", "dbus-user filter", "dbus-user none", "dbus-system none", "nodbus",
	"dbus-user.talk org.a.b", "dbus-user.own org.a.c", "dbus-system.talk org.b.c",
	"noblacklist /tmp/a", "blacklist /tmp/a", "blacklist /tmp/*", "noblacklist /tmp/*", "blacklist-nolog /tmp/b",
	"read-only /tmp/a", "read-write /tmp/a", "noexec /tmp/a", "tmpfs /tmp/c", "noprinters",
	"whitelist /tmp/a", "nowhitelist /tmp/a", "whitelist /tmp/b", "whitelist-ro /tmp/d", "mkdir /tmp/b", "mkfile /tmp/e",
	"seccomp.drop mount,chmod", "seccomp.drop chown", "seccomp", "seccomp !chroot,!mount", "seccomp.keep read,write",
	"seccomp.drop umount2:EPERM,mount:kill", "seccomp-error-action EPERM", "seccomp-error-action kill",
	"caps.drop all", "caps.drop kill,chown", "caps.keep chown", "caps",
	"protocol unix,inet", "protocol -inet", "protocol inet6,unix", "protocol =netlink",
	"restrict-namespaces", "restrict-namespaces -user", "restrict-namespaces net,user",
	"env A=1", "env A=2", "rmenv A", "env PATH=/opt/bin", "blacklist ${PATH}/x",
	"hostname a", "hostname b", "name x", "nice 5", "nice 2", "timeout 01:00:00",
	"private-bin zsh,bash", "private-etc hosts,fonts", "private-lib b,a", "private-dev", "private-tmp", "disable-mnt",
	"nonewprivs", "noroot", "apparmor", "machine-id", "memory-deny-write-execute", "x11 none",
	"keep-fd 3", "keep-fd -3",
}

// TestRandomProfiles checks FuzzFormat's properties on profiles made of
// lines that interact: byte-level fuzzing rarely builds such files.
func TestRandomProfiles(t *testing.T) {
	// JAILC_FMT_RANDOM=N,SEED runs N profiles from another seed.
	n, seed := 3000, uint64(1)
	if testing.Short() {
		n = 300
	}
	if v := os.Getenv("JAILC_FMT_RANDOM"); v != "" {
		if _, err := fmt.Sscanf(v, "%d,%d", &n, &seed); err != nil {
			t.Fatalf("JAILC_FMT_RANDOM=%q: want N,SEED", v)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := rng.IntN(25); j >= 0; j-- {
			l := linePool[rng.IntN(len(linePool))]
			if rng.IntN(10) == 0 {
				l = "  " + strings.ReplaceAll(l, " ", "\t ")
			}
			if rng.IntN(12) == 0 && l != "" && !strings.HasPrefix(l, "#") {
				l += " # why"
			}
			b.WriteString(l + "\n")
		}
		src := []byte(b.String())
		if msg := contract(src); msg != "" {
			src = minimize(src)
			t.Fatalf("%s\nminimized input:\n%s", contract(src), src)
		}
	}
}

// contract checks the formatter's properties on a file that parses and
// says what fails, or "".
func contract(src []byte) string {
	res, diags := format.Source("x.profile", src)
	if res == nil {
		return fmt.Sprintf("refused: %v", diags)
	}
	again, _ := format.Source("x.profile", res.Output)
	if again == nil || !bytes.Equal(again.Output, res.Output) || len(again.Changes) != 0 {
		return fmt.Sprintf("not idempotent:\nonce:\n%s\ntwice:\n%s", res.Output, again.Output)
	}
	if (len(res.Changes) == 0) != bytes.Equal(src, res.Output) {
		return fmt.Sprintf("Changes %v disagree with the output", res.Changes)
	}
	if err := sameCommands(src, res.Output); err != nil {
		return err.Error()
	}
	if d := samePlan(planOf(src, nil), planOf(res.Output, nil)); d != "" {
		return fmt.Sprintf("formatting changed the meaning: %s\nout:\n%s", d, res.Output)
	}
	return ""
}

// minimize drops lines while the contract still fails.
func minimize(src []byte) []byte {
	lines := strings.SplitAfter(string(src), "\n")
	for changed := true; changed; {
		changed = false
		for i := range lines {
			try := strings.Join(append(append([]string{}, lines[:i]...), lines[i+1:]...), "")
			if contract([]byte(try)) != "" {
				lines = append(lines[:i], lines[i+1:]...)
				changed = true
				break
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}
