//go:build !amd64

package int80

// Supported reports whether this architecture can make i386 calls.
const Supported = false

// Syscall is not available here.
func Syscall(nr, a1, a2, a3 uintptr) uintptr { panic("int80: only on amd64") }
