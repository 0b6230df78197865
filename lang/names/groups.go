package names

import (
	"fmt"

	"github.com/jailc/jailc/compiler/sysnum"
)

// Group is a syscall group: Name starts with "@"; Members are as Firejail
// writes them, arch-independent, and may name other groups or names that do
// not exist on every architecture (including the placeholder
// __dummy_syscall__, which never resolves).
type Group struct {
	Name    string
	Members []string
}

// Groups are the 29 groups of Firejail 0.9.72 (reference §7.2).
var Groups = []Group{
	{"@aio", []string{"io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup"}},
	{"@basic-io", []string{"_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv", "write", "writev"}},
	{"@chown", []string{"chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32"}},
	{"@clock", []string{"adjtimex", "clock_adjtime", "clock_settime", "settimeofday", "stime"}},
	{"@cpu-emulation", []string{"modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old", "__dummy_syscall__"}},
	{"@debug", []string{"lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_vm_writev", "rtas", "s390_runtime_instr", "sys_debug_setcontext"}},
	{"@default", []string{"@clock", "@cpu-emulation", "@debug", "@module", "@mount", "@obsolete", "@raw-io", "@reboot", "@swap", "open_by_handle_at", "name_to_handle_at", "ioprio_set", "ni_syscall", "syslog", "fanotify_init", "add_key", "request_key", "mbind", "migrate_pages", "move_pages", "keyctl", "io_setup", "io_destroy", "io_getevents", "io_submit", "io_cancel", "remap_file_pages", "set_mempolicy", "vmsplice", "userfaultfd", "acct", "bpf", "nfsservctl", "setdomainname", "sethostname", "vhangup"}},
	{"@default-nodebuggers", []string{"@default", "ptrace", "personality", "process_vm_readv"}},
	{"@default-keep", []string{"execveat", "execve", "prctl"}},
	{"@file-system", []string{"access", "chdir", "chmod", "close", "close_range", "creat", "faccessat", "faccessat2", "fallocate", "fchdir", "fchmod", "fchmodat", "fcntl", "fcntl64", "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "lremovexattr", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "mmap", "mmap2", "munmap", "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat", "openat2", "readlink", "readlinkat", "removexattr", "rename", "renameat", "renameat2", "rmdir", "setxattr", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate", "truncate64", "unlink", "unlinkat", "utime", "utimensat", "utimes"}},
	{"@io-event", []string{"_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "pselect6", "select"}},
	{"@ipc", []string{"ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "pipe", "pipe2", "process_madvise", "process_vm_readv", "process_vm_writev", "semctl", "semget", "semop", "semtimedop", "shmat", "shmctl", "shmdt", "shmget"}},
	{"@keyring", []string{"add_key", "keyctl", "request_key"}},
	{"@memlock", []string{"mlock", "mlock2", "mlockall", "munlock", "munlockall"}},
	{"@module", []string{"delete_module", "finit_module", "init_module"}},
	{"@mount", []string{"chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "move_mount", "open_tree", "pivot_root", "umount", "umount2"}},
	{"@network-io", []string{"accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv", "recvfrom", "recvmmsg", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket", "socketcall", "socketpair"}},
	{"@obsolete", []string{"_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime", "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil", "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stty", "sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver", "__dummy_syscall__"}},
	{"@privileged", []string{"@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl", "acct", "bpf", "capset", "chroot", "fanotify_init", "mount", "nfsservctl", "open_by_handle_at", "pivot_root", "quotactl", "setdomainname", "setfsuid", "setfsuid32", "setgroups", "setgroups32", "sethostname", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32", "umount2", "vhangup"}},
	{"@process", []string{"arch_prctl", "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill", "pidfd_open", "pidfd_send_signal", "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "swapcontext", "tgkill", "times", "tkill", "unshare", "vfork", "wait4", "waitid", "waitpid"}},
	{"@raw-io", []string{"ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "s390_mmio_read", "s390_mmio_write", "__dummy_syscall__"}},
	{"@reboot", []string{"kexec_load", "kexec_file_load", "reboot"}},
	{"@resources", []string{"ioprio_set", "mbind", "migrate_pages", "move_pages", "nice", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "set_mempolicy"}},
	{"@setuid", []string{"setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32"}},
	{"@signal", []string{"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend", "rt_sigtimedwait", "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigsuspend"}},
	{"@swap", []string{"swapon", "swapoff"}},
	{"@sync", []string{"fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2", "syncfs"}},
	{"@system-service", []string{"@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@network-io", "@process", "@resources", "@setuid", "@signal", "@sync", "@timer", "brk", "capget", "capset", "copy_file_range", "fadvise64", "fadvise64_64", "flock", "get_mempolicy", "getcpu", "getpriority", "getrandom", "ioctl", "ioprio_get", "kcmp", "madvise", "mprotect", "mremap", "name_to_handle_at", "oldolduname", "olduname", "personality", "readahead", "readdir", "remap_file_pages", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_yield", "sendfile", "sendfile64", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setpgid", "setsid", "splice", "sysinfo", "tee", "umask", "uname", "userfaultfd", "vmsplice"}},
	{"@timer", []string{"alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime", "times"}},
}

// LookupGroup finds a group by name (with the "@").
func LookupGroup(name string) (Group, bool) {
	for _, g := range Groups {
		if g.Name == name {
			return g, true
		}
	}
	return Group{}, false
}

// ExpandGroup expands a group (name with its "@") recursively for arch:
// members in Firejail's filter order, the first occurrence of a name kept,
// names arch's kernel table does not have (including __dummy_syscall__)
// dropped. Firejail 0.9.72's own x86_64 and i386 tables have every group
// member our kernel tables have, so the result is also what Firejail puts in
// its filters. An unknown group is an error, as it is fatal in Firejail.
func ExpandGroup(name string, arch *sysnum.Arch) ([]string, error) {
	if arch == nil {
		return nil, fmt.Errorf("expanding %s: no architecture", name)
	}
	var out []string
	seen := map[string]bool{}
	var walk func(string, int) error
	walk = func(n string, depth int) error {
		g, ok := LookupGroup(n)
		if !ok {
			return fmt.Errorf("unknown syscall group %q", n)
		}
		if depth > len(Groups) {
			return fmt.Errorf("syscall group %q includes itself", n)
		}
		for _, m := range g.Members {
			if len(m) > 0 && m[0] == '@' {
				if err := walk(m, depth+1); err != nil {
					return err
				}
				continue
			}
			if _, ok := arch.Number(m); ok && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		return nil
	}
	if err := walk(name, 0); err != nil {
		return nil, err
	}
	return out, nil
}
