package runtime

import (
	"fmt"
	"os"

	"github.com/jailc/jailc/compiler/bpf"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/compiler/sysnum"
)

// HostArch is the architecture this runner was built for.
func HostArch() *sysnum.Arch {
	switch goarch {
	case "amd64":
		return sysnum.X86_64
	case "386":
		return sysnum.I386
	case "arm64":
		return sysnum.AArch64
	case "arm":
		return sysnum.ARM
	}
	return nil
}

// CompileFilter compiles the plan's seccomp policy for this host into the
// raw program the kernel loads; nil when the plan installs no filter.
func CompileFilter(p *plan.Plan) ([]byte, error) {
	if !p.Seccomp.Enabled {
		return nil, nil
	}
	host := HostArch()
	if host == nil {
		return nil, fmt.Errorf("no seccomp support for this architecture (%s)", goarch)
	}
	f, err := p.Seccomp.Filter(host)
	if err != nil {
		return nil, err
	}
	prog, err := bpf.Compile(f)
	if err != nil {
		return nil, fmt.Errorf("compiling the seccomp filter: %w", err)
	}
	return bpf.Marshal(prog), nil
}

// Run compiles the plan's filter and launches argv with the standard
// streams; the common path of jailrun and jailc run. sg are the signals
// caught since the caller's start (nil: from now on).
func Run(p *plan.Plan, argv []string, allowUnsupported bool, sg *Signals) (int, error) {
	filter, err := CompileFilter(p)
	if err != nil {
		return 0, err
	}
	return Launch(Options{Plan: p, Argv: argv, Filter: filter, AllowUnsupported: allowUnsupported, Warn: os.Stderr, Signals: sg})
}
