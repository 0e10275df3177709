/* drift.c: fspsi's engine (see drift.h).
 *
 * A field is a name looked up first in the features object (--from), then
 * in the event itself ("score"). Its distribution is a set of bins -- the
 * baseline's quantile bins for a number, its top categories and "other"
 * for text -- plus one bin for events without a usable value (absent,
 * null, or of the wrong type), so that a rise in missing values is drift
 * too. Comparing keeps counts per bin for the open window and for the
 * whole run; PSI, JS distance and KS come from those counts alone.
 */
#include "drift.h"
#include "metrics.h"
#include "cli.h"
#include "diag.h"
#include "hmap.h"
#include "json.h"
#include "record.h"
#include "report.h"
#include "timefmt.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fitting keeps this many values in memory over all fields before writing
 * them out to temporary files (8 bytes each: 64 MB). */
#define FIT_MEMORY_VALUES ((size_t)8 << 20)
/* Distinct categories counted exactly per field; later new ones are "other". */
#define MAX_CATEGORIES 100000
/* Windows kept per field for the report's PSI line (the latest ones). */
#define HISTORY 1000
/* Percentiles of the KS grid. */
#define GRID 100

enum ftype { T_UNKNOWN, T_NUM, T_CAT };
enum status { ST_OK, ST_WARN, ST_ALERT };
static const char *const status_name[] = {"ok", "warn", "alert"};

struct counts {
	uint64_t n;                /* events */
	uint64_t missing;          /* of them without a usable value */
	uint64_t *bin;             /* per bin (nbins) */
	uint64_t *fine;            /* per KS grid interval (ngrid + 1) */
};

struct point {
	double psi;
	int status;
	char start[40], end[40];
};

struct field {
	char *name;
	struct fs_path *path;      /* the name as a path (in --from, then the event) */
	enum ftype type;

	/* fitting */
	uint64_t count, invalid;
	double min, max;
	double *vals;
	size_t nvals, capvals;
	FILE *spill;
	uint64_t nspilled;
	struct fs_hmap cats;       /* text -> count */
	uint64_t overflow;         /* values of categories beyond MAX_CATEGORIES */

	/* the baseline */
	size_t nedges, ncats, nbins, ngrid;
	double *edges, *grid, *grid_cdf, *shares;
	char **catname;
	struct fs_hmap catidx;     /* text -> index + 1 */
	double null_share;

	/* comparing */
	struct counts win, run;
	struct point *hist;
	size_t nhist, hist_next;
	double max_psi;
	int worst;
};

/* A field's value in one event, read the same way from a parsed object or
 * from the raw bytes. */
struct val {
	int present;               /* 0: absent or null */
	int num;                   /* 1: x is its number (a number, or text holding one) */
	double x;
	const char *s;             /* its text as a category; NULL for an object or array */
	size_t n;
};

struct fs_drift {
	struct fs_drift_config cfg;
	struct fs_path *from;      /* NULL: --from . */
	struct field *f;
	size_t nf;
	int discover;              /* --fit without --fields */
	struct fs_hmap byname;     /* name -> index + 1 */
	uint64_t events;
	size_t inmem;              /* fitting: values held in memory */
	/* windows */
	uint64_t win_first;        /* event number of the open window's first event */
	int64_t win_index;         /* time windows: floor(t / d) of the open one */
	int win_open;
	uint64_t windows, late;
	int status;
	int report_failed;
	struct fs_buf text;
	/* one event's values, per field, and the text each may need */
	struct val *vals;
	struct fs_buf *vtext;
	size_t nvals;
	/* the raw path for plain names: per field, the last event (gen) that had
	 * it, and whether the features object did */
	int flat;
	uint64_t *seen_at, *found, gen;
};

static void grow_vals(struct fs_drift *d)
{
	if (d->nvals >= d->nf)
		return;
	d->vals = fs_xrealloc(d->vals, d->nf * sizeof *d->vals);
	d->seen_at = fs_xrealloc(d->seen_at, d->nf * sizeof *d->seen_at);
	d->found = fs_xrealloc(d->found, d->nf * sizeof *d->found);
	memset(d->seen_at + d->nvals, 0, (d->nf - d->nvals) * sizeof *d->seen_at);
	memset(d->found + d->nvals, 0, (d->nf - d->nvals) * sizeof *d->found);
	d->vtext = fs_xrealloc(d->vtext, d->nf * sizeof *d->vtext);
	memset(d->vtext + d->nvals, 0, (d->nf - d->nvals) * sizeof *d->vtext);
	d->nvals = d->nf;
}

/* ------------------------------------------------------------ fields */

static struct field *add_field(struct fs_drift *d, const char *name)
{
	const char *why;
	struct fs_path *p = fs_path_new(name, &why);
	if (!p)
		return NULL;
	d->f = fs_xrealloc(d->f, (d->nf + 1) * sizeof *d->f);
	struct field *f = &d->f[d->nf];
	memset(f, 0, sizeof *f);
	f->name = fs_xstrdup(name);
	f->path = p;
	f->min = INFINITY;
	f->max = -INFINITY;
	size_t len = strlen(name);
	int created;
	fs_hmap_upsert(&d->byname, name, len, fs_hash(name, len), &created)->v.u = ++d->nf;
	return f;
}

static struct field *find_field(struct fs_drift *d, const char *name)
{
	size_t len = strlen(name);
	struct fs_hent *e = fs_hmap_find(&d->byname, name, len, fs_hash(name, len));
	return e ? &d->f[e->v.u - 1] : NULL;
}

static void free_field(struct field *f)
{
	free(f->name);
	fs_path_free(f->path);
	free(f->vals);
	if (f->spill)
		fclose(f->spill);
	fs_hmap_free(&f->cats);
	free(f->edges);
	free(f->grid);
	free(f->grid_cdf);
	free(f->shares);
	for (size_t i = 0; i < f->ncats; i++)
		free(f->catname[i]);
	free(f->catname);
	fs_hmap_free(&f->catidx);
	free(f->win.bin);
	free(f->win.fine);
	free(f->run.bin);
	free(f->run.fine);
	free(f->hist);
}

/* The value of f in an event: in the --from object first, then the event. */
static json_t *lookup(const struct field *f, const json_t *from, const json_t *event)
{
	json_t *v = from ? fs_path_get_in(f->path, from) : NULL;
	return v ? v : fs_path_get_in(f->path, event);
}

/* ------------------------------------------------------------ fitting */

static void spill(struct field *f)
{
	if (!f->nvals)
		return;
	if (!f->spill && !(f->spill = tmpfile()))
		fs_die(FS_EX_IOERR, "cannot create a temporary file for --fit: %s", strerror(errno));
	if (fwrite(f->vals, sizeof *f->vals, f->nvals, f->spill) != f->nvals)
		fs_die(FS_EX_IOERR, "cannot write a temporary file for --fit: %s", strerror(errno));
	f->nspilled += f->nvals;
	f->nvals = 0;
}

static void val_of_json(const json_t *v, struct val *out, struct fs_buf *text)
{
	memset(out, 0, sizeof *out);
	if (!v || json_is_null(v))
		return;
	out->present = 1;
	out->num = fs_value_number(v, &out->x) == FS_NUM_OK;
	text->len = 0;
	if (fs_value_text(v, text) == 0) {
		out->s = fs_buf_cstr(text);
		out->n = text->len;
	}
}

/* The same from a value's bytes. Returns 0, or FS_STEP_PARSE for a string
 * with escapes, which only its decoded form can tell. */
static int val_of_raw(const char *p, size_t n, struct val *out, struct fs_buf *text)
{
	memset(out, 0, sizeof *out);
	int k = n ? fs_raw_number(p, n, &out->x) : FS_NUM_MISSING;
	if (k == FS_NUM_ESCAPED)
		return FS_STEP_PARSE;
	if (k == FS_NUM_MISSING)
		return 0;
	out->present = 1;
	out->num = k == FS_NUM_OK;
	/* its text as a category, as jansson's: a string's content, an integer's
	 * digits, a real's shortest form, true or false */
	if (p[0] == '"') {
		out->s = p + 1;
		out->n = n - 2;
	} else if (out->num && fs_json_is_integer_text(p, n) && !(n == 2 && p[0] == '-' && p[1] == '0')) {
		out->s = p;
		out->n = n;
	} else if (out->num) {
		text->len = 0;
		fs_json_put_double(text, out->x);
		out->s = fs_buf_cstr(text);
		out->n = text->len;
	} else if (p[0] == 't' || p[0] == 'f') {
		out->s = p;
		out->n = n;
	}
	return 0;
}

static void fit_value(struct fs_drift *d, struct field *f, const struct val *v)
{
	if (!v->present)
		return;
	if (f->type == T_UNKNOWN) {
		/* the first value decides: a number (or numeric text) or a category */
		f->type = v->num ? T_NUM : T_CAT;
	}
	if (f->type == T_NUM) {
		double x = v->x;
		if (!v->num) {
			f->invalid++;
			return;
		}
		f->count++;
		if (x < f->min)
			f->min = x;
		if (x > f->max)
			f->max = x;
		if (f->nvals == f->capvals) {
			f->capvals = f->capvals ? 2 * f->capvals : 1024;
			f->vals = fs_xrealloc(f->vals, f->capvals * sizeof *f->vals);
		}
		f->vals[f->nvals++] = x;
		if (++d->inmem >= FIT_MEMORY_VALUES) {
			for (size_t i = 0; i < d->nf; i++)
				spill(&d->f[i]);
			d->inmem = 0;
		}
		return;
	}
	if (!v->s) {
		f->invalid++;
		return;
	}
	f->count++;
	int created;
	if (f->cats.n >= MAX_CATEGORIES && !fs_hmap_find(&f->cats, v->s, v->n, fs_hash(v->s, v->n))) {
		f->overflow++;
		return;
	}
	fs_hmap_upsert(&f->cats, v->s, v->n, fs_hash(v->s, v->n), &created)->v.u++;
}

/* Every scalar leaf of an object, named by its dotted path. */
static void discover(struct fs_drift *d, const json_t *obj, struct fs_buf *prefix)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		size_t mark = prefix->len;
		if (mark)
			fs_buf_putc(prefix, '.');
		/* a dot in a name is written \. in a path */
		for (const char *c = k; *c; c++) {
			if (*c == '.' || *c == '\\')
				fs_buf_putc(prefix, '\\');
			fs_buf_putc(prefix, *c);
		}
		if (json_is_object(v)) {
			discover(d, v, prefix);
		} else if (!json_is_array(v)) {
			const char *name = fs_buf_cstr(prefix);
			struct field *f = find_field(d, name);
			if (!f)
				f = add_field(d, name);
		}
		prefix->len = mark;
	}
}

/* The number of values below v in sorted x. */
static size_t below(const double *x, size_t n, double v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Quantiles k/parts for k = 1..parts-1, repeated values merged. */
static size_t cut_points(const double *x, size_t n, int parts, double *out)
{
	size_t m = 0;
	for (int k = 1; k < parts; k++) {
		double q = fs_quantile_sorted(x, n, (double)k / parts);
		if (m == 0 || q != out[m - 1])
			out[m++] = q;
	}
	return m;
}

static void put_number(struct fs_buf *b, double x)
{
	fs_json_put_double(b, x);
}

static void put_numbers(struct fs_buf *b, const double *x, size_t n)
{
	fs_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			fs_buf_putc(b, ',');
		put_number(b, x[i]);
	}
	fs_buf_putc(b, ']');
}

struct cat {
	const char *name;
	size_t len;
	uint64_t n;
};

static int cmp_cat(const void *a, const void *b)
{
	const struct cat *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void fit_field(struct fs_drift *d, struct field *f, struct fs_buf *b)
{
	uint64_t usable = f->count;
	double null_share = d->events ? (double)(d->events - usable) / (double)d->events : 0;
	fs_buf_puts(b, "{\"name\":");
	fs_json_put_string(b, f->name, strlen(f->name));
	if (f->type == T_NUM) {
		size_t n = f->nspilled + f->nvals;
		double *x = fs_xmalloc((n ? n : 1) * sizeof *x);
		if (f->spill) {
			rewind(f->spill);
			if (fread(x, sizeof *x, f->nspilled, f->spill) != f->nspilled)
				fs_die(FS_EX_IOERR, "cannot read back a temporary file of --fit");
		}
		memcpy(x + f->nspilled, f->vals, f->nvals * sizeof *x);
		qsort(x, n, sizeof *x, fs_cmp_double);
		double edges[256], grid[GRID];
		size_t ne = cut_points(x, n, d->cfg.bins, edges);
		size_t ng = cut_points(x, n, GRID, grid);
		double shares[257], cdf[GRID];
		size_t prev = 0;
		for (size_t i = 0; i <= ne; i++) {
			size_t upto = i < ne ? below(x, n, edges[i]) : n;
			shares[i] = (double)(upto - prev) / (double)n;
			prev = upto;
		}
		for (size_t i = 0; i < ng; i++)
			cdf[i] = (double)below(x, n, grid[i]) / (double)n;
		fs_buf_puts(b, ",\"type\":\"numeric\",\"count\":");
		put_number(b, (double)usable);
		fs_buf_puts(b, ",\"null_share\":");
		put_number(b, null_share);
		fs_buf_puts(b, ",\"min\":");
		put_number(b, f->min);
		fs_buf_puts(b, ",\"max\":");
		put_number(b, f->max);
		fs_buf_puts(b, ",\n  \"edges\":");
		put_numbers(b, edges, ne);
		fs_buf_puts(b, ",\n  \"shares\":");
		put_numbers(b, shares, ne + 1);
		fs_buf_puts(b, ",\n  \"ks_grid\":");
		put_numbers(b, grid, ng);
		fs_buf_puts(b, ",\n  \"ks_cdf\":");
		put_numbers(b, cdf, ng);
		free(x);
	} else {
		size_t nc = f->cats.n, i = 0, top = (size_t)d->cfg.bins;
		struct cat *c = fs_xmalloc((nc ? nc : 1) * sizeof *c);
		fs_hmap_foreach(&f->cats, it) {
			c[i].name = fs_hent_key(it);
			c[i].len = it->klen;
			c[i++].n = it->v.u;
		}
		qsort(c, nc, sizeof *c, cmp_cat);
		if (top > nc)
			top = nc;
		uint64_t other = f->overflow;
		for (i = top; i < nc; i++)
			other += c[i].n;
		fs_buf_puts(b, ",\"type\":\"category\",\"count\":");
		put_number(b, (double)usable);
		fs_buf_puts(b, ",\"null_share\":");
		put_number(b, null_share);
		fs_buf_puts(b, ",\n  \"categories\":[");
		for (i = 0; i < top; i++) {
			if (i)
				fs_buf_putc(b, ',');
			fs_json_put_string(b, c[i].name, c[i].len);
		}
		fs_buf_puts(b, "],\n  \"shares\":[");
		for (i = 0; i <= top; i++) {
			if (i)
				fs_buf_putc(b, ',');
			put_number(b, (double)(i < top ? c[i].n : other) / (double)(usable ? usable : 1));
		}
		fs_buf_putc(b, ']');
		free(c);
	}
	fs_buf_putc(b, '}');
}

static void fit_finish(struct fs_drift *d, struct fs_buf *out)
{
	fs_buf_puts(out, "{\"fstools\":\"baseline\",\"version\":1,\"events\":");
	put_number(out, (double)d->events);
	fs_buf_puts(out, ",\"bins\":");
	put_number(out, d->cfg.bins);
	fs_buf_puts(out, ",\"from\":");
	const char *from = d->cfg.from ? d->cfg.from : "features";
	fs_json_put_string(out, from, strlen(from));
	fs_buf_puts(out, ",\"fields\":[");
	int first = 1;
	for (size_t i = 0; i < d->nf; i++) {
		struct field *f = &d->f[i];
		if (f->type == T_UNKNOWN || !f->count) {
			fs_warn("field \"%s\" had no value in %llu events: left out of the baseline", f->name,
			        (unsigned long long)d->events);
			continue;
		}
		if (f->invalid)
			fs_warn("field \"%s\": %llu values were not %s and count as missing", f->name,
			        (unsigned long long)f->invalid, f->type == T_NUM ? "numbers" : "text");
		if (f->overflow)
			fs_warn("field \"%s\": more than %d categories; the values of later new ones count "
			        "as \"other\"", f->name, MAX_CATEGORIES);
		fs_buf_puts(out, first ? "\n " : ",\n ");
		first = 0;
		fit_field(d, f, out);
	}
	fs_buf_puts(out, "]}\n");
}

/* ------------------------------------------------------------ the baseline */

static int bad(char *err, size_t errsize, const char *path, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int bad(char *err, size_t errsize, const char *path, const char *field, const char *fmt, ...)
{
	int n = field ? snprintf(err, errsize, "%s: field \"%s\": ", path, field)
	              : snprintf(err, errsize, "%s: ", path);
	if (n < 0 || (size_t)n >= errsize)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A JSON array of numbers into a new array; -1 when it is not one. */
static int numbers(const json_t *a, double **out, size_t *n)
{
	if (!json_is_array(a))
		return -1;
	*n = json_array_size(a);
	*out = fs_xmalloc((*n ? *n : 1) * sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_number(v))
			return -1;
		(*out)[i] = json_number_value(v);
	}
	return 0;
}

static int load_field(struct fs_drift *d, const json_t *o, const char *path, char *err, size_t errsize)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *type = json_string_value(json_object_get(o, "type"));
	if (!name)
		return bad(err, errsize, path, NULL, "a field without a \"name\"");
	if (find_field(d, name))
		return bad(err, errsize, path, name, "named twice");
	struct field *f = add_field(d, name);
	if (!f)
		return bad(err, errsize, path, name, "not a field path");
	json_t *ns = json_object_get(o, "null_share");
	if (!json_is_number(ns) || json_number_value(ns) < 0 || json_number_value(ns) > 1)
		return bad(err, errsize, path, name, "\"null_share\" must be a number from 0 to 1");
	f->null_share = json_number_value(ns);
	size_t nshares;
	if (numbers(json_object_get(o, "shares"), &f->shares, &nshares) < 0)
		return bad(err, errsize, path, name, "\"shares\" must be an array of numbers");
	if (type && !strcmp(type, "numeric")) {
		f->type = T_NUM;
		size_t ncdf;
		if (numbers(json_object_get(o, "edges"), &f->edges, &f->nedges) < 0 ||
		    numbers(json_object_get(o, "ks_grid"), &f->grid, &f->ngrid) < 0 ||
		    numbers(json_object_get(o, "ks_cdf"), &f->grid_cdf, &ncdf) < 0)
			return bad(err, errsize, path, name, "\"edges\", \"ks_grid\" and \"ks_cdf\" must be "
			           "arrays of numbers");
		for (size_t i = 1; i < f->nedges; i++)
			if (!(f->edges[i] > f->edges[i - 1]))
				return bad(err, errsize, path, name, "\"edges\" must rise strictly");
		for (size_t i = 1; i < f->ngrid; i++)
			if (!(f->grid[i] > f->grid[i - 1]))
				return bad(err, errsize, path, name, "\"ks_grid\" must rise strictly");
		if (ncdf != f->ngrid)
			return bad(err, errsize, path, name, "\"ks_cdf\" has %zu entries, \"ks_grid\" %zu",
			           ncdf, f->ngrid);
		f->nbins = f->nedges + 1;
	} else if (type && !strcmp(type, "category")) {
		f->type = T_CAT;
		json_t *c = json_object_get(o, "categories");
		if (!json_is_array(c))
			return bad(err, errsize, path, name, "\"categories\" must be an array of strings");
		f->ncats = json_array_size(c);
		f->catname = fs_xcalloc(f->ncats + 1, sizeof *f->catname);
		for (size_t i = 0; i < f->ncats; i++) {
			json_t *s = json_array_get(c, i);
			if (!json_is_string(s))
				return bad(err, errsize, path, name, "\"categories\" must be an array of strings");
			f->catname[i] = fs_xstrdup(json_string_value(s));
			size_t len = json_string_length(s);
			int created;
			fs_hmap_upsert(&f->catidx, json_string_value(s), len,
			               fs_hash(json_string_value(s), len), &created)->v.u = i + 1;
		}
		f->nbins = f->ncats + 1;  /* and "other" */
	} else {
		return bad(err, errsize, path, name, "\"type\" must be \"numeric\" or \"category\"");
	}
	if (f->nbins > 256)
		return bad(err, errsize, path, name, "%zu bins; at most 256", f->nbins);
	if (nshares != f->nbins)
		return bad(err, errsize, path, name, "\"shares\" has %zu entries for %zu bins", nshares,
		           f->nbins);
	double sum = 0;
	for (size_t i = 0; i < nshares; i++) {
		if (!(f->shares[i] >= 0))
			return bad(err, errsize, path, name, "a share is negative");
		sum += f->shares[i];
	}
	if (fabs(sum - 1) > 1e-6 && sum != 0)
		return bad(err, errsize, path, name, "\"shares\" add up to %g, not 1", sum);
	f->win.bin = fs_xcalloc(f->nbins, sizeof *f->win.bin);
	f->run.bin = fs_xcalloc(f->nbins, sizeof *f->run.bin);
	f->win.fine = fs_xcalloc(f->ngrid + 1, sizeof *f->win.fine);
	f->run.fine = fs_xcalloc(f->ngrid + 1, sizeof *f->run.fine);
	f->hist = fs_xcalloc(HISTORY, sizeof *f->hist);
	return 0;
}

static int load_baseline(struct fs_drift *d, char *err, size_t errsize, int *status)
{
	const char *path = d->cfg.baseline;
	json_error_t je;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		*status = FS_EX_NOINPUT;
		return bad(err, errsize, path, NULL, "cannot open: %s", strerror(errno));
	}
	json_t *root = json_loadf(fp, 0, &je);
	fclose(fp);
	*status = FS_EX_DATAERR;
	if (!root)
		return bad(err, errsize, path, NULL, "invalid JSON at line %d, column %d: %s", je.line,
		           je.column, je.text);
	int rc = 0;
	const json_t *fields = json_object_get(root, "fields");
	if (!json_is_string(json_object_get(root, "fstools")) ||
	    strcmp(json_string_value(json_object_get(root, "fstools")), "baseline") != 0) {
		rc = bad(err, errsize, path, NULL, "not an fspsi baseline (make one with fspsi --fit)");
	} else if (json_integer_value(json_object_get(root, "version")) != 1) {
		rc = bad(err, errsize, path, NULL, "a baseline of version %lld; this fspsi reads version 1",
		         (long long)json_integer_value(json_object_get(root, "version")));
	} else if (!json_is_array(fields) || json_array_size(fields) == 0) {
		rc = bad(err, errsize, path, NULL, "no \"fields\"");
	} else {
		for (size_t i = 0; rc == 0 && i < json_array_size(fields); i++)
			rc = load_field(d, json_array_get(fields, i), path, err, errsize);
	}
	/* the features object the baseline was fitted from, unless --from says */
	const char *from = json_string_value(json_object_get(root, "from"));
	if (rc == 0 && !d->cfg.from && from)
		d->cfg.from = fs_xstrdup(from);
	json_decref(root);
	return rc;
}

/* --fields with --baseline: keep only those, in that order. */
static int select_fields(struct fs_drift *d, char *err, size_t errsize)
{
	struct field *keep = fs_xcalloc(d->nf, sizeof *keep);
	size_t nkeep = 0, nnames;
	char **names = fs_cli_list(d->cfg.fields, &nnames);
	for (size_t k = 0; k < nnames; k++) {
		struct field *f = find_field(d, names[k]);
		if (!f || !f->name) {
			for (size_t i = 0; i < nkeep; i++)
				free_field(&keep[i]);  /* moved out of d->f */
			free(keep);
			bad(err, errsize, d->cfg.baseline, names[k], f ? "named twice in --fields" :
			    "not in the baseline (--fields)");
			fs_cli_list_free(names, nnames);
			return -1;
		}
		keep[nkeep++] = *f;
		f->name = NULL;  /* moved */
	}
	fs_cli_list_free(names, nnames);
	for (size_t i = 0; i < d->nf; i++)
		if (d->f[i].name)
			free_field(&d->f[i]);
	free(d->f);
	d->f = keep;
	d->nf = nkeep;
	fs_hmap_free(&d->byname);
	memset(&d->byname, 0, sizeof d->byname);
	for (size_t i = 0; i < d->nf; i++) {
		size_t len = strlen(d->f[i].name);
		int created;
		fs_hmap_upsert(&d->byname, d->f[i].name, len, fs_hash(d->f[i].name, len), &created)->v.u = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------ comparing */

static enum status status_of(const struct fs_drift *d, double psi)
{
	return psi >= d->cfg.alert ? ST_ALERT : psi >= d->cfg.warn ? ST_WARN : ST_OK;
}

/* The number of points of the sorted a[0..n) at or below x. */
static size_t rank(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Counts one event's value in the open window and in the whole run. */
static void count_value(struct field *f, const struct val *v)
{
	f->win.n++;
	f->run.n++;
	if (f->type == T_NUM ? !v->num : !v->s) {
		f->win.missing++;
		f->run.missing++;
		return;
	}
	if (f->type == T_NUM) {
		/* bin i holds edges[i-1] <= x < edges[i]: i is the number of edges <= x */
		size_t bin = rank(f->edges, f->nedges, v->x), fine = rank(f->grid, f->ngrid, v->x);
		f->win.bin[bin]++;
		f->run.bin[bin]++;
		f->win.fine[fine]++;
		f->run.fine[fine]++;
		return;
	}
	struct fs_hent *e = fs_hmap_find(&f->catidx, v->s, v->n, fs_hash(v->s, v->n));
	size_t bin = e ? e->v.u - 1 : f->ncats;
	f->win.bin[bin]++;
	f->run.bin[bin]++;
}

struct metrics {
	double psi, js, ks;        /* ks NaN: none */
	double *actual, *expected; /* nbins + 1 shares, the missing bin last */
};

static void compute(const struct field *f, const struct counts *c, struct metrics *m)
{
	size_t k = f->nbins + 1;
	double n = (double)c->n;
	for (size_t i = 0; i < f->nbins; i++) {
		m->actual[i] = n ? (double)c->bin[i] / n : 0;
		m->expected[i] = f->shares[i] * (1 - f->null_share);
	}
	m->actual[f->nbins] = n ? (double)c->missing / n : 0;
	m->expected[f->nbins] = f->null_share;
	m->psi = 0;
	double kl_a = 0, kl_e = 0;
	for (size_t i = 0; i < k; i++) {
		double a = m->actual[i], e = m->expected[i];
		double as = a > 0 ? a : FS_DRIFT_EPSILON, es = e > 0 ? e : FS_DRIFT_EPSILON;
		m->psi += (as - es) * log(as / es);
		double mid = (a + e) / 2;
		if (a > 0)
			kl_a += a * log(a / mid);
		if (e > 0)
			kl_e += e * log(e / mid);
	}
	double js = (kl_a + kl_e) / 2;
	m->js = js > 0 ? sqrt(js) : 0;
	m->ks = NAN;
	uint64_t usable = c->n - c->missing;
	if (f->type == T_NUM && usable) {
		/* values below grid point i: those in fine intervals 0..i */
		uint64_t cum = 0;
		double ks = 0;
		for (size_t i = 0; i < f->ngrid; i++) {
			cum += c->fine[i];
			double diff = fabs((double)cum / (double)usable - f->grid_cdf[i]);
			if (diff > ks)
				ks = diff;
		}
		m->ks = ks;
	}
}

static void put_key(struct fs_buf *b, const char *k)
{
	fs_buf_putc(b, ',');
	fs_json_put_string(b, k, strlen(k));
	fs_buf_putc(b, ':');
}

static void put_maybe(struct fs_buf *b, double x)
{
	if (isnan(x))
		fs_buf_puts(b, "null");
	else
		put_number(b, x);
}

/* The window's bounds, as the report and the records show them. */
static void bounds(const struct fs_drift *d, char *start, char *end, size_t size)
{
	if (d->cfg.window_ns) {
		fs_time_format(d->win_index * d->cfg.window_ns, start, size);
		fs_time_format((d->win_index + 1) * d->cfg.window_ns, end, size);
	} else {
		snprintf(start, size, "%llu", (unsigned long long)d->win_first);
		snprintf(end, size, "%llu", (unsigned long long)d->events);
	}
}

static void close_window(struct fs_drift *d, struct fs_buf *out)
{
	if (!d->win_open)
		return;
	char start[40], end[40];
	bounds(d, start, end, sizeof start);
	d->windows++;
	for (size_t i = 0; i < d->nf; i++) {
		struct field *f = &d->f[i];
		double act[f->nbins + 1], exp_[f->nbins + 1];
		struct metrics m = {.actual = act, .expected = exp_};
		compute(f, &f->win, &m);
		enum status st = status_of(d, m.psi);
		if (m.psi > f->max_psi || d->windows == 1)
			f->max_psi = m.psi;
		if ((int)st > f->worst)
			f->worst = (int)st;
		if ((int)st > d->status)
			d->status = (int)st;
		struct point *p = &f->hist[f->hist_next];
		p->psi = m.psi;
		p->status = (int)st;
		snprintf(p->start, sizeof p->start, "%s", start);
		snprintf(p->end, sizeof p->end, "%s", end);
		f->hist_next = (f->hist_next + 1) % HISTORY;
		if (f->nhist < HISTORY)
			f->nhist++;
		if (!d->cfg.table) {
			fs_buf_puts(out, "{\"kind\":\"window\",\"feature\":");
			fs_json_put_string(out, f->name, strlen(f->name));
			put_key(out, "start");
			if (d->cfg.window_ns)
				fs_json_put_string(out, start, strlen(start));
			else
				fs_buf_puts(out, start);
			put_key(out, "end");
			if (d->cfg.window_ns)
				fs_json_put_string(out, end, strlen(end));
			else
				fs_buf_puts(out, end);
			put_key(out, "n");
			put_number(out, (double)f->win.n);
			put_key(out, "psi");
			put_number(out, m.psi);
			put_key(out, "js");
			put_number(out, m.js);
			put_key(out, "ks");
			put_maybe(out, m.ks);
			put_key(out, "null_share");
			put_number(out, act[f->nbins]);
			put_key(out, "baseline_null_share");
			put_number(out, f->null_share);
			put_key(out, "shares");
			put_numbers(out, act, f->nbins + 1);
			put_key(out, "epsilon");
			put_number(out, FS_DRIFT_EPSILON);
			put_key(out, "status");
			fs_json_put_string(out, status_name[st], strlen(status_name[st]));
			fs_buf_puts(out, "}\n");
		}
		memset(f->win.bin, 0, f->nbins * sizeof *f->win.bin);
		memset(f->win.fine, 0, (f->ngrid + 1) * sizeof *f->win.fine);
		f->win.n = f->win.missing = 0;
	}
	d->win_open = 0;
}

/* One pass over the members of the object [p+at, p+end), each member that
 * names a field and is not yet found in this event read into d->vals. */
static int read_members(struct fs_drift *d, const char *p, size_t at, size_t end, uint64_t ev)
{
	size_t pos = 0;
	struct fs_json_member m;
	while (at < end && fs_json_next_member(p + at, end - at, &pos, &m)) {
		if (m.escaped)
			return FS_STEP_PARSE;
		const char *k = p + at + m.ks + 1;
		size_t kl = m.ke - m.ks - 2;
		struct fs_hent *e = fs_hmap_find(&d->byname, k, kl, fs_hash(k, kl));
		if (!e || d->found[e->v.u - 1] == ev)
			continue;
		size_t i = e->v.u - 1;
		if (val_of_raw(p + at + m.vs, m.ve - m.vs, &d->vals[i], &d->vtext[i]))
			return FS_STEP_PARSE;
		d->seen_at[i] = ev;
	}
	return 0;
}

/* Every field a plain name: one pass over the features object [fs, fe)
 * (empty when there is none), a second over the event for those it lacked
 * (the score). Duplicate names: the last wins, as in jansson. */
static int read_flat(struct fs_drift *d, const char *p, size_t n, size_t fs, size_t fe)
{
	uint64_t ev = ++d->gen;
	if (read_members(d, p, fs, fe, ev))
		return FS_STEP_PARSE;
	/* what the features object had is found; the rest is looked for in the event */
	size_t missing = 0;
	for (size_t i = 0; i < d->nf; i++) {
		d->found[i] = d->seen_at[i] == ev ? ev : 0;
		missing += !d->found[i];
	}
	if (missing && !(fs == 0 && fe == n) && read_members(d, p, 0, n, ev))
		return FS_STEP_PARSE;
	for (size_t i = 0; i < d->nf; i++)
		if (d->seen_at[i] != ev)
			memset(&d->vals[i], 0, sizeof d->vals[i]);
	return 0;
}

/* Reads every field's value of one event into d->vals: from the parsed
 * object, or (a raw step) from the bytes. Returns 0, or FS_STEP_PARSE for
 * what only the parsed object can tell (nested discovery, escapes). */
static int read_values(struct fs_drift *d, const struct fs_record *r)
{
	if (r->obj) {
		const json_t *from = d->from ? fs_path_get(d->from, r) : r->obj;
		if (from && !json_is_object(from))
			from = NULL;
		if (d->discover) {
			struct fs_buf prefix = {0};
			if (from)
				discover(d, from, &prefix);
			fs_buf_free(&prefix);
			json_t *score = json_object_get(r->obj, "score");
			if (score && !json_is_object(score) && !json_is_array(score) && !find_field(d, "score"))
				add_field(d, "score");
		}
		grow_vals(d);
		for (size_t i = 0; i < d->nf; i++)
			val_of_json(lookup(&d->f[i], from, r->obj), &d->vals[i], &d->vtext[i]);
		return 0;
	}
	const char *p = r->raw;
	size_t n = r->rawlen, fs = 0, fe = 0, vs, ve;
	int have_from = 0;
	if (!d->from) {
		have_from = 1, fe = n;
	} else if (!d->from->envelope && fs_json_find_path(p, n, d->from->parts, d->from->n, &fs, &fe)) {
		have_from = p[fs] == '{';
	} else if (d->from->envelope) {
		return FS_STEP_PARSE;
	}
	if (d->discover) {
		/* the leaves of a flat features object, and the score */
		size_t pos = 0;
		struct fs_json_member m;
		while (have_from && fs_json_next_member(p + fs, fe - fs, &pos, &m)) {
			const char *k = p + fs + m.ks + 1, *v = p + fs + m.vs;
			size_t kl = m.ke - m.ks - 2;
			if (m.escaped || v[0] == '{' || memchr(k, '.', kl))
				return FS_STEP_PARSE;
			if (v[0] == '[')
				continue;
			d->text.len = 0;
			fs_buf_put(&d->text, k, kl);
			if (!find_field(d, fs_buf_cstr(&d->text)))
				add_field(d, fs_buf_cstr(&d->text));
		}
		if (fs_json_find_member(p, n, "score", &vs, &ve) && p[vs] != '{' && p[vs] != '[' &&
		    !find_field(d, "score"))
			add_field(d, "score");
	}
	grow_vals(d);
	if (d->flat)
		return read_flat(d, p, n, have_from ? fs : 0, have_from ? fe : 0);
	for (size_t i = 0; i < d->nf; i++) {
		const struct field *f = &d->f[i];
		int found = have_from && fs_json_find_path(p + fs, fe - fs, f->path->parts, f->path->n, &vs, &ve);
		if (found) {
			vs += fs;
			ve += fs;
		} else {
			found = fs_json_find_path(p, n, f->path->parts, f->path->n, &vs, &ve);
		}
		if (!found)
			memset(&d->vals[i], 0, sizeof d->vals[i]);
		else if (val_of_raw(p + vs, ve - vs, &d->vals[i], &d->vtext[i]))
			return FS_STEP_PARSE;
	}
	return 0;
}

int fs_drift_step(void *ctx, const struct fs_record *r, struct fs_run *run)
{
	struct fs_drift *d = ctx;
	if (read_values(d, r))
		return FS_STEP_PARSE;
	if (d->cfg.fit) {
		d->events++;
		for (size_t i = 0; i < d->nf; i++)
			fit_value(d, &d->f[i], &d->vals[i]);
		return 0;
	}
	/* the window this event belongs to */
	if (d->cfg.window_ns) {
		int64_t w = fs_time_period(r->time, d->cfg.window_ns);
		if (d->win_open && w > d->win_index)
			close_window(d, run->out);
		else if (d->win_open && w < d->win_index)
			d->late++;  /* counted in the open window */
		if (!d->win_open)
			d->win_index = w;
	} else if (d->cfg.window_events && d->win_open && d->events - d->win_first + 1 >= d->cfg.window_events) {
		close_window(d, run->out);
	}
	d->events++;
	if (!d->win_open) {
		d->win_open = 1;
		d->win_first = d->events;
	}
	for (size_t i = 0; i < d->nf; i++)
		count_value(&d->f[i], &d->vals[i]);
	return 0;
}

/* ------------------------------------------------------------ the end */

static const char *bin_label(const struct field *f, size_t i, char *buf, size_t size)
{
	char a[FS_DBL_MAX], b[FS_DBL_MAX];
	if (i == f->nbins)
		return "null";
	if (f->type == T_CAT)
		return i < f->ncats ? f->catname[i] : "other";
	if (f->nedges == 0)
		return "all";
	if (i == 0) {
		fs_fmt_double(a, f->edges[0]);
		snprintf(buf, size, "< %s", a);
	} else if (i == f->nedges) {
		fs_fmt_double(a, f->edges[i - 1]);
		snprintf(buf, size, ">= %s", a);
	} else {
		fs_fmt_double(a, f->edges[i - 1]);
		fs_fmt_double(b, f->edges[i]);
		snprintf(buf, size, "[%s, %s)", a, b);
	}
	return buf;
}

struct summary {
	struct field *f;
	struct metrics m;
	double act[260], exp_[260];
};

static int cmp_summary(const void *a, const void *b)
{
	const struct summary *x = a, *y = b;
	if (x->f->worst != y->f->worst)
		return y->f->worst - x->f->worst;
	return (y->f->max_psi > x->f->max_psi) - (y->f->max_psi < x->f->max_psi);
}

static json_t *num_array(const double *x, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, isnan(x[i]) ? json_null() : json_real(x[i]));
	return a;
}

static void write_report(struct fs_drift *d, struct summary *s, size_t n)
{
	json_t *doc = json_object(), *features = json_array(), *inputs = json_array();
	char now[40];
	fs_time_format((int64_t)time(NULL) * FS_NS_PER_SEC, now, sizeof now);
	json_object_set_new(doc, "title", json_string("fspsi drift report"));
	json_object_set_new(doc, "generated", json_string(now));
	json_object_set_new(doc, "baseline", json_string(d->cfg.baseline));
	for (int i = 0; i < d->cfg.ninputs; i++)
		json_array_append_new(inputs, json_string(d->cfg.inputs[i]));
	if (!d->cfg.ninputs)
		json_array_append_new(inputs, json_string("<stdin>"));
	json_object_set_new(doc, "inputs", inputs);
	json_object_set_new(doc, "warn", json_real(d->cfg.warn));
	json_object_set_new(doc, "alert", json_real(d->cfg.alert));
	json_object_set_new(doc, "epsilon", json_real(FS_DRIFT_EPSILON));
	json_object_set_new(doc, "events", json_integer((json_int_t)d->events));
	json_object_set_new(doc, "windows", json_integer((json_int_t)d->windows));
	for (size_t i = 0; i < n; i++) {
		struct field *f = s[i].f;
		json_t *o = json_object(), *bins = json_array(), *wins = json_array();
		json_object_set_new(o, "feature", json_string(f->name));
		json_object_set_new(o, "type", json_string(f->type == T_NUM ? "numeric" : "category"));
		json_object_set_new(o, "status", json_string(status_name[f->worst]));
		json_object_set_new(o, "psi", json_real(s[i].m.psi));
		json_object_set_new(o, "max_psi", json_real(f->max_psi));
		json_object_set_new(o, "js", json_real(s[i].m.js));
		json_object_set_new(o, "ks", isnan(s[i].m.ks) ? json_null() : json_real(s[i].m.ks));
		json_object_set_new(o, "n", json_integer((json_int_t)f->run.n));
		json_object_set_new(o, "null_share", json_real(s[i].act[f->nbins]));
		json_object_set_new(o, "baseline_null_share", json_real(f->null_share));
		for (size_t b = 0; b <= f->nbins; b++) {
			char buf[96];
			json_array_append_new(bins, json_string(bin_label(f, b, buf, sizeof buf)));
		}
		json_object_set_new(o, "bins", bins);
		json_object_set_new(o, "baseline_shares", num_array(s[i].exp_, f->nbins + 1));
		json_object_set_new(o, "shares", num_array(s[i].act, f->nbins + 1));
		/* the ring, oldest first */
		for (size_t k = 0; k < f->nhist; k++) {
			const struct point *p = &f->hist[(f->hist_next + HISTORY - f->nhist + k) % HISTORY];
			json_t *w = json_object();
			json_object_set_new(w, "start", json_string(p->start));
			json_object_set_new(w, "end", json_string(p->end));
			json_object_set_new(w, "psi", json_real(p->psi));
			json_object_set_new(w, "status", json_string(status_name[p->status]));
			json_array_append_new(wins, w);
		}
		json_object_set_new(o, "windows", wins);
		json_array_append_new(features, o);
	}
	json_object_set_new(doc, "features", features);
	char err[512];
	if (fs_report_write(d->cfg.report, doc, err, sizeof err) < 0) {
		fs_warn("%s", err);
		d->report_failed = 1;
	}
	json_decref(doc);
}

static void put_table(struct fs_drift *d, struct summary *s, size_t n, struct fs_buf *out)
{
	size_t w = strlen("feature");
	for (size_t i = 0; i < n; i++)
		if (strlen(s[i].f->name) > w)
			w = strlen(s[i].f->name);
	char line[1024];
	int len = snprintf(line, sizeof line, "%-*s  %-8s  %10s  %8s  %8s  %8s  %8s  %6s  %s\n", (int)w,
	                   "feature", "type", "n", "psi", "max_psi", "js", "ks", "null%", "status");
	fs_buf_put(out, line, (size_t)len);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = s[i].f;
		char ks[16];
		if (isnan(s[i].m.ks))
			snprintf(ks, sizeof ks, "-");
		else
			snprintf(ks, sizeof ks, "%.4f", s[i].m.ks);
		len = snprintf(line, sizeof line, "%-*s  %-8s  %10llu  %8.4f  %8.4f  %8.4f  %8s  %6.2f  %s\n",
		               (int)w, f->name, f->type == T_NUM ? "numeric" : "category",
		               (unsigned long long)f->run.n, s[i].m.psi, f->max_psi, s[i].m.js, ks,
		               100 * s[i].act[f->nbins], status_name[f->worst]);
		fs_buf_put(out, line, (size_t)len);
	}
	len = snprintf(line, sizeof line, "%llu events, %llu windows; warn at PSI %g, alert at %g\n",
	               (unsigned long long)d->events, (unsigned long long)d->windows, d->cfg.warn,
	               d->cfg.alert);
	fs_buf_put(out, line, (size_t)len);
}

void fs_drift_finish(void *ctx, struct fs_run *run)
{
	struct fs_drift *d = ctx;
	struct fs_buf *out = run->out;
	if (d->cfg.fit) {
		fit_finish(d, out);
		return;
	}
	close_window(d, out);
	if (d->late)
		fs_warn("%llu events came earlier than their window and were counted in the open one",
		        (unsigned long long)d->late);
	struct summary *s = fs_xcalloc(d->nf ? d->nf : 1, sizeof *s);
	for (size_t i = 0; i < d->nf; i++) {
		s[i].f = &d->f[i];
		s[i].m.actual = s[i].act;
		s[i].m.expected = s[i].exp_;
		compute(&d->f[i], &d->f[i].run, &s[i].m);
	}
	if (!d->cfg.table) {
		for (size_t i = 0; i < d->nf; i++) {
			struct field *f = s[i].f;
			fs_buf_puts(out, "{\"kind\":\"summary\",\"feature\":");
			fs_json_put_string(out, f->name, strlen(f->name));
			put_key(out, "type");
			fs_buf_puts(out, f->type == T_NUM ? "\"numeric\"" : "\"category\"");
			put_key(out, "n");
			put_number(out, (double)f->run.n);
			put_key(out, "windows");
			put_number(out, (double)d->windows);
			put_key(out, "psi");
			put_number(out, s[i].m.psi);
			put_key(out, "js");
			put_number(out, s[i].m.js);
			put_key(out, "ks");
			put_maybe(out, s[i].m.ks);
			put_key(out, "max_psi");
			put_number(out, f->max_psi);
			put_key(out, "null_share");
			put_number(out, s[i].act[f->nbins]);
			put_key(out, "baseline_null_share");
			put_number(out, f->null_share);
			put_key(out, "bins");
			fs_buf_putc(out, '[');
			for (size_t b = 0; b <= f->nbins; b++) {
				char buf[96];
				const char *l = bin_label(f, b, buf, sizeof buf);
				if (b)
					fs_buf_putc(out, ',');
				fs_json_put_string(out, l, strlen(l));
			}
			fs_buf_putc(out, ']');
			put_key(out, "baseline_shares");
			put_numbers(out, s[i].exp_, f->nbins + 1);
			put_key(out, "shares");
			put_numbers(out, s[i].act, f->nbins + 1);
			put_key(out, "epsilon");
			put_number(out, FS_DRIFT_EPSILON);
			put_key(out, "status");
			fs_json_put_string(out, status_name[f->worst], strlen(status_name[f->worst]));
			fs_buf_puts(out, "}\n");
		}
	}
	qsort(s, d->nf, sizeof *s, cmp_summary);
	if (d->cfg.table)
		put_table(d, s, d->nf, out);
	if (d->cfg.report)
		write_report(d, s, d->nf);
	free(s);
}

int fs_drift_status(const struct fs_drift *d)
{
	if (d->report_failed)
		return FS_EX_IOERR;
	return d->cfg.fit ? FS_EX_OK : d->status == ST_ALERT ? FS_EX_ALERT : d->status == ST_WARN ? FS_EX_WARN : FS_EX_OK;
}

/* ------------------------------------------------------------ set-up */

struct fs_drift *fs_drift_new(const struct fs_drift_config *cfg, char *err, size_t errsize,
                              int *status)
{
	struct fs_drift *d = fs_xcalloc(1, sizeof *d);
	d->cfg = *cfg;
	d->cfg.from = NULL;
	if (cfg->from)
		d->cfg.from = fs_xstrdup(cfg->from);
	if (!cfg->fit && load_baseline(d, err, errsize, status) < 0) {
		fs_drift_free(d);
		return NULL;
	}
	*status = FS_EX_USAGE;
	if (cfg->fields) {
		if (cfg->fit) {
			size_t n;
			char **names = fs_cli_list(cfg->fields, &n);
			for (size_t k = 0; k < n; k++)
				if (!*names[k] || find_field(d, names[k]) || !add_field(d, names[k])) {
					snprintf(err, errsize, "--fields %s: \"%s\" is empty, repeated or not a field "
					         "path", cfg->fields, names[k]);
					fs_cli_list_free(names, n);
					fs_drift_free(d);
					return NULL;
				}
			fs_cli_list_free(names, n);
		} else if (select_fields(d, err, errsize) < 0) {
			*status = FS_EX_DATAERR;
			fs_drift_free(d);
			return NULL;
		}
	}
	d->discover = cfg->fit && !cfg->fields;
	d->flat = !d->discover;
	for (size_t i = 0; i < d->nf; i++)
		d->flat &= d->f[i].path->n == 1 && !d->f[i].path->envelope;
	const char *from = d->cfg.from ? d->cfg.from : "features";
	if (strcmp(from, ".") != 0) {
		const char *why;
		d->from = fs_path_new(from, &why);
		if (!d->from) {
			snprintf(err, errsize, "--from %s: %s", from, why);
			fs_drift_free(d);
			return NULL;
		}
	}
	return d;
}

void fs_drift_free(struct fs_drift *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nf; i++)
		if (d->f[i].name)
			free_field(&d->f[i]);
	free(d->f);
	fs_hmap_free(&d->byname);
	fs_path_free(d->from);
	free((char *)d->cfg.from);
	fs_buf_free(&d->text);
	for (size_t i = 0; i < d->nvals; i++)
		fs_buf_free(&d->vtext[i]);
	free(d->vtext);
	free(d->vals);
	free(d->seen_at);
	free(d->found);
	free(d);
}
