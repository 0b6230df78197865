module github.com/jailc/jailc/bench/seccomp

go 1.26.8

require (
	github.com/elastic/go-seccomp-bpf v1.6.0
	github.com/jailc/jailc v0.0.0
	github.com/moby/profiles/seccomp v0.3.0
	golang.org/x/net v0.62.0
)

require (
	github.com/alecthomas/participle/v2 v2.1.4 // indirect
	github.com/opencontainers/runtime-spec v1.2.1 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/jailc/jailc => ../..
