package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/names"
)

// ProtocolOrder is sort.py's protocol check: the families in Firejail's
// canonical order unix, inet, inet6, netlink, packet, bluetooth, each with
// its +, - or = prefix. A line whose items carry - or = is reported without
// a fix, because with those prefixes the order changes what the line means
// (-inet,inet is not inet,-inet).
var ProtocolOrder = &Rule{
	Name:     "protocol-order",
	Doc:      "protocol lists name families in Firejail's order: unix, inet, inet6, netlink, packet, bluetooth (Firejail's sort.py)",
	Severity: diag.Warning,
	Category: "firejail-ci",
	Run:      runProtocolOrder,
}

func protocolRank(item string) (rank int, prefix int, ok bool) {
	base := item
	prefix = 0
	if base != "" && strings.ContainsRune("-+=", rune(base[0])) {
		prefix = strings.IndexByte("-+=", base[0]) + 1
		base = base[1:]
	}
	for i, pr := range names.Protocols {
		if pr.Name == base {
			return i, prefix, true
		}
	}
	return 0, 0, false
}

func runProtocolOrder(p *Pass) {
	for _, l := range p.File.Lines {
		if !atColumn0(l) || l.Cmd.Keyword != "protocol" {
			continue
		}
		cmd := l.Cmd
		items := strings.Split(cmd.Arg, ",")
		type ranked struct {
			item         string
			rank, prefix int
		}
		var known []ranked
		var unknown []string
		order := false
		for _, it := range items {
			r, pre, ok := protocolRank(it)
			if !ok {
				unknown = append(unknown, it)
				continue
			}
			if pre == 1 || pre == 3 {
				order = true
			}
			known = append(known, ranked{it, r, pre})
		}
		sorted := append([]ranked(nil), known...)
		sort.SliceStable(sorted, func(i, j int) bool {
			if sorted[i].rank != sorted[j].rank {
				return sorted[i].rank < sorted[j].rank
			}
			return sorted[i].prefix < sorted[j].prefix
		})
		bad := -1
		for i := range known {
			if known[i] != sorted[i] {
				bad = i
				break
			}
		}
		if bad < 0 {
			continue
		}
		want := make([]string, 0, len(items))
		for _, s := range sorted {
			want = append(want, s.item)
		}
		want = append(want, unknown...)
		d := Diag(cmd.ArgSpan, fmt.Sprintf("protocol families are not in Firejail's order: %q should come before %q", sorted[bad].item, known[bad].item),
			"Firejail's CI (sort.py) keeps them as unix, inet, inet6, netlink, packet, bluetooth: "+strings.Join(want, ","))
		if order {
			d.Detail = append(d.Detail, "not fixed automatically: with - or = items the order of the line changes its meaning")
			p.Report(d)
			continue
		}
		p.Report(d, Fix{
			Message: "put the families in Firejail's order",
			Edits:   []Edit{{File: p.File.Src.Name, Start: cmd.ArgSpan.Start, End: cmd.ArgSpan.End, NewText: strings.Join(want, ",")}},
		})
	}
}
