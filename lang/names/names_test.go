package names

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/sysnum"
)

// Distinct members on x86_64 per group, from reference §7.2.
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
	for _, g := range Groups {
		got, err := ExpandGroup(g.Name, sysnum.X86_64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(got), wantCounts[g.Name]; got != want {
			t.Errorf("%s expands to %d syscalls on x86_64, the reference says %d", g.Name, got, want)
		}
	}
}

// @default in filter order, as listed in reference §7.2.
func TestDefaultOrder(t *testing.T) {
	want := strings.Split("adjtimex,clock_adjtime,clock_settime,settimeofday,modify_ldt,lookup_dcookie,perf_event_open,pidfd_getfd,process_vm_writev,delete_module,finit_module,init_module,chroot,fsconfig,fsmount,fsopen,fspick,mount,move_mount,open_tree,pivot_root,umount2,_sysctl,afs_syscall,create_module,get_kernel_syms,getpmsg,putpmsg,query_module,security,sysfs,tuxcall,uselib,ustat,vserver,ioperm,iopl,kexec_load,kexec_file_load,reboot,swapon,swapoff,open_by_handle_at,name_to_handle_at,ioprio_set,syslog,fanotify_init,add_key,request_key,mbind,migrate_pages,move_pages,keyctl,io_setup,io_destroy,io_getevents,io_submit,io_cancel,remap_file_pages,set_mempolicy,vmsplice,userfaultfd,acct,bpf,nfsservctl,setdomainname,sethostname,vhangup", ",")
	got, _ := ExpandGroup("@default", sysnum.X86_64)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestCapsAndErrnos(t *testing.T) {
	for name, n := range map[string]int{"chown": 0, "net_raw": 13, "sys_admin": 21, "checkpoint_restore": 40} {
		if got, ok := CapNumber(name); !ok || got != n {
			t.Errorf("%s = %d, want %d", name, got, n)
		}
	}
	if _, ok := CapNumber("CHOWN"); ok {
		t.Error("CHOWN accepted; Firejail is case-sensitive")
	}
	// The reference lists 135 names, but Debian's fseccomp debug-errnos
	// prints 134: ENOATTR is not defined by glibc's errno.h, so this build
	// cannot accept it (an "x:ENOATTR" item is dropped like any unknown
	// errno). We follow the binary.
	if len(Errnos) != 134 {
		t.Errorf("%d errnos, want 134", len(Errnos))
	}
	if _, ok := ErrnoNumber("ENOATTR"); ok {
		t.Error("ENOATTR accepted; Debian's Firejail 0.9.72 does not know it")
	}
	for _, e := range Errnos {
		if unix.ErrnoName(unix.Errno(e.Number)) == "" {
			t.Errorf("%s = %d is not a Linux errno", e.Name, e.Number)
		}
	}
	for name, n := range map[string]int{"EPERM": 1, "eacces": 13, "EWOULDBLOCK": 11, "ENOTSUP": 95, "ENODATA": 61, "EHWPOISON": 133} {
		if got, ok := ErrnoNumber(name); !ok || got != n {
			t.Errorf("%s = %d, want %d", name, got, n)
		}
	}
	if ErrnoName(11) != "EAGAIN" {
		t.Errorf("ErrnoName(11) = %s", ErrnoName(11))
	}
}

// Our errno table agrees with Firejail's own (fseccomp debug-errnos).
func TestErrnosMatchFirejail(t *testing.T) {
	out, err := exec.Command("/usr/lib/x86_64-linux-gnu/firejail/fseccomp", "debug-errnos").Output()
	if err != nil {
		t.Skip("fseccomp is not installed (apt-get install firejail)")
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		num, name, ok := strings.Cut(l, "\t- ")
		if !ok {
			continue
		}
		v, _ := strconv.Atoi(num)
		if got, ok := ErrnoNumber(name); !ok || got != v {
			t.Errorf("Firejail: %s = %d; jailc: %d, %v", name, v, got, ok)
		}
		n++
	}
	if n != len(Errnos) {
		t.Errorf("Firejail printed %d errnos, we have %d", n, len(Errnos))
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{"chrot": "chroot", "net_rwa": "net_raw", "blacklst": "blacklist"} {
		got, ok := Suggest(in, append(append([]string{"chroot", "chown", "blacklist", "whitelist"}, Capabilities...), "mount"))
		if !ok || got != want {
			t.Errorf("Suggest(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if s, ok := Suggest("zzzzzz", Capabilities); ok {
		t.Errorf("Suggest(zzzzzz) = %q", s)
	}
}
