package names

import (
	"encoding/binary"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/sysnum"
)

const (
	fseccomp     = "/usr/lib/x86_64-linux-gnu/firejail/fseccomp"
	firejailLib  = "/usr/lib/x86_64-linux-gnu/firejail/"
	firejailPath = "/usr/bin/firejail"
)

// runTool runs an installed Firejail helper, skipping the test when it is
// absent (Firejail 0.9.72 is not installed everywhere the tests run).
func runTool(t *testing.T, path string, args ...string) []byte {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is not installed (Firejail 0.9.72, apt-get install firejail): %v", path, err)
	}
	out, err := exec.Command(path, args...).Output()
	if err != nil {
		t.Skipf("%s %s: %v", path, strings.Join(args, " "), err)
	}
	return out
}

// parseTable reads "N\t- NAME" lines, the format of fseccomp's and
// firejail's debug tables.
func parseTable(t *testing.T, out []byte) (names []string, nums []int) {
	t.Helper()
	for _, l := range strings.Split(string(out), "\n") {
		num, name, ok := strings.Cut(l, "\t- ")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("bad line %q", l)
		}
		names, nums = append(names, strings.TrimSpace(name)), append(nums, v)
	}
	return names, nums
}

func TestCapabilities(t *testing.T) {
	if len(Capabilities) != 41 {
		t.Fatalf("%d capabilities, want 41", len(Capabilities))
	}
	for name, n := range map[string]int{
		"chown": 0, "kill": 5, "setpcap": 8, "net_bind_service": 10, "net_raw": 13, "sys_module": 16,
		"sys_admin": 21, "mknod": 27, "syslog": 34, "perfmon": 38, "bpf": 39, "checkpoint_restore": 40,
	} {
		if got, ok := CapNumber(name); !ok || got != n {
			t.Errorf("CapNumber(%s) = %d, %v; want %d", name, got, ok, n)
		}
	}
	// Exact and case-sensitive: Firejail rejects these.
	for _, bad := range []string{"CHOWN", "Chown", "cap_chown", "CAP_CHOWN", " chown", "all", ""} {
		if n, ok := CapNumber(bad); ok {
			t.Errorf("CapNumber(%q) = %d; Firejail rejects it", bad, n)
		}
	}
	// The kernel's numbering, as x/sys/unix records it.
	want := map[string]int{
		"chown": unix.CAP_CHOWN, "dac_override": unix.CAP_DAC_OVERRIDE, "dac_read_search": unix.CAP_DAC_READ_SEARCH,
		"fowner": unix.CAP_FOWNER, "fsetid": unix.CAP_FSETID, "kill": unix.CAP_KILL, "setgid": unix.CAP_SETGID,
		"setuid": unix.CAP_SETUID, "setpcap": unix.CAP_SETPCAP, "linux_immutable": unix.CAP_LINUX_IMMUTABLE,
		"net_bind_service": unix.CAP_NET_BIND_SERVICE, "net_broadcast": unix.CAP_NET_BROADCAST,
		"net_admin": unix.CAP_NET_ADMIN, "net_raw": unix.CAP_NET_RAW, "ipc_lock": unix.CAP_IPC_LOCK,
		"ipc_owner": unix.CAP_IPC_OWNER, "sys_module": unix.CAP_SYS_MODULE, "sys_rawio": unix.CAP_SYS_RAWIO,
		"sys_chroot": unix.CAP_SYS_CHROOT, "sys_ptrace": unix.CAP_SYS_PTRACE, "sys_pacct": unix.CAP_SYS_PACCT,
		"sys_admin": unix.CAP_SYS_ADMIN, "sys_boot": unix.CAP_SYS_BOOT, "sys_nice": unix.CAP_SYS_NICE,
		"sys_resource": unix.CAP_SYS_RESOURCE, "sys_time": unix.CAP_SYS_TIME, "sys_tty_config": unix.CAP_SYS_TTY_CONFIG,
		"mknod": unix.CAP_MKNOD, "lease": unix.CAP_LEASE, "audit_write": unix.CAP_AUDIT_WRITE,
		"audit_control": unix.CAP_AUDIT_CONTROL, "setfcap": unix.CAP_SETFCAP, "mac_override": unix.CAP_MAC_OVERRIDE,
		"mac_admin": unix.CAP_MAC_ADMIN, "syslog": unix.CAP_SYSLOG, "wake_alarm": unix.CAP_WAKE_ALARM,
		"block_suspend": unix.CAP_BLOCK_SUSPEND, "audit_read": unix.CAP_AUDIT_READ, "perfmon": unix.CAP_PERFMON,
		"bpf": unix.CAP_BPF, "checkpoint_restore": unix.CAP_CHECKPOINT_RESTORE,
	}
	got := map[string]int{}
	for i, c := range Capabilities {
		got[c] = i
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("capabilities vs x/sys/unix (-want +got):\n%s", diff)
	}
	if len(Capabilities) != unix.CAP_LAST_CAP+1 {
		t.Errorf("%d capabilities, CAP_LAST_CAP is %d", len(Capabilities), unix.CAP_LAST_CAP)
	}
}

// Our capability table is Firejail's (`firejail --debug-caps`).
func TestCapabilitiesMatchFirejail(t *testing.T) {
	names, nums := parseTable(t, runTool(t, firejailPath, "--debug-caps"))
	if len(names) == 0 {
		t.Skip("firejail --debug-caps printed no table")
	}
	for i := range names {
		if got, ok := CapNumber(names[i]); !ok || got != nums[i] {
			t.Errorf("Firejail: %s = %d; jailc: %d, %v", names[i], nums[i], got, ok)
		}
	}
	if diff := cmp.Diff(Capabilities, names); diff != "" {
		t.Errorf("capabilities vs firejail --debug-caps (-ours +firejail):\n%s", diff)
	}
}

// The reference's 135 errno names, in its (Firejail's table) order.
const referenceErrnos = `EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP EWOULDBLOCK ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT EDEADLOCK EBFONT ENOSTR ENODATA ETIME ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON ENOTSUP ENOATTR`

func TestErrnos(t *testing.T) {
	// The reference lists 135 names (Firejail's source table), but that
	// table guards each entry with #ifdef, and ENOATTR is not defined by
	// glibc's <errno.h> (nor by x/sys/unix on Linux). So Debian's fseccomp
	// debug-errnos prints 134 names, and Firejail 0.9.72 rejects
	// `seccomp-error-action ENOATTR` as an unknown errno and silently drops
	// an `x:ENOATTR` item. We follow the binary: 134 names, no ENOATTR.
	ref := strings.Fields(referenceErrnos)
	if len(ref) != 135 {
		t.Fatalf("reference list has %d names", len(ref))
	}
	var got []string
	for _, e := range Errnos {
		got = append(got, e.Name)
	}
	want := slices.DeleteFunc(slices.Clone(ref), func(s string) bool { return s == "ENOATTR" })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errno order vs reference §7.1 without ENOATTR (-want +got):\n%s", diff)
	}
	if _, ok := ErrnoNumber("ENOATTR"); ok {
		t.Error("ENOATTR accepted; Debian's Firejail 0.9.72 does not know it")
	}

	// Every number is the Linux errno of that name (x86, arm and aarch64
	// share the generic numbering).
	unixErrnos := map[string]unix.Errno{
		"EPERM": unix.EPERM, "ENOENT": unix.ENOENT, "ESRCH": unix.ESRCH, "EINTR": unix.EINTR, "EIO": unix.EIO,
		"ENXIO": unix.ENXIO, "E2BIG": unix.E2BIG, "ENOEXEC": unix.ENOEXEC, "EBADF": unix.EBADF,
		"ECHILD": unix.ECHILD, "EAGAIN": unix.EAGAIN, "ENOMEM": unix.ENOMEM, "EACCES": unix.EACCES,
		"EFAULT": unix.EFAULT, "ENOTBLK": unix.ENOTBLK, "EBUSY": unix.EBUSY, "EEXIST": unix.EEXIST,
		"EXDEV": unix.EXDEV, "ENODEV": unix.ENODEV, "ENOTDIR": unix.ENOTDIR, "EISDIR": unix.EISDIR,
		"EINVAL": unix.EINVAL, "ENFILE": unix.ENFILE, "EMFILE": unix.EMFILE, "ENOTTY": unix.ENOTTY,
		"ETXTBSY": unix.ETXTBSY, "EFBIG": unix.EFBIG, "ENOSPC": unix.ENOSPC, "ESPIPE": unix.ESPIPE,
		"EROFS": unix.EROFS, "EMLINK": unix.EMLINK, "EPIPE": unix.EPIPE, "EDOM": unix.EDOM, "ERANGE": unix.ERANGE,
		"EDEADLK": unix.EDEADLK, "ENAMETOOLONG": unix.ENAMETOOLONG, "ENOLCK": unix.ENOLCK, "ENOSYS": unix.ENOSYS,
		"ENOTEMPTY": unix.ENOTEMPTY, "ELOOP": unix.ELOOP, "EWOULDBLOCK": unix.EWOULDBLOCK, "ENOMSG": unix.ENOMSG,
		"EIDRM": unix.EIDRM, "ECHRNG": unix.ECHRNG, "EL2NSYNC": unix.EL2NSYNC, "EL3HLT": unix.EL3HLT,
		"EL3RST": unix.EL3RST, "ELNRNG": unix.ELNRNG, "EUNATCH": unix.EUNATCH, "ENOCSI": unix.ENOCSI,
		"EL2HLT": unix.EL2HLT, "EBADE": unix.EBADE, "EBADR": unix.EBADR, "EXFULL": unix.EXFULL,
		"ENOANO": unix.ENOANO, "EBADRQC": unix.EBADRQC, "EBADSLT": unix.EBADSLT, "EDEADLOCK": unix.EDEADLOCK,
		"EBFONT": unix.EBFONT, "ENOSTR": unix.ENOSTR, "ENODATA": unix.ENODATA, "ETIME": unix.ETIME,
		"ENOSR": unix.ENOSR, "ENONET": unix.ENONET, "ENOPKG": unix.ENOPKG, "EREMOTE": unix.EREMOTE,
		"ENOLINK": unix.ENOLINK, "EADV": unix.EADV, "ESRMNT": unix.ESRMNT, "ECOMM": unix.ECOMM,
		"EPROTO": unix.EPROTO, "EMULTIHOP": unix.EMULTIHOP, "EDOTDOT": unix.EDOTDOT, "EBADMSG": unix.EBADMSG,
		"EOVERFLOW": unix.EOVERFLOW, "ENOTUNIQ": unix.ENOTUNIQ, "EBADFD": unix.EBADFD, "EREMCHG": unix.EREMCHG,
		"ELIBACC": unix.ELIBACC, "ELIBBAD": unix.ELIBBAD, "ELIBSCN": unix.ELIBSCN, "ELIBMAX": unix.ELIBMAX,
		"ELIBEXEC": unix.ELIBEXEC, "EILSEQ": unix.EILSEQ, "ERESTART": unix.ERESTART, "ESTRPIPE": unix.ESTRPIPE,
		"EUSERS": unix.EUSERS, "ENOTSOCK": unix.ENOTSOCK, "EDESTADDRREQ": unix.EDESTADDRREQ,
		"EMSGSIZE": unix.EMSGSIZE, "EPROTOTYPE": unix.EPROTOTYPE, "ENOPROTOOPT": unix.ENOPROTOOPT,
		"EPROTONOSUPPORT": unix.EPROTONOSUPPORT, "ESOCKTNOSUPPORT": unix.ESOCKTNOSUPPORT,
		"EOPNOTSUPP": unix.EOPNOTSUPP, "EPFNOSUPPORT": unix.EPFNOSUPPORT, "EAFNOSUPPORT": unix.EAFNOSUPPORT,
		"EADDRINUSE": unix.EADDRINUSE, "EADDRNOTAVAIL": unix.EADDRNOTAVAIL, "ENETDOWN": unix.ENETDOWN,
		"ENETUNREACH": unix.ENETUNREACH, "ENETRESET": unix.ENETRESET, "ECONNABORTED": unix.ECONNABORTED,
		"ECONNRESET": unix.ECONNRESET, "ENOBUFS": unix.ENOBUFS, "EISCONN": unix.EISCONN, "ENOTCONN": unix.ENOTCONN,
		"ESHUTDOWN": unix.ESHUTDOWN, "ETOOMANYREFS": unix.ETOOMANYREFS, "ETIMEDOUT": unix.ETIMEDOUT,
		"ECONNREFUSED": unix.ECONNREFUSED, "EHOSTDOWN": unix.EHOSTDOWN, "EHOSTUNREACH": unix.EHOSTUNREACH,
		"EALREADY": unix.EALREADY, "EINPROGRESS": unix.EINPROGRESS, "ESTALE": unix.ESTALE, "EUCLEAN": unix.EUCLEAN,
		"ENOTNAM": unix.ENOTNAM, "ENAVAIL": unix.ENAVAIL, "EISNAM": unix.EISNAM, "EREMOTEIO": unix.EREMOTEIO,
		"EDQUOT": unix.EDQUOT, "ENOMEDIUM": unix.ENOMEDIUM, "EMEDIUMTYPE": unix.EMEDIUMTYPE,
		"ECANCELED": unix.ECANCELED, "ENOKEY": unix.ENOKEY, "EKEYEXPIRED": unix.EKEYEXPIRED,
		"EKEYREVOKED": unix.EKEYREVOKED, "EKEYREJECTED": unix.EKEYREJECTED, "EOWNERDEAD": unix.EOWNERDEAD,
		"ENOTRECOVERABLE": unix.ENOTRECOVERABLE, "ERFKILL": unix.ERFKILL, "EHWPOISON": unix.EHWPOISON,
		"ENOTSUP": unix.ENOTSUP,
	}
	gotNums := map[string]unix.Errno{}
	for _, e := range Errnos {
		gotNums[e.Name] = unix.Errno(e.Number)
	}
	if diff := cmp.Diff(unixErrnos, gotNums); diff != "" {
		t.Errorf("errno numbers vs x/sys/unix (-want +got):\n%s", diff)
	}

	for name, n := range map[string]int{
		"EPERM": 1, "eperm": 1, "Eacces": 13, "EAGAIN": 11, "EWOULDBLOCK": 11, "EDEADLK": 35, "EDEADLOCK": 35,
		"EOPNOTSUPP": 95, "ENOTSUP": 95, "ENODATA": 61, "EHWPOISON": 133,
	} {
		if got, ok := ErrnoNumber(name); !ok || got != n {
			t.Errorf("ErrnoNumber(%s) = %d, %v; want %d", name, got, ok, n)
		}
	}
	for _, bad := range []string{"", "E", "EPERM ", "1", "kill", "log", "EFOO"} {
		if n, ok := ErrnoNumber(bad); ok {
			t.Errorf("ErrnoNumber(%q) = %d", bad, n)
		}
	}
	for n, want := range map[int]string{1: "EPERM", 11: "EAGAIN", 35: "EDEADLK", 95: "EOPNOTSUPP", 61: "ENODATA", 133: "EHWPOISON", 0: "", 41: "", 58: "", 134: "", -1: ""} {
		if got := ErrnoName(n); got != want {
			t.Errorf("ErrnoName(%d) = %q, want %q", n, got, want)
		}
	}
}

// Our errno table is Firejail's own (fseccomp debug-errnos), name for name,
// number for number, in order.
func TestErrnosMatchFirejail(t *testing.T) {
	names, nums := parseTable(t, runTool(t, fseccomp, "debug-errnos"))
	var want []Errno
	for i := range names {
		want = append(want, Errno{names[i], nums[i]})
	}
	if diff := cmp.Diff(want, Errnos); diff != "" {
		t.Errorf("errnos vs fseccomp debug-errnos (-firejail +ours):\n%s", diff)
	}
}

func TestProtocols(t *testing.T) {
	want := []Protocol{
		{"unix", unix.AF_UNIX}, {"inet", unix.AF_INET}, {"inet6", unix.AF_INET6},
		{"netlink", unix.AF_NETLINK}, {"packet", unix.AF_PACKET}, {"bluetooth", unix.AF_BLUETOOTH},
	}
	if diff := cmp.Diff(want, Protocols); diff != "" {
		t.Errorf("protocols (-want +got):\n%s", diff)
	}
	got := map[string]int{}
	for _, p := range Protocols {
		got[p.Name] = p.Family
	}
	if diff := cmp.Diff(map[string]int{"unix": 1, "inet": 2, "inet6": 10, "netlink": 16, "packet": 17, "bluetooth": 31}, got); diff != "" {
		t.Errorf("protocol families (-reference +got):\n%s", diff)
	}
}

// fseccomp debug-protocols prints names only ("unix, inet, ..."), no
// numbers: check the names and their order.
func TestProtocolsMatchFirejail(t *testing.T) {
	out := runTool(t, fseccomp, "debug-protocols")
	var fj []string
	for _, f := range strings.Split(string(out), ",") {
		if f = strings.TrimSpace(f); f != "" {
			fj = append(fj, f)
		}
	}
	var ours []string
	for _, p := range Protocols {
		ours = append(ours, p.Name)
	}
	if diff := cmp.Diff(fj, ours); diff != "" {
		t.Errorf("protocols vs fseccomp debug-protocols (-firejail +ours):\n%s", diff)
	}
}

func TestNamespaces(t *testing.T) {
	want := []Namespace{
		{"cgroup", unix.CLONE_NEWCGROUP}, {"ipc", unix.CLONE_NEWIPC}, {"net", unix.CLONE_NEWNET},
		{"mnt", unix.CLONE_NEWNS}, {"pid", unix.CLONE_NEWPID}, {"time", unix.CLONE_NEWTIME},
		{"user", unix.CLONE_NEWUSER}, {"uts", unix.CLONE_NEWUTS},
	}
	if diff := cmp.Diff(want, Namespaces); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	var mask uint32
	for _, n := range Namespaces {
		mask |= n.Flag
	}
	if mask != 0x7e020080 { // reference §7.8: the bare command's mask
		t.Errorf("all-namespaces mask %#x, want 0x7e020080", mask)
	}
}

// Distinct members on x86_64 per group, from reference §7.2. Our x86_64
// table comes from a newer kernel than Firejail 0.9.72's, but no group
// member is among the newer syscalls (TestGroupsFirejailKnows), so every
// count equals the reference's.
var wantCounts = map[string]int{
	"@aio": 9, "@basic-io": 16, "@chown": 4, "@clock": 4, "@cpu-emulation": 1, "@debug": 4, "@default": 68,
	"@default-nodebuggers": 71, "@default-keep": 3, "@file-system": 66, "@io-event": 13, "@ipc": 24, "@keyring": 3,
	"@memlock": 5, "@module": 3, "@mount": 10, "@network-io": 18, "@obsolete": 13, "@privileged": 38, "@process": 21,
	"@raw-io": 2, "@reboot": 3, "@resources": 9, "@setuid": 7, "@signal": 8, "@swap": 2, "@sync": 6,
	"@system-service": 307, "@timer": 12,
}

func TestGroupCounts(t *testing.T) {
	if len(Groups) != 29 {
		t.Fatalf("%d groups, want 29", len(Groups))
	}
	got := map[string]int{}
	for _, g := range Groups {
		m, err := ExpandGroup(g.Name, sysnum.X86_64)
		if err != nil {
			t.Fatal(err)
		}
		got[g.Name] = len(m)
		if len(slices.Compact(slices.Sorted(slices.Values(m)))) != len(m) {
			t.Errorf("%s has duplicates: %v", g.Name, m)
		}
	}
	if diff := cmp.Diff(wantCounts, got); diff != "" {
		t.Errorf("distinct x86_64 counts (-reference §7.2 +ours):\n%s", diff)
	}
}

func TestGroupTable(t *testing.T) {
	seen := map[string]bool{}
	dummies := []string{}
	for _, g := range Groups {
		if !strings.HasPrefix(g.Name, "@") || seen[g.Name] {
			t.Errorf("bad or repeated group name %q", g.Name)
		}
		seen[g.Name] = true
		if lg, ok := LookupGroup(g.Name); !ok || lg.Name != g.Name || len(lg.Members) != len(g.Members) {
			t.Errorf("LookupGroup(%s)", g.Name)
		}
		for _, m := range g.Members {
			if strings.HasPrefix(m, "@") {
				if _, ok := LookupGroup(m); !ok {
					t.Errorf("%s includes unknown group %s", g.Name, m)
				}
			}
			if m == "__dummy_syscall__" {
				dummies = append(dummies, g.Name)
			}
		}
	}
	if diff := cmp.Diff([]string{"@cpu-emulation", "@obsolete", "@raw-io"}, dummies); diff != "" {
		// The reference says "four groups carry a placeholder", but its
		// verbatim member lists (which we keep) have it in three.
		t.Errorf("groups with __dummy_syscall__ (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"default", "@Default", "@nope", "@", ""} {
		if _, ok := LookupGroup(bad); ok {
			t.Errorf("LookupGroup(%q) succeeded", bad)
		}
		if _, err := ExpandGroup(bad, sysnum.X86_64); err == nil {
			t.Errorf("ExpandGroup(%q) succeeded", bad)
		}
	}
	if _, err := ExpandGroup("@default", nil); err == nil {
		t.Error("ExpandGroup with a nil arch succeeded")
	}
	g, _ := LookupGroup("@default-keep")
	if diff := cmp.Diff([]string{"execveat", "execve", "prctl"}, g.Members); diff != "" {
		t.Error(diff)
	}
}

// The x86_64 @default in filter order, as listed in reference §7.2.
const defaultX86_64 = "adjtimex,clock_adjtime,clock_settime,settimeofday,modify_ldt,lookup_dcookie,perf_event_open,pidfd_getfd,process_vm_writev,delete_module,finit_module,init_module,chroot,fsconfig,fsmount,fsopen,fspick,mount,move_mount,open_tree,pivot_root,umount2,_sysctl,afs_syscall,create_module,get_kernel_syms,getpmsg,putpmsg,query_module,security,sysfs,tuxcall,uselib,ustat,vserver,ioperm,iopl,kexec_load,kexec_file_load,reboot,swapon,swapoff,open_by_handle_at,name_to_handle_at,ioprio_set,syslog,fanotify_init,add_key,request_key,mbind,migrate_pages,move_pages,keyctl,io_setup,io_destroy,io_getevents,io_submit,io_cancel,remap_file_pages,set_mempolicy,vmsplice,userfaultfd,acct,bpf,nfsservctl,setdomainname,sethostname,vhangup"

func TestDefaultOrder(t *testing.T) {
	want := strings.Split(defaultX86_64, ",")
	got, err := ExpandGroup("@default", sysnum.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("@default on x86_64 (-reference +ours):\n%s", diff)
	}
	got, _ = ExpandGroup("@default-nodebuggers", sysnum.X86_64)
	if diff := cmp.Diff(append(want, "ptrace", "personality", "process_vm_readv"), got); diff != "" {
		t.Errorf("@default-nodebuggers on x86_64 (-reference +ours):\n%s", diff)
	}
}

// Every name a group expands to on x86_64 and i386 is in Firejail 0.9.72's
// own table for that architecture, so ExpandGroup's kernel-table filter
// gives what Firejail's filters contain.
func TestGroupsFirejailKnows(t *testing.T) {
	for _, arch := range []*sysnum.Arch{sysnum.X86_64, sysnum.I386} {
		for _, g := range Groups {
			m, err := ExpandGroup(g.Name, arch)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range m {
				if !arch.FirejailKnows(n) {
					t.Errorf("%s: %s expands to %s, which Firejail 0.9.72 does not know", arch.Name, g.Name, n)
				}
			}
		}
	}
}

// Expansions on every arch hold only names that arch has, and the
// placeholder never resolves.
func TestExpandOtherArches(t *testing.T) {
	for _, arch := range sysnum.Arches() {
		for _, g := range Groups {
			m, err := ExpandGroup(g.Name, arch)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range m {
				if _, ok := arch.Number(n); !ok || n == "__dummy_syscall__" {
					t.Errorf("%s: %s expands to %s", arch.Name, g.Name, n)
				}
			}
		}
	}
	for _, c := range []struct {
		arch  *sysnum.Arch
		group string
		has   []string
		lacks []string
	}{
		{sysnum.I386, "@basic-io", []string{"_llseek"}, nil},
		{sysnum.I386, "@network-io", []string{"socketcall", "socket"}, []string{"recv", "send"}},
		{sysnum.I386, "@file-system", []string{"mmap2", "fcntl64", "stat64"}, nil},
		{sysnum.AArch64, "@file-system", []string{"openat", "newfstatat"}, []string{"open", "stat"}},
		{sysnum.AArch64, "@obsolete", nil, []string{"_sysctl", "uselib"}},
		{sysnum.ARM, "@sync", []string{"sync_file_range2"}, nil},
		{sysnum.ARM, "@network-io", []string{"recv", "send"}, []string{"socketcall"}},
	} {
		m, _ := ExpandGroup(c.group, c.arch)
		for _, n := range c.has {
			if !slices.Contains(m, n) {
				t.Errorf("%s %s lacks %s", c.arch.Name, c.group, n)
			}
		}
		for _, n := range c.lacks {
			if slices.Contains(m, n) {
				t.Errorf("%s %s has %s", c.arch.Name, c.group, n)
			}
		}
	}
}

// readFilter decodes a raw sock_filter array (u16 code, u8 jt, u8 jf, u32 k,
// little-endian) and returns the k of every JEQ (0x15) after the load of the
// syscall number (code 0x20, k 0), in filter order.
func readFilter(t *testing.T, path string) []uint32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("precompiled filter %s is absent (Firejail 0.9.72 not installed): %v", path, err)
	}
	if len(data)%8 != 0 {
		t.Fatalf("%s: %d bytes, not whole instructions", path, len(data))
	}
	var ks []uint32
	afterNr := false
	for i := 0; i+8 <= len(data); i += 8 {
		code := binary.LittleEndian.Uint16(data[i:])
		k := binary.LittleEndian.Uint32(data[i+4:])
		switch {
		case code == 0x20 && k == 0:
			afterNr = true
		case code == 0x15 && afterNr:
			ks = append(ks, k)
		}
	}
	return ks
}

// The precompiled x86_64 filters Firejail ships are our @default-nodebuggers
// (seccomp) and @default (seccomp.debug, used with allow-debuggers): same
// syscall numbers, in the same order.
func TestPrecompiledFilters(t *testing.T) {
	for file, group := range map[string]string{"seccomp": "@default-nodebuggers", "seccomp.debug": "@default"} {
		t.Run(file, func(t *testing.T) {
			ks := readFilter(t, firejailLib+file)
			m, err := ExpandGroup(group, sysnum.X86_64)
			if err != nil {
				t.Fatal(err)
			}
			var ours, theirs []string
			for _, n := range m {
				nr, _ := sysnum.X86_64.Number(n)
				ours = append(ours, strconv.Itoa(nr)+" "+n)
			}
			for _, k := range ks {
				n, _ := sysnum.X86_64.SyscallName(int(k))
				theirs = append(theirs, strconv.Itoa(int(k))+" "+n)
			}
			if diff := cmp.Diff(theirs, ours); diff != "" {
				t.Errorf("%s vs %s on x86_64 (-firejail +ours):\n%s", file, group, diff)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	caps := Capabilities
	syscalls := sysnum.AllNames()
	groups := []string{}
	for _, g := range Groups {
		groups = append(groups, g.Name)
	}
	for _, c := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"chrot", syscalls, "chroot"},
		{"net_rwa", caps, "net_raw"},
		{"sys_admn", caps, "sys_admin"},
		{"CHOWN", caps, "chown"},
		{"sys_adimn", caps, "sys_admin"}, // one transposition
		{"@defualt", groups, "@default"},
		{"mout", syscalls, "mount"},
		{"blacklst", []string{"blacklist", "whitelist", "noblacklist"}, "blacklist"},
		{"eprem", []string{"EPERM", "EACCES"}, "EPERM"},
	} {
		got, ok := Suggest(c.word, c.candidates)
		if !ok || got != c.want {
			t.Errorf("Suggest(%q) = %q, %v; want %q", c.word, got, ok, c.want)
		}
	}
	for _, c := range []struct {
		word       string
		candidates []string
	}{
		{"zzzzzz", caps}, {"zzzzzz", syscalls}, {"", caps}, {"x", nil}, {"completely_unrelated", caps},
		{"abcdefghijklmnopqrstuvwxyz", []string{"abc"}},
	} {
		if s, ok := Suggest(c.word, c.candidates); ok {
			t.Errorf("Suggest(%q) = %q; want nothing", c.word, s)
		}
	}
	// Deterministic: ties go to the first in sorted order, whatever the
	// order of the candidates.
	a, _ := Suggest("cat", []string{"cut", "bat"})
	b, _ := Suggest("cat", []string{"bat", "cut"})
	if a != "bat" || b != "bat" {
		t.Errorf("tie-break: %q, %q; want bat", a, b)
	}
	// A long word may be further away: the limit is len/3 (6 here), and
	// a length difference of 5 is still compared.
	if got, ok := Suggest("set_mempolicy_home", []string{"set_mempolicy_home_node"}); !ok || got != "set_mempolicy_home_node" {
		t.Errorf("long word: %q, %v", got, ok)
	}
}
