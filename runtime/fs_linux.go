package runtime

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/jailc/jailc/compiler/plan"
)

const atRecursive = 0x8000 // AT_RECURSIVE for mount_setattr

// sandbox holds init's state while it builds the filesystem view.
type sandbox struct {
	s *setup
	// The staging tmpfs is reached through a descriptor, not its path: a
	// later whitelist of /run/... mounts a tmpfs over /run and would hide
	// /run/jailc.
	stage     *os.File
	emptyFile string // a 000 file on the staging tmpfs, bound over hidden files
	emptyDir  string // a 000 directory, bound over hidden directories
	// listings caches directory listings by real path, for glob
	// expansion (profiles glob ${PATH}/x* hundreds of times against the
	// same directories) and for hide and resolve. A mount over a
	// directory drops the listings of it and below (forget); its parent
	// still lists it. The operations that add entries (mkdir, mkfile,
	// bind) drop them all, so an entry a listing lacks is absent.
	listings map[string]dirList
	// hidden holds the real paths already hidden: on merged-/usr systems
	// ${PATH} lists /bin and /usr/bin, which are the same directory.
	hidden map[string]bool
	// handled holds the entries (directory real path + name) hide has
	// dealt with; dropped with the caches when entries are added.
	handled map[string]bool
	// asked counts hide's questions per directory: from the fourth
	// on, one read of the directory answers them instead of an lstat each.
	asked map[string]int
	// realDirs caches the real paths of directories (see realDir).
	// Hiding and tmpfs only remove entries, so a path that still exists
	// resolves as before; the operations that add entries (mkdir, mkfile,
	// bind) drop it with the other caches.
	realDirs  map[string]string
	expanded  []string // expand's result, reused
	stat      unix.Stat_t
	direntBuf []byte // for readListing
	// pathList is the PATH directories ${PATH} stands for.
	pathList []string
	// fdDir names this process's descriptors: /proc/self/fd in a
	// re-executed init, "self/fd" relative to a working directory on the
	// host's /proc when jailrun builds the sandbox on one of its own
	// threads (its /proc/self is not in the new /proc).
	fdDir string
	// startInit, when set, replaces mounting /proc: it starts the
	// sandbox's pid 1, which mounts it (launchDirect); awaitInit, when
	// set, waits until it has.
	startInit, awaitInit func() *StepError
}

// fdPath is a path that reaches what descriptor fd refers to.
func (sb *sandbox) fdPath(fd uintptr) string {
	return fmt.Sprintf("%s/%d", sb.fdDir, fd)
}

// dirList is a directory's entries, sorted by name; ok is false when the
// directory could not be read, and then nothing follows from it.
type dirList struct {
	ents []dirent
	ok   bool
}

type dirent struct {
	name string
	typ  uint8 // the kernel's d_type (unix.DT_*)
}

func (l dirList) has(name string) bool {
	_, ok := l.find(name)
	return ok
}

// find returns the d_type of name, if the listing holds it.
func (l dirList) find(name string) (uint8, bool) {
	i, ok := slices.BinarySearchFunc(l.ents, name, cmpName)
	if ok {
		return l.ents[i].typ, true
	}
	return 0, false
}

func cmpName(e dirent, name string) int { return strings.Compare(e.name, name) }

// readListing lists directory dir with getdents(2) (os.File would also
// set the descriptor non-blocking and try the poller), keeping each
// entry's type, sorted by name.
func readListing(dir string, buf []byte) dirList {
	var l dirList
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	switch {
	case err == unix.ENOENT || err == unix.ENOTDIR:
		l.ok = true // nothing can be in it
		return l
	case err != nil:
		return l // a rootless sandbox cannot read every directory
	}
	defer unix.Close(fd)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return dirList{}
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				return dirList{}
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				l.ents = append(l.ents, dirent{s, b[18]})
			}
			b = b[reclen:]
		}
	}
	slices.SortFunc(l.ents, func(a, b dirent) int { return cmpName(a, b.name) })
	l.ok = true
	return l
}

// listing returns the entries of dir, read once per real directory. A
// directory that does not exist lists nothing.
func (sb *sandbox) listing(dir string) dirList {
	key := dir
	if real, ok := sb.realDir(dir); ok {
		key = real
	}
	if l, ok := sb.listings[key]; ok {
		return l
	}
	if sb.direntBuf == nil {
		sb.direntBuf = make([]byte, 32<<10)
	}
	l := readListing(key, sb.direntBuf)
	if sb.listings == nil {
		sb.listings = map[string]dirList{}
	}
	sb.listings[key] = l
	return l
}

// glob is filepath.Glob with cached directory listings: wildcards in the
// directory part (/proc/sys/*/*) expand level by level from listings too.
// The matches are sorted within each directory, directories in the order
// they matched, as filepath.Glob returns them.
func (sb *sandbox) glob(pattern string) []string {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil // filepath.Glob: ErrBadPattern, no matches
	}
	dir, base := filepath.Split(pattern)
	dir = cleanPath(dir)
	if strings.ContainsAny(dir, "*?[") {
		var out []string
		for _, d := range sb.glob(dir) {
			out = sb.globIn(out, d, base)
		}
		return out
	}
	if !strings.ContainsAny(base, "*?[") {
		if _, err := os.Lstat(pattern); err == nil {
			return []string{pattern}
		}
		return nil
	}
	return sb.globIn(nil, dir, base)
}

// globIn appends the entries of directory dir that match pattern base.
func (sb *sandbox) globIn(out []string, dir, base string) []string {
	ents := sb.listing(dir).ents
	// The names are sorted: only those that start with the pattern's
	// literal prefix can match (most patterns are NAME*).
	lit := base
	if i := strings.IndexAny(base, "*?[\\"); i >= 0 {
		lit = base[:i]
	}
	match := matcher(base)
	i, _ := slices.BinarySearchFunc(ents, lit, cmpName)
	for ; i < len(ents) && strings.HasPrefix(ents[i].name, lit); i++ {
		switch {
		case !match(ents[i].name):
		case dir == ".":
			out = append(out, ents[i].name)
		default:
			out = append(out, joinName(dir, ents[i].name))
		}
	}
	return out
}

// matcher returns path.Match(pattern, name) as a function. Patterns whose
// only wildcard is * (most of Firejail's: ${PATH}/*-gcc*) are matched by
// searching their literal chunks in order, several times faster than
// path.Match over directories of thousands of names.
func matcher(pattern string) func(string) bool {
	if strings.ContainsAny(pattern, "?[\\") {
		return func(name string) bool {
			ok, _ := path.Match(pattern, name)
			return ok
		}
	}
	chunks := strings.Split(pattern, "*")
	return func(name string) bool {
		if strings.Contains(name, "/") || !strings.HasPrefix(name, chunks[0]) {
			return false
		}
		rest := name[len(chunks[0]):]
		last := len(chunks) - 1
		if last == 0 {
			return rest == ""
		}
		for _, c := range chunks[1:last] {
			i := strings.Index(rest, c)
			if i < 0 {
				return false
			}
			rest = rest[i+len(c):]
		}
		return strings.HasSuffix(rest, chunks[last])
	}
}

// pathMatcher returns path.Match(pattern, p) as a function that rejects
// most paths by the pattern's literal prefix (or compares them, for a
// pattern without wildcards) before matching.
func pathMatcher(pattern string) func(string) bool {
	i := strings.IndexAny(pattern, "*?[\\")
	if i < 0 {
		return func(p string) bool { return p == pattern }
	}
	lit := pattern[:i]
	return func(p string) bool {
		if !strings.HasPrefix(p, lit) {
			return false
		}
		ok, _ := path.Match(pattern, p)
		return ok
	}
}

// realDir is filepath.EvalSymlinks(dir), cached (see realDirs): a
// directory not seen yet costs one Lstat below its parent's real path
// (and a readlink when it is a symlink).
func (sb *sandbox) realDir(dir string) (string, bool) {
	return sb.realDirN(dir, 0)
}

// maxLinks is the kernel's limit on symlinks followed in one lookup.
const maxLinks = 40

func (sb *sandbox) realDirN(dir string, links int) (string, bool) {
	if r, ok := sb.realDirs[dir]; ok {
		return r, r != ""
	}
	r := ""
	if dir == "/" || !filepath.IsAbs(dir) {
		r, _ = filepath.EvalSymlinks(dir)
	} else if real, isDir, ok := sb.resolveN(dir, links); ok && isDir {
		r = real
	}
	if sb.realDirs == nil {
		sb.realDirs = map[string]string{}
	}
	sb.realDirs[dir] = r
	return r, r != ""
}

// resolve returns the real path of p and whether it is a directory: one
// Lstat below its directory's cached real path, and for a symlink a
// readlink and the same for its target. ok is false when p does not exist
// (or the links loop).
func (sb *sandbox) resolve(p string) (real string, dir bool, ok bool) {
	return sb.resolveN(cleanPath(p), 0)
}

// splitPath splits a clean path into its directory and last element
// ("/" and "" for "/"), without cleaning again.
func splitPath(p string) (string, string) {
	switch i := strings.LastIndexByte(p, '/'); {
	case i < 0:
		return ".", p
	case i == 0:
		return "/", p[1:]
	default:
		return p[:i], p[i+1:]
	}
}

// cleanPath is filepath.Clean, without its work for the paths that are
// clean already (nearly all a plan names).
func cleanPath(p string) string {
	if p == "" || p[len(p)-1] == '/' && p != "/" || strings.Contains(p, "//") {
		return filepath.Clean(p)
	}
	// "." and ".." as elements, in any position.
	for i := 0; i < len(p); {
		j := strings.IndexByte(p[i:], '.')
		if j < 0 {
			return p
		}
		i += j
		startsElem := i == 0 || p[i-1] == '/'
		end := i + 1
		if end < len(p) && p[end] == '.' {
			end++
		}
		if startsElem && (end == len(p) || p[end] == '/') {
			return filepath.Clean(p)
		}
		i = end
	}
	return p
}

// joinName is filepath.Join for a clean directory and a plain name.
func joinName(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// resolveN resolves a clean path, having followed links symlinks.
func (sb *sandbox) resolveN(p string, links int) (string, bool, bool) {
	if p == "/" {
		return p, true, true
	}
	d, base := splitPath(p)
	rd, ok := sb.realDirN(d, links)
	if !ok {
		return "", false, false
	}
	typ, ok := sb.listedType(rd, base)
	if !ok {
		return "", false, false
	}
	return sb.resolveEntry(rd, base, joinName(rd, base), typ, links)
}

// listedType returns the d_type of base in real directory rd from a
// listing read before (DT_UNKNOWN without one), and false when that
// listing says there is no such entry. Hiding keeps a directory a
// directory and anything else not one (see listings).
func (sb *sandbox) listedType(rd, base string) (uint8, bool) {
	if l, read := sb.listings[rd]; read && l.ok {
		return l.find(base)
	}
	return unix.DT_UNKNOWN, true
}

// resolveEntry resolves entry (rd/base, rd a real directory) of the given
// listed type, having followed links symlinks.
func (sb *sandbox) resolveEntry(rd, base, entry string, typ uint8, links int) (string, bool, bool) {
	switch typ {
	case unix.DT_UNKNOWN:
		if err := unix.Lstat(entry, &sb.stat); err != nil {
			return "", false, false
		}
		if m := sb.stat.Mode & unix.S_IFMT; m != unix.S_IFLNK {
			return entry, m == unix.S_IFDIR, true
		}
	case unix.DT_LNK:
	default:
		return entry, typ == unix.DT_DIR, true
	}
	if links >= maxLinks {
		return "", false, false
	}
	t, err := os.Readlink(entry)
	if err != nil {
		return "", false, false
	}
	if filepath.IsAbs(t) {
		t = cleanPath(t)
	} else {
		t = filepath.Join(rd, t) // rd has no symlinks: ".." is lexical
	}
	return sb.resolveN(t, links+1)
}

// forget drops the cached listings of dir (a real path) and of every
// directory below it, after a mount changed what they hold.
func (sb *sandbox) forget(dir string) {
	for k := range sb.listings {
		if k == dir || dir == "/" || strings.HasPrefix(k, dir+"/") {
			delete(sb.listings, k)
		}
	}
}

// staged returns the path of name on the staging tmpfs via its descriptor.
func (sb *sandbox) staged(name string) string {
	return sb.fdPath(sb.stage.Fd()) + "/" + name
}

// buildSandbox runs init's fixed list of steps. Each step says why it sits
// where it does; any failure stops the launch.
func buildSandbox(s *setup) *StepError {
	return (&sandbox{s: s, fdDir: "/proc/self/fd"}).build()
}

func (sb *sandbox) build() *StepError {
	s := sb.s
	p := s.Plan
	steps := []struct {
		name string
		f    func() *StepError
	}{
		// Mount events must not leak back to the host.
		{"mount-propagation", func() *StepError {
			return mountErr("mount-propagation", "make / rprivate", "/", nil, unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""))
		}},
		// A fresh /proc for the new pid namespace: the host's processes
		// are not visible, and /proc/1 is our init. (A pid 1 started here
		// mounts it while the next steps run; proc-read-only waits. It
		// starts this early because it has work of its own, such as the
		// network namespace.)
		{"proc", sb.proc},
		// A scratch tmpfs for the empty nodes that hide blacklisted paths
		// and for private-bin; detached again at the end.
		{"staging", sb.staging},
		{"hostname", func() *StepError { return sb.hostname() }},
		{"loopback", func() *StepError { return sb.loopback() }},
		// Firejail's private-* setup comes before the entry list.
		{"private-dev", sb.privateDev},
		{"private-tmp", sb.privateTmp},
		{"private-home", sb.privateHome},
		{"private-etc", func() *StepError { return sb.privateDir("private-etc", "/etc", p.Filesystem.PrivateEtc) }},
		{"private-opt", func() *StepError { return sb.privateDir("private-opt", "/opt", p.Filesystem.PrivateOpt) }},
		{"private-srv", func() *StepError { return sb.privateDir("private-srv", "/srv", p.Filesystem.PrivateSrv) }},
		{"private-bin", sb.privateBin},
		{"devices", sb.devices},
		// Firejail's basic filesystem: system directories read-only,
		// /etc and /var too unless writable-etc / writable-var, and a
		// private /var/tmp unless keep-var-tmp.
		{"read-only-system", sb.readOnlySystem},
		// The new /proc's tunables read-only. From here on the steps may
		// look into /proc.
		{"proc-read-only", sb.procReadOnly},
		// Then the two passes of the entry list: every whitelist before
		// any blacklist, whatever the line order (reference §6.1).
		{"whitelist", sb.whitelistPass},
		{"blacklist", sb.blacklistPass},
		{"machine-id", sb.machineID},
		// With `hostname X` Firejail gives the sandbox its own writable
		// /etc/hostname (empty) and /etc/hosts (a copy).
		{"hostname-files", sb.hostnameFiles},
		{"staging-detach", func() *StepError {
			dir := sb.staged("")
			err := unix.Unmount(dir, unix.MNT_DETACH)
			sb.stage.Close()
			return mountErr("staging-detach", "umount", sb.s.Staging, nil, err)
		}},
	}
	for _, st := range steps {
		if st.name == "loopback" && sb.startInit != nil {
			continue // pid 1 makes the network namespace (pid1Main)
		}
		if e := s.step(st.name, st.f); e != nil {
			return e
		}
	}
	return nil
}

func mountErr(step, op, p string, o *plan.Origin, err error) *StepError {
	if err == nil {
		return nil
	}
	return stepErr(step, op, p, o, err)
}

// initName is what the sandbox sees as pid 1's name and command line
// when jailrun starts pid 1 itself (launchDirect).
const initName = "jailrun-init"

func (sb *sandbox) staging() *StepError {
	dir := sb.s.Staging
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0755,size=64m"); err != nil {
		return stepErr("staging", "mount tmpfs", dir, nil, err)
	}
	f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return stepErr("staging", "open", dir, nil, err)
	}
	sb.stage = f
	sb.emptyFile = sb.staged("empty-file")
	sb.emptyDir = sb.staged("empty-dir")
	// Like Firejail's hiding nodes (observed: dr-------- and -r--------,
	// root): empty, read-only, and only root may read them.
	if err := os.WriteFile(sb.emptyFile, nil, 0o400); err != nil {
		return stepErr("staging", "create", sb.emptyFile, nil, err)
	}
	if err := os.Mkdir(sb.emptyDir, 0o400); err != nil {
		return stepErr("staging", "mkdir", sb.emptyDir, nil, err)
	}
	os.Chmod(sb.emptyFile, 0o400)
	os.Chmod(sb.emptyDir, 0o400)
	// Each node becomes a read-only, nosuid, nodev, noexec mount of its
	// own: a bind mount copies its source mount's flags, so hiding a path
	// takes one mount call instead of a mount and a mount_setattr.
	nodes := []string{sb.emptyFile, sb.emptyDir}
	if sb.startInit != nil {
		// The command line the sandbox sees as pid 1's (procReadOnly).
		n := sb.staged("init-cmdline")
		if err := os.WriteFile(n, []byte(initName+"\x00"), 0o444); err != nil {
			return stepErr("staging", "create", n, nil, err)
		}
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		if e := sb.setAttr("staging", n, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC, 0, nil); e != nil {
			return e
		}
	}
	return nil
}

func (sb *sandbox) proc() *StepError {
	if sb.startInit != nil {
		return sb.startInit()
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return stepErr("proc", "mount proc", "/proc", nil, err)
	}
	return nil
}

func (sb *sandbox) procReadOnly() *StepError {
	if sb.awaitInit != nil {
		if e := sb.awaitInit(); e != nil {
			return e
		}
		// pid 1 shares jailrun's memory, so the kernel would show the
		// sandbox jailrun's command line — the host's plan path and
		// options — as pid 1's: it sees "jailrun-init" instead.
		for _, p := range []string{"/proc/1/cmdline", "/proc/1/task/1/cmdline"} {
			if err := unix.Mount(sb.staged("init-cmdline"), p, "", unix.MS_BIND, ""); err != nil {
				return stepErr("proc-read-only", "bind mount pid 1's command line on", p, nil, err)
			}
		}
	}
	// As Firejail does: kernel tunables and triggers read-only.
	for _, p := range []string{"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"} {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if e := sb.setAttr("proc-read-only", p, unix.MOUNT_ATTR_RDONLY, 0, nil); e != nil {
			return e
		}
	}
	return nil
}

func (sb *sandbox) hostname() *StepError {
	h := sb.s.Plan.Namespaces.UTS
	if h == nil {
		return nil
	}
	if err := unix.Sethostname([]byte(h.Value)); err != nil {
		return stepErr("hostname", "sethostname", h.Value, &h.Origin, err)
	}
	return nil
}

func (sb *sandbox) loopback() *StepError {
	n := sb.s.Plan.Namespaces.NetNone
	if n == nil {
		return nil
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return stepErr("loopback", "socket", "lo", &n.Origin, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return stepErr("loopback", "ifreq", "lo", &n.Origin, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return stepErr("loopback", "SIOCGIFFLAGS", "lo", &n.Origin, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return stepErr("loopback", "SIOCSIFFLAGS", "lo", &n.Origin, err)
	}
	return nil
}

func (sb *sandbox) switchOn(name string) *plan.Origin {
	for _, s := range sb.s.Plan.Filesystem.Switches {
		if s.Name == name {
			o := s.Origin
			return &o
		}
	}
	return nil
}

// bind mounts src over dst recursively.
func bind(step, src, dst string, o *plan.Origin) *StepError {
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return stepErr(step, "bind mount "+src+" on", dst, o, err)
	}
	return nil
}

// setAttr changes mount attributes of path and everything mounted below
// it, making path a mount point first if it is not one.
func (sb *sandbox) setAttr(step, p string, set, clr uint64, o *plan.Origin) *StepError {
	if e := bind(step, p, p, o); e != nil {
		return e
	}
	attr := unix.MountAttr{Attr_set: set, Attr_clr: clr}
	if err := unix.MountSetattr(unix.AT_FDCWD, p, atRecursive|unix.AT_SYMLINK_NOFOLLOW, &attr); err != nil {
		return stepErr(step, "mount_setattr", p, o, err)
	}
	return nil
}

func (sb *sandbox) tmpfs(step, dir, mode string, uid, gid int, o *plan.Origin) *StepError {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		sb.forget(real)
	} else {
		sb.listings = nil
	}
	if sb.s.Rootless {
		// Only the user exists in a rootless sandbox's user namespace.
		uid, gid = sb.s.User.UID, sb.s.User.GID
	}
	opts := "mode=" + mode
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return stepErr(step, "mount tmpfs", dir, o, err)
	}
	if err := os.Lchown(dir, uid, gid); err != nil {
		return stepErr(step, "chown", dir, o, err)
	}
	return nil
}

func (sb *sandbox) privateDev() *StepError {
	o := sb.switchOn("private-dev")
	if o == nil {
		return nil
	}
	// Keep handles on the host nodes before covering /dev.
	old, err := os.Open("/dev")
	if err != nil {
		return stepErr("private-dev", "open", "/dev", o, err)
	}
	defer old.Close()
	from := sb.fdPath(old.Fd()) + "/"
	var shmFD *os.File
	if sb.switchOn("keep-dev-shm") != nil {
		if shmFD, err = os.Open("/dev/shm"); err != nil {
			return stepErr("private-dev", "open", "/dev/shm", o, err)
		}
		defer shmFD.Close()
	}
	if e := sb.tmpfs("private-dev", "/dev", "0755", 0, 0, o); e != nil {
		return e
	}
	for _, n := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		if _, err := os.Stat(from + n); err != nil {
			continue
		}
		if err := os.WriteFile("/dev/"+n, nil, 0o666); err != nil {
			return stepErr("private-dev", "create", "/dev/"+n, o, err)
		}
		if e := bind("private-dev", from+n, "/dev/"+n, o); e != nil {
			return e
		}
	}
	if e := sb.privateDevDevices(old, from, o); e != nil {
		return e
	}
	for _, d := range []string{"/dev/pts", "/dev/shm"} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return stepErr("private-dev", "mkdir", d, o, err)
		}
	}
	if err := unix.Mount("devpts", "/dev/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"); err != nil {
		return stepErr("private-dev", "mount devpts", "/dev/pts", o, err)
	}
	if shmFD != nil {
		if e := bind("private-dev", sb.fdPath(shmFD.Fd()), "/dev/shm", o); e != nil {
			return e
		}
	} else if err := unix.Mount("tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return stepErr("private-dev", "mount tmpfs", "/dev/shm", o, err)
	}
	for name, target := range map[string]string{"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, "/dev/"+name); err != nil {
			return stepErr("private-dev", "symlink", "/dev/"+name, o, err)
		}
	}
	return nil
}

// privateDevKept are the host devices a private /dev keeps unless a
// device switch removes them, as Firejail 0.9.72 does (checked against
// the binary with stand-in nodes: sound, GPU, video, DVB, optical drives
// with their cdrom/cdrw/dvd/dvdrw links, U2F hidraw and usb, input).
var privateDevKept = []struct{ glob, off string }{
	{"snd", "nosound"},
	{"dri", "no3d"}, {"nvidia*", "no3d"},
	{"video*", "novideo"},
	{"dvb", "notv"},
	{"sr*", "nodvd"},
	{"hidraw*", "nou2f"}, {"usb", "nou2f"},
	{"input", "noinput"},
}

// privateDevDevices binds the kept host devices (directories with what
// they hold) into the new /dev, read through old, the host /dev.
func (sb *sandbox) privateDevDevices(old *os.File, from string, o *plan.Origin) *StepError {
	names, err := old.Readdirnames(-1)
	if err != nil {
		return stepErr("private-dev", "list", "/dev", o, err)
	}
	sort.Strings(names)
	optical := false
	for _, k := range privateDevKept {
		if sb.switchOn(k.off) != nil {
			continue
		}
		for _, n := range names {
			if ok, _ := path.Match(k.glob, n); !ok {
				continue
			}
			st, err := os.Lstat(from + n)
			if err != nil {
				continue // gone meanwhile
			}
			dst := "/dev/" + n
			switch mode := st.Mode(); {
			case mode.IsDir():
				err = os.Mkdir(dst, 0o755)
			case mode&(os.ModeDevice|os.ModeCharDevice) != 0:
				err = os.WriteFile(dst, nil, 0o600)
			default:
				continue // symlinks and files are not device nodes
			}
			if err != nil {
				return stepErr("private-dev", "create", dst, o, err)
			}
			if e := bind("private-dev", from+n, dst, o); e != nil {
				return e
			}
			optical = optical || n == "sr0"
		}
	}
	if optical {
		for _, l := range []string{"cdrom", "cdrw", "dvd", "dvdrw"} {
			if err := os.Symlink("/dev/sr0", "/dev/"+l); err != nil {
				return stepErr("private-dev", "symlink", "/dev/"+l, o, err)
			}
		}
	}
	return nil
}

func (sb *sandbox) privateTmp() *StepError {
	o := sb.switchOn("private-tmp")
	if o == nil {
		return nil
	}
	x11, _ := os.Open("/tmp/.X11-unix")
	if x11 != nil {
		defer x11.Close()
	}
	if e := sb.tmpfs("private-tmp", "/tmp", "1777", 0, 0, o); e != nil {
		return e
	}
	if x11 != nil {
		// Firejail keeps the X11 socket directory, read-only.
		if err := os.Mkdir("/tmp/.X11-unix", 0o1777); err != nil {
			return stepErr("private-tmp", "mkdir", "/tmp/.X11-unix", o, err)
		}
		if e := bind("private-tmp", sb.fdPath(x11.Fd()), "/tmp/.X11-unix", o); e != nil {
			return e
		}
		if e := sb.setAttr("private-tmp", "/tmp/.X11-unix", unix.MOUNT_ATTR_RDONLY, 0, o); e != nil {
			return e
		}
	}
	return nil
}

var systemDirs = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/boot"}

func (sb *sandbox) readOnlySystem() *StepError {
	dirs := append([]string{}, systemDirs...)
	if sb.switchOn("writable-etc") == nil {
		dirs = append(dirs, "/etc")
	}
	if sb.switchOn("writable-var") == nil {
		dirs = append(dirs, "/var")
	}
	done := map[string]bool{}
	for _, d := range dirs {
		st, err := os.Lstat(d)
		if err != nil || st.Mode()&fs.ModeSymlink != 0 || done[d] {
			continue // merged /usr: /bin is a symlink to usr/bin
		}
		done[d] = true
		if e := sb.setAttr("read-only-system", d, unix.MOUNT_ATTR_RDONLY, 0, nil); e != nil {
			return e
		}
	}
	if o := sb.switchOn("keep-var-tmp"); o == nil {
		if st, err := os.Stat("/var/tmp"); err == nil && st.IsDir() {
			if e := sb.tmpfs("read-only-system", "/var/tmp", "1777", 0, 0, nil); e != nil {
				return e
			}
		}
	}
	return nil
}

// skel copies the shell start-up files into a new, empty home, as
// Firejail does for `private`.
func skel(home string, uid, gid int) {
	for _, f := range []string{".bashrc", ".zshrc", ".cshrc"} {
		data, err := os.ReadFile(filepath.Join("/etc/skel", f))
		if err != nil {
			continue
		}
		dst := filepath.Join(home, f)
		if os.WriteFile(dst, data, 0o644) == nil {
			os.Lchown(dst, uid, gid)
		}
	}
}

// privateHome handles `private` (empty home), `private DIR` and
// private-home (a new home with the listed entries).
func (sb *sandbox) privateHome() *StepError {
	fsp := sb.s.Plan.Filesystem
	pr := fsp.Private
	if pr == nil {
		return nil
	}
	u := sb.s.User
	o := &pr.Origin
	if pr.Value != "" {
		return bind("private", pr.Value, u.Home, o)
	}
	old, err := os.Open(u.Home)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return stepErr("private", "open", u.Home, o, err)
	}
	if old != nil {
		defer old.Close()
	}
	if _, err := os.Stat(u.Home); err == nil {
		if e := sb.tmpfs("private", u.Home, "0700", u.UID, u.GID, o); e != nil {
			return e
		}
		if len(fsp.PrivateHome) == 0 {
			skel(u.Home, u.UID, u.GID)
		}
	}
	if u.Home != "/root" {
		if _, err := os.Stat("/root"); err == nil {
			if e := sb.tmpfs("private", "/root", "0700", 0, 0, o); e != nil {
				return e
			}
		}
	}
	for _, it := range fsp.PrivateHome {
		name := strings.TrimPrefix(strings.TrimPrefix(it.Value, u.Home+"/"), "${HOME}/")
		if old == nil {
			break
		}
		src := sb.fdPath(old.Fd()) + "/" + name
		st, err := os.Stat(src)
		if err != nil {
			continue // Firejail skips missing entries
		}
		dst := filepath.Join(u.Home, name)
		if e := mountPoint("private-home", dst, st.IsDir(), u.UID, u.GID, &it.Origin); e != nil {
			return e
		}
		if e := bind("private-home", src, dst, &it.Origin); e != nil {
			return e
		}
	}
	return nil
}

// mountPoint creates an empty file or directory (and its parents) to bind
// onto.
func mountPoint(step, p string, dir bool, uid, gid int, o *plan.Origin) *StepError {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return stepErr(step, "mkdir", filepath.Dir(p), o, err)
	}
	var err error
	if dir {
		err = os.Mkdir(p, 0o755)
	} else {
		var f *os.File
		f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
		if f != nil {
			f.Close()
		}
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return stepErr(step, "create mount point", p, o, err)
	}
	return nil
}

// privateDir replaces dir by a tmpfs holding only the listed entries.
func (sb *sandbox) privateDir(step, dir string, items []plan.Item) *StepError {
	if len(items) == 0 {
		return nil
	}
	o := &items[0].Origin
	old, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return stepErr(step, "open", dir, o, err)
	}
	defer old.Close()
	if e := sb.tmpfs(step, dir, "0755", 0, 0, o); e != nil {
		return e
	}
	from := sb.fdPath(old.Fd()) + "/"
	for _, it := range items {
		src := from + it.Value
		st, err := os.Stat(src)
		if err != nil {
			continue // Firejail: "skipping X"
		}
		dst := filepath.Join(dir, it.Value)
		if e := mountPoint(step, dst, st.IsDir(), 0, 0, &it.Origin); e != nil {
			return e
		}
		if e := bind(step, src, dst, &it.Origin); e != nil {
			return e
		}
	}
	return nil
}

var binDirs = []string{"/usr/local/bin", "/usr/bin", "/bin", "/usr/games", "/usr/local/games", "/usr/local/sbin", "/usr/sbin", "/sbin"}

// privateBin builds one directory with the listed programs and mounts it
// over every bin directory (reference §2.2).
func (sb *sandbox) privateBin() *StepError {
	items := sb.s.Plan.Filesystem.PrivateBin
	if len(items) == 0 {
		return nil
	}
	staged := sb.staged("bin")
	if err := os.Mkdir(staged, 0o755); err != nil {
		return stepErr("private-bin", "mkdir", staged, &items[0].Origin, err)
	}
	for _, it := range items {
		for _, d := range binDirs {
			pattern := it.Value
			if !strings.HasPrefix(pattern, "/") {
				pattern = filepath.Join(d, pattern)
			}
			matches, _ := filepath.Glob(pattern)
			for _, m := range matches {
				st, err := os.Stat(m)
				if err != nil || st.IsDir() {
					continue
				}
				dst := filepath.Join(staged, filepath.Base(m))
				if _, err := os.Lstat(dst); err == nil {
					continue
				}
				if e := mountPoint("private-bin", dst, false, 0, 0, &it.Origin); e != nil {
					return e
				}
				if e := bind("private-bin", m, dst, &it.Origin); e != nil {
					return e
				}
			}
			if strings.HasPrefix(it.Value, "/") {
				break
			}
		}
	}
	done := map[string]bool{}
	for _, d := range binDirs {
		real, err := filepath.EvalSymlinks(d)
		if err != nil || done[real] {
			continue
		}
		done[real] = true
		if e := bind("private-bin", staged, real, &items[0].Origin); e != nil {
			return e
		}
	}
	return nil
}

// devices hides device nodes for the device switches (no3d, nosound...).
func (sb *sandbox) devices() *StepError {
	for name, pats := range map[string][]string{
		"nosound": {"/dev/snd"}, "no3d": {"/dev/dri", "/dev/nvidia*"}, "nodvd": {"/dev/sr*", "/dev/cdrom*"},
		"notv": {"/dev/dvb"}, "novideo": {"/dev/video*"}, "noinput": {"/dev/input"}, "nou2f": {"/dev/hidraw*"},
	} {
		o := sb.switchOn(name)
		if o == nil {
			continue
		}
		for _, pat := range pats {
			matches, _ := filepath.Glob(pat)
			for _, m := range matches {
				if e := sb.hide(name, m, o); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

// hide makes p unreachable: the target of symlinks is hidden, directories
// get an empty unreadable directory bound over them, everything else an
// empty unreadable file; both read-only.
func (sb *sandbox) hide(step, p string, o *plan.Origin) *StepError {
	p = cleanPath(p)
	d, base := splitPath(p)
	if base == "" || d == "." {
		return nil // "/" and relative paths: nothing Firejail hides either
	}
	rd, ok := sb.realDir(d)
	if !ok {
		return nil // no such directory (or none we could look into)
	}
	// With ${PATH} on a merged-/usr system /bin/x and /usr/bin/x are the
	// same entry: once it was handled under its directory's real path, it
	// is hidden — or, if a link on its way was hidden since, gone.
	entry := joinName(rd, base)
	if sb.handled[entry] {
		return nil
	}
	// Most blacklisted paths do not exist on a given machine: from the
	// fourth question about a directory, one read of it answers them;
	// before, an lstat each.
	if _, read := sb.listings[rd]; !read {
		if sb.asked == nil {
			sb.asked = map[string]int{}
		}
		if sb.asked[rd]++; sb.asked[rd] >= 4 {
			sb.listing(rd)
		}
	}
	typ, ok := sb.listedType(rd, base)
	if !ok {
		return nil
	}
	real, isDir, ok := sb.resolveEntry(rd, base, entry, typ, 0)
	if !ok {
		return nil // nothing to hide
	}
	if real == "/usr/bin/firejail" {
		return nil // Firejail never blacklists itself; neither do we mirror that quirk for other paths
	}
	if sb.hidden == nil {
		sb.hidden, sb.handled = map[string]bool{}, map[string]bool{}
	}
	sb.handled[entry] = true
	if sb.hidden[real] {
		return nil
	}
	sb.hidden[real] = true
	src := sb.emptyFile
	if isDir {
		src = sb.emptyDir
		sb.forget(real) // the directory's content changed
	}
	// Read-only, nosuid, nodev and noexec come with the source (staging).
	if err := unix.Mount(src, real, "", unix.MS_BIND, ""); err != nil {
		return stepErr(step, "bind mount empty node on", real, o, err)
	}
	return nil
}

// expand returns the paths an op names at launch: ${PATH} becomes each
// PATH directory, globs are expanded, and a pattern that matches nothing
// is kept literally (it then matches nothing on disk). The slice is valid
// until the next call (the blacklist pass expands two thousand rules).
func (sb *sandbox) expand(op *plan.FSOp) []string {
	out := sb.expanded[:0]
	defer func() { sb.expanded = out[:0] }()
	if !op.PathMacro {
		return sb.expandOne(out, op.Path, op.Glob)
	}
	rest := strings.TrimPrefix(op.Path, "${PATH}")
	if sb.pathList == nil {
		sb.pathList = pathDirs(sb.s.Env)
	}
	for _, d := range sb.pathList {
		out = sb.expandOne(out, d+rest, op.Glob)
	}
	return out
}

func (sb *sandbox) expandOne(out []string, p string, glob bool) []string {
	if !glob && !strings.ContainsAny(p, "*?[") {
		return append(out, p)
	}
	m := sb.glob(p)
	if len(m) == 0 {
		return append(out, p)
	}
	for _, x := range m {
		if b := path.Base(x); b == "." || b == ".." {
			continue
		}
		out = append(out, x)
	}
	return out
}

func pathDirs(env []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range strings.Split(envPath(env), ":") {
		d = strings.TrimRight(d, "/")
		if strings.HasPrefix(d, "/") && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// whitelistPass: resolve every whitelisted path, empty each top directory
// with a tmpfs, then bind the paths back (reference §6.1, §6.3).
func (sb *sandbox) whitelistPass() *StepError {
	ops := sb.s.Plan.Filesystem.WhitelistPass
	if len(ops) == 0 {
		return nil
	}
	u := sb.s.User
	// Nothing is mounted until every entry is resolved: one cache serves
	// the whole first half.
	sb.realDirs = nil
	excluded := map[string]bool{}
	type entry struct {
		path string
		fd   *os.File
		dir  bool
		o    plan.Origin
	}
	var entries []entry
	tops := map[string]plan.Origin{}
	var topOrder []string
	for i := range ops {
		op := &ops[i]
		o := op.Origin
		if op.Op == "nowhitelist" {
			if r, _, ok := sb.resolve(op.Path); ok {
				excluded[r] = true
			}
			continue
		}
		for _, p := range sb.expand(op) {
			real, _, ok := sb.resolve(p)
			if !ok || excluded[real] {
				continue // Firejail skips missing paths
			}
			top := plan.WhitelistTop(p, u.Home, u.UID)
			if top == "" {
				return stepErr("whitelist", "find top directory", p, &o, errors.New("whitelisting a top-level directory or / is not supported"))
			}
			if _, ok := tops[top]; !ok {
				tops[top] = o
				topOrder = append(topOrder, top)
			}
			f, err := os.OpenFile(real, unix.O_PATH|unix.O_CLOEXEC, 0)
			if err != nil {
				return stepErr("whitelist", "open", real, &o, err)
			}
			st, err := f.Stat()
			if err != nil {
				f.Close()
				return stepErr("whitelist", "stat", real, &o, err)
			}
			entries = append(entries, entry{p, f, st.IsDir(), o})
		}
	}
	defer func() {
		for _, e := range entries {
			e.fd.Close()
		}
	}()
	for _, top := range topOrder {
		o := tops[top]
		st, err := os.Stat(top)
		if err != nil {
			return stepErr("whitelist", "stat", top, &o, err)
		}
		sys := st.Sys().(*syscall.Stat_t)
		if e := sb.tmpfs("whitelist", top, strconv.FormatUint(uint64(st.Mode().Perm()|st.Mode()&fs.ModeSticky>>11), 8), int(sys.Uid), int(sys.Gid), &o); e != nil {
			return e
		}
		os.Chmod(top, st.Mode().Perm()|st.Mode()&(fs.ModeSticky))
	}
	sort.SliceStable(entries, func(i, j int) bool { return len(entries[i].path) < len(entries[j].path) })
	for _, e := range entries {
		if e := mountPoint("whitelist", e.path, e.dir, u.UID, u.GID, &e.o); e != nil {
			return e
		}
		if err := unix.Mount(sb.fdPath(e.fd.Fd()), e.path, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return stepErr("whitelist", "bind mount", e.path, &e.o, err)
		}
	}
	return nil
}

// blacklistPass applies the rest of the entry list in order, with
// noblacklist patterns exempting later blacklists (fnmatch on the glob
// result, no realpath: reference §6.2).
func (sb *sandbox) blacklistPass() *StepError {
	u := sb.s.User
	var exempt []func(string) bool
	// Earlier steps created entries (whitelist mount points, private-*
	// copies): start from fresh directory caches.
	sb.listings, sb.asked, sb.realDirs = nil, nil, nil
	ops := sb.s.Plan.Filesystem.BlacklistPass
	for i := range ops {
		op := &ops[i]
		o := &op.Origin
		switch op.Op {
		case "mkdir", "mkfile", "bind":
			// These add entries: no cached answer may say a path is absent.
			sb.listings, sb.asked, sb.realDirs = nil, nil, nil
			clear(sb.handled)
		}
		switch op.Op {
		case "noblacklist":
			for _, pat := range sb.expand(op) {
				exempt = append(exempt, pathMatcher(pat))
			}
		case "blacklist", "blacklist-nolog":
			for _, p := range sb.expand(op) {
				skip := false
				for _, match := range exempt {
					if match(p) {
						skip = true
						break
					}
				}
				if skip {
					continue
				}
				if e := sb.hide("blacklist", p, o); e != nil {
					return e
				}
			}
		case "read-only", "read-write", "noexec":
			for _, p := range sb.expand(op) {
				real, _, ok := sb.resolve(p)
				if !ok {
					continue
				}
				var e *StepError
				switch op.Op {
				case "read-only":
					e = sb.setAttr(op.Op, real, unix.MOUNT_ATTR_RDONLY, 0, o)
				case "read-write":
					e = sb.setAttr(op.Op, real, 0, unix.MOUNT_ATTR_RDONLY, o)
				case "noexec":
					e = sb.setAttr(op.Op, real, unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID, 0, o)
				}
				if e != nil {
					return e
				}
			}
		case "tmpfs":
			for _, p := range sb.expand(op) {
				if st, err := os.Stat(p); err != nil || !st.IsDir() {
					continue
				}
				owner := 0
				if strings.HasPrefix(p, u.Home) {
					owner = u.UID
				}
				if e := sb.tmpfs("tmpfs", p, "0755", owner, owner, o); e != nil {
					return e
				}
			}
		case "mkdir", "mkfile":
			if e := makePath(*op, u); e != nil {
				return e
			}
		case "bind":
			if e := bind("bind", op.Path, op.Target, o); e != nil {
				return e
			}
		}
	}
	return nil
}

// makePath creates a directory (mode 0700) or empty file (0600) owned by
// the user, with its missing parents.
func makePath(op plan.FSOp, u User) *StepError {
	p := filepath.Clean(op.Path)
	var missing []string
	for d := filepath.Dir(p); d != "/"; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append([]string{d}, missing...)
	}
	for _, d := range missing {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return stepErr(op.Op, "mkdir", d, &op.Origin, err)
		}
		os.Lchown(d, u.UID, u.GID)
	}
	if op.Op == "mkdir" {
		if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return stepErr(op.Op, "mkdir", p, &op.Origin, err)
		}
	} else {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return stepErr(op.Op, "create", p, &op.Origin, err)
		}
		f.Close()
	}
	if err := os.Lchown(p, u.UID, u.GID); err != nil {
		return stepErr(op.Op, "chown", p, &op.Origin, err)
	}
	return nil
}

func (sb *sandbox) hostnameFiles() *StepError {
	h := sb.s.Plan.Namespaces.UTS
	if h == nil {
		return nil
	}
	// Observed with Firejail 0.9.72 (--hostname=X): /etc/hostname is an
	// empty writable file and /etc/hosts a writable, unchanged copy.
	files := map[string]string{"/etc/hostname": ""}
	if hosts, err := os.ReadFile("/etc/hosts"); err == nil {
		files["/etc/hosts"] = string(hosts)
	}
	for dst, content := range files {
		if _, err := os.Stat(dst); err != nil {
			continue
		}
		name := strings.TrimPrefix(dst, "/etc/")
		src := sb.staged(name)
		if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
			return stepErr("hostname-files", "write", dst, &h.Origin, err)
		}
		if e := bind("hostname-files", src, dst, &h.Origin); e != nil {
			return e
		}
	}
	return nil
}

func (sb *sandbox) machineID() *StepError {
	m := sb.s.Plan.Misc.MachineID
	if m == nil {
		return nil
	}
	b := make([]byte, 16)
	// getrandom(2) directly: crypto/rand's package initialisation would
	// cost every launch.
	if n, err := unix.Getrandom(b, 0); err != nil || n != len(b) {
		return stepErr("machine-id", "random", "", &m.Origin, err)
	}
	f := sb.staged("machine-id")
	if err := os.WriteFile(f, []byte(hex.EncodeToString(b)+"\n"), 0o444); err != nil {
		return stepErr("machine-id", "write", f, &m.Origin, err)
	}
	for _, dst := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if _, err := os.Stat(dst); err != nil {
			continue
		}
		if e := bind("machine-id", f, dst, &m.Origin); e != nil {
			return e
		}
	}
	return nil
}
