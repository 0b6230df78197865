// Command probe reports what a process sees from inside a sandbox, as JSON:
// identity, capabilities, no_new_privs, seccomp mode, namespaces, directory
// listings, path access, and the outcome of chosen system calls. The
// runtime's integration tests run it under jailrun (and under Firejail to
// compare).
//
//	probe [-path P]... [-list DIR]... [-sys NAME]... [-bind ADDR]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// Report is the probe's output.
type Report struct {
	UID, EUID, GID int
	Groups         []int
	Status         map[string]string // Cap*, NoNewPrivs, Seccomp from /proc/self/status
	Namespaces     map[string]string // /proc/self/ns/* link targets
	Lists          map[string][]string
	Paths          map[string]Access
	Syscalls       map[string]string // "ok" or the errno name
	FDs            []string
	Bind           string `json:",omitempty"`
	Hostname       string
	Cwd            string
	Env            map[string]string
}

// Access says what the process can do with a path.
type Access struct {
	Exists, Read, Write, Exec bool
	// Content: reading it returned data (hidden files read as empty).
	Content bool
}

func main() {
	var paths, lists, sys multi
	var bind string
	flag.Var(&paths, "path", "path to test")
	flag.Var(&lists, "list", "directory to list")
	flag.Var(&sys, "sys", "syscall to try: mount, umount, unshare-user, unshare-net, socket-packet, socket-inet, ptrace, chroot, mknod, personality, setuid0, reboot")
	flag.StringVar(&bind, "bind", "", "listen on this TCP address, report and close")
	flag.Parse()
	r := Report{UID: os.Getuid(), EUID: os.Geteuid(), GID: os.Getgid(), Status: map[string]string{}, Namespaces: map[string]string{},
		Lists: map[string][]string{}, Paths: map[string]Access{}, Syscalls: map[string]string{}, Env: map[string]string{}}
	r.Groups, _ = os.Getgroups()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(l, ":")
			if ok && (strings.HasPrefix(k, "Cap") || k == "NoNewPrivs" || k == "Seccomp") {
				r.Status[k] = strings.TrimSpace(v)
			}
		}
	}
	for _, ns := range []string{"mnt", "pid", "net", "ipc", "uts", "user", "cgroup"} {
		if t, err := os.Readlink("/proc/self/ns/" + ns); err == nil {
			r.Namespaces[ns] = t
		}
	}
	for _, d := range lists {
		ents, err := os.ReadDir(d)
		if err != nil {
			r.Lists[d] = []string{"error: " + err.Error()}
			continue
		}
		names := []string{}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		r.Lists[d] = names
	}
	for _, p := range paths {
		_, err := os.Lstat(p)
		r.Paths[p] = Access{Exists: err == nil, Read: unix.Access(p, unix.R_OK) == nil && canOpen(p),
			Write: unix.Access(p, unix.W_OK) == nil, Exec: unix.Access(p, unix.X_OK) == nil, Content: hasContent(p)}
	}
	for _, s := range sys {
		r.Syscalls[s] = errName(try(s))
	}
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		for _, e := range ents {
			target, _ := os.Readlink("/proc/self/fd/" + e.Name())
			r.FDs = append(r.FDs, e.Name()+" "+target)
		}
	}
	if bind != "" {
		l, err := net.Listen("tcp", bind)
		if err != nil {
			r.Bind = "error: " + err.Error()
		} else {
			r.Bind = "ok " + l.Addr().String()
			l.Close()
		}
	}
	r.Hostname, _ = os.Hostname()
	r.Cwd, _ = os.Getwd()
	for _, k := range []string{"HOME", "USER", "PATH", "JAILC_TEST"} {
		r.Env[k] = os.Getenv(k)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// canOpen really opens for reading (access(2) ignores mount flags and
// some mode-000 cases for root).
func canOpen(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false
	}
	if st.IsDir() {
		_, err = f.Readdirnames(1)
		return err == nil || err.Error() == "EOF"
	}
	buf := make([]byte, 1)
	_, err = f.Read(buf)
	return err == nil || err.Error() == "EOF"
}

func hasContent(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		names, _ := f.Readdirnames(1)
		return len(names) > 0
	}
	buf := make([]byte, 1)
	n, _ := f.Read(buf)
	return n > 0
}

func try(name string) error {
	switch name {
	case "mount":
		return unix.Mount("tmpfs", "/mnt", "tmpfs", 0, "")
	case "umount":
		return unix.Unmount("/proc", unix.MNT_DETACH)
	case "unshare-user":
		return unix.Unshare(unix.CLONE_NEWUSER)
	case "unshare-net":
		return unix.Unshare(unix.CLONE_NEWNET)
	case "socket-packet":
		return sock(unix.AF_PACKET, unix.SOCK_RAW)
	case "socket-inet":
		return sock(unix.AF_INET, unix.SOCK_STREAM)
	case "socket-bluetooth":
		return sock(unix.AF_BLUETOOTH, unix.SOCK_STREAM)
	case "ptrace":
		_, _, e := unix.RawSyscall(unix.SYS_PTRACE, unix.PTRACE_ATTACH, 1, 0)
		return errno(e)
	case "chroot":
		return unix.Chroot("/")
	case "mknod":
		return unix.Mknod("/dev/shm/probe-null", unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3)))
	case "personality":
		_, _, e := unix.RawSyscall(unix.SYS_PERSONALITY, 0x0040000, 0, 0) // ADDR_NO_RANDOMIZE
		return errno(e)
	case "setuid0":
		_, _, e := unix.RawSyscall(unix.SYS_SETUID, 0, 0, 0)
		return errno(e)
	case "reboot":
		_, _, e := unix.RawSyscall(unix.SYS_REBOOT, 0, 0, 0) // bad magic: EINVAL if allowed, EPERM if not
		return errno(e)
	case "x32-getpid":
		_, _, e := unix.RawSyscall(unix.SYS_GETPID|0x40000000, 0, 0, 0)
		return errno(e)
	case "open-init-exe-write":
		f, err := os.OpenFile("/proc/1/exe", os.O_WRONLY, 0)
		if f != nil {
			f.Close()
		}
		return err
	case "getppid":
		_, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		return errno(e)
	case "getuid":
		_, _, e := unix.RawSyscall(unix.SYS_GETUID, 0, 0, 0)
		return errno(e)
	case "kill-parent":
		return unix.Kill(os.Getppid()+100000, 0)
	}
	return fmt.Errorf("unknown probe %q", name)
}

func sock(family, typ int) error {
	fd, err := unix.Socket(family, typ, 0)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func errno(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func errName(err error) string {
	if err == nil {
		return "ok"
	}
	var e syscall.Errno
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	if x, ok := err.(syscall.Errno); ok {
		e = x
		return unix.ErrnoName(e)
	}
	return err.Error()
}
