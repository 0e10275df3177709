// torchscript.cc: the module fstools-torch.so, TorchScript through libtorch
// (see torch.h). The only C++ in fstools; it exports one C table.
//
// Inference only: every pass runs under c10::InferenceMode, which is
// thread-local, so fsscore --serve's threads share one module. Results are
// converted to double from the module's own dtype (float32, exactly).
#include "torch.h"

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

struct fs_torch {
	torch::jit::Module m;
	size_t nin, nout;
};

namespace {

// libtorch's messages carry a TorchScript traceback; the cause is its
// last line ("RuntimeError: mat1 and mat2 shapes cannot be multiplied ...").
std::string brief(const char *what)
{
	std::string s(what), line;
	std::istringstream in(s);
	std::string l;
	while (std::getline(in, l)) {
		size_t a = l.find_first_not_of(" \t");
		if (a == std::string::npos)
			continue;
		if (l.compare(a, 16, "Exception raised") == 0)
			break;  // c10's C++ backtrace follows
		line = l.substr(a);
	}
	return line.empty() ? s : line;
}

std::string message(const std::exception &e)
{
	if (auto c = dynamic_cast<const c10::Error *>(&e))
		return brief(c->what_without_backtrace());
	return brief(e.what());
}

void say(char *err, size_t errsize, const std::string &s)
{
	std::snprintf(err, errsize, "%s", s.c_str());
}

std::string shape(const at::Tensor &t)
{
	std::string s = "[";
	for (int64_t d = 0; d < t.dim(); d++)
		s += (d ? ", " : "") + std::to_string(t.size(d));
	return s + "]";
}

// The tensors a forward pass returned, in order: one, or a tuple's or a
// list's. Empty with a message when it returned something else.
bool tensors(const c10::IValue &v, std::vector<at::Tensor> &out, std::string &why)
{
	if (v.isTensor()) {
		out.push_back(v.toTensor());
		return true;
	}
	if (v.isTuple()) {
		for (const auto &e : v.toTupleRef().elements())
			if (!tensors(e, out, why))
				return false;
		return true;
	}
	if (v.isTensorList()) {
		for (const at::Tensor &t : v.toTensorVector())
			out.push_back(t);
		return true;
	}
	why = "forward() returned a " + v.tagKind() + "; fsscore takes a tensor, or a tuple or list "
	      "of tensors";
	return false;
}

// Runs the module on n rows; writes out (n * nout) unless it is NULL (the
// trial passes, which learn nout). Throws libtorch's exceptions; returns
// false with why for a result fsscore cannot read.
bool run(const fs_torch *t, const float *x, size_t n, double *out, size_t *nout, std::string &why)
{
	c10::InferenceMode guard;
	at::Tensor in = torch::from_blob(const_cast<float *>(x),
	                                 {(int64_t)n, (int64_t)t->nin}, torch::kFloat32);
	std::vector<at::Tensor> ts;
	if (!tensors(const_cast<torch::jit::Module &>(t->m).forward({in}), ts, why))
		return false;
	std::vector<at::Tensor> cols;
	size_t k = 0;
	for (const at::Tensor &r : ts) {
		if ((r.dim() != 1 && r.dim() != 2) || r.size(0) != (int64_t)n) {
			why = "forward() returned a tensor of shape " + shape(r) + " for " +
			      std::to_string(n) + " row" + (n == 1 ? "" : "s") + "; fsscore takes [N] (a "
			      "score per row) or [N, K] (K scores per row)";
			return false;
		}
		at::Tensor c = r.to(torch::kCPU, torch::kFloat64).reshape({(int64_t)n, -1}).contiguous();
		k += (size_t)c.size(1);
		cols.push_back(c);
	}
	if (k == 0) {
		why = "forward() returned no values";
		return false;
	}
	if (t->nout && k != t->nout) {
		why = "forward() returned " + std::to_string(k) + " values per row, not " +
		      std::to_string(t->nout) + " as on loading";
		return false;
	}
	*nout = k;
	for (size_t i = 0, at = 0; out && i < cols.size(); i++) {
		size_t w = (size_t)cols[i].size(1);
		const double *p = cols[i].data_ptr<double>();
		for (size_t r = 0; r < n; r++)
			std::memcpy(out + r * k + at, p + r * w, w * sizeof *out);
		at += w;
	}
	return true;
}

// The shape of the first matrix among the parameters, which for most
// networks tells the width they take: "its first weight, net.0.weight, is
// [32, 6]".
std::string first_weight(const torch::jit::Module &m)
{
	for (const auto &p : m.named_parameters(true))
		if (p.value.dim() == 2)
			return "; its first weight, " + p.name + ", is " + shape(p.value) + " (" +
			       std::to_string(p.value.size(1)) + " inputs?)";
	return "";
}

fs_torch *load(const char *p, size_t n, size_t nin, size_t *nout, char *err, size_t errsize)
{
	fs_torch *t = new fs_torch;
	t->nin = nin;
	t->nout = 0;
	try {
		std::istringstream in(std::string(p, n));
		t->m = torch::jit::load(in, torch::kCPU);
		t->m.eval();
	} catch (const std::exception &e) {
		say(err, errsize, "not a TorchScript model libtorch can load: " + message(e));
		delete t;
		return nullptr;
	}
	// one row, then two: a model that drops the batch dimension of a single
	// row is caught by the second
	std::string why;
	std::vector<float> zeros(2 * nin, 0.0f);
	try {
		for (size_t rows = 1; rows <= 2; rows++)
			if (!run(t, zeros.data(), rows, nullptr, &t->nout, why))
				break;
	} catch (const std::exception &e) {
		why = "the model fails on " + std::to_string(nin) + " feature" + (nin == 1 ? "" : "s") +
		      " (does it take another number?): libtorch says \"" + message(e) + "\"" +
		      first_weight(t->m);
	}
	if (!why.empty()) {
		say(err, errsize, why);
		delete t;
		return nullptr;
	}
	*nout = t->nout;
	return t;
}

int forward(const fs_torch *t, const float *x, size_t n, double *out, char *err, size_t errsize)
{
	std::string why;
	try {
		size_t k;
		if (run(t, x, n, out, &k, why))
			return 0;
	} catch (const std::exception &e) {
		why = message(e);
	}
	say(err, errsize, why);
	return -1;
}

void release(fs_torch *t)
{
	delete t;
}

void threads(int n)
{
	at::set_num_threads(n > 0 ? n : 1);
}

}  // namespace

extern "C" {
extern const struct fs_torch_api fstools_torch_api;
const struct fs_torch_api fstools_torch_api = {FS_TORCH_API_VERSION, load, forward, release,
                                               threads};
}
