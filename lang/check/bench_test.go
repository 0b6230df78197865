package check_test

import (
	"testing"

	"github.com/jailc/jailc/lang/frontend"
)

// BenchmarkStockCorpus checks every stock profile with its includes, the
// way `jailc check /etc/firejail/*.profile` does, and reports profiles/s.
// Peak memory of the whole command is measured by bench/check.sh.
func BenchmarkStockCorpus(b *testing.B) {
	files := stockFiles(b)
	b.ReportAllocs()
	n := 0
	for i := 0; i < b.N; i++ {
		sess, err := frontend.NewSession(frontend.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			sess.Check(f)
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "profiles/s")
}
