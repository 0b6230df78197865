package check

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/jailc/jailc/lang/ast"
	"github.com/jailc/jailc/lang/directive"
	"github.com/jailc/jailc/lang/macro"
	"github.com/jailc/jailc/lang/names"
	"github.com/jailc/jailc/lang/resolve"
)

// Codes for argument problems.
const (
	CodeInvalidFilename  = "invalid-filename"
	CodeDotDot           = "dotdot-path"
	CodeDollarHome       = resolve.CodeDollarHome
	CodeMacroNotAllowed  = "macro-not-allowed"
	CodeRelativePath     = "relative-path"
	CodeMkdirOutside     = "mkdir-outside"
	CodeNowhitelistGlob  = "nowhitelist-glob"
	CodeMissingPath      = "missing-path"
	CodeListSpace        = "list-space"
	CodeEmptyList        = "empty-list"
	CodeInvalidListItem  = "invalid-list-item"
	CodeUnknownCap       = "unknown-capability"
	CodeUnknownProtocol  = "unknown-protocol"
	CodeUnknownNamespace = "unknown-namespace"
	CodeInvalidErrno     = "unknown-errno"
	CodeInvalidValue     = "invalid-value"
	CodeIgnoredText      = "ignored-text"
	CodeInvalidDBus      = "invalid-dbus-name"
	CodeInvalidDBusRule  = "invalid-dbus-rule"
	CodeInvalidEnv       = "invalid-env"
	CodeInvalidIP        = "invalid-address"
)

func hostStat(p string) (bool, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return false, false
	}
	return true, st.IsDir()
}

func (c *checker) argument(spec *directive.Spec, cmd *ast.Command) {
	arg := cmd.Arg
	switch spec.Arg {
	case directive.ArgPath, directive.ArgWhitelist, directive.ArgWhitelistRO:
		c.path(spec, cmd)
	case directive.ArgMkPath:
		c.mkpath(cmd)
	case directive.ArgBind:
		c.bind(cmd)
	case directive.ArgPrivateDir, directive.ArgCwd:
		c.dirArg(spec, cmd)
	case directive.ArgFile:
		c.fileArg(spec, cmd)
	case directive.ArgPrivateHome, directive.ArgPrivateEtc, directive.ArgPrivateBin, directive.ArgPrivateLib:
		c.privateList(spec, cmd)
	case directive.ArgSyscalls:
		c.syscalls(spec, cmd)
	case directive.ArgErrorAction:
		if arg != "kill" && arg != "log" {
			if _, ok := names.ErrnoNumber(arg); !ok {
				c.errorf(CodeInvalidErrno, cmd.ArgSpan, fmt.Sprintf("unknown error action %q", arg),
					suggestion(strings.ToUpper(arg), errnoNames())+"use kill, log or an errno name such as EPERM")
			}
		}
	case directive.ArgNamespaces:
		c.algebra(cmd, namespaceNames(), CodeUnknownNamespace, "namespace")
	case directive.ArgProtocols:
		c.algebra(cmd, protocolNames(), CodeUnknownProtocol, "protocol")
	case directive.ArgKeepFD:
		if arg != "all" {
			c.algebra(cmd, nil, CodeInvalidListItem, "file descriptor")
		}
	case directive.ArgCapsDrop:
		if arg != "all" {
			c.caps(cmd)
		}
	case directive.ArgCaps:
		c.caps(cmd)
	case directive.ArgNet:
		if arg == "lo" {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, "net lo is not allowed", "use `net none` for a namespace with only loopback")
		}
	case directive.ArgIfName, directive.ArgText, directive.ArgIgnore, directive.ArgEnvName:
		// Any non-empty text.
	case directive.ArgNetns:
		if strings.Contains(arg, "/") || strings.Contains(arg, "..") {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("invalid network namespace name %q", arg),
				"a name from /var/run/netns, without / or ..")
		}
	case directive.ArgIP:
		if arg != "none" && arg != "dhcp" {
			c.ipv4(cmd, arg)
		}
	case directive.ArgIP6:
		if arg != "dhcp" && !validIPv6(arg) {
			c.errorf(CodeInvalidIP, cmd.ArgSpan, fmt.Sprintf("invalid IPv6 address %q", arg), "write an IPv6 address, optionally with /0..128, or dhcp")
		}
	case directive.ArgIPRange:
		a, b, ok := strings.Cut(arg, ",")
		ia, ib := net.ParseIP(a).To4(), net.ParseIP(b).To4()
		if !ok || ia == nil || ib == nil || ipLess(ib, ia) || ia.Equal(ib) {
			c.errorf(CodeInvalidIP, cmd.ArgSpan, fmt.Sprintf("invalid IP range %q", arg), "write FIRST,LAST with FIRST below LAST, e.g. 10.10.20.2,10.10.20.50")
		}
	case directive.ArgMAC:
		hw, err := net.ParseMAC(arg)
		if err != nil || len(hw) != 6 || len(arg) != 17 {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("invalid MAC address %q", arg), "write xx:xx:xx:xx:xx:xx")
		} else if hw[0]&1 != 0 {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("%q is a multicast MAC address", arg), "the first byte must be even")
		}
	case directive.ArgMTU:
		n, err := strconv.Atoi(arg)
		if err != nil || n < 576 || n > 9198 {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("invalid MTU %q", arg), "write a number from 576 to 9198")
		}
	case directive.ArgIPv4:
		c.ipv4(cmd, arg)
	case directive.ArgIPAny:
		if net.ParseIP(arg) == nil {
			c.errorf(CodeInvalidIP, cmd.ArgSpan, fmt.Sprintf("invalid DNS server address %q", arg), "write an IPv4 or IPv6 address")
		}
	case directive.ArgX11:
		switch arg {
		case "none", "xephyr", "xpra", "xvfb", "xorg":
		default:
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("unknown x11 mode %q", arg),
				suggestion(arg, []string{"none", "xephyr", "xpra", "xvfb", "xorg"})+"use none, xorg, xephyr, xpra or xvfb")
		}
	case directive.ArgScreen:
		w, h, ok := strings.Cut(arg, "x")
		if !ok || !allDigits(w) || !allDigits(h) {
			c.warnf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("screen size %q is not WIDTHxHEIGHT", arg),
				"Firejail does not check it here; Xephyr will fail to start")
		}
	case directive.ArgDBusPolicy:
		if arg != "filter" && arg != "none" {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("unknown D-Bus policy %q", arg), "use filter or none")
		}
	case directive.ArgDBusName:
		if !validDBusName(arg) {
			c.errorf(CodeInvalidDBus, cmd.ArgSpan, fmt.Sprintf("invalid D-Bus name %q", arg),
				"a name has at least two dot-separated parts of letters, digits, _ and -, not starting with a digit; the last part may be *")
		}
	case directive.ArgDBusRule:
		if msg := dbusRuleError(arg); msg != "" {
			c.errorf(CodeInvalidDBusRule, cmd.ArgSpan, fmt.Sprintf("invalid D-Bus rule %q: %s", arg, msg),
				"write NAME=[INTERFACE][@/object/path], e.g. org.freedesktop.Notifications=org.freedesktop.Notifications.*@/org/freedesktop/Notifications")
		}
	case directive.ArgEnv:
		name, _, ok := strings.Cut(arg, "=")
		switch {
		case !ok:
			c.errorf(CodeInvalidEnv, cmd.ArgSpan, fmt.Sprintf("env needs NAME=VALUE, got %q", arg), fmt.Sprintf("write `env %s=VALUE`", arg))
		case name == "":
			c.errorf(CodeInvalidEnv, cmd.ArgSpanOf(0, 1), "env variable name is empty", "Firejail fails at start with \"setenv: Invalid argument\"")
		}
	case directive.ArgUint:
		c.uint(cmd)
	case directive.ArgSize:
		if !validSize(arg) {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("invalid size %q", arg), "write a positive number with an optional k, m or g suffix, e.g. 512m")
		}
	case directive.ArgTimeout:
		if msg := timeoutError(arg); msg != "" {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("invalid timeout %q: %s", arg, msg), "write hh:mm:ss, e.g. 01:30:00")
		}
	case directive.ArgCPU:
		c.cpu(cmd)
	case directive.ArgInt:
		if _, err := strconv.Atoi(arg); err != nil {
			c.warnf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("nice value %q is not a number", arg),
				"Firejail reads it with atoi and silently uses the leading digits, or 0")
		}
	case directive.ArgShell:
		if arg == "none" {
			c.warnf(CodeDeprecated, cmd.Span, "`shell none` is the default and deprecated", "remove the line")
		} else {
			c.errorf(CodeInvalidValue, cmd.ArgSpan, fmt.Sprintf("shell %q is not supported by Firejail 0.9.72", arg),
				"only `shell none` is accepted (and it is the default); `shell PROGRAM` needs Firejail 0.9.74 or later")
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func ipLess(a, b net.IP) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// ipv4 follows Firejail's lenient parser: four dotted numbers are required;
// trailing junk is accepted (and reported as a warning).
func (c *checker) ipv4(cmd *ast.Command, s string) {
	end := 0
	parts := 0
	for parts < 4 {
		start := end
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		if end == start || end-start > 3 {
			break
		}
		if v, _ := strconv.Atoi(s[start:end]); v > 255 {
			break
		}
		parts++
		if parts < 4 {
			if end >= len(s) || s[end] != '.' {
				break
			}
			end++
		}
	}
	if parts < 4 {
		c.errorf(CodeInvalidIP, cmd.ArgSpan, fmt.Sprintf("invalid IPv4 address %q", s), "write four dotted numbers, e.g. 192.168.1.10")
		return
	}
	if end < len(s) {
		c.warnf(CodeIgnoredText, cmd.ArgSpanOf(end, len(s)), fmt.Sprintf("text %q after the address is ignored", s[end:]))
	}
}

func validIPv6(s string) bool {
	addr, plen, hasLen := strings.Cut(s, "/")
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil && !strings.Contains(addr, ":") {
		return false
	}
	if hasLen {
		n, err := strconv.Atoi(plen)
		return err == nil && n >= 0 && n <= 128
	}
	return true
}

func validSize(s string) bool {
	if s == "" {
		return false
	}
	num := s
	switch s[len(s)-1] {
	case 'k', 'm', 'g':
		num = s[:len(s)-1]
	}
	if !allDigits(num) {
		return false
	}
	v, err := strconv.ParseUint(num, 10, 64)
	return err == nil && v > 0
}

func timeoutError(s string) string {
	f := strings.Split(s, ":")
	if len(f) != 3 {
		return "expected three fields"
	}
	total := 0
	for _, x := range f {
		if len(x) < 1 || len(x) > 2 || !allDigits(x) {
			return "each field is one or two digits"
		}
		v, _ := strconv.Atoi(x)
		total += v
	}
	if total == 0 {
		return "the timeout is zero"
	}
	return ""
}

func (c *checker) uint(cmd *ast.Command) {
	arg := cmd.Arg
	num, rest, _ := strings.Cut(arg, " ")
	if !allDigits(num) {
		c.errorf(CodeInvalidValue, cmd.ArgSpanOf(0, len(num)), fmt.Sprintf("invalid %s value %q", cmd.Keyword, num), "write a non-negative whole number")
		return
	}
	if _, err := strconv.ParseUint(num, 10, 64); err != nil {
		c.errorf(CodeInvalidValue, cmd.ArgSpanOf(0, len(num)), fmt.Sprintf("%s value %q is too large", cmd.Keyword, num))
		return
	}
	if rest != "" {
		c.warnf(CodeIgnoredText, cmd.ArgSpanOf(len(num)+1, len(arg)), fmt.Sprintf("text %q after the number is ignored", rest))
	}
}

func (c *checker) cpu(cmd *ast.Command) {
	arg := cmd.Arg
	for i := 0; i < len(arg); i++ {
		if (arg[i] < '0' || arg[i] > '9') && arg[i] != ',' {
			c.errorf(CodeInvalidValue, cmd.ArgSpanOf(i, i+1), fmt.Sprintf("invalid cpu list %q", arg), "write CPU numbers separated by commas, e.g. 0,1")
			return
		}
	}
	off := 0
	for _, it := range strings.Split(arg, ",") {
		if it != "" {
			if v, err := strconv.Atoi(it); err != nil || v > 31 {
				c.errorf(CodeInvalidValue, cmd.ArgSpanOf(off, off+len(it)), fmt.Sprintf("invalid cpu number %q", it), "Firejail accepts CPUs 0 to 31")
			}
		}
		off += len(it) + 1
	}
}

// items splits a comma list, returning each item with its offset.
type item struct {
	text     string
	from, to int
}

func splitList(s string) []item {
	var out []item
	off := 0
	for _, it := range strings.Split(s, ",") {
		out = append(out, item{it, off, off + len(it)})
		off += len(it) + 1
	}
	return out
}

func (c *checker) caps(cmd *ast.Command) {
	for _, it := range splitList(cmd.Arg) {
		if _, ok := names.CapNumber(it.text); ok {
			continue
		}
		span := cmd.ArgSpanOf(it.from, it.to)
		switch {
		case it.text == "":
			c.errorf(CodeUnknownCap, span, "empty capability name in list", "Firejail stops with `capability \"\" not found`; remove the extra comma")
		default:
			det := suggestion(strings.TrimPrefix(strings.ToLower(it.text), "cap_"), names.Capabilities)
			if _, ok := names.CapNumber(strings.TrimPrefix(strings.ToLower(it.text), "cap_")); ok {
				det = fmt.Sprintf("write %q: lower case, without the cap_ prefix", strings.TrimPrefix(strings.ToLower(it.text), "cap_"))
			}
			c.errorf(CodeUnknownCap, span, fmt.Sprintf("unknown capability %q", it.text), strings.TrimSpace(det+" `jailc caps` lists the names"))
		}
	}
}

// algebra validates a list using +x, -x, =x prefixes (protocol,
// restrict-namespaces, keep-fd). valid nil means numbers.
func (c *checker) algebra(cmd *ast.Command, valid []string, code, what string) {
	for _, it := range splitList(cmd.Arg) {
		t := it.text
		from := it.from
		if t != "" && (t[0] == '+' || t[0] == '-' || t[0] == '=') {
			t, from = t[1:], from+1
		}
		if t == "" {
			continue
		}
		span := cmd.ArgSpanOf(from, it.to)
		if strings.Contains(t, " ") {
			c.errorf(code, span, fmt.Sprintf("%s %q contains a space", what, t), "lists are separated by commas only")
			continue
		}
		if valid == nil {
			if !allDigits(t) {
				c.errorf(code, span, fmt.Sprintf("invalid %s %q", what, t), "write file descriptor numbers, or all")
			}
			continue
		}
		if !contains(valid, t) {
			c.errorf(code, span, fmt.Sprintf("unknown %s %q", what, t),
				strings.TrimSpace(suggestion(t, valid)+fmt.Sprintf("the %ss are %s; Firejail fails when the sandbox starts", what, strings.Join(valid, ", "))))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func protocolNames() []string {
	out := make([]string, len(names.Protocols))
	for i, p := range names.Protocols {
		out[i] = p.Name
	}
	return out
}

func namespaceNames() []string {
	out := make([]string, len(names.Namespaces))
	for i, n := range names.Namespaces {
		out[i] = n.Name
	}
	return out
}

func errnoNames() []string {
	out := make([]string, len(names.Errnos))
	for i, e := range names.Errnos {
		out[i] = e.Name
	}
	return out
}

// D-Bus grammar (reference §2.8).
func dbusSegment(s string, hyphen bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		letter := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '_' || (hyphen && ch == '-')
		digit := ch >= '0' && ch <= '9'
		if !letter && !(digit && i > 0) {
			return false
		}
	}
	return true
}

func validDBusName(s string) bool {
	if len(s) > 255 {
		return false
	}
	segs := strings.Split(s, ".")
	if len(segs) < 2 {
		return false
	}
	for i, seg := range segs {
		if i == len(segs)-1 && seg == "*" {
			continue
		}
		if !dbusSegment(seg, true) {
			return false
		}
	}
	return true
}

func dbusRuleError(s string) string {
	name, rest, ok := strings.Cut(s, "=")
	if !ok {
		return "the bus name must be followed by ="
	}
	if !validDBusName(name) {
		return fmt.Sprintf("%q is not a bus name", name)
	}
	iface, obj, hasObj := strings.Cut(rest, "@")
	if iface != "" {
		segs := strings.Split(iface, ".")
		for i, seg := range segs {
			if i == len(segs)-1 && seg == "*" && i > 0 {
				continue
			}
			if !dbusSegment(seg, false) {
				return fmt.Sprintf("%q is not an interface name", iface)
			}
		}
	}
	if hasObj {
		if obj == "/" {
			return ""
		}
		if !strings.HasPrefix(obj, "/") {
			return "the object path must start with /"
		}
		segs := strings.Split(obj[1:], "/")
		for i, seg := range segs {
			if i == len(segs)-1 && seg == "*" {
				continue
			}
			if seg == "" {
				return fmt.Sprintf("%q is not an object path", obj)
			}
			for j := 0; j < len(seg); j++ {
				ch := seg[j]
				if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_') {
					return fmt.Sprintf("%q is not an object path", obj)
				}
			}
		}
	}
	return ""
}

var _ = macro.IsXDG
