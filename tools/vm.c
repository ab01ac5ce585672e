/* SPDX-License-Identifier: MIT */
/*
 * vm.c - `ndisdma vm`: try a miniport on QEMU's emulation of a NIC. The
 * orchestration (guest kernel, initramfs, network namespace, QEMU, ping)
 * is the script ndisdma-vm.sh installed with the command; this finds it
 * and runs it with the path of this binary (the VM runs `ndisdma run`).
 */
#include "tools.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NDISDMA_VM_SCRIPT_SRC
#define NDISDMA_VM_SCRIPT_SRC ""
#endif
#ifndef NDISDMA_VM_SCRIPT_REL
#define NDISDMA_VM_SCRIPT_REL "../share/ndisdma/ndisdma-vm.sh"
#endif

/* The script: $NDISDMA_VM_SCRIPT, else next to an installed binary
 * (BINDIR/../share/ndisdma/), else the source tree's (a build tree). */
static int find_script(const char *exe, char *out, size_t cap)
{
	const char *env = getenv("NDISDMA_VM_SCRIPT");
	if (env && *env) {
		snprintf(out, cap, "%s", env);
		return access(out, R_OK) ? -errno : 0;
	}
	const char *slash = strrchr(exe, '/');
	if (slash) {
		snprintf(out, cap, "%.*s/%s", (int)(slash - exe), exe,
			 NDISDMA_VM_SCRIPT_REL);
		if (access(out, R_OK) == 0)
			return 0;
	}
	if (*NDISDMA_VM_SCRIPT_SRC) {
		snprintf(out, cap, "%s", NDISDMA_VM_SCRIPT_SRC);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int vm_main(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		perror("ndisdma vm: /proc/self/exe");
		return 1;
	}
	exe[n] = '\0';
	if (find_script(exe, script, sizeof(script))) {
		fprintf(stderr,
			"ndisdma vm: cannot find ndisdma-vm.sh (looked next to "
			"%s and in the source tree; set NDISDMA_VM_SCRIPT)\n",
			exe);
		return 1;
	}
	/* bash SCRIPT --ndisdma EXE ARGS... */
	char **av = calloc((size_t)argc + 5, sizeof(*av));
	if (!av)
		return 1;
	int k = 0;
	av[k++] = "bash";
	av[k++] = script;
	av[k++] = "--ndisdma";
	av[k++] = exe;
	for (int i = 1; i < argc; i++)
		av[k++] = argv[i];
	av[k] = NULL;
	fflush(stdout);
	execvp("bash", av);
	fprintf(stderr, "ndisdma vm: cannot run bash: %s\n", strerror(errno));
	free(av);
	return 1;
}
