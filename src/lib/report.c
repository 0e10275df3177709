/* report.c: fspsi's HTML drift report (see report.h).
 *
 * The whole page is built in memory from the report document, then written
 * to a temporary file beside the target and renamed over it, so a reader
 * never sees half a page. Everything the page shows is inline: one <style>
 * block and one SVG per chart, drawn here with fixed coordinates, so it
 * looks the same offline, in a mail attachment and on paper. Text from the
 * document (feature names, bin labels, file names, times) goes through
 * put_text, which escapes it for HTML and replaces bytes that are not
 * UTF-8; nothing from the document is ever written raw.
 */
#include "report.h"
#include "buf.h"
#include "diag.h"
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DASH "&#8212;"
#define ELLIPSIS "\xe2\x80\xa6"
#define REPLACEMENT "\xef\xbf\xbd"

/* Chart geometry in SVG user units; the page scales them down to fit. */
#define CHART_W 560.0
#define CHART_LEFT 50.0
#define CHART_RIGHT 14.0
#define LINE_RIGHT 62.0     /* room for the threshold labels */
#define CHART_TOP 30.0
#define HIST_PLOT_H 170.0
#define LINE_PLOT_H 170.0
#define CHAR_W 6.2          /* average glyph width of 11px sans-serif */
#define LABEL_MAX 18        /* longest bin label shown, in characters */

enum status { ST_OK, ST_WARN, ST_ALERT, ST_UNKNOWN };

static const char *const status_class[] = {
	[ST_OK] = "ok", [ST_WARN] = "warn", [ST_ALERT] = "alert", [ST_UNKNOWN] = "unknown",
};

static const char *const status_colour[] = {
	[ST_OK] = "#1a7f37", [ST_WARN] = "#bf8700", [ST_ALERT] = "#cf222e", [ST_UNKNOWN] = "#6e7781",
};

static void putf(struct fs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct fs_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		fs_buf_put(b, small, (size_t)n);
		return;
	}
	char *big = fs_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	fs_buf_put(b, big, (size_t)n);
	free(big);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len;
	unsigned min;
	unsigned cp;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Escaped for element content and quoted attributes alike. Control
 * characters and broken UTF-8 become U+FFFD: an HTML parser would drop or
 * mangle them, and a visible mark is more honest. At most maxchars
 * characters are written (0: all); a cut string ends in an ellipsis. */
static void put_text_n(struct fs_buf *b, const char *str, size_t maxchars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), chars = 0;
	for (size_t i = 0; i < n; chars++) {
		if (maxchars && chars == maxchars - 1 && i < n) {
			/* Only cut when more than one character is left. */
			size_t l = utf8_len(s + i, n - i);
			if (i + (l ? l : 1) < n) {
				fs_buf_puts(b, ELLIPSIS);
				return;
			}
		}
		unsigned char c = s[i];
		switch (c) {
		case '&': fs_buf_puts(b, "&amp;"); i++; continue;
		case '<': fs_buf_puts(b, "&lt;"); i++; continue;
		case '>': fs_buf_puts(b, "&gt;"); i++; continue;
		case '"': fs_buf_puts(b, "&quot;"); i++; continue;
		case '\'': fs_buf_puts(b, "&#39;"); i++; continue;
		}
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			fs_buf_puts(b, REPLACEMENT);
			i++;
			continue;
		}
		size_t l = utf8_len(s + i, n - i);
		if (l == 0) {
			fs_buf_puts(b, REPLACEMENT);
			i++;
			continue;
		}
		fs_buf_put(b, s + i, l);
		i += l;
	}
}

static void put_text(struct fs_buf *b, const char *s)
{
	put_text_n(b, s, 0);
}

/* Characters (code points) in s, for guessing how wide a label is. */
static size_t text_chars(const char *s)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			chars++;
	return chars;
}

static const char *str_member(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* NAN when absent, null or not a number: shown as a dash. */
static double num_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void put_num(struct fs_buf *b, double x)
{
	if (isfinite(x))
		putf(b, "%.4g", x);
	else
		fs_buf_puts(b, DASH);
}

static void put_percent(struct fs_buf *b, double share)
{
	if (isfinite(share))
		putf(b, "%.3g%%", share * 100);
	else
		fs_buf_puts(b, DASH);
}

static enum status parse_status(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return ST_OK;
	if (strcmp(s, "warn") == 0)
		return ST_WARN;
	if (strcmp(s, "alert") == 0)
		return ST_ALERT;
	return ST_UNKNOWN;
}

/* The word is printed too: colour alone says nothing to a colour-blind
 * reader or on a black-and-white printout. */
static void put_badge(struct fs_buf *b, const char *status)
{
	putf(b, "<span class=\"badge %s\">", status_class[parse_status(status)]);
	put_text(b, *status ? status : "unknown");
	fs_buf_puts(b, "</span>");
}

/* A feature name may hold anything, so the id keeps only the characters
 * that are safe everywhere, and the index keeps two names that differ only
 * in the dropped characters apart. */
static void put_feature_id(struct fs_buf *b, size_t index, const char *name)
{
	putf(b, "f%zu", index);
	int dash = 0;
	size_t kept = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && kept < 40; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_') {
			if (kept == 0 || dash)
				fs_buf_putc(b, '-');
			fs_buf_putc(b, (char)*p);
			dash = 0;
			kept++;
		} else {
			dash = 1;
		}
	}
}

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is >= x: axis
 * steps a reader can add up in their head. */
static double nice_step(double x)
{
	if (!(x > 0) || !isfinite(x))
		return 1;
	double p = pow(10, floor(log10(x)));
	static const double m[] = {1, 2, 2.5, 5, 10};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (m[i] * p >= x * (1 - 1e-9))
			return m[i] * p;
	return 10 * p;
}

/* Gridlines and their labels for [0, top], top a multiple of step. */
static void put_y_grid(struct fs_buf *b, double top, double step, double y0, double h,
                       double left, double right, int percent)
{
	int ticks = (int)floor(top / step + 0.5);
	for (int i = 0; i <= ticks; i++) {
		double v = i * step, y = y0 + h - h * v / top;
		putf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
		     left, y, right, y);
		putf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		     left - 6, y + 3.5);
		if (percent)
			putf(b, "%.4g%%", v * 100);
		else
			putf(b, "%.4g", v);
		fs_buf_puts(b, "</text>");
	}
}

/* ------------------------------------------------------------ histogram */

static double share_at(const json_t *a, size_t i)
{
	const json_t *v = json_array_get(a, i);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A numeric bin's label with every number in it shortened to %.4g, so
 * that "[0.29536500000000003, 0.5550428)" fits under its bars as
 * "[0.2954, 0.555)". Malloc'd. */
static char *compact_numbers(const char *s)
{
	struct fs_buf out = {0};
	for (size_t i = 0; s[i];) {
		size_t j = i;
		int starts = i == 0 || !(s[i - 1] == '.' || s[i - 1] == '_' ||
		                         (s[i - 1] >= '0' && s[i - 1] <= '9') ||
		                         (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
		                         (s[i - 1] >= 'A' && s[i - 1] <= 'Z'));
		if (starts && (s[j] == '-' || s[j] == '+'))
			j++;
		size_t digits = 0;
		while (s[j] >= '0' && s[j] <= '9')
			j++, digits++;
		if (s[j] == '.')
			for (j++; s[j] >= '0' && s[j] <= '9'; j++)
				digits++;
		if (digits && (s[j] == 'e' || s[j] == 'E')) {
			size_t k = j + 1;
			if (s[k] == '-' || s[k] == '+')
				k++;
			if (s[k] >= '0' && s[k] <= '9') {
				while (s[k] >= '0' && s[k] <= '9')
					k++;
				j = k;
			}
		}
		if (!starts || digits == 0) {
			fs_buf_putc(&out, s[i++]);
			continue;
		}
		char num[64];
		size_t len = j - i < sizeof num - 1 ? j - i : sizeof num - 1;
		memcpy(num, s + i, len);
		num[len] = '\0';
		putf(&out, "%.4g", strtod(num, NULL));
		i = j;
	}
	char *r = fs_xstrdup(out.len ? fs_buf_cstr(&out) : "");
	fs_buf_free(&out);
	return r;
}

static void put_histogram(struct fs_buf *b, const json_t *f, const char *name)
{
	const json_t *bins = json_object_get(f, "bins");
	const json_t *base = json_object_get(f, "baseline_shares");
	const json_t *cur = json_object_get(f, "shares");
	size_t n = json_array_size(bins);
	if (n == 0) {
		fs_buf_puts(b, "<p class=\"empty\">No bins to draw.</p>\n");
		return;
	}

	int numeric = strcmp(str_member(f, "type"), "numeric") == 0;
	char **shown_label = fs_xcalloc(n, sizeof *shown_label);
	double top = 0;
	size_t widest = 0;
	for (size_t i = 0; i < n; i++) {
		double s1 = share_at(base, i), s2 = share_at(cur, i);
		if (isfinite(s1) && s1 > top)
			top = s1;
		if (isfinite(s2) && s2 > top)
			top = s2;
		const char *label = json_string_value(json_array_get(bins, i));
		label = label ? label : "";
		shown_label[i] = numeric ? compact_numbers(label) : fs_xstrdup(label);
		size_t c = text_chars(shown_label[i]);
		if (c > widest)
			widest = c;
	}
	if (top <= 0)
		top = 1;
	double step = nice_step(top / 4);
	top = ceil(top / step - 1e-9) * step;

	/* Labels that do not fit under their bars are turned and cut short;
	 * the full text stays in the tooltip and the table below. A turned
	 * first label reaches left of its bar, so the plot moves right. */
	double left = CHART_LEFT, pw = CHART_W - left - CHART_RIGHT;
	double group = pw / n;
	size_t shown = widest < LABEL_MAX ? widest : LABEL_MAX;
	int rotate = shown * CHAR_W > group - 4;
	if (rotate) {
		double reach = shown * CHAR_W * 0.82 - group / 2 + 6;
		if (reach > left) {
			left = reach;
			pw = CHART_W - left - CHART_RIGHT;
			group = pw / n;
		}
	}
	double bar = group * 0.38;
	if (bar > 28)
		bar = 28;
	double label_h = rotate ? shown * CHAR_W * 0.57 + 18 : 20;
	double y0 = CHART_TOP, h = HIST_PLOT_H, height = y0 + h + label_h + 6;

	putf(b, "<svg class=\"histogram\" "
	     "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
	     CHART_W, height, CHART_W, height);
	fs_buf_puts(b, "Baseline and current share per bin of ");
	put_text(b, name);
	fs_buf_puts(b, "\">");

	/* Legend, top right. */
	double lx = CHART_W - CHART_RIGHT - 170;
	putf(b, "<rect class=\"base\" x=\"%.1f\" y=\"8\" width=\"11\" height=\"11\"/>"
	     "<text class=\"legend\" x=\"%.1f\" y=\"17.5\">baseline</text>", lx, lx + 15);
	putf(b, "<rect class=\"cur\" x=\"%.1f\" y=\"8\" width=\"11\" height=\"11\"/>"
	     "<text class=\"legend\" x=\"%.1f\" y=\"17.5\">current</text>", lx + 85, lx + 100);
	putf(b, "<text class=\"axis\" x=\"%.1f\" y=\"17.5\">share of events</text>", left - 40);

	put_y_grid(b, top, step, y0, h, left, CHART_W - CHART_RIGHT, 1);
	for (size_t i = 0; i < n; i++) {
		const char *label = json_string_value(json_array_get(bins, i));
		if (!label)
			label = "";
		double cx = left + group * (i + 0.5);
		double s[2] = {share_at(base, i), share_at(cur, i)};
		static const char *const cls[2] = {"base", "cur"};
		static const char *const what[2] = {"baseline", "current"};
		for (int k = 0; k < 2; k++) {
			double v = isfinite(s[k]) && s[k] > 0 ? s[k] : 0;
			double bh = h * v / top, x = k == 0 ? cx - bar - 1 : cx + 1;
			putf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			     "<title>", cls[k], x, y0 + h - bh, bar, bh);
			put_text(b, label);
			putf(b, ": %s ", what[k]);
			put_percent(b, s[k]);
			fs_buf_puts(b, "</title></rect>");
		}
		double ly = y0 + h + 14;
		if (rotate)
			putf(b, "<text class=\"bin\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
			     "transform=\"rotate(-35 %.1f %.1f)\">", cx + 3, ly, cx + 3, ly);
		else
			putf(b, "<text class=\"bin\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx, ly);
		putf(b, "<title>");
		put_text(b, label);
		fs_buf_puts(b, "</title>");
		put_text_n(b, shown_label[i], LABEL_MAX);
		fs_buf_puts(b, "</text>");
		free(shown_label[i]);
	}
	free(shown_label);
	putf(b, "<line class=\"axisline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	     left, y0 + h, CHART_W - CHART_RIGHT, y0 + h);
	fs_buf_puts(b, "</svg>\n");
}

/* The numbers behind the bars, folded away: the chart's tooltips need a
 * mouse, and a table can be copied. */
static void put_share_table(struct fs_buf *b, const json_t *f)
{
	const json_t *bins = json_object_get(f, "bins");
	const json_t *base = json_object_get(f, "baseline_shares");
	const json_t *cur = json_object_get(f, "shares");
	size_t n = json_array_size(bins);
	if (n == 0)
		return;
	fs_buf_puts(b, "<details><summary>Shares per bin</summary>\n"
	            "<table class=\"shares\"><thead><tr><th>Bin</th><th>Baseline</th>"
	            "<th>Current</th><th>Change</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const char *label = json_string_value(json_array_get(bins, i));
		double s1 = share_at(base, i), s2 = share_at(cur, i);
		fs_buf_puts(b, "<tr><td>");
		put_text(b, label ? label : "");
		fs_buf_puts(b, "</td><td class=\"num\">");
		put_percent(b, s1);
		fs_buf_puts(b, "</td><td class=\"num\">");
		put_percent(b, s2);
		fs_buf_puts(b, "</td><td class=\"num\">");
		if (isfinite(s1) && isfinite(s2))
			putf(b, "%+.3g pp", (s2 - s1) * 100);
		else
			fs_buf_puts(b, DASH);
		fs_buf_puts(b, "</td></tr>\n");
	}
	fs_buf_puts(b, "</tbody></table></details>\n");
}

/* ------------------------------------------------------------ PSI line */

/* A window start as a tick label: RFC 3339 times become a date line (only
 * when it changes from the previous tick) over an hh:mm line; anything
 * else is shown cut short. */
static void put_time_tick(struct fs_buf *b, double x, double y, const char *t, char prevdate[11])
{
	int rfc = strlen(t) >= 16 && t[4] == '-' && t[7] == '-' && (t[10] == 'T' || t[10] == ' ') &&
		t[13] == ':';
	putf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><title>", x, y);
	put_text(b, t);
	fs_buf_puts(b, "</title>");
	if (!rfc) {
		put_text_n(b, t, 16);
		fs_buf_puts(b, "</text>");
		return;
	}
	char hm[6], date[11];
	memcpy(date, t, 10), date[10] = '\0';
	memcpy(hm, t + 11, 5), hm[5] = '\0';
	putf(b, "<tspan x=\"%.1f\">", x);
	put_text(b, hm);
	fs_buf_puts(b, "</tspan>");
	if (strcmp(date, prevdate) != 0) {
		putf(b, "<tspan x=\"%.1f\" dy=\"13\">", x);
		put_text(b, date);
		fs_buf_puts(b, "</tspan>");
		memcpy(prevdate, date, 11);
	}
	fs_buf_puts(b, "</text>");
}

/* A dashed line at threshold v, labelled in the right margin where no
 * point can cover the label; ly is where the label goes. */
static void put_threshold(struct fs_buf *b, const char *cls, double v, double y, double ly,
                          double right)
{
	putf(b, "<line class=\"thr %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	     cls, CHART_LEFT, y, right, y);
	putf(b, "<text class=\"thrlabel %s\" x=\"%.1f\" y=\"%.1f\">%s ", cls, right + 5,
	     ly + 3.5, cls);
	put_num(b, v);
	fs_buf_puts(b, "</text>");
}

static void put_psi_line(struct fs_buf *b, const json_t *f, const char *name, double warn,
                         double alert)
{
	const json_t *wins = json_object_get(f, "windows");
	size_t n = json_array_size(wins);
	if (n == 0) {
		fs_buf_puts(b, "<p class=\"empty\">No windows closed in this run, so there is no "
		            "PSI over time to draw.</p>\n");
		return;
	}

	double top = 0;
	for (size_t i = 0; i < n; i++) {
		double p = num_member(json_array_get(wins, i), "psi");
		if (isfinite(p) && p > top)
			top = p;
	}
	/* Keep the thresholds in view even when every window is far below. */
	if (isfinite(alert) && alert * 1.2 > top)
		top = alert * 1.2;
	if (isfinite(warn) && warn * 1.2 > top)
		top = warn * 1.2;
	if (top <= 0)
		top = 0.1;
	double step = nice_step(top / 4);
	top = ceil(top / step - 1e-9) * step;

	double y0 = CHART_TOP, h = LINE_PLOT_H, height = y0 + h + 40;
	double right = CHART_W - LINE_RIGHT;
	double pw = right - CHART_LEFT - 20, x0 = CHART_LEFT + 10;
#define WX(i) (n == 1 ? x0 + pw / 2 : x0 + pw * (double)(i) / (double)(n - 1))
#define PY(p) (y0 + h - h * (p) / top)

	putf(b, "<svg class=\"psi-line\" "
	     "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
	     CHART_W, height, CHART_W, height);
	fs_buf_puts(b, "PSI per window of ");
	put_text(b, name);
	fs_buf_puts(b, "\">");
	putf(b, "<text class=\"axis\" x=\"%.1f\" y=\"17.5\">PSI per window</text>", CHART_LEFT - 40);

	/* Bands above the thresholds, so a point's zone reads at a glance. */
	if (isfinite(alert) && alert > 0 && alert < top)
		putf(b, "<rect class=\"band alert\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		     CHART_LEFT, y0, right - CHART_LEFT, PY(alert) - y0);
	if (isfinite(warn) && warn > 0 && warn < top) {
		double hi = isfinite(alert) && alert > warn && alert < top ? PY(alert) : y0;
		putf(b, "<rect class=\"band warn\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		     CHART_LEFT, hi, right - CHART_LEFT, PY(warn) - hi);
	}
	put_y_grid(b, top, step, y0, h, CHART_LEFT, right, 0);
	putf(b, "<line class=\"axisline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	     CHART_LEFT, y0 + h, right, y0 + h);
	int has_warn = isfinite(warn) && warn > 0 && warn <= top;
	int has_alert = isfinite(alert) && alert > 0 && alert <= top;
	double yw = has_warn ? PY(warn) : 0, ya = has_alert ? PY(alert) : 0;
	double lw = yw, la = ya;
	if (has_warn && has_alert && fabs(yw - ya) < 12) {
		/* Thresholds close together: push the labels apart, alert above. */
		double mid = (yw + ya) / 2;
		la = mid - 6, lw = mid + 6;
	}
	if (has_alert)
		put_threshold(b, "alert", alert, ya, la, right);
	if (has_warn)
		put_threshold(b, "warn", warn, yw, lw, right);

	/* The line, broken where a window has no PSI. */
	int open = 0;
	for (size_t i = 0; i < n; i++) {
		double p = num_member(json_array_get(wins, i), "psi");
		if (!isfinite(p)) {
			if (open)
				fs_buf_puts(b, "\"/>");
			open = 0;
			continue;
		}
		if (!open)
			fs_buf_puts(b, "<polyline class=\"trace\" points=\"");
		putf(b, "%s%.1f,%.1f", open ? " " : "", WX(i), PY(p));
		open = 1;
	}
	if (open)
		fs_buf_puts(b, "\"/>");

	double r = n > 120 ? 2 : n > 40 ? 3 : 4;
	for (size_t i = 0; i < n; i++) {
		const json_t *w = json_array_get(wins, i);
		double p = num_member(w, "psi");
		if (!isfinite(p))
			continue;
		const char *st = str_member(w, "status");
		putf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\" class=\"pt %s\"><title>",
		     WX(i), PY(p), r, status_colour[parse_status(st)], status_class[parse_status(st)]);
		put_text(b, str_member(w, "start"));
		fs_buf_puts(b, " &#8211; ");
		put_text(b, str_member(w, "end"));
		fs_buf_puts(b, ": PSI ");
		put_num(b, p);
		fs_buf_puts(b, " (");
		put_text(b, *st ? st : "unknown");
		fs_buf_puts(b, ")</title></circle>");
	}

	size_t ticks = n < 6 ? n : 6;
	char prevdate[11] = "";
	for (size_t k = 0; k < ticks; k++) {
		size_t i = ticks == 1 ? 0 : (size_t)floor(k * (double)(n - 1) / (ticks - 1) + 0.5);
		putf(b, "<line class=\"axisline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
		     WX(i), y0 + h, WX(i), y0 + h + 4);
		put_time_tick(b, WX(i), y0 + h + 16, str_member(json_array_get(wins, i), "start"),
		              prevdate);
	}
#undef WX
#undef PY
	fs_buf_puts(b, "</svg>\n");
}

/* ------------------------------------------------------------ the page */

static const char style[] =
	":root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;"
	"--panel:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:1180px;padding:24px 28px 48px;color:var(--fg);"
	"background:var(--bg);font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Helvetica Neue\",Arial,\"Noto Sans\",sans-serif;"
	"-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0;overflow-wrap:anywhere}\n"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\","
	"monospace;font-size:12.5px}\n"
	"a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}\n"
	"header{border-bottom:1px solid var(--line);padding-bottom:14px;margin-bottom:18px}\n"
	".meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:10px 0 0}\n"
	".meta dt{color:var(--muted)}.meta dd{margin:0;overflow-wrap:anywhere}\n"
	".counts .badge{margin-right:6px}\n"
	".badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;"
	"font-weight:600;line-height:18px;border:1px solid;vertical-align:middle}\n"
	".badge.ok{color:#1a7f37;background:#dafbe1;border-color:#4ac26b}\n"
	".badge.warn{color:#7d4e00;background:#fff8c5;border-color:#d4a72c}\n"
	".badge.alert{color:#a40e26;background:#ffebe9;border-color:#ff8182}\n"
	".badge.unknown{color:#59636e;background:#f6f8fa;border-color:#d1d9e0}\n"
	"table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;"
	"vertical-align:middle}\n"
	"th{font-size:12px;color:var(--muted);font-weight:600;background:var(--panel)}\n"
	"td.num,th.num{text-align:right;white-space:nowrap}\n"
	"td.name{max-width:340px;overflow-wrap:anywhere}\n"
	".summary{width:100%}.summary tbody tr:hover{background:var(--panel)}\n"
	"section.feature{border:1px solid var(--line);border-radius:8px;padding:14px 18px;"
	"margin:22px 0}\n"
	".fhead{display:flex;align-items:center;gap:12px;flex-wrap:wrap}\n"
	".fhead .top{margin-left:auto;font-size:12px}\n"
	".stats{color:var(--muted);margin:6px 0 10px}.stats b{color:var(--fg);font-weight:600}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 24px}\n"
	"figure{margin:0}figcaption{font-size:12px;color:var(--muted);margin-top:2px}\n"
	"svg{display:block;max-width:100%;height:auto;font-family:inherit}\n"
	"svg text{fill:var(--fg);font-size:11px}svg .tick{fill:var(--muted);font-size:10.5px}\n"
	"svg .axis{fill:var(--muted);font-size:11px}svg .legend{font-size:11.5px}\n"
	"svg .grid{stroke:#e6eaef;stroke-width:1}svg .axisline{stroke:#8c959f;stroke-width:1}\n"
	"svg .base{fill:#afb8c1}svg .cur{fill:#0969da}\n"
	"svg .trace{fill:none;stroke:#57606a;stroke-width:1.5}\n"
	"svg .pt{stroke:#fff;stroke-width:1}\n"
	"svg .thr{stroke-width:1.5;stroke-dasharray:6 4}\n"
	"svg .thr.warn{stroke:#bf8700}svg .thr.alert{stroke:#cf222e}\n"
	"svg .thrlabel{font-size:10.5px;font-weight:600}\n"
	"svg .thrlabel.warn{fill:#7d4e00}svg .thrlabel.alert{fill:#a40e26}\n"
	"svg .band.warn{fill:#fff8c5;opacity:.55}svg .band.alert{fill:#ffebe9;opacity:.7}\n"
	".empty{color:var(--muted);font-style:italic;margin:8px 0}\n"
	"details{margin-top:8px}summary{cursor:pointer;color:var(--muted);font-size:12px}\n"
	".shares{margin-top:6px;font-size:12.5px}\n"
	"footer{margin-top:28px;color:var(--muted);font-size:12px}\n"
	"@media print{body{max-width:none;padding:0;font-size:11.5px}"
	"section.feature{break-inside:avoid;page-break-inside:avoid;border-color:#bbb}"
	".fhead .top,details{display:none}a{color:inherit}"
	".charts{grid-template-columns:1fr}figure{break-inside:avoid}tr{break-inside:avoid}}\n"
	"@page{margin:12mm}\n";

static void put_meta_num(struct fs_buf *b, const char *label, const json_t *v)
{
	putf(b, "<dt>%s</dt><dd>", label);
	if (json_is_integer(v))
		putf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		put_num(b, json_is_number(v) ? json_number_value(v) : NAN);
	fs_buf_puts(b, "</dd>");
}

static void put_header(struct fs_buf *b, const json_t *doc, const char *title)
{
	const json_t *features = json_object_get(doc, "features");
	fs_buf_puts(b, "<header>\n<h1>");
	put_text(b, title);
	fs_buf_puts(b, "</h1>\n<dl class=\"meta\">");
	fs_buf_puts(b, "<dt>Generated</dt><dd>");
	if (*str_member(doc, "generated"))
		put_text(b, str_member(doc, "generated"));
	else
		fs_buf_puts(b, DASH);
	fs_buf_puts(b, "</dd><dt>Baseline</dt><dd><code>");
	put_text(b, str_member(doc, "baseline"));
	fs_buf_puts(b, "</code></dd><dt>Inputs</dt><dd>");
	const json_t *inputs = json_object_get(doc, "inputs");
	if (json_array_size(inputs) == 0)
		fs_buf_puts(b, "<code>-</code> (standard input)");
	for (size_t i = 0; i < json_array_size(inputs); i++) {
		fs_buf_puts(b, i ? ", <code>" : "<code>");
		const char *s = json_string_value(json_array_get(inputs, i));
		put_text(b, s ? s : "");
		fs_buf_puts(b, "</code>");
	}
	fs_buf_puts(b, "</dd>");
	put_meta_num(b, "Events", json_object_get(doc, "events"));
	put_meta_num(b, "Windows", json_object_get(doc, "windows"));
	fs_buf_puts(b, "<dt>Thresholds</dt><dd>PSI warn ");
	put_num(b, num_member(doc, "warn"));
	fs_buf_puts(b, ", alert ");
	put_num(b, num_member(doc, "alert"));
	fs_buf_puts(b, "</dd><dt>Smoothing &#949;</dt><dd>");
	put_num(b, num_member(doc, "epsilon"));
	fs_buf_puts(b, "</dd>");

	size_t count[4] = {0};
	for (size_t i = 0; i < json_array_size(features); i++)
		count[parse_status(str_member(json_array_get(features, i), "status"))]++;
	putf(b, "<dt>Features</dt><dd class=\"counts\">%zu &#8212; ", json_array_size(features));
	for (int s = ST_ALERT; s >= ST_OK; s--)
		putf(b, "<span class=\"badge %s\">%zu %s</span>", status_class[s], count[s],
		     status_class[s]);
	if (count[ST_UNKNOWN])
		putf(b, "<span class=\"badge unknown\">%zu unknown</span>", count[ST_UNKNOWN]);
	fs_buf_puts(b, "</dd></dl>\n</header>\n");
}

static void put_summary(struct fs_buf *b, const json_t *features)
{
	fs_buf_puts(b, "<h2 id=\"summary\">Summary</h2>\n");
	if (json_array_size(features) == 0) {
		fs_buf_puts(b, "<p class=\"empty\">No features in this report.</p>\n");
		return;
	}
	fs_buf_puts(b, "<table class=\"summary\"><thead><tr><th>Feature</th><th>Type</th>"
	            "<th>Status</th>"
	            "<th class=\"num\" title=\"Population Stability Index of the whole run\">PSI</th>"
	            "<th class=\"num\" title=\"Highest PSI of any window\">Max window PSI</th>"
	            "<th class=\"num\" title=\"Jensen-Shannon divergence\">JS</th>"
	            "<th class=\"num\" title=\"Kolmogorov-Smirnov statistic (numeric features)\">KS</th>"
	            "<th class=\"num\">Null share</th><th class=\"num\">Baseline null</th>"
	            "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < json_array_size(features); i++) {
		const json_t *f = json_array_get(features, i);
		const char *name = str_member(f, "feature");
		fs_buf_puts(b, "<tr><td class=\"name\"><a href=\"#");
		put_feature_id(b, i, name);
		fs_buf_puts(b, "\">");
		put_text(b, name);
		fs_buf_puts(b, "</a></td><td>");
		put_text(b, str_member(f, "type"));
		fs_buf_puts(b, "</td><td>");
		put_badge(b, str_member(f, "status"));
		static const char *const cols[] = {"psi", "max_psi", "js", "ks"};
		for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
			fs_buf_puts(b, "</td><td class=\"num\">");
			put_num(b, num_member(f, cols[c]));
		}
		fs_buf_puts(b, "</td><td class=\"num\">");
		put_percent(b, num_member(f, "null_share"));
		fs_buf_puts(b, "</td><td class=\"num\">");
		put_percent(b, num_member(f, "baseline_null_share"));
		fs_buf_puts(b, "</td></tr>\n");
	}
	fs_buf_puts(b, "</tbody></table>\n");
}

static void put_feature(struct fs_buf *b, size_t index, const json_t *f, double warn,
                        double alert)
{
	const char *name = str_member(f, "feature"), *status = str_member(f, "status");
	fs_buf_puts(b, "<section class=\"feature\" id=\"");
	put_feature_id(b, index, name);
	fs_buf_puts(b, "\" data-feature=\"");
	put_text(b, name);
	fs_buf_puts(b, "\" data-status=\"");
	put_text(b, status);
	fs_buf_puts(b, "\">\n<div class=\"fhead\"><h2>");
	put_text(b, name);
	fs_buf_puts(b, "</h2>");
	put_badge(b, status);
	fs_buf_puts(b, "<a class=\"top\" href=\"#summary\">&#8593; summary</a></div>\n");

	fs_buf_puts(b, "<div class=\"stats\">");
	put_text(b, *str_member(f, "type") ? str_member(f, "type") : "feature");
	fs_buf_puts(b, " &#183; PSI <b>");
	put_num(b, num_member(f, "psi"));
	fs_buf_puts(b, "</b> &#183; max window PSI <b>");
	put_num(b, num_member(f, "max_psi"));
	fs_buf_puts(b, "</b> &#183; JS <b>");
	put_num(b, num_member(f, "js"));
	fs_buf_puts(b, "</b> &#183; KS <b>");
	put_num(b, num_member(f, "ks"));
	fs_buf_puts(b, "</b> &#183; n <b>");
	const json_t *nv = json_object_get(f, "n");
	if (json_is_integer(nv))
		putf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(nv));
	else
		put_num(b, num_member(f, "n"));
	fs_buf_puts(b, "</b> &#183; null <b>");
	put_percent(b, num_member(f, "null_share"));
	fs_buf_puts(b, "</b> (baseline ");
	put_percent(b, num_member(f, "baseline_null_share"));
	fs_buf_puts(b, ")</div>\n<div class=\"charts\">\n<figure>");
	put_histogram(b, f, name);
	fs_buf_puts(b, "<figcaption>Share of events per bin: baseline (grey) and this run (blue)."
	            "</figcaption>");
	put_share_table(b, f);
	fs_buf_puts(b, "</figure>\n<figure>");
	put_psi_line(b, f, name, warn, alert);
	size_t nw = json_array_size(json_object_get(f, "windows"));
	if (nw > 0) {
		if (nw == 1)
			fs_buf_puts(b, "<figcaption>PSI of the one window; dashed lines at warn ");
		else
			putf(b, "<figcaption>PSI of each of the %zu windows; dashed lines at warn ", nw);
		put_num(b, warn);
		fs_buf_puts(b, " and alert ");
		put_num(b, alert);
		fs_buf_puts(b, ".</figcaption>");
	}
	fs_buf_puts(b, "</figure>\n</div>\n</section>\n");
}

static void build_page(struct fs_buf *b, const json_t *doc)
{
	const char *title = str_member(doc, "title");
	if (!*title)
		title = "Drift report";
	const json_t *features = json_object_get(doc, "features");
	double warn = num_member(doc, "warn"), alert = num_member(doc, "alert");

	fs_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	            "<meta name=\"color-scheme\" content=\"light\">\n"
	            "<meta name=\"generator\" content=\"fspsi\">\n<title>");
	put_text(b, title);
	fs_buf_puts(b, "</title>\n<style>\n");
	fs_buf_puts(b, style);
	fs_buf_puts(b, "</style>\n</head>\n<body>\n");
	put_header(b, doc, title);
	fs_buf_puts(b, "<main>\n");
	put_summary(b, features);
	for (size_t i = 0; i < json_array_size(features); i++)
		put_feature(b, i, json_array_get(features, i), warn, alert);
	fs_buf_puts(b, "</main>\n<footer>Written by fspsi. Hover over a bar or a point for "
	            "its numbers.</footer>\n</body>\n</html>\n");
}

int fs_report_write(const char *path, const json_t *doc, char *err, size_t errsize)
{
	if (!json_is_object(doc)) {
		snprintf(err, errsize, "%s: cannot write: the report document is not an object", path);
		return -1;
	}
	struct fs_buf b = {0};
	build_page(&b, doc);

	int rc = fs_write_atomic(path, b.p, b.len, err, errsize);
	fs_buf_free(&b);
	return rc;
}
