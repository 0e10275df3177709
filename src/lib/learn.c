/* learn.c: online learning of linear models and its progressive validation
 * (see learn.h).
 *
 * Coordinates are one array: the intercept (an input that is always 1, as in
 * the paper), then the numeric features, then the 2^bits hash buckets. Each
 * holds its weight and the accumulators z and n of FTRL (n alone serves
 * AdaGrad). An example touches few coordinates; predict lists them, with
 * their inputs, and update walks only that list, so a step costs the same
 * with 2^18 buckets as with none.
 *
 * All three algorithms share one rate per coordinate, through its inverse
 * r(n) = (beta + sqrt(n)) / alpha, capped at 1 / min_rate when a floor is
 * set: with the cap, FTRL's sigma = r(n + g^2) - r(n) stays >= 0, so the
 * floor keeps the algorithm's form and only stops the rate from falling
 * further, which is what lets a model follow a drifting truth.
 */
#include "learn.h"
#include "buf.h"
#include "diag.h"
#include "json.h"
#include "metrics.h"
#include "model.h"
#include "output.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct coord {
	double w, z, n;
};

struct fs_learner {
	struct fs_learn_config cfg;
	struct fs_linear lin;        /* names, centring, hashed fields; lin.w and lin.hw
	                              * are filled only when saving */
	struct coord *c;             /* 1 + nfeat + 2^bits */
	size_t ncoord;
	uint64_t t;                  /* examples learned */
	/* the example last predicted: coordinates touched and their inputs */
	size_t *act;
	double *ax, *g;
	size_t nact, capact;
	char describe[256];
};

static const char *algo_name[] = {"ftrl", "adagrad", "sgd"};

/* The hash buckets' coordinates follow the intercept and the numbers. */
static size_t nbuckets(const struct fs_learner *l)
{
	return l->ncoord - 1 - l->lin.nfeat;
}

static double inv_rate(const struct fs_learner *l, double n)
{
	double r = (l->cfg.beta + sqrt(n)) / l->cfg.alpha;
	if (l->cfg.min_rate > 0 && r > 1 / l->cfg.min_rate)
		r = 1 / l->cfg.min_rate;
	return r;
}

/* FTRL-Proximal's weight from z and n (the paper's per-coordinate closed form). */
static double ftrl_weight(const struct fs_learner *l, const struct coord *c)
{
	if (fabs(c->z) <= l->cfg.l1)
		return 0;
	double sgn = c->z < 0 ? -1 : 1;
	return -(c->z - sgn * l->cfg.l1) / (inv_rate(l, c->n) + l->cfg.l2);
}

static void describe(struct fs_learner *l)
{
	const struct fs_learn_config *c = &l->cfg;
	char rate[128];
	if (c->algo == FS_LEARN_SGD)
		snprintf(rate, sizeof rate, "alpha %g%s", c->alpha, c->invsqrt ? "/sqrt(t)" : "");
	else
		snprintf(rate, sizeof rate, "alpha %g, beta %g", c->alpha, c->beta);
	int n = snprintf(l->describe, sizeof l->describe, "%s (%s, l1 %g, l2 %g", algo_name[c->algo],
	                 rate, c->l1, c->l2);
	if (c->min_rate > 0)
		n += snprintf(l->describe + n, sizeof l->describe - (size_t)n, ", min rate %g", c->min_rate);
	if (c->clip > 0)
		n += snprintf(l->describe + n, sizeof l->describe - (size_t)n, ", clip %g", c->clip);
	n += snprintf(l->describe + n, sizeof l->describe - (size_t)n, "), %s loss, %zu feature%s",
	              c->squared ? "squared" : "log", l->lin.nfeat, l->lin.nfeat == 1 ? "" : "s");
	if (l->lin.nhashed)
		snprintf(l->describe + n, sizeof l->describe - (size_t)n, ", %zu hashed (%u bits)",
		         l->lin.nhashed, l->lin.bits);
}

static struct fs_learner *alloc(const struct fs_learn_config *cfg, size_t nfeat, size_t nhashed)
{
	struct fs_learner *l = fs_xcalloc(1, sizeof *l);
	l->cfg = *cfg;
	if (l->cfg.squared < 0)
		l->cfg.squared = 0;
	l->lin.logistic = !l->cfg.squared;
	l->lin.nfeat = nfeat;
	l->lin.names = fs_xcalloc(nfeat + 1, sizeof *l->lin.names);
	l->lin.w = fs_xcalloc(nfeat + 1, sizeof *l->lin.w);
	l->lin.center = fs_xcalloc(nfeat + 1, sizeof *l->lin.center);
	l->lin.scale = fs_xcalloc(nfeat + 1, sizeof *l->lin.scale);
	l->lin.impute = fs_xcalloc(nfeat + 1, sizeof *l->lin.impute);
	for (size_t i = 0; i < nfeat; i++)
		l->lin.scale[i] = 1;
	l->lin.nhashed = nhashed;
	l->lin.bits = nhashed ? cfg->bits : 0;
	l->lin.hashed = fs_xcalloc(nhashed + 1, sizeof *l->lin.hashed);
	size_t nb = nhashed ? (size_t)1 << l->lin.bits : 0;
	l->ncoord = 1 + nfeat + nb;
	l->c = fs_xcalloc(l->ncoord, sizeof *l->c);
	return l;
}

struct fs_learner *fs_learner_new(const struct fs_learn_config *cfg, char *const *names,
                                  size_t nnames, char *const *hashed, size_t nhashed)
{
	struct fs_learner *l = alloc(cfg, nnames, nhashed);
	for (size_t i = 0; i < nnames; i++)
		l->lin.names[i] = fs_xstrdup(names[i]);
	for (size_t i = 0; i < nhashed; i++)
		l->lin.hashed[i] = fs_xstrdup(hashed[i]);
	describe(l);
	return l;
}

/* The accumulators [z, n] of one coordinate from a saved "learning" member. */
static int load_acc(const json_t *v, struct coord *c)
{
	if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(json_array_get(v, 0)) ||
	    !json_is_number(json_array_get(v, 1)))
		return -1;
	c->z = json_number_value(json_array_get(v, 0));
	c->n = json_number_value(json_array_get(v, 1));
	return isfinite(c->z) && isfinite(c->n) && c->n >= 0 ? 0 : -1;
}

/* Continues the accumulators of a saved learner of the same algorithm.
 * Returns 1 when it did, 0 when the file has none to continue, -1 when they
 * are malformed. */
static int continue_learner(struct fs_learner *l, const char *path, char *why, size_t whysize)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *lr = json_object_get(root, "learning");
	int rc = 0;
	const char *algo = json_string_value(json_object_get(lr, "algorithm"));
	if (!lr || !algo || strcmp(algo, algo_name[l->cfg.algo]) != 0) {
		if (algo)
			fs_warn("%s: learned by %s; %s starts from its weights with new accumulators",
			        path, algo, algo_name[l->cfg.algo]);
		goto out;
	}
	json_t *ex = json_object_get(lr, "examples"), *w = json_object_get(lr, "weights"),
	       *h = json_object_get(lr, "hashed");
	if (!json_is_integer(ex) || json_integer_value(ex) < 0 ||
	    load_acc(json_object_get(lr, "intercept"), &l->c[0]) < 0 ||
	    (w && !json_is_object(w)) || (h && !json_is_object(h))) {
		snprintf(why, whysize, "learning: \"examples\", \"intercept\": [z, n], \"weights\" or "
		         "\"hashed\" is malformed");
		rc = -1;
		goto out;
	}
	l->t = (uint64_t)json_integer_value(ex);
	const char *k;
	json_t *v;
	json_object_foreach(w, k, v) {
		size_t i = 0;
		while (i < l->lin.nfeat && strcmp(l->lin.names[i], k) != 0)
			i++;
		if (i == l->lin.nfeat || load_acc(v, &l->c[1 + i]) < 0) {
			snprintf(why, whysize, "learning.weights.%s: %s", k, i == l->lin.nfeat ?
			         "not a feature of the model" : "not [z, n] with n >= 0");
			rc = -1;
			goto out;
		}
	}
	size_t nb = nbuckets(l);
	json_object_foreach(h, k, v) {
		char *end;
		unsigned long b = strtoul(k, &end, 10);
		if (!*k || *end || b >= nb || load_acc(v, &l->c[1 + l->lin.nfeat + b]) < 0) {
			snprintf(why, whysize, "learning.hashed.%s: not a bucket with [z, n]", k);
			rc = -1;
			goto out;
		}
	}
	rc = 1;
out:
	json_decref(root);
	return rc;
}

struct fs_learner *fs_learner_from(const struct fs_learn_config *cfg, const struct fs_model *m,
                                   const char *path, char *err, size_t errsize)
{
	const struct fs_linear *src = fs_model_linear(m);
	if (!src) {
		snprintf(err, errsize, "%s: --learn starts from an fstools-linear model, not %s", path,
		         fs_model_describe(m));
		return NULL;
	}
	if (cfg->squared >= 0 && cfg->squared == src->logistic) {
		snprintf(err, errsize, "%s: the model's link is %s, which --loss %s does not learn; "
		         "drop --loss to learn with %s loss", path,
		         src->logistic ? "logistic" : "identity", cfg->squared ? "squared" : "log",
		         src->logistic ? "log" : "squared");
		return NULL;
	}
	struct fs_learn_config c = *cfg;
	c.squared = !src->logistic;
	c.bits = src->nhashed ? src->bits : cfg->bits;
	struct fs_learner *l = alloc(&c, src->nfeat, src->nhashed);
	for (size_t i = 0; i < src->nfeat; i++) {
		l->lin.names[i] = fs_xstrdup(src->names[i]);
		l->lin.center[i] = src->center[i];
		l->lin.scale[i] = src->scale[i];
		l->lin.impute[i] = src->impute[i];
	}
	for (size_t i = 0; i < src->nhashed; i++)
		l->lin.hashed[i] = fs_xstrdup(src->hashed[i]);
	/* the weights, as each algorithm holds them */
	for (size_t k = 0; k < l->ncoord; k++) {
		struct coord *co = &l->c[k];
		co->w = k == 0 ? src->intercept : k <= src->nfeat ? src->w[k - 1] : src->hw[k - 1 - src->nfeat];
		if (c.algo == FS_LEARN_FTRL && co->w != 0) {
			/* the z whose weight at n = 0 is w */
			co->z = -co->w * (inv_rate(l, 0) + c.l2) - (co->w > 0 ? c.l1 : -c.l1);
		}
	}
	char why[384];
	int rc = continue_learner(l, path, why, sizeof why);
	if (rc < 0) {
		snprintf(err, errsize, "%s: %s", path, why);
		fs_learner_free(l);
		return NULL;
	}
	if (rc == 1 && c.algo == FS_LEARN_FTRL)
		for (size_t k = 0; k < l->ncoord; k++)
			l->c[k].w = ftrl_weight(l, &l->c[k]);
	describe(l);
	return l;
}

void fs_learner_free(struct fs_learner *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->lin.nfeat; i++)
		free(l->lin.names[i]);
	for (size_t i = 0; i < l->lin.nhashed; i++)
		free(l->lin.hashed[i]);
	free(l->lin.names);
	free(l->lin.hashed);
	free(l->lin.w);
	free(l->lin.center);
	free(l->lin.scale);
	free(l->lin.impute);
	free(l->lin.hw);
	free(l->c);
	free(l->act);
	free(l->ax);
	free(l->g);
	free(l);
}

const struct fs_linear *fs_learner_linear(const struct fs_learner *l) { return &l->lin; }
const char *fs_learner_describe(const struct fs_learner *l) { return l->describe; }
int fs_learner_squared(const struct fs_learner *l) { return l->cfg.squared; }
uint64_t fs_learner_examples(const struct fs_learner *l) { return l->t; }

static void touch(struct fs_learner *l, size_t k, double x)
{
	if (l->nact == l->capact) {
		l->capact = l->capact ? 2 * l->capact : 64;
		l->act = fs_xrealloc(l->act, l->capact * sizeof *l->act);
		l->ax = fs_xrealloc(l->ax, l->capact * sizeof *l->ax);
		l->g = fs_xrealloc(l->g, l->capact * sizeof *l->g);
	}
	l->act[l->nact] = k;
	l->ax[l->nact++] = x;
}

double fs_learner_predict(struct fs_learner *l, const double *x, const int64_t *h)
{
	const struct fs_linear *lin = &l->lin;
	int ftrl = l->cfg.algo == FS_LEARN_FTRL;
	l->nact = 0;
	/* the same sum, in the same order, as model.c's predict_linear on the
	 * saved model; inputs that are 0 add nothing and are not touched */
	if (ftrl)
		l->c[0].w = ftrl_weight(l, &l->c[0]);
	double z = l->c[0].w;
	touch(l, 0, 1);
	for (size_t i = 0; i < lin->nfeat; i++) {
		double v = fs_linear_input(lin, i, x[i]);
		if (v == 0)
			continue;
		struct coord *c = &l->c[1 + i];
		if (ftrl)
			c->w = ftrl_weight(l, c);
		z += c->w * v;
		touch(l, 1 + i, v);
	}
	uint32_t mask = ((uint32_t)1 << lin->bits) - 1;
	size_t first_hashed = l->nact;
	for (size_t i = 0; i < lin->nhashed; i++) {
		if (h[i] < 0)
			continue;
		size_t k = 1 + lin->nfeat + ((uint32_t)h[i] & mask);
		struct coord *c = &l->c[k];
		size_t j = first_hashed;
		while (j < l->nact && l->act[j] != k)
			j++;
		if (j < l->nact) {
			l->ax[j] += 1;  /* two fields in one bucket: its input is 2 */
		} else {
			if (ftrl)
				c->w = ftrl_weight(l, c);
			touch(l, k, 1);
		}
		z += c->w;
	}
	return lin->logistic ? fs_logistic(z) : z;
}

static const char *coord_name(const struct fs_learner *l, size_t k, char *buf, size_t n)
{
	if (k == 0)
		return "the intercept";
	if (k <= l->lin.nfeat) {
		snprintf(buf, n, "the weight of \"%s\"", l->lin.names[k - 1]);
		return buf;
	}
	snprintf(buf, n, "the weight of hashed bucket %zu", k - 1 - l->lin.nfeat);
	return buf;
}

static double soft_threshold(double w, double t)
{
	return w > t ? w - t : w < -t ? w + t : 0;
}

int fs_learner_update(struct fs_learner *l, double p, double y, char *why, size_t whysize)
{
	const struct fs_learn_config *cfg = &l->cfg;
	double g0 = p - y;  /* d loss / d margin, for both losses */
	double norm2 = 0;
	for (size_t j = 0; j < l->nact; j++) {
		l->g[j] = g0 * l->ax[j];
		norm2 += l->g[j] * l->g[j];
	}
	if (cfg->clip > 0 && norm2 > cfg->clip * cfg->clip) {
		double f = cfg->clip / sqrt(norm2);
		for (size_t j = 0; j < l->nact; j++)
			l->g[j] *= f;
	}
	l->t++;
	double eta_sgd = cfg->alpha;
	if (cfg->algo == FS_LEARN_SGD) {
		if (cfg->invsqrt)
			eta_sgd = cfg->alpha / sqrt((double)l->t);
		if (eta_sgd < cfg->min_rate)
			eta_sgd = cfg->min_rate;
	}
	for (size_t j = 0; j < l->nact; j++) {
		struct coord *c = &l->c[l->act[j]];
		double g = l->g[j];
		switch (cfg->algo) {
		case FS_LEARN_FTRL: {
			double n1 = c->n + g * g;
			double sigma = inv_rate(l, n1) - inv_rate(l, c->n);
			c->z += g - sigma * c->w;
			c->n = n1;
			break;
		}
		case FS_LEARN_ADAGRAD: {
			c->n += g * g;
			double eta = 1 / inv_rate(l, c->n);
			c->w -= eta * (g + cfg->l2 * c->w);
			c->w = soft_threshold(c->w, eta * cfg->l1);
			break;
		}
		case FS_LEARN_SGD:
			c->w -= eta_sgd * (g + cfg->l2 * c->w);
			c->w = soft_threshold(c->w, eta_sgd * cfg->l1);
			break;
		}
		if (!isfinite(c->w) || !isfinite(c->z) || !isfinite(c->n)) {
			char buf[128];
			snprintf(why, whysize, "%s became %s after %llu examples",
			         coord_name(l, l->act[j], buf, sizeof buf),
			         isnan(c->w) || isnan(c->z) || isnan(c->n) ? "NaN" : "infinite",
			         (unsigned long long)l->t);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ saving */

static void put_key(struct fs_buf *b, const char *k)
{
	fs_json_put_string(b, k, strlen(k));
	fs_buf_putc(b, ':');
}

static void put_acc(struct fs_buf *b, const struct coord *c)
{
	fs_buf_putc(b, '[');
	fs_json_put_double(b, c->z);
	fs_buf_putc(b, ',');
	fs_json_put_double(b, c->n);
	fs_buf_putc(b, ']');
}

/* One of center, scale, impute: only the entries that differ from what a
 * missing entry means. */
static void put_map(struct fs_buf *b, const struct fs_linear *lin, const char *name,
                    const double *v, const double *dflt, double d)
{
	int any = 0;
	for (size_t i = 0; i < lin->nfeat; i++) {
		if (v[i] == (dflt ? dflt[i] : d))
			continue;
		fs_buf_puts(b, any ? "," : ",\n");
		if (!any) {
			put_key(b, name);
			fs_buf_putc(b, '{');
		}
		any = 1;
		put_key(b, lin->names[i]);
		fs_json_put_double(b, v[i]);
	}
	if (any)
		fs_buf_putc(b, '}');
}

int fs_learner_save(struct fs_learner *l, const char *path, char *err, size_t errsize)
{
	struct fs_linear *lin = &l->lin;
	int ftrl = l->cfg.algo == FS_LEARN_FTRL;
	for (size_t k = 0; k < l->ncoord; k++) {
		struct coord *c = &l->c[k];
		if (ftrl)
			c->w = ftrl_weight(l, c);
		if (!isfinite(c->w) || !isfinite(c->z) || !isfinite(c->n)) {
			char buf[128];
			snprintf(err, errsize, "%s: not saved: %s is %s after %llu examples (the model "
			         "diverged; lower --alpha, set --clip, or scale the feature)", path,
			         coord_name(l, k, buf, sizeof buf), isnan(c->w) ? "NaN" : "not finite",
			         (unsigned long long)l->t);
			return -1;
		}
	}
	struct fs_buf b = {0};
	fs_buf_puts(&b, "{\"format\":\"fstools-linear\",\"version\":1,\"link\":");
	fs_buf_puts(&b, lin->logistic ? "\"logistic\"" : "\"identity\"");
	fs_buf_puts(&b, ",\n\"intercept\":");
	fs_json_put_double(&b, l->c[0].w);
	fs_buf_puts(&b, ",\n\"weights\":{");
	for (size_t i = 0; i < lin->nfeat; i++) {
		if (i)
			fs_buf_putc(&b, ',');
		put_key(&b, lin->names[i]);
		fs_json_put_double(&b, l->c[1 + i].w);
	}
	fs_buf_putc(&b, '}');
	put_map(&b, lin, "center", lin->center, NULL, 0);
	put_map(&b, lin, "scale", lin->scale, NULL, 1);
	put_map(&b, lin, "impute", lin->impute, lin->center, 0);
	size_t nb = nbuckets(l);
	const struct coord *hc = l->c + 1 + lin->nfeat;
	char num[24];
	if (lin->nhashed) {
		fs_buf_puts(&b, ",\n\"hashed\":{\"bits\":");
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%u", lin->bits));
		fs_buf_puts(&b, ",\"fields\":[");
		for (size_t i = 0; i < lin->nhashed; i++) {
			if (i)
				fs_buf_putc(&b, ',');
			fs_json_put_string(&b, lin->hashed[i], strlen(lin->hashed[i]));
		}
		fs_buf_puts(&b, "],\"weights\":{");
		int first = 1;
		for (size_t k = 0; k < nb; k++) {
			if (hc[k].w == 0)
				continue;
			fs_buf_puts(&b, first ? "\"" : ",\"");
			first = 0;
			fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%zu", k));
			fs_buf_puts(&b, "\":");
			fs_json_put_double(&b, hc[k].w);
		}
		fs_buf_puts(&b, "}}");
	}
	/* the accumulators: what fsscore --learn --model needs to go on exactly */
	fs_buf_puts(&b, ",\n\"learning\":{\"algorithm\":\"");
	fs_buf_puts(&b, algo_name[l->cfg.algo]);
	fs_buf_puts(&b, "\",\"loss\":");
	fs_buf_puts(&b, l->cfg.squared ? "\"squared\"" : "\"log\"");
	fs_buf_puts(&b, ",\"examples\":");
	fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)l->t));
	fs_buf_puts(&b, ",\"intercept\":");
	put_acc(&b, &l->c[0]);
	fs_buf_puts(&b, ",\"weights\":{");
	for (size_t i = 0; i < lin->nfeat; i++) {
		if (i)
			fs_buf_putc(&b, ',');
		put_key(&b, lin->names[i]);
		put_acc(&b, &l->c[1 + i]);
	}
	fs_buf_putc(&b, '}');
	if (lin->nhashed) {
		fs_buf_puts(&b, ",\"hashed\":{");
		int first = 1;
		for (size_t k = 0; k < nb; k++) {
			if (hc[k].n == 0 && hc[k].z == 0)
				continue;
			fs_buf_puts(&b, first ? "\"" : ",\"");
			first = 0;
			fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%zu", k));
			fs_buf_puts(&b, "\":");
			put_acc(&b, &hc[k]);
		}
		fs_buf_putc(&b, '}');
	}
	fs_buf_puts(&b, "}}\n");
	int rc = fs_write_atomic(path, b.p, b.len, err, errsize);
	fs_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ progressive validation */

/* log loss clips probabilities as scikit-learn's log_loss did (eps 1e-15) */
#define EPS 1e-15

struct fs_progress {
	int squared;
	uint64_t every, next;
	FILE *table, *records;
	uint64_t scored, labelled, positives;
	double loss, since_loss;     /* sums */
	uint64_t since_n;
	struct fs_scored *ring;      /* the recent window, for AUC */
	size_t window, nring, at;
	struct fs_scored *tmp;
	double last_score, last_y;
	int header;
	const char *name;            /* the model that scored the last example: name#version */
	uint64_t version;
};

struct fs_progress *fs_progress_new(int squared, uint64_t every, size_t window, FILE *table,
                                    FILE *records)
{
	struct fs_progress *p = fs_xcalloc(1, sizeof *p);
	p->squared = squared;
	p->every = every;
	p->next = every ? every : 1;
	p->table = table;
	p->records = records;
	p->window = window ? window : 1;
	if (!squared) {
		p->ring = fs_xcalloc(p->window, sizeof *p->ring);
		p->tmp = fs_xcalloc(p->window, sizeof *p->tmp);
	}
	return p;
}

void fs_progress_free(struct fs_progress *p)
{
	if (!p)
		return;
	free(p->ring);
	free(p->tmp);
	free(p);
}

void fs_progress_scored(struct fs_progress *p)
{
	p->scored++;
}

static double recent_auc(struct fs_progress *p)
{
	memcpy(p->tmp, p->ring, p->nring * sizeof *p->tmp);
	struct fs_binary_metrics m;
	fs_binary_metrics(p->tmp, p->nring, 0.5, &m);
	return m.roc_auc;
}

static void put_num(struct fs_buf *b, const char *k, double v)
{
	fs_buf_putc(b, ',');
	put_key(b, k);
	if (isfinite(v))
		fs_json_put_double(b, v);
	else
		fs_buf_puts(b, "null");
}

static void report(struct fs_progress *p)
{
	char model[512];
	snprintf(model, sizeof model, "%s#%llu", p->name, (unsigned long long)p->version);
	double avg = p->loss / (double)p->labelled, since = p->since_loss / (double)p->since_n;
	double auc = p->squared ? NAN : recent_auc(p);
	if (p->table) {
		if (!p->header)
			fprintf(p->table, "%s: %10s %10s %10s %10s %10s %8s %10s\n", fs_prog, "examples",
			        "labelled", p->squared ? "sq_loss" : "log_loss", "since_last",
			        p->squared ? "" : "auc_recent", "label", "score");
		p->header = 1;
		char a[16] = "";
		if (!p->squared) {
			if (isfinite(auc))
				snprintf(a, sizeof a, "%.6f", auc);
			else
				snprintf(a, sizeof a, "-");
		}
		fprintf(p->table, "%s: %10llu %10llu %10.6f %10.6f %10s %8.4g %10.6f\n", fs_prog,
		        (unsigned long long)p->scored, (unsigned long long)p->labelled, avg, since, a,
		        p->last_y, p->last_score);
		fflush(p->table);
	}
	if (p->records) {
		struct fs_buf b = {0};
		char num[48];
		fs_buf_puts(&b, "{\"kind\":\"progress\",\"examples\":");
		fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, "%llu,\"labelled\":%llu",
		                                     (unsigned long long)p->scored,
		                                     (unsigned long long)p->labelled));
		if (!p->squared) {
			fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, ",\"positives\":%llu",
			                                     (unsigned long long)p->positives));
			put_num(&b, "log_loss", avg);
		} else {
			put_num(&b, "squared_loss", avg);
		}
		put_num(&b, "since_last", since);
		if (!p->squared) {
			put_num(&b, "auc_recent", auc);
			fs_buf_put(&b, num, (size_t)snprintf(num, sizeof num, ",\"recent\":%zu", p->nring));
		}
		fs_buf_puts(&b, ",\"model\":");
		fs_json_put_string(&b, model, strlen(model));
		fs_buf_puts(&b, "}\n");
		fwrite(b.p, 1, b.len, p->records);
		fflush(p->records);
		fs_buf_free(&b);
	}
	p->since_loss = 0;
	p->since_n = 0;
}

void fs_progress_add(struct fs_progress *p, double score, double y, const char *name,
                     uint64_t version)
{
	double loss;
	if (p->squared) {
		loss = (score - y) * (score - y);
	} else {
		double q = score < EPS ? EPS : score > 1 - EPS ? 1 - EPS : score;
		loss = y ? -log(q) : -log(1 - q);
		p->positives += y != 0;
		p->ring[p->at] = (struct fs_scored){score, y != 0};
		p->at = (p->at + 1) % p->window;
		if (p->nring < p->window)
			p->nring++;
	}
	p->labelled++;
	p->loss += loss;
	p->since_loss += loss;
	p->since_n++;
	p->last_score = score;
	p->last_y = y;
	p->name = name;
	p->version = version;
	if (p->labelled == p->next) {
		report(p);
		p->next = p->every ? p->next + p->every : 2 * p->next;
	}
}

int fs_progress_finish(struct fs_progress *p)
{
	if (p->since_n)
		report(p);
	return p->records && ferror(p->records) ? -1 : 0;
}
