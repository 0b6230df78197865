package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// -o must never replace a special file (renaming over /dev/null once
// turned it into a regular file) and must keep symlinks.
func TestCompileOutputTargets(t *testing.T) {
	dir := t.TempDir()
	prof := write(t, dir, "p.profile", "caps.drop all\nseccomp\n")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	if code, _, errs := jailc(t, "compile", "--config", "/dev/null", "-o", fifo, prof); code != 0 {
		t.Fatalf("compile to a FIFO: exit %d %s", code, errs)
	}
	data := <-got
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m["version"] != float64(1) {
		t.Errorf("FIFO received %d bytes: %v", len(data), err)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", st.Mode(), err)
	}
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	os.WriteFile(target, []byte("old"), 0o644)
	os.Symlink(target, link)
	if code, _, errs := jailc(t, "compile", "--config", "/dev/null", "-o", link, prof); code != 0 {
		t.Fatalf("compile to a symlink: exit %d %s", code, errs)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(target); len(b) < 100 {
		t.Errorf("the link's target was not written: %q", b)
	}
}
