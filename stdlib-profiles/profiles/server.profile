# jailc server profile
# Used for a program that has no profile of its own and is started by root,
# typically a daemon. Root keeps the capabilities a service needs to bind
# ports and change users; everything the kernel offers for administration,
# module loading and tracing is removed.
# Local changes belong in server.local or globals.local (`noexec /tmp` and
# `noexec ${HOME}` harden a daemon that never runs programs from there):
# jailc:ignore-file writable-exec
include server.local
include globals.local

include jailc-secrets.inc
include jailc-admin-tools.inc

# A daemon started by root binds its ports and then becomes its own user.
caps.keep chown,dac_override,fowner,kill,net_bind_service,setgid,setuid # jailc:ignore escalation-caps
ipc-namespace
netfilter
protocol unix,inet,inet6
seccomp
seccomp.block-secondary

tab # shells started inside the sandbox keep tab completion

disable-mnt
private-dev
private-tmp
