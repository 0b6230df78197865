// Package caps is the table of Linux capability names, shared by the
// language (lang/names validates caps.keep and caps.drop against it) and
// the runtime (which turns the plan's names into bits) — the runner must not
// link the language, so the table lives here.
package caps

// Names are the 41 capability names Firejail 0.9.72 accepts, in number order
// (index = capability number, 0..40), lower case without the cap_ prefix.
var Names = []string{
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
	"setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
	"lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
	"wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
}

// Number returns a capability's number (exact, case-sensitive).
func Number(name string) (int, bool) {
	for i, c := range Names {
		if c == name {
			return i, true
		}
	}
	return 0, false
}
