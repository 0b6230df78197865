# jailc server profile
# Used for a program that has no profile of its own and is started by root,
# typically a daemon. Root keeps the capabilities a service needs to bind
# ports and change users; everything the kernel offers for administration,
# module loading and tracing is removed.
# Local changes belong in server.local or globals.local.
include server.local
include globals.local

noblacklist /sbin
noblacklist /usr/sbin

include jailc-secrets.inc
include jailc-admin-tools.inc

caps.keep chown,dac_override,fowner,kill,net_bind_service,setgid,setuid
ipc-namespace
netfilter
protocol unix,inet,inet6
seccomp
seccomp.block-secondary

disable-mnt
private-dev
private-tmp
tab # shells started inside the sandbox keep tab completion
