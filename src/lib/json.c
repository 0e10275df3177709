/* json.c: JSON writing and raw-byte member lookup (see json.h). */
#include "json.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- numbers */

#define TWO53 9007199254740992.0

static size_t put_u64(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Digits d[0..nd) (no trailing zeros) times 10^(e-nd+1), written the way
 * Python's repr does: fixed notation for 1e-4 <= |x| < 1e16, else d.ddde+XX. */
static size_t layout(char *out, int neg, const char *d, int nd, int e)
{
	size_t n = 0;
	if (neg)
		out[n++] = '-';
	if (e >= -4 && e < 16) {
		if (e < 0) {
			out[n++] = '0';
			out[n++] = '.';
			for (int i = -1; i > e; i--)
				out[n++] = '0';
			memcpy(out + n, d, (size_t)nd);
			n += (size_t)nd;
		} else {
			for (int i = 0; i <= e; i++)
				out[n++] = i < nd ? d[i] : '0';
			if (nd > e + 1) {
				out[n++] = '.';
				memcpy(out + n, d + e + 1, (size_t)(nd - e - 1));
				n += (size_t)(nd - e - 1);
			}
		}
	} else {
		out[n++] = d[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, d + 1, (size_t)(nd - 1));
			n += (size_t)(nd - 1);
		}
		n += (size_t)sprintf(out + n, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	}
	out[n] = '\0';
	return n;
}

/* Rounds the 17 significant digits in d17 to p digits (half up) into d;
 * returns the new decimal exponent. Sets *ambiguous when the dropped digits
 * sit exactly on the half, where rounding the already-rounded 17 digits may
 * differ from rounding the exact binary value. */
static int round_digits(const char *d17, int e, int p, char *d, int *ambiguous)
{
	memcpy(d, d17, (size_t)p);
	*ambiguous = (p == 16 && d17[16] == '5') ||
	             (p == 15 && d17[15] == '5' && d17[16] == '0');
	if (d17[p] >= '5') {
		int i = p - 1;
		while (i >= 0 && d[i] == '9')
			d[i--] = '0';
		if (i < 0) {
			d[0] = '1';
			return e + 1;
		}
		d[i]++;
	}
	return e;
}

/* Exact digits of x with p significant digits from printf, which rounds the
 * exact binary value correctly. */
static int printf_digits(double x, int p, char *d)
{
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%.*e", p - 1, fabs(x));
	int k = 0;
	for (const char *s = tmp; *s && *s != 'e'; s++)
		if (*s != '.')
			d[k++] = *s;
	return atoi(strchr(tmp, 'e') + 1);
}

/* Reads digits c (an integer of at most 15 digits, so exact) times 10^q back
 * as a double the way strtod would, when one correctly rounded operation on
 * exact operands can say so; returns 0 when it cannot (then strtod decides). */
static int reads_back(uint64_t c, int q, double x, int *same)
{
	static const double e[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (c >= (UINT64_C(1) << 53) || q > 22 || q < -22)
		return 0;
	*same = (q >= 0 ? (double)c * e[q] : (double)c / e[-q]) == x;
	return 1;
}

/* ax * 10^k as an unevaluated sum hi + lo, accurate to about 2^-100
 * relative: products and quotients by exact powers of ten (10^22 at most)
 * split with fma into their exact rounding errors (double-double). */
static void scale10(double ax, int k, double *hi, double *lo)
{
	static const double e[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	double h = ax, l = 0;
	while (k != 0) {
		int j = k > 22 ? 22 : k < -22 ? -22 : k;
		double p = e[j < 0 ? -j : j];
		if (j > 0) {
			double ph = h * p, pl = fma(h, p, -ph) + l * p;
			h = ph + pl;
			l = pl - (h - ph);
		} else {
			double q = h / p, r = fma(-q, p, h), ql = (r + l) / p;
			h = q + ql;
			l = ql - (h - q);
		}
		k -= j;
	}
	*hi = h;
	*lo = l;
}

/* The shortest digits of x > 0 from its correctly rounded 15, 16 and 17
 * digit forms. The scaled value ax * 10^k lies in [1e16, 1e17) as hi + lo
 * with an error far below 1e-9, so a rounding decision is certain unless
 * the value sits within 1e-9 of a half; then this returns 0 for printf. */
static size_t fmt_fast(char *out, int neg, double ax, double x)
{
	uint64_t bits;
	memcpy(&bits, &ax, sizeof bits);  /* ax is normal: the exponent is in the bits */
	int e2 = (int)((bits >> 52) & 0x7ff) - 1023;
	int e10 = (int)floor((double)e2 * 0.30102999566398120);
	double hi = 0, lo = 0;
	for (int tries = 0; tries < 3; tries++) {
		int k = 16 - e10;
		if (k > 40 || k < -40)
			return 0;
		scale10(ax, k, &hi, &lo);
		if (hi >= 1e17)
			e10++;
		else if (hi < 1e16)
			e10--;
		else
			break;
	}
	if (hi < 1e16 || hi >= 1e17)
		return 0;
	/* hi is an integer here (doubles above 2^53 are), lo a small correction. */
	int64_t whole = (int64_t)hi;
	static const int64_t div[] = {100, 10, 1};
	for (int p = 15; p <= 17; p++) {
		int64_t d = div[p - 15], q = whole / d;
		double t = (double)(whole % d) + lo;
		while (t < 0)
			t += (double)d, q--;
		while (t >= (double)d)
			t -= (double)d, q++;
		double frac = t / (double)d;
		if (fabs(frac - 0.5) < 1e-9)
			return 0;
		uint64_t c = (uint64_t)q + (frac > 0.5);
		int e = e10;
		if (c == (uint64_t)(100000000000000000 / d)) {  /* 9.99...5 rounded up to 10.0 */
			c /= 10;
			e++;
		}
		/* Only a candidate that reads back is formatted (strtod decides
		 * the rare ones the exact check cannot). */
		int same = p == 17, known = same || reads_back(c, e - (p - 1), ax, &same);
		if (known && !same)
			continue;
		char dg[24];
		int nd = (int)put_u64(dg, c);
		while (nd > 1 && dg[nd - 1] == '0')
			nd--;
		size_t n = layout(out, neg, dg, nd, e);
		if (known || strtod(out, NULL) == x)
			return n;
	}
	return 0;
}

size_t fs_fmt_double(char out[FS_DBL_MAX], double x)
{
	if (!isfinite(x)) {
		memcpy(out, "null", 5);
		return 4;
	}
	int neg = signbit(x) != 0;
	double ax = fabs(x);
	if (ax < TWO53 && ax == floor(ax)) {
		size_t n = 0;
		if (neg)
			out[n++] = '-';
		n += put_u64(out + n, (uint64_t)ax);
		out[n] = '\0';
		return n;
	}
	/* Sums of cents and millisecond gaps are common: 1 to 3 decimals cost a
	 * multiplication and a correctly rounded division each (as strtod
	 * would read "m e-k"), so they are tried before the general path. */
	if (ax >= 1e-3 && ax < 1e12) {
		static const double p10[] = {1, 10, 100, 1000};
		for (int k = 1; k <= 3; k++) {
			/* rounds to the nearest integer below 2^52, exactly, without a call */
			double m = (ax * p10[k] + 0x1p52) - 0x1p52;
			if (m / p10[k] == ax) {
				char d[24];
				int nd = (int)put_u64(d, (uint64_t)m), e = nd - 1 - k;
				while (nd > 1 && d[nd - 1] == '0')
					nd--;
				return layout(out, neg, d, nd, e);
			}
		}
	}
	if (ax >= DBL_MIN) {
		size_t n = fmt_fast(out, neg, ax, x);
		if (n)
			return n;
	}
	/* The slow and certain way: printf's correctly rounded digits. */
	char d17[24], d[24];
	int e17 = printf_digits(ax, 17, d17);
	/* Any decimal of up to 15 digits survives a trip through a normal double,
	 * so the shortest has 15 digits or fewer exactly when the 15-digit
	 * rounding reads back; subnormals have less precision and are searched. */
	for (int p = ax < DBL_MIN ? 1 : 15; p < 15; p++) {
		int e = printf_digits(ax, p, d), nd = p;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		size_t n = layout(out, neg, d, nd, e);
		if (strtod(out, NULL) == x)
			return n;
	}
	for (int p = 15; p <= 17; p++) {
		int e = e17, amb = 0;
		if (p == 17)
			memcpy(d, d17, 17);
		else {
			e = round_digits(d17, e17, p, d, &amb);
			if (amb)
				e = printf_digits(ax, p, d);
		}
		int nd = p;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		size_t n = layout(out, neg, d, nd, e);
		if (p == 17 || strtod(out, NULL) == x)
			return n;
	}
	return 0; /* not reached */
}

/* The powers of ten a double holds exactly. */
static const double exact_p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Powers of ten that an x87 long double (64-bit significand) holds exactly. */
static const long double exact_p10l[] = {
	1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L,
	1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L,
	1e26L, 1e27L};

double fs_decimal(const char *s, size_t n)
{
	size_t i = 0;
	int neg = n > 0 && s[0] == '-';
	i += (size_t)neg;
	uint64_t m = 0;
	int digits = 0, exp10 = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (digits || s[i] != '0') {
			m = m * 10 + (uint64_t)(s[i] - '0');
			if (++digits > 19)
				goto slow;
		}
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (digits || s[i] != '0') {
				m = m * 10 + (uint64_t)(s[i] - '0');
				if (++digits > 19)
					goto slow;
			}
			exp10--;
		}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int eneg = i < n && s[i] == '-';
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		int e = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			e = e * 10 + (s[i] - '0');
			if (e > 1000)
				goto slow;
		}
		exp10 += eneg ? -e : e;
	}
	if (i != n)
		goto slow;
	if (m == 0)
		return neg ? -0.0 : 0.0;
	/* Up to 15 digits and 10^22: one correctly rounded operation on two
	 * exact doubles, as strtod rounds (Clinger's fast path). */
	if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
		double d = exp10 >= 0 ? (double)m * exact_p10[exp10] : (double)m / exact_p10[-exp10];
		return neg ? -d : d;
	}
#if LDBL_MANT_DIG == 64
	/* Up to 19 digits (the shortest form of any double has 17): the same in
	 * long double, then to double. Rounding twice differs from rounding once
	 * only when the long double sits on, or next to, a midpoint between two
	 * doubles (its 11 extra bits 0x3ff to 0x401); strtod decides those. */
	if (exp10 >= -27 && exp10 <= 27) {
		long double ld = exp10 >= 0 ? (long double)m * exact_p10l[exp10]
		                            : (long double)m / exact_p10l[-exp10];
		uint64_t sig;
		memcpy(&sig, &ld, sizeof sig);  /* the x87 significand, low bits first */
		unsigned extra = sig & 0x7ff;
		if ((extra < 0x3ff || extra > 0x401) && ld >= (long double)DBL_MIN &&
		    ld <= (long double)DBL_MAX) {
			double d = (double)ld;
			return neg ? -d : d;
		}
	}
#endif
slow:;
	char buf[64];
	char *tmp = n < sizeof buf ? buf : malloc(n + 1);
	if (!tmp)
		return NAN;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	double d = strtod(tmp, NULL);
	if (tmp != buf)
		free(tmp);
	return d;
}

/* The decimal m * 10^-k read as a float, as strtof would: one correctly
 * rounded double operation, then to float; where that double lands exactly
 * between two floats, rounding twice could differ, so strtof decides. */
static float read_float(uint64_t m, int k, const char *text)
{
	double d = k >= 0 ? (double)m / exact_p10[k] : (double)m * exact_p10[-k];
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	if ((bits & 0x1fffffffu) == 0x10000000u)
		return strtof(text, NULL);
	return (float)d;
}

size_t fs_fmt_float(char out[FS_DBL_MAX], float f)
{
	if (!isfinite(f)) {
		memcpy(out, "null", 5);
		return 4;
	}
	double x = f, ax = fabs(x);
	if (ax < 16777216.0 && ax == floor(ax))
		return fs_fmt_double(out, x);
	int neg = signbit(x) != 0;
	int e10 = (int)floor(log10(ax));
	char d[24];
	for (int p = 1; p <= 9; p++) {
		int k = p - 1 - e10;  /* scale so that p digits are left of the point */
		if (k > 22 || k < -22)
			break;
		double scaled = k >= 0 ? ax * exact_p10[k] : ax / exact_p10[-k];
		uint64_t m = (uint64_t)nearbyint(scaled);
		int nd = (int)put_u64(d, m), e = nd - 1 - k;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		size_t n = layout(out, neg, d, nd, e);
		if (read_float(m, k, out + neg) == (float)ax)
			return n;
	}
	/* Far from 1 (beyond 10^+-22 scaling): printf's digits, shortest first. */
	for (int p = 1; p <= 9; p++) {
		char tmp[40];
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, ax);
		int nd = 0;
		for (const char *s = tmp; *s && *s != 'e'; s++)
			if (*s != '.')
				d[nd++] = *s;
		int e = atoi(strchr(tmp, 'e') + 1);
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		size_t n = layout(out, neg, d, nd, e);
		if (p == 9 || strtof(out + neg, NULL) == (float)ax)
			return n;
	}
	return 0; /* not reached */
}

void fs_json_put_double(struct fs_buf *b, double x)
{
	if (b->cap - b->len < FS_DBL_MAX)
		fs_buf_grow(b, FS_DBL_MAX);
	b->len += fs_fmt_double(b->p + b->len, x);
}

/* ---------------------------------------------------------------- strings */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0xC2)
		return 0;
	else if (c < 0xE0)
		len = 2, cp = c & 0x1F;
	else if (c < 0xF0)
		len = 3, cp = c & 0x0F;
	else if (c < 0xF5)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

void fs_json_put_string(struct fs_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";
	fs_buf_putc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
			run++;
		fs_buf_put(b, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c >= 0x80) {
			size_t len = utf8_len(s + i, n - i);
			if (len) {
				fs_buf_put(b, s + i, len);
				i += len;
			} else {
				fs_buf_puts(b, "\\ufffd");
				i++;
			}
			continue;
		}
		switch (c) {
		case '"': fs_buf_puts(b, "\\\""); break;
		case '\\': fs_buf_puts(b, "\\\\"); break;
		case '\n': fs_buf_puts(b, "\\n"); break;
		case '\r': fs_buf_puts(b, "\\r"); break;
		case '\t': fs_buf_puts(b, "\\t"); break;
		case '\b': fs_buf_puts(b, "\\b"); break;
		case '\f': fs_buf_puts(b, "\\f"); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			fs_buf_put(b, u, 6);
		}
		}
		i++;
	}
	fs_buf_putc(b, '"');
}

void fs_json_put_value(struct fs_buf *b, const json_t *v)
{
	char num[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		int first = 1;
		fs_buf_putc(b, '{');
		json_object_foreach((json_t *)v, k, m) {
			if (!first)
				fs_buf_putc(b, ',');
			first = 0;
			fs_json_put_string(b, k, strlen(k));
			fs_buf_putc(b, ':');
			fs_json_put_value(b, m);
		}
		fs_buf_putc(b, '}');
		break;
	}
	case JSON_ARRAY:
		fs_buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				fs_buf_putc(b, ',');
			fs_json_put_value(b, json_array_get(v, i));
		}
		fs_buf_putc(b, ']');
		break;
	case JSON_STRING:
		fs_json_put_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		fs_buf_put(b, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		                                    json_integer_value(v)));
		break;
	case JSON_REAL:
		fs_json_put_double(b, json_real_value(v));
		break;
	case JSON_TRUE: fs_buf_puts(b, "true"); break;
	case JSON_FALSE: fs_buf_puts(b, "false"); break;
	case JSON_NULL: fs_buf_puts(b, "null"); break;
	}
}

/* ------------------------------------------------------- raw byte scanning */

/* The scanner below trusts its input: every caller passes bytes jansson has
 * already accepted as a JSON object. */

static size_t skip_ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

/* Byte classes for the scanners: one table load per byte instead of a
 * comparison per character of interest. */
enum { C_QUOTE = 1, C_ESCAPE = 2, C_OPEN = 4, C_CLOSE = 8, C_CTRL = 16, C_HIGH = 32, C_END = 64 };
static const unsigned char cls[256] = {
	[0 ... 8] = C_CTRL, ['\t'] = C_CTRL | C_END, ['\n'] = C_CTRL | C_END, [11 ... 12] = C_CTRL,
	['\r'] = C_CTRL | C_END, [14 ... 31] = C_CTRL, [' '] = C_END, ['"'] = C_QUOTE,
	[','] = C_END, ['['] = C_OPEN, ['\\'] = C_ESCAPE, [']'] = C_CLOSE | C_END,
	['{'] = C_OPEN, ['}'] = C_CLOSE | C_END, [128 ... 255] = C_HIGH,
};

/* p[i] is '"': returns the offset just past the closing quote, and counts
 * the escapes it met in *escapes. */
static size_t skip_string_esc(const char *p, size_t i, size_t n, int *escapes)
{
	for (i++; i < n; i++) {
		unsigned c = cls[(unsigned char)p[i]] & (C_QUOTE | C_ESCAPE);
		if (!c)
			continue;
		if (c == C_ESCAPE) {
			i++;
			++*escapes;
		} else {
			return i + 1;
		}
	}
	return n;
}

static size_t skip_string(const char *p, size_t i, size_t n)
{
	int escapes = 0;
	return skip_string_esc(p, i, n, &escapes);
}

static size_t skip_value(const char *p, size_t i, size_t n)
{
	if (p[i] == '"')
		return skip_string(p, i, n);
	if (p[i] == '{' || p[i] == '[') {
		int depth = 0;
		for (; i < n; i++) {
			unsigned c = cls[(unsigned char)p[i]] & (C_QUOTE | C_OPEN | C_CLOSE);
			if (!c)
				continue;
			if (c == C_QUOTE) {
				i = skip_string(p, i, n) - 1;
			} else if (c == C_OPEN) {
				depth++;
			} else if (--depth == 0) {
				return i + 1;
			}
		}
		return n;
	}
	while (i < n && !(cls[(unsigned char)p[i]] & C_END))
		i++;
	return i;
}

size_t fs_json_skip_value(const char *p, size_t i, size_t n)
{
	return skip_value(p, i, n);
}

/* ------------------------------------------------------------ validation */

/* jansson's limit on nested arrays and objects. */
#define MAX_DEPTH 2048

/* A UTF-8 sequence at p[0..n): its length when valid (no overlongs, no
 * surrogates, at most U+10FFFF), else 0 -- the same rules as jansson. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		             c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
		             c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d == 16)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/* A string at p[i] == '"': the offset past it, or 0 when invalid. */
static size_t check_string(const char *p, size_t i, size_t n)
{
	for (i++; i < n;) {
		unsigned char c = (unsigned char)p[i];
		if (!cls[c]) {
			i++;
			continue;
		}
		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (i + 1 >= n)
				return 0;
			char e = p[i + 1];
			if (e == 'u') {
				unsigned u, lo;
				if (i + 6 > n || hex4(p + i + 2, &u) < 0 || u == 0)
					return 0;  /* \u0000: jansson refuses it without JSON_ALLOW_NUL */
				i += 6;
				if (u >= 0xdc00 && u <= 0xdfff)
					return 0;
				if (u >= 0xd800 && u <= 0xdbff) {
					if (i + 6 > n || p[i] != '\\' || p[i + 1] != 'u' || hex4(p + i + 2, &lo) < 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return 0;
					i += 6;
				}
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == '\0')
				return 0;
			i += 2;
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_seq((const unsigned char *)p + i, n - i);
		if (!len)
			return 0;
		i += len;
	}
	return 0;
}

/* A number at p[i]: the offset past it, or 0 when invalid. *big is set for
 * an integer beyond 64 bits (jansson reads the line again with reals). */
static size_t check_number(const char *p, size_t i, size_t n, int *big)
{
	size_t s = i;
	if (p[i] == '-')
		i++;
	if (i >= n || p[i] < '0' || p[i] > '9')
		return 0;
	if (p[i] == '0') {
		i++;
		if (i < n && p[i] >= '0' && p[i] <= '9')
			return 0;
	} else {
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	int real = 0;
	if (i < n && p[i] == '.') {
		real = 1;
		if (++i >= n || p[i] < '0' || p[i] > '9')
			return 0;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	int exp_digits = 0;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		real = 1;
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= n || p[i] < '0' || p[i] > '9')
			return 0;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++, exp_digits++;
	}
	size_t len = i - s;
	if (!real) {
		/* 19 digits may still fit an int64; more never do */
		if (len - (p[s] == '-') >= 19) {
			char buf[32];
			if (len >= sizeof buf) {
				*big = 1;
			} else {
				memcpy(buf, p + s, len);
				buf[len] = '\0';
				errno = 0;
				(void)strtoll(buf, NULL, 10);
				if (errno == ERANGE)
					*big = 1;
			}
		}
		return i;
	}
	/* a real too large for a double is an error to jansson: check the
	 * ones that could be (a long mantissa or a large exponent) */
	if (len > 300 || exp_digits > 2) {
		char *buf = malloc(len + 1);
		if (!buf)
			return 0;
		memcpy(buf, p + s, len);
		buf[len] = '\0';
		double d = strtod(buf, NULL);
		free(buf);
		if (isinf(d))
			return 0;
	}
	return i;
}

int fs_json_check(const char *p, size_t n, int *big_ints)
{
	/* containers open at each level: '{' or '[' */
	static _Thread_local char stack[MAX_DEPTH];
	int depth = 0;
	*big_ints = 0;
	size_t i = skip_ws(p, 0, n);
	/* states: a value is expected; then a ',' or the close of the container */
	for (;;) {
		/* a value at p[i] */
		if (i >= n)
			return -1;
		char c = p[i];
		if (c == '{' || c == '[') {
			if (depth == MAX_DEPTH)
				return -1;
			stack[depth++] = c;
			i = skip_ws(p, i + 1, n);
			if (i < n && p[i] == (c == '{' ? '}' : ']')) {
				depth--;
				i++;
				goto after_value;
			}
			if (c == '{')
				goto key;
			continue;
		}
		if (c == '"') {
			if (!(i = check_string(p, i, n)))
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (!(i = check_number(p, i, n, big_ints)))
				return -1;
		} else if (n - i >= 4 && !memcmp(p + i, "true", 4)) {
			i += 4;
		} else if (n - i >= 5 && !memcmp(p + i, "false", 5)) {
			i += 5;
		} else if (n - i >= 4 && !memcmp(p + i, "null", 4)) {
			i += 4;
		} else {
			return -1;
		}
after_value:
		i = skip_ws(p, i, n);
		if (depth == 0)
			return i == n ? 0 : -1;
		if (i >= n)
			return -1;
		if (p[i] == ',') {
			i = skip_ws(p, i + 1, n);
			if (stack[depth - 1] == '{')
				goto key;
			continue;
		}
		if (p[i] != (stack[depth - 1] == '{' ? '}' : ']'))
			return -1;
		depth--;
		i++;
		goto after_value;
key:
		if (i >= n || p[i] != '"' || !(i = check_string(p, i, n)))
			return -1;
		i = skip_ws(p, i, n);
		if (i >= n || p[i] != ':')
			return -1;
		i = skip_ws(p, i + 1, n);
	}
}

size_t fs_json_object_close(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	if (n == 0 || p[n - 1] != '}')
		return (size_t)-1;
	return n - 1;
}

int fs_json_object_is_empty(const char *p, size_t n)
{
	size_t i = skip_ws(p, 0, n);
	return i < n && p[i] == '{' && (i = skip_ws(p, i + 1, n)) < n && p[i] == '}';
}

static int key_equals(const char *p, size_t ks, size_t ke, const char *name)
{
	size_t klen = ke - ks - 2;
	if (!memchr(p + ks, '\\', ke - ks))
		return strlen(name) == klen && memcmp(p + ks + 1, name, klen) == 0;
	/* An escaped key: let jansson decode it rather than decoding by hand. */
	json_t *k = json_loadb(p + ks, ke - ks, JSON_DECODE_ANY, NULL);
	int eq = k && json_is_string(k) && strcmp(json_string_value(k), name) == 0;
	json_decref(k);
	return eq;
}

int fs_json_next_member(const char *p, size_t n, size_t *pos, struct fs_json_member *m)
{
	if (!fs_json_next_key(p, n, pos, m))
		return 0;
	m->ve = *pos = skip_value(p, m->vs, n);
	return 1;
}

int fs_json_next_key(const char *p, size_t n, size_t *pos, struct fs_json_member *m)
{
	size_t i = *pos;
	if (i == 0) {
		i = skip_ws(p, 0, n);
		if (i >= n || p[i] != '{')
			return 0;
		i++;
	} else {
		i = skip_ws(p, i, n);
		if (i >= n || p[i] != ',')
			return 0;
		i++;
	}
	i = skip_ws(p, i, n);
	if (i >= n || p[i] != '"')
		return 0;
	m->ks = i;
	m->escaped = 0;
	i = skip_string_esc(p, i, n, &m->escaped);
	m->ke = i;
	i = skip_ws(p, i, n);
	if (i >= n || p[i] != ':')
		return 0;
	m->vs = skip_ws(p, i + 1, n);
	return 1;
}

int fs_json_find_member(const char *p, size_t n, const char *name,
                        size_t *vstart, size_t *vend)
{
	int found = 0;
	size_t pos = 0;
	struct fs_json_member m;
	while (fs_json_next_member(p, n, &pos, &m)) {
		/* Duplicate keys: jansson keeps the last, so the last one wins here too. */
		if (key_equals(p, m.ks, m.ke, name)) {
			found = 1;
			*vstart = m.vs;
			*vend = m.ve;
		}
	}
	return found;
}

int fs_json_find_path(const char *p, size_t n, char *const *parts, size_t nparts,
                      size_t *vstart, size_t *vend)
{
	size_t base = 0, vs = 0, ve = n;
	for (size_t i = 0; i < nparts; i++) {
		if (!fs_json_find_member(p + base, ve - base, parts[i], &vs, &ve))
			return 0;
		vs += base;
		ve += base;
		base = vs;
	}
	*vstart = vs;
	*vend = ve;
	return 1;
}

int fs_json_is_integer_text(const char *p, size_t n)
{
	size_t i = n && p[0] == '-';
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

void fs_json_put_u64(struct fs_buf *b, uint64_t v)
{
	char s[24];
	fs_buf_put(b, s, (size_t)snprintf(s, sizeof s, "%" PRIu64, v));
}
