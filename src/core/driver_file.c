/* SPDX-License-Identifier: MIT */
/*
 * driver_file.c - loading a miniport from a shared object: dlopen, the
 * DriverEntry symbol, and the handle kept on the driver until unload.
 */
#include "core.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The driver's name: the file's base name without a ".so" suffix (and
 * without a ".so.N" version). */
static char *name_of(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *n = strdup(*b ? b : "driver");
	if (!n)
		return NULL;
	char *so = strstr(n, ".so");
	if (so && so != n && (so[3] == '\0' || so[3] == '.'))
		*so = '\0';
	return n;
}

int ndisdma_driver_load_file(const char *path, ndisdma_driver **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path || !*path) {
		nd_set_error("ndisdma_driver_load_file: no path given");
		return -EINVAL;
	}
	struct stat sb;
	if (stat(path, &sb)) {
		int e = errno;
		nd_set_error("%s: %s", path, strerror(e));
		return e == ENOENT || e == ENOTDIR ? -ENOENT : -e;
	}
	if (!S_ISREG(sb.st_mode)) {
		nd_set_error("%s: not a regular file", path);
		return -ENOEXEC;
	}
	if (access(path, R_OK)) {
		nd_set_error("%s: not readable (%s)", path, strerror(errno));
		return -EACCES;
	}
	/* dlopen searches the library path for a name without '/'. */
	char *full = NULL;
	if (!strchr(path, '/')) {
		if (asprintf(&full, "./%s", path) < 0)
			return -ENOMEM;
	}
	char *name = name_of(path);
	if (!name) {
		free(full);
		return -ENOMEM;
	}
	dlerror();
	void *h = dlopen(full ? full : path, RTLD_NOW | RTLD_LOCAL);
	free(full);
	if (!h) {
		const char *why = dlerror();
		nd_set_error("%s: cannot load the miniport: %s", path,
			     why ? why : "dlopen failed");
		free(name);
		return -ENOEXEC;
	}
	dlerror();
	void *sym = dlsym(h, "DriverEntry");
	if (!sym) {
		nd_set_error("%s: no DriverEntry symbol (a miniport exports "
			     "`NTSTATUS DriverEntry(PDRIVER_OBJECT, "
			     "PUNICODE_STRING)`; is it static?)",
			     path);
		dlclose(h);
		free(name);
		return -ENOEXEC;
	}
	ndisdma_driver_entry entry;
	memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer */
	ndisdma_driver *drv;
	int rc = ndisdma_driver_load(entry, name, &drv);
	free(name);
	if (rc) {
		/* The error sentence of ndisdma_driver_load stays. */
		dlclose(h);
		return rc;
	}
	struct nd_driver *d = (struct nd_driver *)drv;
	d->dl_handle = h;
	*out = drv;
	return 0;
}
