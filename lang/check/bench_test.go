package check_test

import (
	"testing"

	"github.com/jailc/jailc/lang/frontend"
)

// BenchmarkStockCorpus checks every stock profile and include file with its
// includes, the way `jailc check /etc/firejail/*` does (a fresh session per
// iteration, so parsing is included; one worker per CPU), and reports
// profiles/s.
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
		sess.DiagnoseAll(files)
		n += len(files)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "profiles/s")
}
