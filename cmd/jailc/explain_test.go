package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jailc/jailc/compiler/explain"
)

const explainData = "../../testdata/explain"

// pingList is the walkthrough's strace list (30 names, no clone).
const pingList = "read,write,open,close,fstat,mmap,mprotect,munmap,brk,rt_sigaction,rt_sigprocmask,ioctl,access,setitimer,getpid,socket,connect,sendto,recvmsg,getsockname,setsockopt,getsockopt,execve,getuid,setuid,geteuid,capget,capset,prctl,arch_prctl"

func pingProfile(t *testing.T) (dir, profile string) {
	dir = t.TempDir()
	profile = write(t, dir, "ping.profile", "# ping, least privilege\ninclude ping.local\ncaps.keep net_raw\nprotocol unix,inet,inet6\nseccomp.keep "+pingList+"\n")
	return dir, profile
}

func explainRun(t *testing.T, args ...string) (int, string, string) {
	return jailc(t, append([]string{"explain", "--config", "/dev/null"}, args...)...)
}

// fixLines returns the lines a text explanation says to add.
func fixLines(out string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "  fix: add to "):
			in = true
		case in && strings.HasPrefix(l, "      "):
			lines = append(lines, strings.TrimSpace(l))
		default:
			in = false
		}
	}
	return lines
}

// TestExplainPing is the walkthrough: ping killed on clone under a
// seccomp.keep list, explained, fixed with the printed lines, explained
// again.
func TestExplainPing(t *testing.T) {
	dir, profile := pingProfile(t)
	log := filepath.Join(explainData, "ping-walkthrough.log")
	code, out, errs := explainRun(t, "-I", dir, "--profile", profile, log)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"firejail (/usr/bin/firejail): clone (x86_64 syscall 56), kill-thread, 2 times (lines 2-3)\n",
		"  pid: 2511, 2517\n",
		"  record: arch=c000003e compat=0 code=0x0 sig=31 (SIGSYS)\n",
		"  why: clone (x86_64 56): errno(1) (it is not in the seccomp.keep list)\n",
		"  rule: `seccomp.keep " + pingList + "` at " + profile + ":5\n",
		"  fix: add to ping.local",
		"      seccomp.keep " + pingList + ",clone\n      ignore seccomp.keep\n",
		"1 other lines",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	fix := fixLines(out)
	if len(fix) != 2 {
		t.Fatalf("fix lines %q", fix)
	}
	write(t, dir, "ping.local", strings.Join(fix, "\n")+"\n")
	code, out, _ = explainRun(t, "-I", dir, "--profile", profile, log)
	if code != 0 || !strings.Contains(out, "  why: clone (x86_64 56): allow\n") || !strings.Contains(out, "from `seccomp.keep "+pingList+",clone` at "+filepath.Join(dir, "ping.local")+":1") ||
		!strings.Contains(out, "this plan allows the call") || strings.Contains(out, "fix:") {
		t.Errorf("after the fix: exit %d\n%s", code, out)
	}
}

// TestExplainI386: the same name has other numbers on i386, and i386's
// 102 is socketcall, not x86_64's getuid. The records were observed here.
func TestExplainI386(t *testing.T) {
	dir, profile := pingProfile(t)
	code, out, _ := explainRun(t, "-I", dir, "--profile", profile, filepath.Join(explainData, "observed-dmesg.log"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"exe (/tmp/scexp/scexp): clone (i386 syscall 120), errno, once (line 8)\n  pid: 9931\n  record: arch=40000003 compat=1 code=0x50000 sig=0 (no signal)\n",
		"  why: clone (i386 120): errno(1) (it is not in the seccomp.keep list)\n",
		"my prog (/tmp/scexp/my prog): socketcall (i386 syscall 102), errno, once (line 15)\n",
		"my prog (/tmp/scexp/my prog): clone (i386 syscall 120), kill-process, once (line 16)\n",
		"      seccomp.keep " + pingList + ",socketcall\n",
		"socketcall is no x86_64 syscall",
		"exe (/tmp/scexp/scexp): getppid (i386 syscall 64), log, once (line 4)\n",
		"11 seccomp records in 11 groups; 6 other lines, 0 malformed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestExplainErrno: an errno record (observed: code=0x50000 for
// ERRNO(EPERM)) against a drop list.
func TestExplainErrno(t *testing.T) {
	dir := t.TempDir()
	profile := write(t, dir, "d.profile", "include d.local\nseccomp.drop getppid,mount\n")
	lines, err := os.ReadFile(filepath.Join(explainData, "observed-dmesg.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := write(t, dir, "errno.log", strings.Split(string(lines), "\n")[5]+"\n")
	code, out, _ := explainRun(t, "-I", dir, "--profile", profile, log)
	for _, want := range []string{
		"exe (/tmp/scexp/scexp): getppid (x86_64 syscall 110), errno, once (line 1)\n",
		"  action: errno: SECCOMP_RET_ERRNO: the call did not run and failed with an error number; the kernel logs the action without the number (code=0x50000 for any errno)\n",
		"  rule: `seccomp.drop getppid,mount` at " + profile + ":2\n",
		"      seccomp.drop mount\n      ignore seccomp.drop\n",
		"  note: the plan's error is EPERM (1)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 0 {
		t.Errorf("exit %d", code)
	}
}

// TestExplainMalformed: broken records are reported with their line and
// skipped; the rest is explained; the exit status says problems were found.
func TestExplainMalformed(t *testing.T) {
	dir := t.TempDir()
	bad, err := os.ReadFile(filepath.Join(explainData, "malformed.log"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(explainData, "ping-walkthrough.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := write(t, dir, "mixed.log", string(good)+string(bad)+strings.Repeat("type=1326 ", 10000)+"\n\x00\xff binary junk\n")
	code, out, errs := explainRun(t, log)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	nbad := 0
	for _, l := range strings.Split(string(bad), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			nbad++
		}
	}
	if got := strings.Count(errs, "malformed seccomp record, skipped"); got != nbad+1 {
		t.Errorf("%d malformed lines reported, want %d:\n%s", got, nbad+1, errs)
	}
	if !strings.Contains(errs, log+":6: malformed seccomp record, skipped: expected key=value, found \"sysc\" (a cut line?)\n") {
		t.Errorf("stderr lacks the cut line 6:\n%s", errs)
	}
	if !strings.Contains(out, "clone (x86_64 syscall 56), kill-thread, 2 times") || !strings.Contains(out, "2 seccomp records in 1 groups") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestExplainPlanAndJSON(t *testing.T) {
	dir, profile := pingProfile(t)
	planFile := filepath.Join(dir, "ping.plan.json")
	if code, _, errs := jailc(t, "compile", "--config", "/dev/null", "-I", dir, "-o", planFile, profile); code != 0 {
		t.Fatalf("compile: %s", errs)
	}
	log := filepath.Join(explainData, "ping-walkthrough.log")
	_, viaProfile, _ := explainRun(t, "-I", dir, "--profile", profile, log)
	code, viaPlan, errs := explainRun(t, "--plan", planFile, log)
	if code != 0 || viaPlan != viaProfile {
		t.Errorf("--plan differs from --profile (exit %d, %s):\n%s\n---\n%s", code, errs, viaPlan, viaProfile)
	}
	code, out, _ := explainRun(t, "--plan", planFile, "--format", "json", log)
	var rep explain.ReportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(rep.Groups) != 1 || rep.Records != 2 || rep.Other != 1 {
		t.Fatalf("%+v", rep)
	}
	g := rep.Groups[0]
	if g.Syscall != "clone" || g.Nr != 56 || g.Arch != "x86_64" || g.Audit != "c000003e" || g.Count != 2 || g.Action.Kind != "kill-thread" || g.Action.Code != "0x0" || g.Action.Sig != 31 ||
		g.Program.Exe != "/usr/bin/firejail" || len(g.Program.PIDs) != 2 || g.Verdict == nil || g.Verdict.Cause != "keep-list" || g.Verdict.Rule.Line != 5 ||
		g.Verdict.Fix == nil || len(g.Verdict.Fix.Add) != 2 || g.Verdict.Fix.Add[1] != "ignore seccomp.keep" {
		t.Errorf("%+v", g)
	}
	if code, _, _ := explainRun(t, "--plan", planFile, "--profile", profile, log); code != 2 {
		t.Errorf("--plan with --profile: exit %d, want 2", code)
	}
	if code, _, _ := explainRun(t, filepath.Join(dir, "missing.log")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestExplainStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(explainData, "observed-ausearch-i.log"))
	if err != nil {
		t.Fatal(err)
	}
	old := explainStdin
	defer func() { explainStdin = old }()
	explainStdin = bytes.NewReader(data)
	code, out, _ := explainRun(t)
	if code != 0 || !strings.Contains(out, "my prog (/tmp/scexp/my prog): clone (i386 syscall 120), kill, once (line 20)\n") ||
		!strings.Contains(out, "record: arch=i386 compat=1 code=kill sig=31 (SIGSYS)") ||
		!strings.Contains(out, "11 seccomp records in 10 groups; 11 other lines, 0 malformed") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until buf holds want.
func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q after 5s; have:\n%s", want, buf.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestExplainFollow feeds a pipe line by line: each new call is explained
// as soon as its line is written, repeats are reported as updates.
func TestExplainFollow(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			dir, profile := pingProfile(t)
			data, err := os.ReadFile(filepath.Join(explainData, "ping-walkthrough.log"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(string(data), "\n")
			pr, pw := io.Pipe()
			old := explainStdin
			defer func() { explainStdin = old }()
			explainStdin = pr
			var out, errs syncBuffer
			done := make(chan int)
			go func() {
				done <- run([]string{"explain", "--config", "/dev/null", "-I", dir, "--profile", profile, "--follow", "--format", format, "-"}, &out, &errs)
			}()
			first, again := "clone (x86_64 syscall 56), kill-thread, once (line 2)", "again: firejail (/usr/bin/firejail): clone (x86_64 syscall 56), kill-thread, now 2 times (line 3, last pid 2517)"
			if format == "json" {
				first, again = `{"new":true,"group":{`, `{"new":false,"group":{`
			}
			io.WriteString(pw, lines[0]+lines[1])
			waitFor(t, &out, first)
			if strings.Contains(out.String(), again) {
				t.Fatal("an update before the repeat was written")
			}
			io.WriteString(pw, lines[2])
			waitFor(t, &out, again)
			io.WriteString(pw, "[ 1.0] audit: type=1326 audit(1.2:3): arch=c000003e\n")
			waitFor(t, &errs, "<stdin>:4: malformed seccomp record, skipped: no syscall= field")
			pw.Close()
			select {
			case code := <-done:
				if code != 1 {
					t.Errorf("exit %d, want 1 (a malformed line)", code)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("explain --follow did not end at the end of its input")
			}
			if format == "json" {
				for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
					var v struct {
						New   bool
						Group explain.GroupJSON
					}
					if err := json.Unmarshal([]byte(l), &v); err != nil || v.Group.Syscall != "clone" {
						t.Errorf("bad JSON line %q: %v", l, err)
					}
				}
			} else if !strings.HasSuffix(out.String(), "2 seccomp records in 1 groups; 1 other lines, 1 malformed\n") {
				t.Errorf("no summary:\n%s", out.String())
			}
		})
	}
}
