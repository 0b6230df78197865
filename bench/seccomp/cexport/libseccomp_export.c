// Reads a policy on stdin ("default ACTION" then "NR ACTION" lines, ACTION
// being allow, kill or an errno number) and writes libseccomp's BPF for the
// native architecture with SCMP_FLTATR_CTL_OPTIMIZE=2 (binary tree).
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t action(const char *s) {
	if (strcmp(s, "allow") == 0) return SCMP_ACT_ALLOW;
	if (strcmp(s, "kill") == 0) return SCMP_ACT_KILL_PROCESS;
	return SCMP_ACT_ERRNO(atoi(s));
}

int main(void) {
	char a[64];
	int nr;
	if (scanf("default %63s", a) != 1) return 2;
	scmp_filter_ctx ctx = seccomp_init(action(a));
	if (!ctx) return 3;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0) return 4;
	while (scanf("%d %63s", &nr, a) == 2) {
		int rc = seccomp_rule_add(ctx, action(a), nr, 0);
		if (rc != 0 && rc != -EEXIST) { fprintf(stderr, "rule %d: %d\n", nr, rc); return 5; }
	}
	if (seccomp_export_bpf(ctx, 1) != 0) return 6;
	seccomp_release(ctx);
	return 0;
}
