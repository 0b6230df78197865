// Package runtime launches a program inside the sandbox a compiled plan
// describes. It links only the plan (compiler/plan) and its own code, never
// the language front end, so the runner stays small enough to audit.
//
// As root on amd64 and arm64 (the common case: systemd units, `jailc run`)
// no second runner process starts: one of jailrun's threads unshares the
// namespaces and builds the filesystem view; pid 1 — plain system calls, no
// Go runtime, sharing jailrun's memory on a stack of its own — mounts
// /proc, makes the network namespace for net none, reaps and forwards
// signals, and starts the process that waits for the view, sets limits,
// credentials and seccomp and executes the program (launchDirect in
// direct_linux.go, children in child_linux.go). Rootless and noroot launches need a user namespace,
// which a threaded process cannot enter, so they — and other
// architectures — re-execute the runner for two stages instead (messages
// are typed JSON on a socketpair; no environment-variable ABI):
//
//	jailrun (parent, host)              init (pid 1 in new namespaces)      exec stage
//	──────────────────────             ──────────────────────────────      ──────────
//	read plan, refuse unsupported
//	resolve user, compile nothing
//	clone init ───────────────────────▶ read Setup
//	                                    mounts, hostname, loopback
//	                                    start exec stage ─────────────────▶ read Final
//	                                                                        rlimits, cpu, nice
//	                                                                        groups, uid/gid, caps
//	                                                                        no_new_privs, close fds
//	                                    ◀─ error or EOF (exec done) ─────── seccomp, execve
//	◀── ready / StepError ───────────── reap zombies, forward signals
//	forward signals, wait               exit with the program's status
//
// Both paths run the same filesystem code and the same steps in the same
// order. Every setup step that fails stops the launch: the program never
// starts and the error names the step, the operation, the path and the
// plan rule.
package runtime

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jailc/jailc/compiler/plan"
)

// StepError is a failed setup step. It crosses process boundaries as a
// message of its own.
type StepError struct {
	Step   string       `json:"step"`             // e.g. "blacklist", "capabilities"
	Op     string       `json:"op"`               // the system call or action, e.g. "mount tmpfs"
	Path   string       `json:"path,omitempty"`   // the path it acted on
	Origin *plan.Origin `json:"origin,omitempty"` // the plan rule that asked for it
	Err    string       `json:"error"`
}

func (e *StepError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "setup step %q failed: %s", e.Step, e.Op)
	if e.Path != "" {
		fmt.Fprintf(&b, " %s", e.Path)
	}
	fmt.Fprintf(&b, ": %s", e.Err)
	if e.Origin != nil && e.Origin.File != "" {
		fmt.Fprintf(&b, " (rule `%s` at %s)", e.Origin.Text, e.Origin)
	}
	b.WriteString("; the program was not started")
	return b.String()
}

func stepErr(step, op, path string, o *plan.Origin, err error) *StepError {
	return &StepError{Step: step, Op: op, Path: path, Origin: o, Err: err.Error()}
}

// User is the resolved target user.
type User struct {
	Name   string `json:"name"`
	UID    int    `json:"uid"`
	GID    int    `json:"gid"`
	Groups []int  `json:"groups"`
	Home   string `json:"home"`
}

// setup is what the parent sends to init.
type setup struct {
	Plan    *plan.Plan `json:"plan"`
	User    User       `json:"user"`
	Argv    []string   `json:"argv"`
	Env     []string   `json:"env"`
	Cwd     string     `json:"cwd"`
	Filter  []byte     `json:"filter"`   // raw struct sock_filter array; nil: no seccomp
	Inject  string     `json:"inject"`   // fault injection for tests: fail this step
	NetNone bool       `json:"net_none"` // a new network namespace was created
	// Staging is the mount point of init's scratch tmpfs.
	Staging string `json:"staging"`
	// Rootless: started by a non-root user inside a user namespace.
	Rootless bool `json:"rootless"`
}

// reply is what init sends back once: ready, or the error that stopped it.
type reply struct {
	Ready bool       `json:"ready"`
	Err   *StepError `json:"err,omitempty"`
}

// send writes one length-prefixed JSON message. (gob decodes large plans
// faster, but its package initialisation costs every launch 0.2 ms, and
// only rootless and noroot launches use these messages.)
func send(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	b := buf.Bytes()
	hdr := make([]byte, 4)
	binary.LittleEndian.PutUint32(hdr, uint32(len(b)))
	_, err := w.Write(append(hdr, b...))
	return err
}

// recv reads one length-prefixed JSON message; io.EOF when the peer closed
// without sending one.
func recv(r io.Reader, v any) error {
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return err
	}
	n := binary.LittleEndian.Uint32(hdr)
	if n > 256<<20 {
		return fmt.Errorf("message of %d bytes is too large", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
