package plan

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// decodeFast decodes the plans Marshal writes without encoding/json: the
// runner reads its plan once per launch in a fresh process, where
// encoding/json's reflection set-up and per-field work cost several
// milliseconds for a large profile.
//
// It accepts only a strict subset of JSON, and only when encoding/json
// would decode the same input to the same value: an object of the Plan's
// fields, keys spelled exactly as in the struct tags, each key at most once
// per object, strings without escape sequences or invalid UTF-8, integers
// without fraction, exponent or leading zeros that fit without overflow.
// Anything else (unknown or differently cased keys, duplicates, escapes,
// wrong types, syntax errors, ...) makes it report false, and Unmarshal
// then decodes with encoding/json, which gives the value or the error.
// As with json.Decoder.Decode, bytes after the top-level object are not
// read. A null leaves the field as it is (zero), except that it is how a
// nil slice or pointer is written, which is what zero is for those too.
//
// Every field of every Plan type must be handled below: a field the fast
// path does not know is an unknown key to it, so the plan would still
// decode correctly but slowly (TestDecodeFastCoversAllFields catches it).
func decodeFast(data []byte) (*Plan, bool) {
	d := decoder{buf: data}
	if d.peek() != '{' {
		return nil, false
	}
	p := new(Plan)
	d.plan(p)
	if d.bad {
		return nil, false
	}
	return p, true
}

type decoder struct {
	buf []byte
	i   int
	bad bool // the input is outside the fast path's subset

	// arena holds the bytes of decoded strings, so that thousands of
	// short strings cost a few allocations. Strings point into it
	// (unsafe.String); bytes once handed out are never written again.
	arena []byte
	// names interns the strings that repeat across a plan (directive
	// names, file names, include sites): a few dozen distinct values
	// stand for thousands of fields. last is the last value of each kind
	// of field, which is often the next one too and is cheaper to check.
	names map[string]string
	last  [numKinds]string
	// Slabs for the elements of the lists with many elements or many
	// instances (see list): include chains and other []string fields,
	// filesystem operations, origins of syscall rules.
	strSlab    []string
	fsopSlab   []FSOp
	originSlab []Origin
}

// Kinds of repeating string fields, for decoder.last.
const (
	kindOther = iota
	kindOp    // FSOp.Op, EnvOp.Op
	kindFile  // Origin.File
	kindText  // Origin.Text, not interned
	kindChain // elements of []string fields
	numKinds
)

func (d *decoder) fail() { d.bad = true }

// peek skips JSON white space and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	if d.i < len(d.buf) {
		if c := d.buf[d.i]; c > ' ' {
			return c
		}
	}
	for ; d.i < len(d.buf); d.i++ {
		switch c := d.buf[d.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// null consumes a null literal if one is next.
func (d *decoder) null() bool {
	if d.peek() != 'n' {
		return false
	}
	if len(d.buf)-d.i >= 4 && string(d.buf[d.i:d.i+4]) == "null" {
		d.i += 4
	} else {
		d.fail()
	}
	return true
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specials marks, in the high bit of each byte, the bytes of w that are a
// quote, a backslash, a control character or not ASCII. The lowest mark
// is exact; marks above it may be false (Mycroft's zero-byte test, which
// borrows across bytes only after a byte it marks).
func specials(w uint64) uint64 {
	quote := w ^ (ones * '"')
	backslash := w ^ (ones * '\\')
	return ((quote-ones)&^quote | (backslash-ones)&^backslash | (w - ones*0x20) | w) & highs
}

// rawString reads a string literal that has no escape sequences, no
// control characters and only valid UTF-8, and returns its contents,
// which alias the input.
func (d *decoder) rawString() []byte {
	if d.peek() != '"' {
		d.fail()
		return nil
	}
	start := d.i + 1
	j := start
	for {
		if j+8 > len(d.buf) {
			break // the last few bytes, one at a time
		}
		m := specials(binary.LittleEndian.Uint64(d.buf[j:]))
		if m == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(m) / 8
		if d.buf[j] == '"' {
			d.i = j + 1
			return d.buf[start:j]
		}
		break // not ASCII, or not in the subset
	}
	ascii := true
	for ; j < len(d.buf); j++ {
		switch c := d.buf[j]; {
		case c == '"':
			s := d.buf[start:j]
			if !ascii && !utf8.Valid(s) {
				// encoding/json replaces invalid bytes with U+FFFD.
				d.fail()
				return nil
			}
			d.i = j + 1
			return s
		case c == '\\' || c < 0x20:
			d.fail()
			return nil
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.fail()
	return nil
}

// copyString returns a string with the bytes of b, from the arena.
func (d *decoder) copyString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(d.arena)-len(d.arena) {
		// A new arena: the rest of the input holds at most this many
		// string bytes, and 64 KiB keeps the waste low for big plans.
		d.arena = make([]byte, 0, max(len(b), min(len(d.buf)-d.i, 64<<10)))
	}
	n := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[n], len(b))
}

// str decodes a string field.
func (d *decoder) str(dst *string) {
	if d.null() {
		return
	}
	if b := d.rawString(); !d.bad {
		*dst = d.copyString(b)
	}
}

// name decodes a string field whose values repeat, interning them.
func (d *decoder) name(dst *string, kind int) {
	if d.null() {
		return
	}
	if b := d.rawString(); !d.bad {
		*dst = d.intern(b, kind)
	}
}

func (d *decoder) intern(b []byte, kind int) string {
	if string(b) == d.last[kind] {
		return d.last[kind]
	}
	s, ok := d.names[string(b)]
	if !ok {
		if d.names == nil {
			d.names = make(map[string]string, 16)
		}
		s = d.copyString(b)
		d.names[s] = s
	}
	d.last[kind] = s
	return s
}

// text decodes Origin.Text, reusing the previous value when it repeats
// (items from one line are often next to each other).
func (d *decoder) text(dst *string) {
	if d.null() {
		return
	}
	if b := d.rawString(); !d.bad {
		if string(b) != d.last[kindText] {
			d.last[kindText] = d.copyString(b)
		}
		*dst = d.last[kindText]
	}
}

// digits reads an integer literal as encoding/json accepts it for an
// integer field, and returns its magnitude, at most limit, and sign.
func (d *decoder) digits(limit uint64, signed bool) (v uint64, neg bool) {
	j := d.i
	if signed && j < len(d.buf) && d.buf[j] == '-' {
		neg = true
		limit++ // -(MaxInt64+1) fits
		j++
	}
	start := j
	for ; j < len(d.buf) && '0' <= d.buf[j] && d.buf[j] <= '9'; j++ {
		c := uint64(d.buf[j] - '0')
		if v > (limit-c)/10 {
			d.fail() // out of range
			return 0, false
		}
		v = v*10 + c
	}
	// No digits, or a leading zero (not JSON). A fraction or an exponent
	// is refused by the caller's check of the next token.
	if j == start || (d.buf[start] == '0' && j-start > 1) {
		d.fail()
		return 0, false
	}
	d.i = j
	return v, neg
}

func (d *decoder) integer(dst *int) {
	if d.null() {
		return
	}
	v, neg := d.digits(math.MaxInt, true)
	if d.bad {
		return
	}
	if neg {
		*dst = int(-v)
	} else {
		*dst = int(v)
	}
}

func (d *decoder) unsigned(dst *uint64) {
	if d.null() {
		return
	}
	v, _ := d.digits(math.MaxUint64, false)
	if !d.bad {
		*dst = v
	}
}

func (d *decoder) boolean(dst *bool) {
	if d.null() {
		return
	}
	switch b := d.buf[d.i:]; {
	case len(b) >= 4 && string(b[:4]) == "true":
		*dst = true
		d.i += 4
	case len(b) >= 5 && string(b[:5]) == "false":
		*dst = false
		d.i += 5
	default:
		d.fail()
	}
}

// object decodes an object; field decodes the value of key and returns a
// bit unique to the key among the object's fields, or 0 for an unknown
// key. A key seen twice ends the fast path (encoding/json merges them).
func (d *decoder) object(field func(key string) uint64) {
	if d.null() {
		return
	}
	if d.peek() != '{' {
		d.fail()
		return
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return
	}
	var seen uint64
	for {
		key := d.rawString()
		if d.bad || d.peek() != ':' {
			d.fail()
			return
		}
		d.i++
		// The key is only compared, never kept: no copy.
		bit := field(unsafe.String(unsafe.SliceData(key), len(key)))
		if d.bad || bit == 0 || seen&bit != 0 {
			d.fail()
			return
		}
		seen |= bit
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return
		default:
			d.fail()
			return
		}
	}
}

// list decodes an array into a slice: nil for null, empty (not nil) for
// [], as encoding/json does. The elements are placed in *slab, which lists
// of one element type share to save allocations: each list is a window of
// it whose capacity ends with the list, so appending to one list never
// writes into another. No element type contains a list of itself, so no
// two lists fill one slab at a time. When the slab is full, the list so
// far moves to a new one, of at least grow elements.
func list[T any](d *decoder, dst *[]T, slab *[]T, grow int, elem func(*decoder, *T)) {
	if d.null() {
		return
	}
	if d.peek() != '[' {
		d.fail()
		return
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		*dst = []T{}
		return
	}
	s := *slab
	start := len(s)
	for {
		if len(s) == cap(s) {
			n := len(s) - start
			t := make([]T, n, max(grow, 2*n))
			copy(t, s[start:])
			s, start = t, 0
		}
		// Writing the zero value (rather than reslicing) makes the first
		// touch of a fresh page a write: one page fault, not a read fault
		// mapping the zero page and then a write fault.
		var zero T
		s = append(s, zero)
		elem(d, &s[len(s)-1])
		if d.bad {
			return
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			*dst = s[start:len(s):len(s)]
			*slab = s
			return
		default:
			d.fail()
			return
		}
	}
}

// smallList decodes a short list into a slice of its own.
func smallList[T any](d *decoder, dst *[]T, elem func(*decoder, *T)) {
	var slab []T
	list(d, dst, &slab, 2, elem)
}

// ptr decodes an object into a new T, or leaves *dst nil for null.
func ptr[T any](d *decoder, dst **T, dec func(*decoder, *T)) {
	if d.null() {
		return
	}
	v := new(T)
	dec(d, v)
	if !d.bad {
		*dst = v
	}
}

// stringList decodes a []string field, interning the elements.
func (d *decoder) stringList(dst *[]string) {
	list(d, dst, &d.strSlab, max(64, cap(d.strSlab)), func(d *decoder, s *string) { d.name(s, kindChain) })
}

// fsops decodes the filesystem passes, which hold most of a plan.
func (d *decoder) fsops(dst *[]FSOp) {
	grow := 16
	if len(d.fsopSlab) == cap(d.fsopSlab) {
		// Each FSOp has two braces, its own and its origin's. The rest
		// of the input has more (other objects, ${MACROS}), so the
		// first slab takes all passes, with some room to spare.
		grow = max(grow, bytes.Count(d.buf[d.i:], []byte{'{'})/2)
	}
	list(d, dst, &d.fsopSlab, grow, (*decoder).fsop)
}

func (d *decoder) ints(dst *[]int) { smallList(d, dst, (*decoder).integer) }

func (d *decoder) origin(o *Origin) {
	d.object(func(k string) uint64 {
		switch k {
		case "file":
			d.name(&o.File, kindFile)
			return 1 << 0
		case "line":
			d.integer(&o.Line)
			return 1 << 1
		case "col":
			d.integer(&o.Col)
			return 1 << 2
		case "text":
			d.text(&o.Text)
			return 1 << 3
		case "chain":
			d.stringList(&o.Chain)
			return 1 << 4
		}
		return 0
	})
}

func (d *decoder) origins(dst *[]Origin) {
	list(d, dst, &d.originSlab, max(16, cap(d.originSlab)), (*decoder).origin)
}

func (d *decoder) originPtr(dst **Origin) { ptr(d, dst, (*decoder).origin) }

func (d *decoder) flag(f *Flag) {
	d.object(func(k string) uint64 {
		if k == "origin" {
			d.origin(&f.Origin)
			return 1
		}
		return 0
	})
}

func (d *decoder) flagPtr(dst **Flag) { ptr(d, dst, (*decoder).flag) }

func (d *decoder) value(v *Value) {
	d.object(func(k string) uint64 {
		switch k {
		case "value":
			d.str(&v.Value)
			return 1 << 0
		case "origin":
			d.origin(&v.Origin)
			return 1 << 1
		case "overridden":
			d.origins(&v.Overridden)
			return 1 << 2
		}
		return 0
	})
}

func (d *decoder) valuePtr(dst **Value) { ptr(d, dst, (*decoder).value) }

func (d *decoder) item(it *Item) {
	d.object(func(k string) uint64 {
		switch k {
		case "value":
			d.name(&it.Value, kindOther)
			return 1 << 0
		case "origin":
			d.origin(&it.Origin)
			return 1 << 1
		}
		return 0
	})
}

func (d *decoder) items(dst *[]Item) { smallList(d, dst, (*decoder).item) }

func (d *decoder) switches(dst *[]Switch) {
	smallList(d, dst, func(d *decoder, s *Switch) {
		d.object(func(k string) uint64 {
			switch k {
			case "name":
				d.name(&s.Name, kindOther)
				return 1 << 0
			case "origin":
				d.origin(&s.Origin)
				return 1 << 1
			}
			return 0
		})
	})
}

func (d *decoder) issues(dst *[]Issue) {
	smallList(d, dst, func(d *decoder, is *Issue) {
		d.object(func(k string) uint64 {
			switch k {
			case "code":
				d.name(&is.Code, kindOther)
				return 1 << 0
			case "message":
				d.str(&is.Message)
				return 1 << 1
			case "origin":
				d.origin(&is.Origin)
				return 1 << 2
			}
			return 0
		})
	})
}

func (d *decoder) plan(p *Plan) {
	d.object(func(k string) uint64 {
		switch k {
		case "version":
			d.integer(&p.Version)
			return 1 << 0
		case "profile":
			d.str(&p.Profile)
			return 1 << 1
		case "bindings":
			d.bindings(&p.Bindings)
			return 1 << 2
		case "files":
			d.stringList(&p.Files)
			return 1 << 3
		case "filesystem":
			d.filesystem(&p.Filesystem)
			return 1 << 4
		case "credentials":
			d.credentials(&p.Credentials)
			return 1 << 5
		case "seccomp":
			d.seccomp(&p.Seccomp)
			return 1 << 6
		case "namespaces":
			d.namespaces(&p.Namespaces)
			return 1 << 7
		case "environment":
			d.environment(&p.Environment)
			return 1 << 8
		case "resources":
			d.resources(&p.Resources)
			return 1 << 9
		case "misc":
			d.misc(&p.Misc)
			return 1 << 10
		case "unsupported":
			d.issues(&p.Unsupported)
			return 1 << 11
		case "divergences":
			d.issues(&p.Divergences)
			return 1 << 12
		case "ignored":
			d.ignored(&p.Ignored)
			return 1 << 13
		}
		return 0
	})
}

func (d *decoder) bindings(b *Bindings) {
	d.object(func(k string) uint64 {
		switch k {
		case "user":
			d.str(&b.User)
			return 1 << 0
		case "uid":
			d.integer(&b.UID)
			return 1 << 1
		case "home":
			d.str(&b.Home)
			return 1 << 2
		case "runuser":
			d.str(&b.RunUser)
			return 1 << 3
		case "cfg":
			d.str(&b.CFG)
			return 1 << 4
		case "xdg":
			smallList(d, &b.XDG, func(d *decoder, x *XDGDir) {
				d.object(func(k string) uint64 {
					switch k {
					case "macro":
						d.str(&x.Macro)
						return 1 << 0
					case "dir":
						d.str(&x.Dir)
						return 1 << 1
					}
					return 0
				})
			})
			return 1 << 5
		case "config":
			d.str(&b.Config)
			return 1 << 6
		case "conditions":
			smallList(d, &b.Conditions, func(d *decoder, c *Condition) {
				d.object(func(k string) uint64 {
					switch k {
					case "name":
						d.name(&c.Name, kindOther)
						return 1 << 0
					case "value":
						d.boolean(&c.Value)
						return 1 << 1
					case "origin":
						d.origin(&c.Origin)
						return 1 << 2
					}
					return 0
				})
			})
			return 1 << 7
		}
		return 0
	})
}

func (d *decoder) fsop(op *FSOp) {
	d.object(func(k string) uint64 {
		switch k {
		case "op":
			d.name(&op.Op, kindOp)
			return 1 << 0
		case "path":
			d.str(&op.Path)
			return 1 << 1
		case "target":
			d.str(&op.Target)
			return 1 << 2
		case "glob":
			d.boolean(&op.Glob)
			return 1 << 3
		case "path_macro":
			d.boolean(&op.PathMacro)
			return 1 << 4
		case "added":
			d.boolean(&op.Added)
			return 1 << 5
		case "origin":
			d.origin(&op.Origin)
			return 1 << 6
		}
		return 0
	})
}

func (d *decoder) filesystem(f *Filesystem) {
	d.object(func(k string) uint64 {
		switch k {
		case "private":
			d.valuePtr(&f.Private)
			return 1 << 0
		case "private_home":
			d.items(&f.PrivateHome)
			return 1 << 1
		case "private_etc":
			d.items(&f.PrivateEtc)
			return 1 << 2
		case "private_opt":
			d.items(&f.PrivateOpt)
			return 1 << 3
		case "private_srv":
			d.items(&f.PrivateSrv)
			return 1 << 4
		case "private_bin":
			d.items(&f.PrivateBin)
			return 1 << 5
		case "private_lib":
			d.items(&f.PrivateLib)
			return 1 << 6
		case "private_lib_on":
			d.flagPtr(&f.PrivateLibOn)
			return 1 << 7
		case "private_cwd":
			d.valuePtr(&f.PrivateCwd)
			return 1 << 8
		case "switches":
			d.switches(&f.Switches)
			return 1 << 9
		case "whitelist_pass":
			d.fsops(&f.WhitelistPass)
			return 1 << 10
		case "blacklist_pass":
			d.fsops(&f.BlacklistPass)
			return 1 << 11
		}
		return 0
	})
}

func (d *decoder) credentials(c *Credentials) {
	d.object(func(k string) uint64 {
		switch k {
		case "user":
			d.str(&c.User)
			return 1 << 0
		case "uid":
			d.integer(&c.UID)
			return 1 << 1
		case "caps_mode":
			d.name(&c.CapsMode, kindOther)
			return 1 << 2
		case "caps_origin":
			d.originPtr(&c.CapsOrigin)
			return 1 << 3
		case "bounding":
			d.stringList(&c.Bounding)
			return 1 << 4
		case "dropped":
			d.stringList(&c.Dropped)
			return 1 << 5
		case "ambient":
			d.stringList(&c.Ambient)
			return 1 << 6
		case "no_new_privs":
			ptr(d, &c.NoNewPrivs, func(d *decoder, r *Reason) {
				d.object(func(k string) uint64 {
					switch k {
					case "why":
						d.str(&r.Why)
						return 1 << 0
					case "origin":
						d.origin(&r.Origin)
						return 1 << 1
					}
					return 0
				})
			})
			return 1 << 7
		case "no_groups":
			d.flagPtr(&c.NoGroups)
			return 1 << 8
		case "no_root":
			d.flagPtr(&c.NoRoot)
			return 1 << 9
		}
		return 0
	})
}

func (d *decoder) seccomp(s *Seccomp) {
	d.object(func(k string) uint64 {
		switch k {
		case "enabled":
			d.boolean(&s.Enabled)
			return 1 << 0
		case "mode":
			d.name(&s.Mode, kindOther)
			return 1 << 1
		case "mode_origin":
			d.originPtr(&s.ModeOrigin)
			return 1 << 2
		case "error_action":
			d.name(&s.ErrorAction, kindOther)
			return 1 << 3
		case "error_action_origin":
			d.originPtr(&s.ErrorActionOrigin)
			return 1 << 4
		case "list":
			d.items(&s.List)
			return 1 << 5
		case "list32":
			d.items(&s.List32)
			return 1 << 6
		case "list32_kind":
			d.name(&s.List32Kind, kindOther)
			return 1 << 7
		case "allow_debuggers":
			d.flagPtr(&s.AllowDebuggers)
			return 1 << 8
		case "block_secondary":
			d.flagPtr(&s.BlockSecondary)
			return 1 << 9
		case "protocol":
			d.items(&s.Protocol)
			return 1 << 10
		case "restrict_namespaces":
			d.items(&s.RestrictNamespaces)
			return 1 << 11
		case "memory_deny_write_execute":
			d.flagPtr(&s.MDWX)
			return 1 << 12
		case "post_exec":
			d.items(&s.PostExec)
			return 1 << 13
		case "foreign_arch_action":
			d.name(&s.Foreign, kindOther)
			return 1 << 14
		case "policies":
			smallList(d, &s.Policies, (*decoder).archPolicy)
			return 1 << 15
		}
		return 0
	})
}

func (d *decoder) archPolicy(a *ArchPolicy) {
	d.object(func(k string) uint64 {
		switch k {
		case "arch":
			d.name(&a.Arch, kindOther)
			return 1 << 0
		case "default":
			d.name(&a.Default, kindOther)
			return 1 << 1
		case "x32":
			d.name(&a.X32, kindOther)
			return 1 << 2
		case "syscalls":
			smallList(d, &a.Syscalls, (*decoder).syscallRule)
			return 1 << 3
		}
		return 0
	})
}

func (d *decoder) syscallRule(r *SyscallRule) {
	d.object(func(k string) uint64 {
		switch k {
		case "nr":
			d.integer(&r.Nr)
			return 1 << 0
		case "name":
			d.name(&r.Name, kindOther)
			return 1 << 1
		case "rules":
			smallList(d, &r.Rules, (*decoder).argRule)
			return 1 << 2
		case "action":
			d.name(&r.Else, kindOther)
			return 1 << 3
		case "origins":
			d.origins(&r.Origins)
			return 1 << 4
		}
		return 0
	})
}

func (d *decoder) argRule(r *ArgRule) {
	d.object(func(k string) uint64 {
		switch k {
		case "conds":
			smallList(d, &r.Conds, (*decoder).argCond)
			return 1 << 0
		case "action":
			d.name(&r.Action, kindOther)
			return 1 << 1
		}
		return 0
	})
}

func (d *decoder) argCond(c *ArgCond) {
	d.object(func(k string) uint64 {
		switch k {
		case "arg":
			d.integer(&c.Arg)
			return 1 << 0
		case "op":
			d.name(&c.Op, kindOther)
			return 1 << 1
		case "mask":
			d.unsigned(&c.Mask)
			return 1 << 2
		case "value":
			d.unsigned(&c.Value)
			return 1 << 3
		case "width":
			d.integer(&c.Width)
			return 1 << 4
		}
		return 0
	})
}

func (d *decoder) namespaces(n *Namespaces) {
	d.object(func(k string) uint64 {
		switch k {
		case "mount":
			d.boolean(&n.Mount)
			return 1 << 0
		case "pid":
			d.boolean(&n.PID)
			return 1 << 1
		case "ipc":
			d.flagPtr(&n.IPC)
			return 1 << 2
		case "uts_hostname":
			d.valuePtr(&n.UTS)
			return 1 << 3
		case "net_none":
			d.flagPtr(&n.NetNone)
			return 1 << 4
		case "net_devices":
			d.items(&n.NetDevs)
			return 1 << 5
		case "user":
			d.flagPtr(&n.User)
			return 1 << 6
		}
		return 0
	})
}

func (d *decoder) environment(dst *[]EnvOp) {
	smallList(d, dst, func(d *decoder, e *EnvOp) {
		d.object(func(k string) uint64 {
			switch k {
			case "op":
				d.name(&e.Op, kindOp)
				return 1 << 0
			case "name":
				d.name(&e.Name, kindOther)
				return 1 << 1
			case "value":
				d.str(&e.Value)
				return 1 << 2
			case "origin":
				d.origin(&e.Origin)
				return 1 << 3
			}
			return 0
		})
	})
}

func (d *decoder) resources(r *Resources) {
	d.object(func(k string) uint64 {
		switch k {
		case "rlimits":
			smallList(d, &r.Rlimits, func(d *decoder, l *Rlimit) {
				d.object(func(k string) uint64 {
					switch k {
					case "name":
						d.name(&l.Name, kindOther)
						return 1 << 0
					case "value":
						d.unsigned(&l.Value)
						return 1 << 1
					case "origin":
						d.origin(&l.Origin)
						return 1 << 2
					}
					return 0
				})
			})
			return 1 << 0
		case "cpus":
			d.ints(&r.CPUs)
			return 1 << 1
		case "cpus_from":
			d.origins(&r.CPUFrom)
			return 1 << 2
		case "nice":
			d.valuePtr(&r.Nice)
			return 1 << 3
		case "timeout_seconds":
			d.integer(&r.TimeoutSeconds)
			return 1 << 4
		case "timeout_origin":
			d.originPtr(&r.TimeoutOrigin)
			return 1 << 5
		}
		return 0
	})
}

func (d *decoder) misc(m *Misc) {
	d.object(func(k string) uint64 {
		switch k {
		case "name":
			d.valuePtr(&m.Name)
			return 1 << 0
		case "join_or_start":
			d.valuePtr(&m.JoinOrStart)
			return 1 << 1
		case "machine_id":
			d.flagPtr(&m.MachineID)
			return 1 << 2
		case "quiet":
			d.boolean(&m.Quiet)
			return 1 << 3
		case "x11":
			d.valuePtr(&m.X11)
			return 1 << 4
		case "xephyr_screen":
			d.valuePtr(&m.XephyrScreen)
			return 1 << 5
		case "dbus_user":
			d.valuePtr(&m.DBusUser)
			return 1 << 6
		case "dbus_system":
			d.valuePtr(&m.DBusSystem)
			return 1 << 7
		case "dbus_rules":
			d.items(&m.DBusRules)
			return 1 << 8
		case "apparmor":
			d.valuePtr(&m.AppArmor)
			return 1 << 9
		case "keep_fd":
			d.items(&m.KeepFD)
			return 1 << 10
		case "hosts_file":
			d.valuePtr(&m.HostsFile)
			return 1 << 11
		case "flags":
			d.switches(&m.Flags)
			return 1 << 12
		case "net":
			d.items(&m.Net)
			return 1 << 13
		}
		return 0
	})
}

func (d *decoder) ignored(dst *[]IgnoredOp) {
	smallList(d, dst, func(d *decoder, o *IgnoredOp) {
		d.object(func(k string) uint64 {
			switch k {
			case "why":
				d.name(&o.Why, kindOther)
				return 1 << 0
			case "by":
				d.str(&o.By)
				return 1 << 1
			case "origin":
				d.origin(&o.Origin)
				return 1 << 2
			}
			return 0
		})
	})
}
