// Package int80 makes 32-bit (i386) system calls from a 64-bit process
// with `int $0x80`, which the kernel reports to seccomp and audit as
// AUDIT_ARCH_I386 with compat=1. Tests use it to make real i386 seccomp
// records without a 32-bit toolchain.
package int80
