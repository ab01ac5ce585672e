/* SPDX-License-Identifier: MIT */
/* A host that is not linked with ndisdma: it dlopens the consumer built
 * as a shared object (which pulls in libndisdma.so), as a program that
 * loads drivers as plug-ins would, and runs it. The library's thread
 * block is initial-exec TLS; this checks that it is found after dlopen. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("plugin_host: %s\n", dlerror());
		return 1;
	}
	int (*run)(void) = (int (*)(void))dlsym(h, "consumer_main");
	if (!run) {
		printf("plugin_host: %s\n", dlerror());
		return 1;
	}
	int r = run();
	printf("plugin_host: consumer_main returned %d\n", r);
	return r;
}
