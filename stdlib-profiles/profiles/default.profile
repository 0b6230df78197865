# jailc default profile
# Used for a program that has no profile of its own and is started by a
# normal user. It hides credentials and system administration tools, keeps
# the user's files visible, and removes privileges the program cannot need.
# Local changes belong in default.local or globals.local.
# Programs started from the home directory or /tmp must still run there:
# jailc:ignore-file writable-exec
include default.local
include globals.local

include jailc-secrets.inc
include jailc-admin-tools.inc

caps.drop all
netfilter
nogroups
nonewprivs
noroot
protocol unix,inet,inet6,netlink
seccomp
seccomp.block-secondary

disable-mnt
private-dev
private-tmp
