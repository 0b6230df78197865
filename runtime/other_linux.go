//go:build !(amd64 || arm64)

package runtime

// haveDirect: on this architecture jailrun re-executes itself for init
// and the exec stage (child_linux.go is written for 64-bit system call
// layouts).
const haveDirect = false

func launchDirect(Options, *setup, *Signals) (int, error) { panic("unreachable") }
