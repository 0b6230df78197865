package plan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jailc/jailc/compiler/build"
	"github.com/jailc/jailc/compiler/plan"
	"github.com/jailc/jailc/lang/frontend"
)

// decodeRef is the reference decoder: encoding/json refusing unknown
// fields, as Unmarshal was before the fast path.
func decodeRef(data []byte) (*plan.Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p plan.Plan
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

// unmarshalRef is Unmarshal as it was before the fast path.
func unmarshalRef(data []byte) (*plan.Plan, error) {
	return checkVersion(decodeRef(data))
}

func checkVersion(p *plan.Plan, err error) (*plan.Plan, error) {
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	if p.Version != plan.Version {
		return nil, fmt.Errorf("plan version %d is not supported (this build reads version %d); recompile the profile", p.Version, plan.Version)
	}
	return p, nil
}

// checkSame requires Unmarshal to agree with the reference on data: the
// same value, or the same error. It reports whether the fast path decoded
// data (false: Unmarshal fell back to encoding/json).
func checkSame(t *testing.T, name string, data []byte) (fast bool) {
	t.Helper()
	ref, refErr := decodeRef(data)
	want, wantErr := checkVersion(ref, refErr)
	got, gotErr := plan.Unmarshal(data)
	switch {
	case wantErr != nil && gotErr != nil:
		if wantErr.Error() != gotErr.Error() {
			t.Errorf("%s: error %q, want %q", name, gotErr, wantErr)
		}
	case wantErr != nil:
		t.Errorf("%s: decoded, want error %q", name, wantErr)
	case gotErr != nil:
		t.Errorf("%s: error %q, want success", name, gotErr)
	default:
		if d := diff(want, got); d != "" {
			t.Errorf("%s: value differs from encoding/json (-want +got):\n%s", name, d)
		}
	}
	// The fast path on its own (it does not check the version): it may
	// decline anything, but what it accepts encoding/json must decode to
	// the same value.
	fp, ok := plan.DecodeFast(data)
	if !ok {
		return false
	}
	if refErr != nil {
		t.Errorf("%s: fast path accepted input encoding/json refuses (%v)", name, refErr)
		return true
	}
	if d := diff(ref, fp); d != "" {
		t.Errorf("%s: fast path value differs from encoding/json (-want +got):\n%s", name, d)
	}
	return true
}

// diff is cmp.Diff, quicker on equal plans (the plan types have no
// unexported fields or Equal methods, so the two agree on equality).
func diff(want, got *plan.Plan) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return cmp.Diff(want, got)
}

// compileProfile compiles a profile as jailc compile does.
func compileProfile(tb testing.TB, sess *frontend.Session, file string) (*plan.Plan, error) {
	tb.Helper()
	return build.Build(sess.Check(file), build.Options{Env: sess.Env(), Config: sess.Config()})
}

func marshal(tb testing.TB, p *plan.Plan) []byte {
	tb.Helper()
	data, err := plan.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// samplePlan is a small plan as Marshal writes it, for the edits of the
// unit tests.
const samplePlan = `{"version":1,"profile":"/etc/firejail/sample.profile"` +
	`,"bindings":{"user":"root","uid":0,"home":"/root","runuser":"/run/user/0","cfg":"/etc/firejail","xdg":[{"macro":"${DOWNLOADS}","dir":""},{"macro":"${MUSIC}","dir":""}],"config":"/etc/firejail/firejail.config","conditions":[]}` +
	`,"files":["/etc/firejail/sample.profile"]` +
	`,"filesystem":{"private_home":[],"private_etc":[],"private_opt":[],"private_srv":[],"private_bin":[],"private_lib":[],"switches":[],"whitelist_pass":[],"blacklist_pass":[{"op":"blacklist","path":"/boot","added":true,"origin":{"file":"","line":0}},{"op":"blacklist","path":"/sys/firmware","added":true,"origin":{"file":"","line":0}},{"op":"blacklist","path":"/sys/power","added":true,"origin":{"file":"","line":0}},{"op":"blacklist","path":"/root/.ssh","origin":{"file":"/etc/firejail/disable-common.inc","line":12,"col":1,"text":"blacklist ${HOME}/.ssh","chain":["/etc/firejail/sample.profile:3"]}}]}` +
	`,"credentials":{"user":"root","uid":0,"caps_mode":"drop-all","caps_origin":{"file":"/etc/firejail/sample.profile","line":1,"col":1,"text":"caps.drop all"},"bounding":[],"dropped":["chown","dac_override","dac_read_search"],"ambient":[]}` +
	`,"seccomp":{"enabled":false,"mode":"none","error_action":"errno(1)","list":[],"list32":[],"protocol":[],"restrict_namespaces":[],"post_exec":[],"foreign_arch_action":"kill-process","policies":[]}` +
	`,"namespaces":{"mount":true,"pid":true,"ipc":{"origin":{"file":"","line":0,"text":"Firejail creates an IPC namespace for every sandbox started as root"}},"net_none":{"origin":{"file":"/etc/firejail/sample.profile","line":2,"col":1,"text":"net none"}},"net_devices":[]}` +
	`,"environment":[]` +
	`,"resources":{"rlimits":[],"cpus":[],"timeout_seconds":0}` +
	`,"misc":{"quiet":false,"dbus_rules":[],"keep_fd":[],"flags":[],"net":[]}` +
	`,"unsupported":[],"divergences":[],"ignored":[]}` + "\n"

// tinyPlan is the plan of a two-line profile.
func tinyPlan(tb testing.TB) []byte {
	tb.Helper()
	f := filepath.Join(tb.TempDir(), "tiny.profile")
	if err := os.WriteFile(f, []byte("caps.drop all\nnet none\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := compileProfile(tb, sess, f)
	if err != nil {
		tb.Fatal(err)
	}
	return marshal(tb, p)
}

// pingPlan is the plan of Firejail's ping profile, or nil without it.
func pingPlan(tb testing.TB) []byte {
	tb.Helper()
	const ping = "/etc/firejail/ping.profile"
	if _, err := os.Stat(ping); err != nil {
		return nil
	}
	sess, err := frontend.NewSession(frontend.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := compileProfile(tb, sess, ping)
	if err != nil {
		tb.Fatal(err)
	}
	return marshal(tb, p)
}

// Every stock profile's plan takes the fast path and decodes to what
// encoding/json gives.
func TestUnmarshalStockProfiles(t *testing.T) {
	files, _ := filepath.Glob("/etc/firejail/*.profile")
	if len(files) == 0 {
		t.Skip("firejail-profiles is not installed; the stock corpus test needs /etc/firejail")
	}
	if testing.Short() {
		files = files[:min(len(files), 50)]
	}
	var (
		mu sync.Mutex
		n  int
		wg sync.WaitGroup
	)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess, err := frontend.NewSession(frontend.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			for i := w; i < len(files); i += 2 {
				p, err := compileProfile(t, sess, files[i])
				if err != nil {
					continue // not a profile (TestStockProfilesCompile judges)
				}
				data, err := plan.Marshal(p)
				if err != nil {
					t.Errorf("%s: %v", files[i], err)
					continue
				}
				if !checkSame(t, files[i], data) {
					t.Errorf("%s: the fast path declined the plan", files[i])
				}
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n == 0 {
		t.Fatal("no profile compiled")
	}
	t.Logf("%d plans", n)
}

// fill sets every field reachable from v to a non-zero value: slices get
// n elements, pointers a value.
func fill(v reflect.Value, n int, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d/é", *seed))
	case reflect.Int:
		v.SetInt(int64(*seed))
	case reflect.Uint64:
		v.SetUint(1<<63 + uint64(*seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, seed)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range v.Len() {
			fill(v.Index(i), n, seed)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n, seed)
		}
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

// fullPlan is a plan with every field set, n elements in every slice.
func fullPlan(n int) *plan.Plan {
	var p plan.Plan
	seed := 0
	fill(reflect.ValueOf(&p).Elem(), n, &seed)
	p.Version = plan.Version
	return &p
}

// The fast path knows every field of the plan types: a field it does not
// know would still decode (through encoding/json) but slowly.
func TestDecodeFastCoversAllFields(t *testing.T) {
	want := fullPlan(2)
	data := marshal(t, want)
	got, ok := plan.DecodeFast(data)
	if !ok {
		t.Fatal("the fast path declined a plan with every field set; a field was added to the plan types without decode.go")
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	checkSame(t, "full", data)
	if !checkSame(t, "sample", []byte(samplePlan)) {
		t.Error("the fast path declined samplePlan")
	}
	// Empty slices and nil pointers.
	var empty plan.Plan
	empty.Version = plan.Version
	if !checkSame(t, "empty", marshal(t, &empty)) {
		t.Error("the fast path declined an empty plan")
	}
}

// edit returns data with old replaced by new (once), failing if old is
// not there.
func edit(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%q is not in the plan", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

func TestUnmarshalUnknownField(t *testing.T) {
	data := []byte(samplePlan)
	for name, in := range map[string][]byte{
		"top":       edit(t, data, `"version":1,`, `"version":1,"extra":1,`),
		"fsop":      edit(t, data, `"op":"blacklist",`, `"op":"blacklist","mode":"x",`),
		"origin":    edit(t, data, `"line":0}`, `"line":0,"column":3}`),
		"empty key": edit(t, data, `"line":0}`, `"line":0,"":3}`),
	} {
		checkSame(t, name, in)
		_, err := plan.Unmarshal(in)
		if err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("%s: error %v, want an unknown field", name, err)
		}
	}
	// encoding/json matches keys without regard to case; so must we.
	for name, in := range map[string][]byte{
		"case":         edit(t, data, `"op":"blacklist"`, `"OP":"blacklist"`),
		"case top":     edit(t, data, `"version":1`, `"Version":1`),
		"escaped key":  edit(t, data, `"op":"blacklist"`, `"o\u0070":"blacklist"`),
		"long s":       edit(t, data, `"switches":`, "\"\u017fwitches\":"),
		"dup fsop":     edit(t, data, `"op":"blacklist",`, `"op":"x","op":"blacklist",`),
		"dup origin":   edit(t, data, `"line":0}`, `"line":0,"file":"f","line":2}`),
		"dup merge":    edit(t, data, `"version":1,`, `"version":1,"filesystem":{"blacklist_pass":[{"path":"/a","origin":{"file":"f","chain":["x"]}}]},`),
		"dup and case": edit(t, data, `"op":"blacklist",`, `"op":"x","Op":"blacklist",`),
	} {
		if checkSame(t, name, in) {
			t.Errorf("%s: the fast path accepted it", name)
		}
		if _, err := plan.Unmarshal(in); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestUnmarshalWrongType(t *testing.T) {
	data := []byte(samplePlan)
	for name, in := range map[string][]byte{
		"string for int":    edit(t, data, `"line":0`, `"line":"0"`),
		"float for int":     edit(t, data, `"line":0`, `"line":1.5`),
		"exponent for int":  edit(t, data, `"line":0`, `"line":1e2`),
		"float zero":        edit(t, data, `"line":0`, `"line":0.0`),
		"int overflow":      edit(t, data, `"line":0`, `"line":9223372036854775808`),
		"int underflow":     edit(t, data, `"line":0`, `"line":-9223372036854775809`),
		"int overflow more": edit(t, data, `"line":0`, `"line":92233720368547758070`),
		"uint overflow 9":   edit(t, data, `"rlimits":[]`, `"rlimits":[{"name":"nofile","value":18446744073709551619,"origin":{"file":"","line":0}}]`),
		"bool for int":      edit(t, data, `"line":0`, `"line":true`),
		"int for bool":      edit(t, data, `"added":true`, `"added":1`),
		"string for bool":   edit(t, data, `"added":true`, `"added":"true"`),
		"int for string":    edit(t, data, `"path":"/boot"`, `"path":5`),
		"object for string": edit(t, data, `"path":"/boot"`, `"path":{}`),
		"array for object":  edit(t, data, `"origin":{"file":"","line":0}`, `"origin":[]`),
		"object for array":  edit(t, data, `"whitelist_pass":[]`, `"whitelist_pass":{}`),
		"string for slice":  edit(t, data, `"ambient":[]`, `"ambient":"x"`),
		"negative uint":     edit(t, data, `"rlimits":[]`, `"rlimits":[{"name":"nofile","value":-1,"origin":{"file":"","line":0}}]`),
		"uint overflow":     edit(t, data, `"rlimits":[]`, `"rlimits":[{"name":"nofile","value":18446744073709551616,"origin":{"file":"","line":0}}]`),
		"version string":    edit(t, data, `"version":1`, `"version":"1"`),
		"version 2":         edit(t, data, `"version":1`, `"version":2`),
		"no version":        edit(t, data, `"version":1,`, ``),
		"top array":         []byte(`[` + string(data) + `]`),
		"top null":          []byte("null"),
		"empty":             nil,
		"truncated":         data[:len(data)/2],
		"syntax":            edit(t, data, `"line":0}`, `"line":0,}`),
		"leading zero":      edit(t, data, `"line":0`, `"line":01`),
		"minus":             edit(t, data, `"line":0`, `"line":-`),
		"bad literal":       edit(t, data, `"added":true`, `"added":tru`),
		"bad null":          edit(t, data, `"added":true`, `"added":nul`),
		"control char":      edit(t, data, `"path":"/boot"`, "\"path\":\"/bo\tot\""),
		"missing colon":     edit(t, data, `"path":"/boot"`, `"path" "/boot"`),
	} {
		checkSame(t, name, in)
		if _, err := plan.Unmarshal(in); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	// Valid JSON the fast path may or may not take, which must decode.
	for name, in := range map[string][]byte{
		"max int":        edit(t, data, `"line":0`, `"line":9223372036854775807`),
		"min int":        edit(t, data, `"line":0`, `"line":-9223372036854775808`),
		"negative int":   edit(t, data, `"line":0`, `"line":-12`),
		"minus zero":     edit(t, data, `"line":0`, `"line":-0`),
		"max uint":       edit(t, data, `"rlimits":[]`, `"rlimits":[{"name":"nofile","value":18446744073709551615,"origin":{"file":"","line":0}}]`),
		"null slice":     edit(t, data, `"ambient":[]`, `"ambient":null`),
		"null string":    edit(t, data, `"path":"/boot"`, `"path":null`),
		"null int":       edit(t, data, `"line":0`, `"line":null`),
		"null bool":      edit(t, data, `"added":true`, `"added":null`),
		"null object":    edit(t, data, `"origin":{"file":"","line":0}`, `"origin":null`),
		"null pointer":   edit(t, data, `"caps_mode":"drop-all",`, `"caps_mode":"drop-all","no_root":null,`),
		"null element":   edit(t, data, `"blacklist_pass":[`, `"blacklist_pass":[null,`),
		"null in chain":  edit(t, data, `"line":0}`, `"line":0,"chain":[null,"a"]}`),
		"empty chain":    edit(t, data, `"line":0}`, `"line":0,"chain":[]}`),
		"empty object":   edit(t, data, `"origin":{"file":"","line":0}`, `"origin":{}`),
		"trailing data":  append(append([]byte{}, data...), "}garbage{"...),
		"trailing value": append(append([]byte{}, data...), data...),
		"white space":    indent(t, data),
		"non-ASCII":      edit(t, data, `"path":"/boot"`, `"path":"/böot/日本/😀"`),
		"DEL":            edit(t, data, `"path":"/boot"`, "\"path\":\"/bo\x7fot\""),
	} {
		fast := checkSame(t, name, in)
		if _, err := plan.Unmarshal(in); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !fast {
			t.Errorf("%s: the fast path declined it", name)
		}
	}
}

// indent returns data with white space of all four kinds between tokens.
func indent(t *testing.T, data []byte) []byte {
	t.Helper()
	b := bytes.NewBufferString(" \t\r\n")
	if err := json.Indent(b, data, "\r", "\t"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUnmarshalEscapes(t *testing.T) {
	data := []byte(samplePlan)
	for name, c := range map[string]struct {
		in   []byte
		path string
	}{
		"quote":          {edit(t, data, `"path":"/boot"`, `"path":"/bo\"ot"`), `/bo"ot`},
		"backslash":      {edit(t, data, `"path":"/boot"`, `"path":"/bo\\ot"`), `/bo\ot`},
		"slash":          {edit(t, data, `"path":"/boot"`, `"path":"\/boot"`), `/boot`},
		"controls":       {edit(t, data, `"path":"/boot"`, `"path":"\b\f\n\r\t"`), "\b\f\n\r\t"},
		"unicode":        {edit(t, data, `"path":"/boot"`, `"path":"/b\u00f6ot"`), "/böot"},
		"surrogate pair": {edit(t, data, `"path":"/boot"`, `"path":"\ud83d\ude00"`), "😀"},
		"lone surrogate": {edit(t, data, `"path":"/boot"`, `"path":"\ud83d"`), "\ufffd"},
		"invalid UTF-8":  {edit(t, data, `"path":"/boot"`, "\"path\":\"/bo\xffot\""), "/bo\ufffdot"},
		"surrogate UTF-8": {
			edit(t, data, `"path":"/boot"`, "\"path\":\"\xed\xa0\x80\""), "\ufffd\ufffd\ufffd",
		},
	} {
		if checkSame(t, name, c.in) {
			t.Errorf("%s: the fast path accepted it", name)
		}
		p, err := plan.Unmarshal(c.in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := p.Filesystem.BlacklistPass[0].Path; got != c.path {
			t.Errorf("%s: path %q, want %q", name, got, c.path)
		}
	}
	for name, in := range map[string][]byte{
		"bad escape":      edit(t, data, `"path":"/boot"`, `"path":"\x"`),
		"short unicode":   edit(t, data, `"path":"/boot"`, `"path":"\u12"`),
		"escape at end":   edit(t, data, `"path":"/boot"`, `"path":"\`),
		"unterminated":    data[:bytes.Index(data, []byte(`/boot`))],
		"bad escaped key": edit(t, data, `"op":"blacklist"`, `"o\p":"blacklist"`),
	} {
		checkSame(t, name, in)
		if _, err := plan.Unmarshal(in); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// The decoded plan owns its memory: changing the input afterwards changes
// nothing, and no two slices share elements.
func TestUnmarshalCopies(t *testing.T) {
	data := []byte(samplePlan)
	data = edit(t, data, `"line":0}`, `"line":0,"chain":["a","b"]}`)
	data = edit(t, data, `"line":0}`, `"line":0,"chain":["a","b"]}`)
	p, err := plan.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := unmarshalRef(data)
	for i := range data {
		data[i] = 'x'
	}
	c0, c1 := p.Filesystem.BlacklistPass[0].Origin.Chain, p.Filesystem.BlacklistPass[1].Origin.Chain
	_ = append(c0, "appended")
	c1[0] = "changed"
	want.Filesystem.BlacklistPass[1].Origin.Chain[0] = "changed"
	if d := cmp.Diff(want, p); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

func FuzzUnmarshal(f *testing.F) {
	sample := []byte(samplePlan)
	// Small seeds: the fuzzer minimises every new input, which takes long
	// for big ones.
	seeds := [][]byte{sample, tinyPlan(f), marshal(f, fullPlan(1))}
	for _, name := range []string{"ping", "firefox", "curl"} {
		file := "/etc/firejail/" + name + ".profile"
		if _, err := os.Stat(file); err != nil {
			continue
		}
		sess, err := frontend.NewSession(frontend.Options{})
		if err != nil {
			f.Fatal(err)
		}
		p, err := compileProfile(f, sess, file)
		if err != nil {
			f.Fatal(err)
		}
		trim(p)
		seeds = append(seeds, marshal(f, p))
	}
	for _, s := range seeds {
		f.Add(s)
	}
	for _, s := range []string{
		`{"version":1,"filesystem":{"blacklist_pass":[{"op":"blacklist","path":"/a","glob":true,"origin":{"file":"f","line":1,"col":2,"text":"t","chain":["c"]}}]}}`,
		`{"version":1,"seccomp":{"policies":[{"arch":"x86_64","syscalls":[{"nr":41,"rules":[{"conds":[{"arg":0,"op":"eq","mask":18446744073709551615,"value":1,"width":32}],"action":"allow"}],"action":"errno(95)","origins":[{"file":"f","line":1}]}]}]}}`,
		`{"version":1,"resources":{"rlimits":[{"name":"nofile","value":9,"origin":{"file":"f","line":-1}}],"cpus":[0,1],"nice":{"value":"5","origin":{},"overridden":[{"line":2}]}}}`,
		`{"version":1} trailing`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	var ind bytes.Buffer
	if err := json.Indent(&ind, sample, "", " "); err != nil {
		f.Fatal(err)
	}
	f.Add(ind.Bytes())
	for _, r := range [][2]string{
		{`"op":"blacklist"`, `"op":"black\u006cist"`},
		{`"op":"blacklist"`, `"OP":"blacklist"`},
		{`"line":0`, `"line":0.0`},
		{`"line":0`, `"line":-0`},
		{`"line":0`, `"line":null`},
		{`"added":true`, `"added":null`},
		{`"origin":{"file":"","line":0}`, `"origin":null`},
		{`"path":"/boot"`, `"path":"/b\xc3\xb6ot"`},
		{`"path":"/boot"`, `"path":"/b\xffot"`},
		{`"version":1,`, `"version":1,"version":1,`},
		{`"ambient":[]`, `"ambient":null`},
	} {
		f.Add(bytes.Replace(sample, []byte(r[0]), []byte(r[1]), 1))
	}
	for _, at := range splices {
		if !strings.Contains(samplePlan, at[0]+at[1]) {
			f.Fatalf("%q is not in samplePlan", at[0]+at[1])
		}
	}
	// Single values, which the fuzzer also splices into samplePlan.
	for _, s := range []string{
		`"/b\u00f6ot"`, `"/böot"`, "\"/b\xffot\"", `"a\\b"`, `""`, `12`, `-0`, `-12`, `1.0`, `1e2`,
		`18446744073709551615`, `9223372036854775807`, `null`, `true`, `false`, `[]`, `{}`,
		`["a","b"]`, `[null]`, `{"file":"f","line":1,"chain":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, "input", data)
		// data as one value of samplePlan, where the result is more
		// often valid JSON than for mutations of whole plans.
		for _, at := range splices {
			i := strings.Index(samplePlan, at[0]+at[1]) + len(at[0])
			in := slices.Concat([]byte(samplePlan[:i]), data, []byte(samplePlan[i+len(at[1]):]))
			checkSame(t, "spliced at "+at[0], in)
		}
	})
}

// splices are places in samplePlan, as the text before a value and the
// value, where FuzzUnmarshal puts its input.
var splices = [][2]string{
	{`"path":`, `"/boot"`},
	{`disable-common.inc","line":`, `12`},
	{`"/sys/power","added":`, `true`},
	{`"text":"blacklist ${HOME}/.ssh","chain":`, `["/etc/firejail/sample.profile:3"]`},
	{`"/sys/firmware","added":true,"origin":`, `{"file":"","line":0}`},
	{`"blacklist_pass":[{`, `"op"`},
	{`"dropped":`, `["chown","dac_override","dac_read_search"]`},
}

// trim keeps one item of each of the plan's lists that have more.
func trim(p *plan.Plan) {
	var short func(v reflect.Value)
	short = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				short(v.Elem())
			}
		case reflect.Slice:
			if v.Len() > 1 {
				v.Set(v.Slice(0, 1))
			}
			for i := range v.Len() {
				short(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				short(v.Field(i))
			}
		}
	}
	short(reflect.ValueOf(p).Elem())
}

func BenchmarkUnmarshalPing(b *testing.B) {
	data := pingPlan(b)
	if data == nil {
		b.Skip("/etc/firejail/ping.profile is missing")
	}
	benchUnmarshal(b, data)
}

func BenchmarkUnmarshalTiny(b *testing.B) {
	benchUnmarshal(b, tinyPlan(b))
}

func benchUnmarshal(b *testing.B, data []byte) {
	for _, d := range []struct {
		name string
		dec  func([]byte) (*plan.Plan, error)
	}{{"Unmarshal", plan.Unmarshal}, {"encoding-json", unmarshalRef}} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := d.dec(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
