package runtime

import (
	"os"
	goruntime "runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/lang/frontend"
)

// BenchmarkViewPing builds the filesystem view of Firejail's ping profile
// (1,919 entry-list operations) in a fresh mount namespace per iteration:
// the part of a launch that grows with the profile.
func BenchmarkViewPing(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("building a sandbox's view needs root (mount namespaces)")
	}
	const profile = "/etc/firejail/ping.profile"
	if _, err := os.Stat(profile); err != nil {
		b.Skip("Firejail's profiles are not installed (apt-get install firejail-profiles)")
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		b.Fatal(err)
	}
	res := sess.Check(profile)
	p, err := build.Build(res, build.Options{Env: sess.Env(), Config: sess.Config()})
	if err != nil {
		b.Fatal(err)
	}
	u, err := LookupUser(0)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(StagingDir, 0o755); err != nil {
		b.Fatal(err)
	}
	s := &setup{Plan: p, User: u, Env: os.Environ(), Staging: StagingDir}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		errc := make(chan *StepError)
		go func() {
			goruntime.LockOSThread() // never unlocked: the thread ends with its namespaces
			if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC); err != nil {
				errc <- stepErr("namespaces", "unshare", "", nil, err)
				return
			}
			if err := unix.Chdir("/proc"); err != nil {
				errc <- stepErr("namespaces", "chdir", "/proc", nil, err)
				return
			}
			sb := &sandbox{s: s, fdDir: "self/fd", startInit: func() *StepError { return nil }}
			errc <- sb.build()
		}()
		if e := <-errc; e != nil {
			b.Fatal(e)
		}
	}
}
