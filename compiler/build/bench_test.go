package build_test

import (
	"path/filepath"
	"testing"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/frontend"
)

// BenchmarkCompileCorpus compiles every stock profile to a plan and
// encodes it, as `jailc compile` does, in a fresh session per iteration.
// bench/compile.sh measures the command's peak memory.
func BenchmarkCompileCorpus(b *testing.B) {
	files, _ := filepath.Glob("/etc/firejail/*.profile")
	if len(files) == 0 {
		b.Skip("firejail-profiles is not installed")
	}
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		sess, err := frontend.NewSession(frontend.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			p, err := build.Build(sess.Check(f), build.Options{Env: sess.Env(), Config: sess.Config()})
			if err != nil {
				continue
			}
			if _, err := plan.Marshal(p); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "profiles/s")
}
