package int80

// Supported reports whether this architecture can make i386 calls.
const Supported = true

// Syscall makes i386 system call nr with three arguments (EBX, ECX, EDX)
// and returns EAX: the result, or -errno.
func Syscall(nr, a1, a2, a3 uintptr) uintptr
