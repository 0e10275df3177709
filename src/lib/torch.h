/* torch.h: TorchScript modules through libtorch, behind a C interface.
 *
 * libtorch costs half a second of start-up (its operators register
 * themselves in hundreds of shared libraries), so no program links it:
 * the one C++ translation unit of fstools, torchscript.cc, is a module,
 * fstools-torch.so, built when configure is given --with-libtorch and
 * opened by torch.c the first time a TorchScript model is loaded. Without
 * it, fs_torch_load says how to build it. Nothing here throws: every
 * libtorch exception becomes a message.
 */
#ifndef FS_TORCH_H
#define FS_TORCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fs_torch;

/* Loads a TorchScript module from the bytes of its file for inference on
 * rows of nin float32 inputs. Two trial passes (one row, then two, all
 * zeros) check that the module takes that width and tell how many values
 * it returns per row (*nout): a tensor [N] or [N,K], or a tuple or list of
 * them, side by side. NULL with a message in err. */
struct fs_torch *fs_torch_load(const char *p, size_t n, size_t nin, size_t *nout, char *err,
                               size_t errsize);
void fs_torch_free(struct fs_torch *t);

/* Evaluates n rows (x: n * nin floats, row after row) and writes n * nout
 * doubles, each a result of the module's (float32) exactly. Threads may
 * call it at once with one module. Returns 0, or -1 with libtorch's
 * message in err. */
int fs_torch_forward(const struct fs_torch *t, const float *x, size_t n, double *out, char *err,
                     size_t errsize);

/* The threads libtorch may use within one forward pass (default 1). Set
 * before the first model is loaded; process-wide. */
void fs_torch_threads(int n);

/* What the module exports, as the one symbol fstools_torch_api: a table
 * whose version torch.c checks, so that a module of another build is
 * refused rather than called wrongly. */
#define FS_TORCH_API_VERSION 1
struct fs_torch_api {
	int version;
	struct fs_torch *(*load)(const char *p, size_t n, size_t nin, size_t *nout, char *err,
	                         size_t errsize);
	int (*forward)(const struct fs_torch *t, const float *x, size_t n, double *out, char *err,
	               size_t errsize);
	void (*free)(struct fs_torch *t);
	void (*threads)(int n);
};

#ifdef __cplusplus
}
#endif

#endif
