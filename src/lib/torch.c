/* torch.c: opens the TorchScript module fstools-torch.so on first use (see
 * torch.h).
 *
 * It is looked for beside the running program, in .libs/ (a build tree,
 * where libtool leaves it), then where `make install` puts it
 * (FS_PKGLIBDIR). FSTOOLS_TORCH_MODULE names another file.
 */
#include "torch.h"
#include "diag.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FS_PKGLIBDIR
#define FS_PKGLIBDIR "/usr/local/lib/fstools"
#endif

#define MODULE "fstools-torch.so"

static const struct fs_torch_api *api;
static int threads = 1;

#ifdef HAVE_LIBTORCH
/* Opens the module at path; 0, or -1 with the reason in why. */
static int try_open(const char *path, char *why, size_t whysize)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, whysize, "%s", dlerror());
		return -1;
	}
	const struct fs_torch_api *a = dlsym(h, "fstools_torch_api");
	if (!a || a->version != FS_TORCH_API_VERSION) {
		snprintf(why, whysize, "%s: %s", path, a ? "a module of another fstools version" :
		         "not fstools' TorchScript module");
		dlclose(h);
		return -1;
	}
	api = a;
	api->threads(threads);
	return 0;
}

/* The module, opened once; -1 with a message in err when it cannot be. */
static int open_module(char *err, size_t errsize)
{
	if (api)
		return 0;
	char why[512] = "", path[PATH_MAX + 64];
	const char *env = getenv("FSTOOLS_TORCH_MODULE");
	if (env && *env) {
		if (try_open(env, why, sizeof why) == 0)
			return 0;
		snprintf(err, errsize, "FSTOOLS_TORCH_MODULE: cannot load %s", why);
		return -1;
	}
	ssize_t n = readlink("/proc/self/exe", path, PATH_MAX);
	if (n > 0) {
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		if (slash) {
			strcpy(slash + 1, ".libs/" MODULE);
			if (access(path, F_OK) == 0) {  /* a build tree's: no other is looked for */
				if (try_open(path, why, sizeof why) == 0)
					return 0;
				snprintf(err, errsize, "cannot load %s", why);
				return -1;
			}
		}
	}
	if (try_open(FS_PKGLIBDIR "/" MODULE, why, sizeof why) == 0)
		return 0;
	snprintf(err, errsize, "fstools was built with libtorch, but its module does not load: %s "
	         "(is libtorch1.13 installed? reinstall fstools, or set FSTOOLS_TORCH_MODULE)", why);
	return -1;
}
#else
static int open_module(char *err, size_t errsize)
{
	snprintf(err, errsize, "this fsscore was built without libtorch: install libtorch-dev "
	         "(apt-get install -y libtorch-dev) and build with ./configure --with-libtorch");
	return -1;
}
#endif

struct fs_torch *fs_torch_load(const char *p, size_t n, size_t nin, size_t *nout, char *err,
                               size_t errsize)
{
	if (open_module(err, errsize) < 0)
		return NULL;
	return api->load(p, n, nin, nout, err, errsize);
}

void fs_torch_free(struct fs_torch *t)
{
	if (t)
		api->free(t);
}

int fs_torch_forward(const struct fs_torch *t, const float *x, size_t n, double *out, char *err,
                     size_t errsize)
{
	return api->forward(t, x, n, out, err, errsize);
}

void fs_torch_threads(int n)
{
	threads = n;
	if (api)
		api->threads(n);
}
