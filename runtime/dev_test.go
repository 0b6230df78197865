package runtime_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// standInDevices creates device nodes like a desktop's (sound, GPU,
// video, DVB, optical drive, U2F, input) in the host /dev where they are
// missing, and removes what it created when the test ends. The nodes are
// never opened.
func standInDevices(t *testing.T) {
	t.Helper()
	nodes := []struct {
		path         string
		block        bool
		major, minor uint32
	}{
		{"/dev/snd/controlC0", false, 116, 0},
		{"/dev/dri/card0", false, 226, 0},
		{"/dev/nvidia0", false, 195, 0},
		{"/dev/video0", false, 81, 0},
		{"/dev/dvb/adapter0/frontend0", false, 212, 0},
		{"/dev/sr0", true, 11, 0},
		{"/dev/hidraw0", false, 240, 0},
		{"/dev/input/event0", false, 13, 64},
	}
	var created []string
	t.Cleanup(func() {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
	})
	mkdir := func(d string) {
		if _, err := os.Stat(d); err == nil {
			return
		}
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatalf("creating stand-in %s: %v", d, err)
		}
		created = append(created, d)
	}
	for _, n := range nodes {
		var dirs []string
		for d := filepath.Dir(n.path); d != "/dev"; d = filepath.Dir(d) {
			dirs = append([]string{d}, dirs...)
		}
		for _, d := range dirs {
			mkdir(d)
		}
		if _, err := os.Lstat(n.path); err == nil {
			continue
		}
		mode := uint32(unix.S_IFCHR | 0o600)
		if n.block {
			mode = unix.S_IFBLK | 0o600
		}
		if err := unix.Mknod(n.path, mode, int(unix.Mkdev(n.major, n.minor))); err != nil {
			t.Fatalf("creating stand-in %s: %v", n.path, err)
		}
		created = append(created, n.path)
	}
	mkdir("/dev/usb")
}

// devLists are the directories whose listings are compared.
var devLists = []string{"/dev", "/dev/snd", "/dev/dri", "/dev/dvb", "/dev/input", "/dev/usb"}

// TestPrivateDevKeepsDevices checks that private-dev keeps the host's
// sound, GPU, video, DVB, optical, U2F and input devices unless the
// matching switch removes them, with the same /dev as Firejail's.
func TestPrivateDevKeepsDevices(t *testing.T) {
	needRoot(t)
	standInDevices(t)
	firejail, _ := exec.LookPath("firejail")
	if firejail == "" && os.Getenv("CI") != "" {
		t.Fatal("CI: firejail missing; .ci/run installs it")
	}
	var args []string
	for _, d := range devLists {
		args = append(args, "-list", d)
	}
	cases := []struct {
		switches []string
		want     []string // in /dev
		gone     []string
	}{
		{nil, []string{"snd", "dri", "nvidia0", "video0", "dvb", "sr0", "cdrom", "dvd", "hidraw0", "usb", "input"}, nil},
		{[]string{"nosound", "no3d"}, []string{"video0", "sr0", "input"}, []string{"snd", "dri", "nvidia0"}},
		{[]string{"novideo", "notv", "nodvd", "nou2f", "noinput"}, []string{"snd", "dri"}, []string{"video0", "dvb", "sr0", "cdrom", "hidraw0", "usb", "input"}},
	}
	for _, c := range cases {
		name := "private-dev " + strings.Join(c.switches, " ")
		t.Run(strings.TrimSpace(name), func(t *testing.T) {
			p := compile(t, "private-dev\n"+strings.Join(c.switches, "\n")+"\n", "")
			rep := probeReport(t, p, args...)
			have := map[string]bool{}
			for _, n := range rep.Lists["/dev"] {
				have[n] = true
			}
			for _, n := range c.want {
				if !have[n] {
					t.Errorf("/dev/%s missing; /dev: %v", n, rep.Lists["/dev"])
				}
			}
			for _, n := range c.gone {
				if have[n] {
					t.Errorf("/dev/%s present; /dev: %v", n, rep.Lists["/dev"])
				}
			}
			if firejail == "" {
				t.Log("Firejail is not installed: not compared")
				return
			}
			fjArgs := []string{"--quiet", "--noprofile", "--private-dev"}
			for _, s := range c.switches {
				fjArgs = append(fjArgs, "--"+s)
			}
			out, err := exec.Command(firejail, append(append(fjArgs, "--", probe), args...)...).Output()
			var fj runtimeReport
			if err != nil || json.Unmarshal(out, &fj) != nil {
				t.Fatalf("firejail %v: %v\n%s", fjArgs, err, out)
			}
			for _, d := range devLists {
				if a, b := fmt.Sprint(fj.Lists[d]), fmt.Sprint(rep.Lists[d]); a != b {
					t.Errorf("%s: Firejail %s, jailrun %s", d, a, b)
				}
			}
		})
	}
}

// TestBlacklistDirectoryCache exercises the blacklist pass's directory
// caches: many lookups in one directory (answered from one directory
// read), entries that exist among many that do not, a glob, and a path
// created by mkdir after its directory was cached, which must still be
// hidden.
func TestBlacklistDirectoryCache(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"f1", "f5", "keep", "glob-a", "glob-b"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("data"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	made := filepath.Join(home, ".jailc-cache-test")
	os.RemoveAll(made)
	t.Cleanup(func() { os.RemoveAll(made) })
	var prof strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&prof, "blacklist %s/f%d\n", dir, i)
		fmt.Fprintf(&prof, "blacklist ${HOME}/.jailc-missing-%d\n", i)
	}
	fmt.Fprintf(&prof, "blacklist %s/glob-*\nmkdir ${HOME}/.jailc-cache-test\nblacklist ${HOME}/.jailc-cache-test\n", dir)
	p := compile(t, prof.String(), "")
	rep := probeReport(t, p, "-path", dir+"/f1", "-path", dir+"/f5", "-path", dir+"/keep", "-path", dir+"/glob-a", "-path", dir+"/glob-b", "-list", made)
	for _, n := range []string{"f1", "f5", "glob-a", "glob-b"} {
		if a := rep.Paths[dir+"/"+n]; !a.Exists || a.Content {
			t.Errorf("%s: %+v, want hidden (an empty node)", n, a)
		}
	}
	if a := rep.Paths[dir+"/keep"]; !a.Content {
		t.Errorf("keep: %+v, want visible", a)
	}
	// The directory mkdir makes (the sandbox creates it on the host) is
	// hidden by the blacklist after it, though ${HOME}'s listing was
	// cached before: a mount covers it. It must not exist beforehand.
	os.RemoveAll(made)
	mounts := launch(t, p, "", "/bin/grep", "-c", " "+made+" ", "/proc/self/mountinfo")
	if _, err := os.Stat(made); err != nil {
		t.Fatalf("mkdir did not create %s on the host: %v", made, err)
	}
	if strings.TrimSpace(mounts.out) != "1" {
		t.Errorf("%s is not covered by a mount in the sandbox: %q %s", made, mounts.out, mounts.stderr)
	}
}
