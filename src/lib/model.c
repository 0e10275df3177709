/* model.c: XGBoost JSON and fstools linear models (see model.h).
 *
 * XGBoost trees are flattened into one array of 12-byte nodes, renumbered
 * breadth-first so that a node's right child always follows its left one:
 * a numerical split is then `left + !(x < cond)`, with no second index to
 * load. The arithmetic follows XGBoost's CPU predictor (1.7 and 2.x):
 * features as float, each tree's leaf added in float to the base margin in
 * tree order (DART: leaf times the tree's weight, in float), then the
 * objective's transform in float.
 */
#define _GNU_SOURCE /* memmem */
#include "model.h"
#include "diag.h"
#include "json.h"
#include "state.h"
#include "torch.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FEAT_MASK     0x1fffffffu
#define DEFAULT_LEFT  0x80000000u
#define CATEGORICAL   0x40000000u
#define LEAF          0x20000000u

/* Trees are walked this many at a time, so that their memory loads overlap. */
#define BLOCK 8

struct node {
	int32_t left;           /* the left child; the right one is left + 1. A leaf: itself */
	uint32_t feature;       /* feature index | DEFAULT_LEFT | CATEGORICAL, or LEAF */
	union {
		float cond;         /* numerical split: x < cond goes left */
		float leaf;         /* a leaf's value */
		uint32_t catset;    /* categorical split: index into cat_off */
	} u;
};

enum link {
	LINK_IDENTITY,          /* reg:squarederror, binary:logitraw, linear identity */
	LINK_LOGISTIC,          /* binary:logistic, reg:logistic, linear logistic */
	LINK_EXP,               /* count:poisson */
	LINK_SOFTMAX,           /* multi:softprob and multi:softmax */
};

struct fs_model {
	char *id, *describe;
	size_t nfeat;
	char **names;           /* nfeat entries, NULL where unnamed */
	int has_names;
	enum link link;
	size_t nout;            /* 1, or the number of classes */
	int xgb;

	/* XGBoost */
	struct node *nodes;
	size_t nnodes;
	uint32_t *root;         /* per tree: index of its root in nodes */
	uint32_t *group;        /* per tree: the output it adds to */
	uint32_t *depth;        /* per block of BLOCK trees: the deepest one's depth */
	/* The same trees made complete (leaves above the last level copied down
	 * both ways) in heap order: children of i at 2i+1 and 2i+2, so a walk
	 * loads no child index. Built when no split is categorical and the
	 * trees are shallow enough for the copies to stay small. */
	struct pnode {
		float cond;
		uint32_t feature;   /* the feature's index */
	} *pnodes;
	uint8_t *pleft;         /* per pnode: 1 when a missing value goes left */
	float *pleaves;
	size_t *poff;           /* per tree: its first node in pnodes; its leaves start at
	                         * the same index of pleaves minus the tree's number */
	float *weight;          /* per tree for DART, else NULL */
	size_t ntrees;
	float *base_margin;     /* per output */
	uint32_t *cat_off;      /* per categorical split: its categories are */
	uint32_t *cat_len;      /* cats[cat_off .. cat_off + cat_len), sorted */
	int32_t *cats;
	size_t ncatsets, ncats;

	/* linear: link and names above, the rest here */
	struct fs_linear lin;

	/* TorchScript (torch.h): names above, from the sidecar or --features */
	struct fs_torch *torch;
	double *fill;           /* per feature: the sidecar's "impute" default, NaN: none */
};

/* ------------------------------------------------------------ helpers */

static void fail(char *err, size_t errsize, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(char *err, size_t errsize, const char *name, const char *fmt, ...)
{
	int n = snprintf(err, errsize, "%s: ", name);
	if (n < 0 || (size_t)n >= errsize)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
}

/* XGBoost writes parameters as strings ("30", "5E-1") and arrays as numbers. */
static int num_of(const json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		/* 2.1 writes a vector base score: "[5E-1]" */
		int bracket = *s == '[';
		errno = 0;
		*out = strtod(s + bracket, &end);
		if (end == s + bracket || errno == ERANGE)
			return -1;
		if (bracket && *end++ != ']')
			return -1;
		return *end ? -1 : 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	return -1;
}

static int count_of(const json_t *v, size_t max, size_t *out)
{
	double d;
	if (num_of(v, &d) < 0 || d < 0 || d > (double)max || d != floor(d))
		return -1;
	*out = (size_t)d;
	return 0;
}

float fs_float_from_shortest(double d)
{
	float f = (float)d;
	/* Two floats tie for d only when d is their exact midpoint, i.e. when
	 * its 29 bits below float precision are exactly 1000...0. Then the
	 * decimal was the shortest form of one of them: the one whose shortest
	 * form reads back as d. */
	if (!isfinite(f) || f == 0 || fabs(d) < 0x1p-126)
		return f;
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	if ((bits & 0x1fffffffu) != 0x10000000u)
		return f;
	float lo = nextafterf(f, -INFINITY), hi = nextafterf(f, INFINITY);
	float cand[2] = {(double)lo < d ? lo : f, (double)hi > d ? hi : f};
	for (int i = 0; i < 2; i++) {
		char s[FS_DBL_MAX];
		fs_fmt_float(s, cand[i]);
		if (strtod(s, NULL) == d)
			return cand[i];
	}
	return f;
}

char *fs_model_base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return fs_xstrdup(s && s[1] ? s + 1 : path);
}

static void set_id(struct fs_model *m, const char *name, const char *p, size_t n)
{
	char *b = fs_model_base_name(name);
	size_t len = strlen(b) + 18;
	m->id = fs_xmalloc(len);
	snprintf(m->id, len, "%s@%016llx", b, (unsigned long long)fs_stable_hash(p, n));
	free(b);
}

/* ------------------------------------------------------------ XGBoost */

static const json_t *get(const json_t *o, const char *k)
{
	return json_object_get(o, k);
}

/* An array member of a tree as numbers; n checked against the node count. */
static const json_t *tree_array(const json_t *tree, const char *k, size_t n, int required,
                                char *why, size_t whysize)
{
	const json_t *a = get(tree, k);
	if (!a && !required)
		return NULL;
	if (!json_is_array(a) || (n != (size_t)-1 && json_array_size(a) != n)) {
		snprintf(why, whysize, "\"%s\" is %s", k,
		         !a ? "missing" : !json_is_array(a) ? "not an array" : "of the wrong length");
		return NULL;
	}
	return a;
}

/* Element i of a numeric array; NaN where XGBoost wrote NaN (see below). */
static double at(const json_t *a, size_t i)
{
	double d = NAN;
	num_of(json_array_get(a, i), &d);
	return d;
}

/* XGBoost writes NaN and Infinity as bare tokens (a categorical split's
 * condition is NaN), which is not JSON: outside strings they become null,
 * which at() reads back as NaN. Returns the bytes to parse. */
static const char *without_nan(const char *p, size_t n, struct fs_buf *b, size_t *outn)
{
	if (!memmem(p, n, "NaN", 3) && !memmem(p, n, "Infinity", 8)) {
		*outn = n;
		return p;
	}
	int in_string = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_string) {
			fs_buf_putc(b, c);
			if (c == '\\' && i + 1 < n)
				fs_buf_putc(b, p[++i]);
			else if (c == '"')
				in_string = 0;
			continue;
		}
		if (c == '"')
			in_string = 1;
		size_t skip = n - i >= 3 && !memcmp(p + i, "NaN", 3) ? 3 :
		              n - i >= 8 && !memcmp(p + i, "Infinity", 8) ? 8 :
		              n - i >= 9 && !memcmp(p + i, "-Infinity", 9) ? 9 : 0;
		if (skip) {
			fs_buf_puts(b, "null");
			i += skip - 1;
		} else {
			fs_buf_putc(b, c);
		}
	}
	*outn = b->len;
	return b->p;
}

/* Adds one tree to m, renumbered breadth-first. Returns 0 or -1 with why. */
static int load_tree(struct fs_model *m, const json_t *tree, size_t t, char *why, size_t whysize)
{
	const json_t *param = get(tree, "tree_param");
	size_t n, leafvec = 0;
	if (count_of(get(param, "num_nodes"), 1u << 30, &n) < 0 || n == 0) {
		snprintf(why, whysize, "tree_param.num_nodes is missing or invalid");
		return -1;
	}
	if (get(param, "size_leaf_vector") && count_of(get(param, "size_leaf_vector"), 1u << 30, &leafvec) == 0 &&
	    leafvec > 1) {
		snprintf(why, whysize, "vector leaves (multi_strategy=\"multi_output_tree\") are not "
		         "supported; train with the default one_output_per_tree");
		return -1;
	}
	const json_t *lc, *rc, *si, *sc, *dl, *st;
	if (!(lc = tree_array(tree, "left_children", n, 1, why, whysize)) ||
	    !(rc = tree_array(tree, "right_children", n, 1, why, whysize)) ||
	    !(si = tree_array(tree, "split_indices", n, 1, why, whysize)) ||
	    !(sc = tree_array(tree, "split_conditions", n, 1, why, whysize)) ||
	    !(dl = tree_array(tree, "default_left", n, 1, why, whysize)))
		return -1;
	st = tree_array(tree, "split_type", n, 0, why, whysize);
	if (!st && get(tree, "split_type"))
		return -1;

	/* Categorical splits: node ids, and where each one's categories are. */
	const json_t *cn = get(tree, "categories_nodes"), *cs = get(tree, "categories_segments"),
	             *cz = get(tree, "categories_sizes"), *cv = get(tree, "categories");
	size_t ncat = json_array_size(cn);
	if (ncat && (json_array_size(cs) != ncat || json_array_size(cz) != ncat || !json_is_array(cv))) {
		snprintf(why, whysize, "its categories_* arrays do not agree");
		return -1;
	}

	int32_t *newid = fs_xmalloc(n * sizeof *newid);
	size_t *queue = fs_xmalloc(n * sizeof *queue);
	for (size_t i = 0; i < n; i++)
		newid[i] = -1;
	size_t base = m->nnodes;
	m->nodes = fs_xrealloc(m->nodes, (base + n) * sizeof *m->nodes);
	uint32_t *level = fs_xmalloc(n * sizeof *level);
	size_t head = 0, tail = 0, next = 1;
	queue[tail++] = 0;
	newid[0] = 0;
	level[0] = 0;
	uint32_t depth = 0;
	int rcode = 0;
	while (head < tail) {
		size_t old = queue[head++];
		struct node *nd = &m->nodes[base + (size_t)newid[old]];
		double l = at(lc, old), r = at(rc, old);
		if (level[old] > depth)
			depth = level[old];
		if (l == -1) {
			/* a leaf leads to itself, whatever the input: walks need not stop */
			nd->left = (int32_t)(base + (size_t)newid[old]);
			nd->feature = LEAF;
			nd->u.leaf = fs_float_from_shortest(at(sc, old));
			continue;
		}
		if (l < 0 || l >= (double)n || r < 0 || r >= (double)n || l != floor(l) || r != floor(r) ||
		    newid[(size_t)l] != -1 || newid[(size_t)r] != -1 || l == r) {
			snprintf(why, whysize, "node %zu has invalid children", old);
			rcode = -1;
			break;
		}
		double f = at(si, old);
		if (f < 0 || f >= (double)m->nfeat || f != floor(f)) {
			snprintf(why, whysize, "node %zu splits on feature %g, but the model has %zu features",
			         old, f, m->nfeat);
			rcode = -1;
			break;
		}
		nd->left = (int32_t)(base + next);
		nd->feature = (uint32_t)f | (at(dl, old) != 0 ? DEFAULT_LEFT : 0);
		if (st && at(st, old) == 1) {
			/* find this node's category set */
			size_t k = 0;
			while (k < ncat && at(cn, k) != (double)old)
				k++;
			size_t off = (size_t)at(cs, k), len = (size_t)at(cz, k);
			if (k == ncat || off + len > json_array_size(cv) || off + len < off) {
				snprintf(why, whysize, "categorical node %zu has no category set", old);
				rcode = -1;
				break;
			}
			m->cat_off = fs_xrealloc(m->cat_off, (m->ncatsets + 1) * sizeof *m->cat_off);
			m->cat_len = fs_xrealloc(m->cat_len, (m->ncatsets + 1) * sizeof *m->cat_len);
			m->cats = fs_xrealloc(m->cats, (m->ncats + len) * sizeof *m->cats);
			m->cat_off[m->ncatsets] = (uint32_t)m->ncats;
			m->cat_len[m->ncatsets] = (uint32_t)len;
			for (size_t j = 0; j < len; j++)
				m->cats[m->ncats + j] = (int32_t)at(cv, off + j);
			/* sorted, for a binary search */
			for (size_t a = 1; a < len; a++)
				for (size_t b = a; b > 0 && m->cats[m->ncats + b - 1] > m->cats[m->ncats + b]; b--) {
					int32_t tmp = m->cats[m->ncats + b];
					m->cats[m->ncats + b] = m->cats[m->ncats + b - 1];
					m->cats[m->ncats + b - 1] = tmp;
				}
			m->ncats += len;
			nd->feature |= CATEGORICAL;
			nd->u.catset = (uint32_t)m->ncatsets++;
		} else {
			nd->u.cond = fs_float_from_shortest(at(sc, old));
		}
		newid[(size_t)l] = (int32_t)next++;
		newid[(size_t)r] = (int32_t)next++;
		level[(size_t)l] = level[(size_t)r] = level[old] + 1;
		queue[tail++] = (size_t)l;
		queue[tail++] = (size_t)r;
	}
	free(newid);
	free(queue);
	free(level);
	if (rcode < 0)
		return -1;
	m->root[t] = (uint32_t)base;
	if (depth > m->depth[t / BLOCK])
		m->depth[t / BLOCK] = depth;
	m->nnodes = base + next;  /* deleted nodes, unreachable, are dropped */
	return 0;
}

/* Fills the complete tree below heap position h (level lv of depth) from
 * node n; a leaf above the last level fills both halves below it. */
static void fill_complete(struct fs_model *m, size_t off, size_t loff, uint32_t depth, size_t h,
                          uint32_t lv, const struct node *n)
{
	size_t inner = ((size_t)1 << depth) - 1;
	if (lv == depth) {
		m->pleaves[loff + (h - inner)] = n->u.leaf;
		return;
	}
	struct pnode *p = &m->pnodes[off + h];
	m->pleft[off + h] = (n->feature & DEFAULT_LEFT) != 0;
	if (n->feature & LEAF) {
		p->cond = 0;
		p->feature = 0;
		fill_complete(m, off, loff, depth, 2 * h + 1, lv + 1, n);
		fill_complete(m, off, loff, depth, 2 * h + 2, lv + 1, n);
		return;
	}
	p->cond = n->u.cond;
	p->feature = n->feature & FEAT_MASK;
	fill_complete(m, off, loff, depth, 2 * h + 1, lv + 1, &m->nodes[n->left]);
	fill_complete(m, off, loff, depth, 2 * h + 2, lv + 1, &m->nodes[n->left + 1]);
}

static void make_complete(struct fs_model *m)
{
	size_t inner = 0, leaves = 0;
	if (m->ncatsets)
		return;
	for (size_t t = 0; t < m->ntrees; t++) {
		uint32_t d = m->depth[t / BLOCK];
		if (d > 12)
			return;
		inner += ((size_t)1 << d) - 1;
		leaves += (size_t)1 << d;
	}
	if (inner > ((size_t)16 << 20))
		return;
	m->pnodes = fs_xmalloc((inner + 1) * sizeof *m->pnodes);
	m->pleft = fs_xmalloc(inner + 1);
	m->pleaves = fs_xmalloc((leaves + 1) * sizeof *m->pleaves);
	m->poff = fs_xmalloc((m->ntrees + 1) * 2 * sizeof *m->poff);
	size_t off = 0, loff = 0;
	for (size_t t = 0; t < m->ntrees; t++) {
		uint32_t d = m->depth[t / BLOCK];
		m->poff[2 * t] = off;
		m->poff[2 * t + 1] = loff;
		fill_complete(m, off, loff, d, 0, 0, &m->nodes[m->root[t]]);
		off += ((size_t)1 << d) - 1;
		loff += (size_t)1 << d;
	}
}

/* The link of an objective, or -1 for one fsscore does not score. */
static int link_of(const char *obj)
{
	if (!strcmp(obj, "binary:logistic") || !strcmp(obj, "reg:logistic"))
		return LINK_LOGISTIC;
	if (!strcmp(obj, "binary:logitraw") || !strcmp(obj, "reg:squarederror") ||
	    !strcmp(obj, "reg:linear"))
		return LINK_IDENTITY;
	if (!strcmp(obj, "count:poisson"))
		return LINK_EXP;
	if (!strcmp(obj, "multi:softprob") || !strcmp(obj, "multi:softmax"))
		return LINK_SOFTMAX;
	return -1;
}

/* base_score as the margin trees add to: each objective's ProbToMargin,
 * in float as XGBoost computes it. binary:logitraw's is the identity. */
static int margin_of(enum link link, float b, float *out, char *why, size_t whysize)
{
	switch (link) {
	case LINK_LOGISTIC:
		if (!(b > 0.0f && b < 1.0f)) {
			snprintf(why, whysize, "base_score %g is outside (0, 1)", (double)b);
			return -1;
		}
		*out = -logf(1.0f / b - 1.0f);
		return 0;
	case LINK_EXP:
		if (!(b > 0.0f)) {
			snprintf(why, whysize, "base_score %g is not positive", (double)b);
			return -1;
		}
		*out = logf(b);
		return 0;
	case LINK_IDENTITY:
	case LINK_SOFTMAX:
		break;
	}
	*out = b;
	return 0;
}

/* base_score: "5E-1" (up to 3.0), or "[5E-1]" and "[a,b,c]" (one per class,
 * from 3.1). Returns the number of values read into out, or -1. */
static int base_scores(const json_t *v, float *out, size_t max)
{
	double d;
	if (!json_is_string(v) || json_string_value(v)[0] != '[')
		return num_of(v, &d) < 0 ? -1 : (out[0] = fs_float_from_shortest(d), 1);
	const char *p = json_string_value(v) + 1;
	size_t n = 0;
	for (;;) {
		char *end;
		errno = 0;
		d = strtod(p, &end);
		if (end == p || errno == ERANGE || n == max)
			return -1;
		out[n++] = fs_float_from_shortest(d);
		p = end;
		while (*p == ' ')
			p++;
		if (*p == ']')
			return p[1] ? -1 : (int)n;
		if (*p++ != ',')
			return -1;
	}
}

static int load_xgboost(struct fs_model *m, const json_t *root, char *why, size_t whysize)
{
	const json_t *learner = get(root, "learner");
	const json_t *mp = get(learner, "learner_model_param");
	const json_t *gb = get(learner, "gradient_booster");
	const char *gbname = json_string_value(get(gb, "name"));
	const char *obj = json_string_value(get(get(learner, "objective"), "name"));
	size_t nclass = 0, ntarget = 1;
	m->xgb = 1;
	if (!json_is_object(mp) || count_of(get(mp, "num_feature"), FEAT_MASK, &m->nfeat) < 0 ||
	    !get(mp, "base_score") ||
	    (get(mp, "num_class") && count_of(get(mp, "num_class"), 1u << 20, &nclass) < 0)) {
		snprintf(why, whysize, "learner.learner_model_param is missing or incomplete "
		         "(num_feature, base_score)");
		return -1;
	}
	if (get(mp, "num_target") && (count_of(get(mp, "num_target"), 1u << 20, &ntarget) < 0 || ntarget > 1)) {
		snprintf(why, whysize, "models with several targets (num_target > 1) are not supported");
		return -1;
	}
	if (!obj) {
		snprintf(why, whysize, "learner.objective.name is missing");
		return -1;
	}
	int link = link_of(obj);
	if (link < 0) {
		snprintf(why, whysize, "objective \"%s\" is not supported (fsscore scores binary:logistic, "
		         "binary:logitraw, reg:logistic, reg:squarederror, count:poisson, "
		         "multi:softprob and multi:softmax)", obj);
		return -1;
	}
	m->link = (enum link)link;
	if (m->link == LINK_SOFTMAX && nclass < 2) {
		snprintf(why, whysize, "objective %s needs num_class of 2 or more", obj);
		return -1;
	}
	m->nout = m->link == LINK_SOFTMAX ? nclass : 1;
	m->base_margin = fs_xcalloc(m->nout, sizeof *m->base_margin);
	int nb = base_scores(get(mp, "base_score"), m->base_margin, m->nout);
	if (nb != 1 && nb != (int)m->nout) {
		snprintf(why, whysize, "base_score is not a number, nor a list of one per class");
		return -1;
	}
	for (size_t k = nb == 1 ? 1 : m->nout; k < m->nout; k++)
		m->base_margin[k] = m->base_margin[0];  /* one for all classes */
	for (size_t k = 0; k < m->nout; k++)
		if (margin_of(m->link, m->base_margin[k], &m->base_margin[k], why, whysize) < 0)
			return -1;

	/* names: learner.feature_names; categorical features: feature_types "c" */
	const json_t *fn = get(learner, "feature_names"), *ft = get(learner, "feature_types");
	m->names = fs_xcalloc(m->nfeat ? m->nfeat : 1, sizeof *m->names);
	m->has_names = json_array_size(fn) == m->nfeat && m->nfeat > 0;
	for (size_t i = 0; m->has_names && i < m->nfeat; i++) {
		const char *s = json_string_value(json_array_get(fn, i));
		if (!s) {
			snprintf(why, whysize, "feature_names[%zu] is not a string", i);
			return -1;
		}
		m->names[i] = fs_xstrdup(s);
	}
	(void)ft;  /* split_type marks categorical splits; feature_types are informative */

	/* gbtree, or dart around a gbtree */
	const json_t *model = NULL, *wd = NULL;
	if (gbname && !strcmp(gbname, "gbtree")) {
		model = get(gb, "model");
		/* DART as 3.3 writes it: weights beside the model; 3.4, inside it */
		wd = get(gb, "weight_drop") ? get(gb, "weight_drop") : get(model, "weight_drop");
	} else if (gbname && !strcmp(gbname, "dart")) {
		/* DART up to 3.2: a gbtree inside, weights beside it */
		model = get(get(gb, "gbtree"), "model");
		wd = get(gb, "weight_drop");
	} else {
		snprintf(why, whysize, "booster \"%s\" is not supported (gbtree and dart are)",
		         gbname ? gbname : "(none)");
		return -1;
	}
	const json_t *trees = get(model, "trees"), *info = get(model, "tree_info");
	if (!json_is_array(trees) || !json_is_array(info) || json_array_size(info) != json_array_size(trees)) {
		snprintf(why, whysize, "gradient_booster model has no trees or tree_info of another length");
		return -1;
	}
	m->ntrees = json_array_size(trees);
	if (wd && (!json_is_array(wd) || json_array_size(wd) != m->ntrees)) {
		snprintf(why, whysize, "dart weight_drop does not have one weight per tree");
		return -1;
	}
	m->root = fs_xcalloc(m->ntrees + 1, sizeof *m->root);
	m->group = fs_xcalloc(m->ntrees + 1, sizeof *m->group);
	m->depth = fs_xcalloc(m->ntrees / BLOCK + 1, sizeof *m->depth);
	if (wd)
		m->weight = fs_xcalloc(m->ntrees + 1, sizeof *m->weight);
	for (size_t t = 0; t < m->ntrees; t++) {
		double g = at(info, t);
		if (g < 0 || g >= (double)m->nout || g != floor(g)) {
			snprintf(why, whysize, "tree_info[%zu] = %g names no output", t, g);
			return -1;
		}
		m->group[t] = (uint32_t)g;
		if (wd)
			m->weight[t] = fs_float_from_shortest(at(wd, t));
		char twhy[256];
		if (load_tree(m, json_array_get(trees, t), t, twhy, sizeof twhy) < 0) {
			snprintf(why, whysize, "tree %zu: %s", t, twhy);
			return -1;
		}
	}
	make_complete(m);

	const json_t *ver = get(root, "version");
	char vs[32] = "?";
	if (json_array_size(ver) >= 2)
		snprintf(vs, sizeof vs, "%g.%g", at(ver, 0), at(ver, 1));
	char d[256];
	snprintf(d, sizeof d, "xgboost %s %s, %zu trees, %s, %zu features", vs, gbname, m->ntrees, obj,
	         m->nfeat);
	m->describe = fs_xstrdup(d);
	return 0;
}

/* ------------------------------------------------------------ linear */

static int linear_map(const json_t *lin, const char *k, struct fs_model *m, double *dst,
                      char *why, size_t whysize)
{
	const json_t *o = get(lin, k);
	if (!o)
		return 0;
	if (!json_is_object(o)) {
		snprintf(why, whysize, "\"%s\" is not an object of numbers by feature name", k);
		return -1;
	}
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)o, name, v) {
		size_t i = 0;
		while (i < m->nfeat && strcmp(m->names[i], name) != 0)
			i++;
		if (i == m->nfeat) {
			snprintf(why, whysize, "\"%s\" names \"%s\", which has no weight", k, name);
			return -1;
		}
		if (!json_is_number(v)) {
			snprintf(why, whysize, "%s.%s is not a number", k, name);
			return -1;
		}
		dst[i] = json_number_value(v);
	}
	return 0;
}

/* "hashed": {"bits": 18, "fields": ["merchant_id"], "weights": {"40123": 0.5}} */
static int load_hashed(struct fs_model *m, const json_t *h, char *why, size_t whysize)
{
	struct fs_linear *l = &m->lin;
	const json_t *bits = get(h, "bits"), *fields = get(h, "fields"), *w = get(h, "weights");
	if (!json_is_object(h)) {
		snprintf(why, whysize, "\"hashed\" must be an object: {\"bits\": 18, \"fields\": [...], "
		         "\"weights\": {...}}");
		return -1;
	}
	if (!json_is_integer(bits) || json_integer_value(bits) < 1 ||
	    json_integer_value(bits) > FS_HASH_BITS_MAX) {
		snprintf(why, whysize, "hashed.bits must be a whole number from 1 to %d", FS_HASH_BITS_MAX);
		return -1;
	}
	if (!json_is_array(fields) || json_array_size(fields) == 0) {
		snprintf(why, whysize, "hashed.fields must be a non-empty array of field names");
		return -1;
	}
	l->bits = (unsigned)json_integer_value(bits);
	l->nhashed = json_array_size(fields);
	l->hashed = fs_xcalloc(l->nhashed, sizeof *l->hashed);
	for (size_t i = 0; i < l->nhashed; i++) {
		const char *f = json_string_value(json_array_get(fields, i));
		if (!f || !*f) {
			snprintf(why, whysize, "hashed.fields[%zu] is not a field name", i);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(l->hashed[j], f)) {
				snprintf(why, whysize, "hashed.fields names \"%s\" twice", f);
				return -1;
			}
		l->hashed[i] = fs_xstrdup(f);
	}
	size_t nb = (size_t)1 << l->bits;
	l->hw = fs_xcalloc(nb, sizeof *l->hw);
	if (!w)
		return 0;
	if (!json_is_object(w)) {
		snprintf(why, whysize, "hashed.weights must be an object of numbers by bucket");
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)w, k, v) {
		char *end;
		errno = 0;
		unsigned long b = strtoul(k, &end, 10);
		if (!*k || *end || *k == '-' || *k == '+' || errno || b >= nb) {
			snprintf(why, whysize, "hashed.weights: \"%s\" is not a bucket from 0 to %zu", k,
			         nb - 1);
			return -1;
		}
		if (!json_is_number(v)) {
			snprintf(why, whysize, "hashed.weights.%s is not a number", k);
			return -1;
		}
		l->hw[b] = json_number_value(v);
	}
	return 0;
}

static int load_linear(struct fs_model *m, const json_t *lin, char *why, size_t whysize)
{
	struct fs_linear *l = &m->lin;
	const json_t *ver = get(lin, "version"), *w = get(lin, "weights"), *h = get(lin, "hashed");
	const char *link = json_string_value(get(lin, "link"));
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		snprintf(why, whysize, "fstools-linear \"version\" must be 1");
		return -1;
	}
	if (!link || (strcmp(link, "logistic") && strcmp(link, "identity"))) {
		snprintf(why, whysize, "\"link\" must be \"logistic\" or \"identity\"");
		return -1;
	}
	m->link = strcmp(link, "logistic") ? LINK_IDENTITY : LINK_LOGISTIC;
	l->logistic = m->link == LINK_LOGISTIC;
	if (!json_is_number(get(lin, "intercept"))) {
		snprintf(why, whysize, "\"intercept\" is missing or not a number");
		return -1;
	}
	l->intercept = json_number_value(get(lin, "intercept"));
	if (!json_is_object(w) || (json_object_size(w) == 0 && !h)) {
		snprintf(why, whysize, "\"weights\" must be an object of numbers by feature name");
		return -1;
	}
	m->nfeat = l->nfeat = json_object_size(w);
	m->nout = 1;
	m->has_names = 1;
	m->names = l->names = fs_xcalloc(m->nfeat + 1, sizeof *m->names);
	l->w = fs_xcalloc(m->nfeat + 1, sizeof *l->w);
	l->center = fs_xcalloc(m->nfeat + 1, sizeof *l->center);
	l->scale = fs_xcalloc(m->nfeat + 1, sizeof *l->scale);
	l->impute = fs_xcalloc(m->nfeat + 1, sizeof *l->impute);
	const char *name;
	json_t *v;
	size_t i = 0;
	json_object_foreach((json_t *)w, name, v) {
		if (!json_is_number(v)) {
			snprintf(why, whysize, "weights.%s is not a number", name);
			return -1;
		}
		m->names[i] = fs_xstrdup(name);
		l->w[i] = json_number_value(v);
		l->scale[i] = 1;
		i++;
	}
	if (linear_map(lin, "center", m, l->center, why, whysize) < 0 ||
	    linear_map(lin, "scale", m, l->scale, why, whysize) < 0)
		return -1;
	for (i = 0; i < m->nfeat; i++) {
		if (!(l->scale[i] != 0) || !isfinite(l->scale[i])) {
			snprintf(why, whysize, "scale.%s must be a finite non-zero number", m->names[i]);
			return -1;
		}
		l->impute[i] = l->center[i];  /* a missing value contributes nothing */
	}
	if (linear_map(lin, "impute", m, l->impute, why, whysize) < 0)
		return -1;
	if (h && load_hashed(m, h, why, whysize) < 0)
		return -1;
	char d[192];
	int dn;
	if (l->nhashed)
		dn = snprintf(d, sizeof d, "fstools-linear %s, %zu feature%s, %zu hashed (%u bits)", link,
		              m->nfeat, m->nfeat == 1 ? "" : "s", l->nhashed, l->bits);
	else
		dn = snprintf(d, sizeof d, "fstools-linear %s, %zu feature%s", link, m->nfeat,
		              m->nfeat == 1 ? "" : "s");
	/* saved by fsscore --learn: which version this is */
	const json_t *ex = get(get(lin, "learning"), "examples");
	if (json_is_integer(ex) && dn > 0 && (size_t)dn < sizeof d)
		snprintf(d + dn, sizeof d - (size_t)dn, ", learned from %lld example%s",
		         (long long)json_integer_value(ex), json_integer_value(ex) == 1 ? "" : "s");
	m->describe = fs_xstrdup(d);
	return 0;
}

/* ------------------------------------------------------------ TorchScript */

/* What a binary model file is, from its first bytes and, for a zip
 * archive, its entries: TorchScript (torch.jit.save) has code/ and
 * constants.pkl; torch.save's zip has data.pkl alone. */
enum binary { BIN_OTHER, BIN_PICKLE, BIN_ZIP_CUT, BIN_ZIP, BIN_TORCH_SAVE, BIN_TORCHSCRIPT };

static enum binary sniff(const char *p, size_t n)
{
	if (n >= 2 && (unsigned char)p[0] == 0x80 && p[1] >= 2 && p[1] <= 5)
		return BIN_PICKLE;
	if (n < 4 || memcmp(p, "PK\3\4", 4) != 0)
		return BIN_OTHER;
	/* a whole zip ends with its directory's end record, within the last
	 * 64 KiB (its comment) + 22 bytes */
	size_t tail = n < 65557 ? n : 65557;
	if (!memmem(p + n - tail, tail, "PK\5\6", 4))
		return BIN_ZIP_CUT;
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	enum binary kind = BIN_ZIP;
	int pickle = 0;
	struct archive_entry *e;
	if (archive_read_open_memory(a, p, n) == ARCHIVE_OK) {
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *name = archive_entry_pathname(e);
			const char *slash = name ? strchr(name, '/') : NULL;
			if (!slash)
				continue;
			if (!strncmp(slash, "/code/", 6) || !strcmp(slash, "/constants.pkl")) {
				kind = BIN_TORCHSCRIPT;
				break;
			}
			pickle |= !strcmp(slash, "/data.pkl");
		}
	}
	archive_read_free(a);
	return kind == BIN_ZIP && pickle ? BIN_TORCH_SAVE : kind;
}

/* Names and defaults from the sidecar file PATH.json, or names from
 * --features (which take the place of the sidecar's list). */
static int torch_names(struct fs_model *m, const char *path, char *const *names, size_t nnames,
                       char *err, size_t errsize, int *status)
{
	char *side = fs_xmalloc(strlen(path) + 6);
	sprintf(side, "%s.json", path);
	json_error_t je;
	json_t *root = NULL;
	int rc = -1;
	FILE *f = fopen(side, "rb");
	if (!f && (errno != ENOENT || !nnames)) {
		if (errno == ENOENT)
			fail(err, errsize, path, "a TorchScript model does not name its features: write them "
			     "in order to %s as {\"features\": [\"a\", \"b\"]}, or give --features a,b", side);
		else
			fail(err, errsize, side, "cannot open: %s", strerror(errno));
		*status = errno == ENOENT ? FS_EX_DATAERR : FS_EX_NOINPUT;
		goto out;
	}
	*status = FS_EX_DATAERR;
	if (f) {
		root = json_loadf(f, 0, &je);
		fclose(f);
		if (!json_is_object(root)) {
			if (root)
				fail(err, errsize, side, "not a JSON object; expected {\"features\": [...], "
				     "\"impute\": {...}}");
			else
				fail(err, errsize, side, "invalid JSON at line %d, column %d: %s", je.line,
				     je.column, je.text);
			goto out;
		}
		const char *k;
		json_t *v;
		json_object_foreach(root, k, v) {
			if (strcmp(k, "features") && strcmp(k, "impute")) {
				fail(err, errsize, side, "unknown member \"%s\" (a sidecar has \"features\" "
				     "and \"impute\")", k);
				goto out;
			}
		}
	}
	json_t *list = json_object_get(root, "features");
	if (nnames) {
		m->nfeat = nnames;
	} else if (!json_is_array(list) || !json_array_size(list)) {
		fail(err, errsize, side, "\"features\" must be a list of the model's input names, "
		     "in order");
		goto out;
	} else {
		m->nfeat = json_array_size(list);
	}
	m->names = fs_xcalloc(m->nfeat, sizeof *m->names);
	m->fill = fs_xmalloc(m->nfeat * sizeof *m->fill);
	for (size_t i = 0; i < m->nfeat; i++) {
		const char *name = nnames ? names[i] : json_string_value(json_array_get(list, i));
		if (!name || !*name) {
			fail(err, errsize, side, "features[%zu] is not a name", i);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->names[j], name)) {
				fail(err, errsize, nnames ? "--features" : side, "\"%s\" is named twice", name);
				goto out;
			}
		m->names[i] = fs_xstrdup(name);
		m->fill[i] = NAN;
	}
	m->has_names = 1;
	json_t *impute = json_object_get(root, "impute");
	if (impute && !json_is_object(impute)) {
		fail(err, errsize, side, "\"impute\" must be an object: {\"feature\": default, ...}");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(impute, k, v) {
		size_t i = 0;
		while (i < m->nfeat && strcmp(m->names[i], k))
			i++;
		if (i == m->nfeat && nnames)
			continue;  /* --features took the place of the sidecar's list */
		if (i == m->nfeat) {
			fail(err, errsize, side, "\"impute\" names \"%s\", which is not a feature", k);
			goto out;
		}
		if (!json_is_number(v)) {
			fail(err, errsize, side, "\"impute\": the default of \"%s\" is not a number", k);
			goto out;
		}
		m->fill[i] = json_number_value(v);
	}
	rc = 0;
out:
	json_decref(root);
	free(side);
	return rc;
}

static struct fs_model *load_torch(const char *path, const char *p, size_t n, char *const *names,
                                   size_t nnames, char *err, size_t errsize, int *status)
{
	struct fs_model *m = fs_xcalloc(1, sizeof *m);
	if (torch_names(m, path, names, nnames, err, errsize, status) < 0) {
		fs_model_free(m);
		return NULL;
	}
	char why[640];
	*status = FS_EX_DATAERR;
	m->torch = fs_torch_load(p, n, m->nfeat, &m->nout, why, sizeof why);
	if (!m->torch) {
		fail(err, errsize, path, "%s", why);
		fs_model_free(m);
		return NULL;
	}
	char d[128];
	snprintf(d, sizeof d, "torchscript, %zu feature%s, %zu output%s", m->nfeat,
	         m->nfeat == 1 ? "" : "s", m->nout, m->nout == 1 ? "" : "s");
	m->describe = fs_xstrdup(d);
	m->link = LINK_IDENTITY;
	set_id(m, path, p, n);
	*status = FS_EX_OK;
	return m;
}

/* The message for a binary file that is not a TorchScript model. */
static void not_torchscript(enum binary kind, const char *name, char *err, size_t errsize)
{
	const char *export = "export it with torch.jit.script(model).save(\"model.pt\") (or "
	                     "torch.jit.trace)";
	switch (kind) {
	case BIN_PICKLE:
		fail(err, errsize, name, "a Python pickle (pickle.dump, or an old torch.save), not "
		     "TorchScript, which fsscore runs without Python: %s", export);
		break;
	case BIN_TORCH_SAVE:
		fail(err, errsize, name, "a torch.save() file (weights or a pickled module), not "
		     "TorchScript, which fsscore runs without Python: %s", export);
		break;
	case BIN_ZIP_CUT:
		fail(err, errsize, name, "a zip archive that ends early: a truncated TorchScript file, "
		     "or one still being written? (write it elsewhere, then rename it into place)");
		break;
	case BIN_ZIP:
		fail(err, errsize, name, "a zip archive, but not a TorchScript model (no code/ or "
		     "constants.pkl in it)");
		break;
	default:
		fail(err, errsize, name, "not a JSON model (an XGBoost binary or UBJSON file?); "
		     "save it as JSON with booster.save_model(\"model.json\")");
		break;
	}
}

/* ------------------------------------------------------------ loading */

struct fs_model *fs_model_parse(const char *name, const char *p, size_t n, char *err, size_t errsize)
{
	json_error_t je;
	struct fs_buf clean = {0};
	size_t cn;
	const char *cp = without_nan(p, n, &clean, &cn);
	json_t *root = json_loadb(cp, cn, 0, &je);
	fs_buf_free(&clean);
	if (!root) {
		enum binary kind = sniff(p, n);
		if (kind == BIN_TORCHSCRIPT)
			fail(err, errsize, name, "a TorchScript model: load it from its file, beside its "
			     "feature names");
		else if (kind != BIN_OTHER || (n > 0 && memchr(p, '\0', n < 4096 ? n : 4096)))
			not_torchscript(kind, name, err, errsize);
		else if (n == 0)
			fail(err, errsize, name, "empty file; expected an XGBoost JSON or fstools-linear model");
		else
			fail(err, errsize, name, "invalid JSON at line %d, column %d: %s (a truncated or "
			     "half-written file?)", je.line, je.column, je.text);
		return NULL;
	}
	struct fs_model *m = fs_xcalloc(1, sizeof *m);
	char why[384] = "";
	int rc;
	if (json_is_string(get(root, "format")) &&
	    !strcmp(json_string_value(get(root, "format")), "fstools-linear")) {
		rc = load_linear(m, root, why, sizeof why);
	} else if (json_is_object(get(root, "learner"))) {
		rc = load_xgboost(m, root, why, sizeof why);
	} else {
		snprintf(why, sizeof why, "unknown model format: expected an XGBoost JSON model "
		         "(Booster.save_model) or an fstools linear model (\"format\": \"fstools-linear\"; "
		         "see fsscore(1))");
		rc = -1;
	}
	json_decref(root);
	if (rc < 0) {
		fail(err, errsize, name, "%s", why);
		fs_model_free(m);
		return NULL;
	}
	set_id(m, name, p, n);
	return m;
}

struct fs_model *fs_model_load(const char *path, char *const *names, size_t nnames, char *err,
                               size_t errsize, int *status)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fail(err, errsize, path, "cannot open: %s", strerror(errno));
		*status = FS_EX_NOINPUT;
		return NULL;
	}
	struct fs_buf b = {0};
	char chunk[65536];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		fs_buf_put(&b, chunk, r);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fail(err, errsize, path, "cannot read: %s", strerror(errno));
		fs_buf_free(&b);
		*status = FS_EX_NOINPUT;
		return NULL;
	}
	struct fs_model *m;
	if (sniff(b.p ? b.p : "", b.len) == BIN_TORCHSCRIPT) {
		m = load_torch(path, b.p, b.len, names, nnames, err, errsize, status);
	} else {
		m = fs_model_parse(path, b.p ? b.p : "", b.len, err, errsize);
		*status = m ? FS_EX_OK : FS_EX_DATAERR;
	}
	fs_buf_free(&b);
	return m;
}

void fs_model_free(struct fs_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->names && i < m->nfeat; i++)
		free(m->names[i]);
	free(m->names);
	free(m->id);
	free(m->describe);
	free(m->nodes);
	free(m->root);
	free(m->group);
	free(m->depth);
	free(m->pnodes);
	free(m->pleft);
	free(m->pleaves);
	free(m->poff);
	free(m->weight);
	free(m->cat_off);
	free(m->cat_len);
	free(m->cats);
	free(m->base_margin);
	free(m->lin.w);
	free(m->lin.center);
	free(m->lin.scale);
	free(m->lin.impute);
	for (size_t i = 0; i < m->lin.nhashed; i++)
		free(m->lin.hashed[i]);
	free(m->lin.hashed);
	free(m->lin.hw);
	fs_torch_free(m->torch);
	free(m->fill);
	free(m);
}

size_t fs_model_nfeatures(const struct fs_model *m) { return m->nfeat; }
const char *fs_model_feature(const struct fs_model *m, size_t i) { return m->names[i]; }
int fs_model_has_names(const struct fs_model *m) { return m->has_names; }
size_t fs_model_noutputs(const struct fs_model *m) { return m->nout; }
const char *fs_model_id(const struct fs_model *m) { return m->id; }
const char *fs_model_describe(const struct fs_model *m) { return m->describe; }
const struct fs_linear *fs_model_linear(const struct fs_model *m)
{
	return m->xgb || m->torch ? NULL : &m->lin;
}
int fs_model_is_torch(const struct fs_model *m) { return m->torch != NULL; }

enum fs_model_task fs_model_task(const struct fs_model *m)
{
	if (m->link == LINK_SOFTMAX)
		return FS_TASK_MULTICLASS;
	return m->nout > 1 ? FS_TASK_MULTIOUTPUT : FS_TASK_SCORE;
}

/* ------------------------------------------------------------ prediction */

/* XGBoost's categorical decision: the categories in the set go right; a
 * negative, too large or absent category goes left. */
static int goes_right(const struct fs_model *m, uint32_t set, float v)
{
	if (!(v >= 0.0f) || v >= 16777216.0f)
		return 0;
	int32_t c = (int32_t)v;
	const int32_t *a = m->cats + m->cat_off[set];
	size_t lo = 0, hi = m->cat_len[set];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->cat_len[set] && a[lo] == c;
}

static float sigmoidf(float x)
{
	/* common::Sigmoid in XGBoost, in float; the epsilon only matters below
	 * a margin of -88.7, where it keeps the result from being 0 */
	float e = fminf(-x, 88.7f);
	return 1.0f / (expf(e) + 1.0f + 1e-16f);
}

/* The walk over complete trees, BLOCK at a time: no leaf test, no child
 * index to load. An event without missing values takes the shortest step;
 * with some, a missing x goes where default_left says. */
static void predict_complete(const struct fs_model *m, const float *xf, float *margin)
{
	int missing = 0;
	for (size_t i = 0; i < m->nfeat; i++)
		missing |= xf[i] != xf[i];
	for (size_t t0 = 0; t0 < m->ntrees; t0 += BLOCK) {
		size_t nb = m->ntrees - t0 < BLOCK ? m->ntrees - t0 : BLOCK;
		uint32_t depth = m->depth[t0 / BLOCK];
		const struct pnode *tree[BLOCK];
		const uint8_t *left[BLOCK];
		size_t h[BLOCK];
		for (size_t j = 0; j < nb; j++) {
			tree[j] = m->pnodes + m->poff[2 * (t0 + j)];
			left[j] = m->pleft + m->poff[2 * (t0 + j)];
			h[j] = 0;
		}
#define STEP(j) do { \
		const struct pnode *n = &tree[j][h[j]]; \
		h[j] = 2 * h[j] + 1 + (xf[n->feature] >= n->cond); \
	} while (0)
#define STEP_MISSING(j) do { \
		const struct pnode *n = &tree[j][h[j]]; \
		float v = xf[n->feature]; \
		h[j] = 2 * h[j] + 1 + (size_t)(!(v < n->cond) ^ ((v != v) & left[j][h[j]])); \
	} while (0)
		if (nb == BLOCK && !missing) {
			/* a constant count: the walks stay in registers and overlap */
			for (uint32_t d = 0; d < depth; d++) {
				STEP(0); STEP(1); STEP(2); STEP(3); STEP(4); STEP(5); STEP(6); STEP(7);
			}
		} else if (!missing) {
			for (uint32_t d = 0; d < depth; d++)
				for (size_t j = 0; j < nb; j++)
					STEP(j);
		} else {
			for (uint32_t d = 0; d < depth; d++)
				for (size_t j = 0; j < nb; j++)
					STEP_MISSING(j);
		}
#undef STEP
#undef STEP_MISSING
		size_t inner = ((size_t)1 << depth) - 1;
		for (size_t j = 0; j < nb; j++) {
			float leaf = m->pleaves[m->poff[2 * (t0 + j) + 1] + h[j] - inner];
			if (m->weight)
				margin[m->group[t0 + j]] += leaf * m->weight[t0 + j];
			else
				margin[m->group[t0 + j]] += leaf;
		}
	}
}

/* Features as float and the margins live on the caller's stack (on the
 * heap for a very wide model): the model stays immutable, so threads
 * (fsscore --serve) share it. */
#define STACK_FEATURES 4096

static int predict_xgb_in(const struct fs_model *m, const double *x, double *out, float *xf,
                          float *margin);

static int predict_xgb(const struct fs_model *m, const double *x, double *out)
{
	float margin[m->nout];
	if (m->nfeat > STACK_FEATURES) {
		float *xf = fs_xmalloc(m->nfeat * sizeof *xf);
		int c = predict_xgb_in(m, x, out, xf, margin);
		free(xf);
		return c;
	}
	float xf[m->nfeat + 1];
	return predict_xgb_in(m, x, out, xf, margin);
}

static int predict_xgb_in(const struct fs_model *m, const double *x, double *out, float *xf,
                          float *margin)
{
	for (size_t i = 0; i < m->nfeat; i++)
		xf[i] = (float)x[i];
	for (size_t k = 0; k < m->nout; k++)
		margin[k] = m->base_margin[k];
	if (m->pnodes) {
		predict_complete(m, xf, margin);
		goto transform;
	}
	const struct node *nodes = m->nodes;
	for (size_t t0 = 0; t0 < m->ntrees; t0 += BLOCK) {
		size_t nb = m->ntrees - t0 < BLOCK ? m->ntrees - t0 : BLOCK;
		uint32_t at_node[BLOCK];
		for (size_t j = 0; j < nb; j++)
			at_node[j] = m->root[t0 + j];
		/* one level of every tree of the block per round; leaves stay put */
		for (uint32_t d = 0; d < m->depth[t0 / BLOCK]; d++) {
			for (size_t j = 0; j < nb; j++) {
				const struct node *n = &nodes[at_node[j]];
				uint32_t f = n->feature;
				float v = xf[f & FEAT_MASK];
				uint32_t right;
				if (__builtin_expect((f & CATEGORICAL) != 0, 0))
					right = isnan(v) ? !(f & DEFAULT_LEFT) : (uint32_t)goes_right(m, n->u.catset, v);
				else  /* x < cond goes left; a missing x goes where default_left says */
					right = !((v < n->u.cond) | ((v != v) & (f >> 31)));
				at_node[j] = (uint32_t)n->left + (right & !(f & LEAF));
			}
		}
		/* summed in tree order, as XGBoost does */
		for (size_t j = 0; j < nb; j++) {
			float leaf = nodes[at_node[j]].u.leaf;
			if (m->weight)
				margin[m->group[t0 + j]] += leaf * m->weight[t0 + j];
			else
				margin[m->group[t0 + j]] += leaf;
		}
	}
transform:
	switch (m->link) {
	case LINK_IDENTITY:
		out[0] = margin[0];
		return 0;
	case LINK_LOGISTIC:
		out[0] = sigmoidf(margin[0]);
		return 0;
	case LINK_EXP:
		out[0] = expf(margin[0]);
		return 0;
	case LINK_SOFTMAX:
		break;
	}
	/* common::Softmax: shift by the largest margin, sum in double, divide in float */
	size_t best = 0;
	float wmax = margin[0];
	for (size_t k = 1; k < m->nout; k++)
		if (margin[k] > wmax) {
			wmax = margin[k];
			best = k;
		}
	double wsum = 0;
	float e[m->nout];
	for (size_t k = 0; k < m->nout; k++) {
		e[k] = expf(margin[k] - wmax);
		wsum += e[k];
	}
	for (size_t k = 0; k < m->nout; k++)
		out[k] = e[k] / (float)wsum;
	return (int)best;
}

double fs_logistic(double z)
{
	return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* MurmurHash3_x86_32 (Austin Appleby, public domain), the hash of
 * Vowpal Wabbit and of scikit-learn's FeatureHasher. */
static uint32_t murmur3_32(const unsigned char *p, size_t n, uint32_t seed)
{
	const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
	uint32_t h = seed, k;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
		    (uint32_t)p[i + 3] << 24;
		k *= c1;
		k = rotl32(k, 15);
		k *= c2;
		h ^= k;
		h = rotl32(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	k = 0;
	switch (n & 3) {
	case 3:
		k ^= (uint32_t)p[i + 2] << 16;
		/* fall through */
	case 2:
		k ^= (uint32_t)p[i + 1] << 8;
		/* fall through */
	case 1:
		k ^= p[i];
		k *= c1;
		k = rotl32(k, 15);
		k *= c2;
		h ^= k;
	}
	h ^= (uint32_t)n;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

uint32_t fs_feature_hash(const char *name, size_t nl, const char *value, size_t vl)
{
	unsigned char small[256], *p = small;
	size_t n = nl + 1 + vl;
	if (n > sizeof small)
		p = fs_xmalloc(n);
	memcpy(p, name, nl);
	p[nl] = '=';
	memcpy(p + nl + 1, value, vl);
	uint32_t h = murmur3_32(p, n, 0);
	if (p != small)
		free(p);
	return h;
}

static int predict_linear(const struct fs_model *m, const double *x, const int64_t *h,
                          double *out)
{
	const struct fs_linear *l = &m->lin;
	double z = l->intercept;
	for (size_t i = 0; i < l->nfeat; i++)
		z += l->w[i] * fs_linear_input(l, i, x[i]);
	uint32_t mask = ((uint32_t)1 << l->bits) - 1;
	for (size_t i = 0; i < l->nhashed; i++)
		if (h[i] >= 0)
			z += l->hw[(uint32_t)h[i] & mask];
	out[0] = l->logistic ? fs_logistic(z) : z;
	return 0;
}

/* n rows (padded to pad with copies of the last) as float32, one pass. */
static int predict_torch(const struct fs_model *m, size_t n, size_t pad, const double *x,
                         double *out, char *err, size_t errsize)
{
	size_t rows = pad > n ? pad : n, nf = m->nfeat, k = m->nout;
	float *xf = fs_xmalloc((rows * nf + 1) * sizeof *xf);
	double *o = rows > n ? fs_xmalloc(rows * k * sizeof *o) : out;
	for (size_t r = 0; r < rows; r++)
		for (size_t i = 0; i < nf; i++)
			xf[r * nf + i] = (float)x[(r < n ? r : n - 1) * nf + i];
	char why[512];
	int rc = fs_torch_forward(m->torch, xf, rows, o, why, sizeof why);
	if (rc < 0)
		snprintf(err, errsize, "%s: %s", m->id, why);
	else if (o != out)
		memcpy(out, o, n * k * sizeof *out);
	if (o != out)
		free(o);
	free(xf);
	return rc;
}

int fs_model_predict(const struct fs_model *m, size_t n, size_t pad, const double *x,
                     const int64_t *h, double *out, int *cls, char *err, size_t errsize)
{
	if (n == 0)
		return 0;
	if (m->torch) {
		for (size_t r = 0; cls && r < n; r++)
			cls[r] = -1;
		return predict_torch(m, n, pad, x, out, err, errsize);
	}
	size_t nh = m->xgb ? 0 : m->lin.nhashed;
	int multiclass = m->link == LINK_SOFTMAX;
	for (size_t r = 0; r < n; r++) {
		int c = m->xgb ? predict_xgb(m, x + r * m->nfeat, out + r * m->nout) :
		        predict_linear(m, x + r * m->nfeat, h ? h + r * nh : NULL, out + r * m->nout);
		if (cls)
			cls[r] = multiclass ? c : -1;
	}
	return 0;
}

long fs_model_fill(const struct fs_model *m, double *x)
{
	if (!m->torch)
		return -1;
	long first = -1;
	for (size_t i = 0; i < m->nfeat; i++)
		if (x[i] != x[i]) {
			x[i] = m->fill[i];
			if (x[i] != x[i] && first < 0)
				first = (long)i;
		}
	return first;
}

int fs_argmax(const double *v, size_t k)
{
	size_t best = 0;
	for (size_t i = 1; i < k; i++)
		if (v[i] > v[best])
			best = i;
	return (int)best;
}

enum fs_num fs_feature_number(const json_t *v, double *d)
{
	if (json_is_boolean(v)) {
		*d = json_is_true(v);
		return FS_NUM_OK;
	}
	return fs_value_number(v, d);
}

/* ------------------------------------------------------------ watching */

static void sig_of(const char *path, struct fs_file_sig *s)
{
	struct stat st;
	memset(s, 0, sizeof *s);
	if (stat(path, &st) < 0)
		return;
	s->ok = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	s->ctime = st.st_ctim;
}

static int sig_same(const struct fs_file_sig *a, const struct fs_file_sig *b)
{
	return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

void fs_model_watch_read(struct fs_model_watch *w, const char *path)
{
	sig_of(path, &w->loaded);
	w->pending = w->loaded;
}

int fs_model_watch_look(struct fs_model_watch *w, const char *path, const char *serving)
{
	struct fs_file_sig now;
	sig_of(path, &now);
	if (!now.ok) {
		w->pending = now;
		if (w->loaded.ok && !w->gone_reported) {
			w->gone_reported = 1;
			fs_warn("%s: the model file is gone; still serving %s", path, serving);
		}
		return 0;
	}
	w->gone_reported = 0;
	if (sig_same(&now, &w->loaded))
		return 0;
	if (sig_same(&now, &w->pending))
		return 1;
	w->pending = now;
	return 0;
}
