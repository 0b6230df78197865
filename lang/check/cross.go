package check

import (
	"fmt"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/diag"
	"github.com/jailc/jailc/lang/resolve"
)

// Codes for rules that span lines.
const (
	CodeConflict        = "conflict"
	CodeNoNetDevice     = "no-network-device"
	CodeRepeatedOption  = "repeated-interface-option"
	CodeTooManyNets     = "too-many-interfaces"
	CodeTooManyDNS      = "too-many-dns"
	CodeDBusRelax       = "dbus-relax"
	CodeEmptyProtocol   = "empty-protocol"
	CodeSeccomp32       = "seccomp32-quirk"
	CodeSharedCapsList  = "shared-caps-list"
	CodeMaxNetDevices   = 4
	CodeMaxDNS          = 4
	protocolPlaceholder = ""
)

// ApplyAlgebra applies Firejail's list algebra (reference §6.6) to an
// accumulated list: x or +x adds, -x removes, =x clears then adds.
func ApplyAlgebra(list []string, line string) []string {
	for _, it := range strings.Split(line, ",") {
		if it == "" {
			continue
		}
		switch it[0] {
		case '-':
			out := list[:0:0]
			for _, x := range list {
				if x != it[1:] {
					out = append(out, x)
				}
			}
			list = out
			continue
		case '=':
			list = nil
			it = it[1:]
		case '+':
			it = it[1:]
		}
		if it != "" && !contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

func (c *checker) at(e *resolve.Entry) { c.e = e }

func (c *checker) crossLine(u *resolve.Unit) {
	var (
		privateEtc, writableEtc *resolve.Entry
		nets                    int
		ifaceOpts               = map[string]*resolve.Entry{}
		dns                     int
		dbusNone                = map[string]*resolve.Entry{}
		protocol                []string
		protoLast               *resolve.Entry
		capsList                *resolve.Entry
		native                  string // "", "seccomp", "seccomp-list", "drop", "keep"
		s32                     []*resolve.Entry
	)
	netEffective := c.opts.Root || !c.opts.Config.Enabled("restricted-network")
	netEffective = netEffective && c.opts.Config.Enabled("network")
	for _, e := range u.Entries {
		if !e.Active || e.Line.Cmd == nil {
			continue
		}
		cmd := e.Line.Cmd
		c.at(e)
		switch cmd.Keyword {
		case "private-etc":
			privateEtc = e
			if writableEtc != nil {
				c.conflict(cmd, "private-etc", writableEtc)
			}
		case "writable-etc":
			writableEtc = e
			if privateEtc != nil {
				c.conflict(cmd, "writable-etc", privateEtc)
			}
		case "net":
			if !cmd.HasArg {
				break
			}
			if cmd.Arg == "lo" {
				break // reported as an invalid argument
			}
			if cmd.Arg == "none" {
				nets = 0
				ifaceOpts = map[string]*resolve.Entry{}
				break
			}
			if !netEffective {
				break
			}
			nets++
			ifaceOpts = map[string]*resolve.Entry{}
			if nets > CodeMaxNetDevices {
				c.errorf(CodeTooManyNets, cmd.Span, "more than 4 network devices", "Firejail stops with \"maximum 4 network devices are allowed\"")
			}
		case "veth-name", "ip", "ip6", "iprange", "mac", "mtu", "netmask":
			if !netEffective {
				break
			}
			if nets == 0 {
				c.errorf(CodeNoNetDevice, cmd.KeywordSpan, fmt.Sprintf("%s needs an earlier `net DEVICE` line", cmd.Keyword),
					"Firejail stops with \"no network device configured\"")
				break
			}
			once := cmd.Keyword != "veth-name" && cmd.Keyword != "mtu"
			if prev := ifaceOpts[cmd.Keyword]; prev != nil && once {
				c.errorf(CodeRepeatedOption, cmd.KeywordSpan, fmt.Sprintf("%s is given twice for the same interface", cmd.Keyword),
					fmt.Sprintf("the first is at %s; Firejail refuses the second", prev.Line.Span.Pos()))
			}
			ifaceOpts[cmd.Keyword] = e
		case "dns":
			if !netEffective {
				break
			}
			dns++
			if dns > CodeMaxDNS {
				c.warnf(CodeTooManyDNS, cmd.Span, "more than 4 dns lines; Firejail ignores this one",
					"Firejail uses the first four DNS servers and prints a warning for the rest")
			}
		case "dbus-user", "dbus-system":
			if cmd.Arg == "none" {
				dbusNone[cmd.Keyword] = e
			} else if prev := dbusNone[cmd.Keyword]; prev != nil && cmd.Arg == "filter" {
				c.warnf(CodeDBusRelax, cmd.Span, fmt.Sprintf("%s filter cannot relax the earlier %s none", cmd.Keyword, cmd.Keyword),
					fmt.Sprintf("%s none at %s stays in force; Firejail prints an error and carries on", cmd.Keyword, prev.Line.Span.Pos()))
			}
		case "nodbus":
			dbusNone["dbus-user"], dbusNone["dbus-system"] = e, e
		case "protocol":
			if cmd.HasArg {
				protocol = ApplyAlgebra(protocol, cmd.Arg)
				protoLast = e
			}
		case "caps.drop", "caps.keep":
			if cmd.Arg == "all" {
				break
			}
			if prev := capsList; prev != nil && prev.Line.Cmd.Keyword != cmd.Keyword {
				c.warnf(CodeSharedCapsList, cmd.KeywordSpan, "caps.drop and caps.keep share one list in Firejail",
					fmt.Sprintf("this list replaces the %s list at %s; since caps.drop wins over caps.keep, Firejail then drops the capabilities listed last; use only one of them", prev.Line.Cmd.Keyword, prev.Line.Span.Pos()))
			}
			capsList = e
		case "seccomp":
			if cmd.HasArg {
				native = maxNative(native, "seccomp-list")
			} else {
				native = maxNative(native, "seccomp")
			}
		case "seccomp.drop":
			native = maxNative(native, "drop")
		case "seccomp.keep":
			native = maxNative(native, "keep")
		case "seccomp.32", "seccomp.32.drop", "seccomp.32.keep":
			if cmd.HasArg {
				s32 = append(s32, e)
			}
		}
	}
	if protoLast != nil && len(protocol) == 0 {
		c.at(protoLast)
		c.errorf(CodeEmptyProtocol, protoLast.Line.Cmd.ArgSpan, "the protocol list is empty after this line",
			"Firejail fails at start on an empty protocol list; to deny every socket family use seccomp.drop socket")
	}
	for _, e := range s32 {
		c.at(e)
		c.seccomp32(e.Line.Cmd, native)
	}
	c.e = nil
}

var nativeRank = map[string]int{"": 0, "seccomp": 1, "seccomp-list": 2, "drop": 3, "keep": 4}

func maxNative(a, b string) string {
	if nativeRank[b] > nativeRank[a] {
		return b
	}
	return a
}

func (c *checker) conflict(cmd *ast.Command, kw string, other *resolve.Entry) {
	c.errorf(CodeConflict, cmd.KeywordSpan, "private-etc and writable-etc cannot be used together",
		fmt.Sprintf("the other line is at %s; Firejail refuses the profile", other.Line.Span.Pos()))
}

// seccomp32 reports how Firejail 0.9.72 mishandles 32-bit lists (§7.6).
func (c *checker) seccomp32(cmd *ast.Command, native string) {
	kw := cmd.Keyword
	warn := func(msg, det string) {
		c.report(diag.Warning, CodeSeccomp32, cmd.KeywordSpan, false, msg, det)
	}
	switch {
	case kw == "seccomp.32.keep":
		warn("seccomp.32.keep builds a native filter in Firejail 0.9.72",
			"Firejail restricts native (64-bit) syscalls to this list, which breaks ordinary programs; jailc applies it to i386 only")
	case native == "" || native == "seccomp" || native == "keep":
		warn(fmt.Sprintf("%s is ignored by Firejail 0.9.72 here", kw),
			"without a native `seccomp LIST` or `seccomp.drop` Firejail loads its precompiled 32-bit filter instead; jailc applies the list to i386")
	case native == "seccomp-list" && kw == "seccomp.32.drop":
		warn("seccomp.32.drop is ignored next to `seccomp LIST`",
			"Firejail builds the plain 32-bit default filter instead; use seccomp.32 LIST with seccomp LIST")
	case native == "drop" && kw == "seccomp.32":
		c.errorf(CodeSeccomp32, cmd.KeywordSpan, "seccomp.32 together with seccomp.drop makes Firejail fail",
			"Firejail calls its seccomp helper with a missing argument and stops; use seccomp.32.drop with seccomp.drop")
	}
}

var _ = protocolPlaceholder
