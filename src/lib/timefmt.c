/* timefmt.c: RFC 3339 times, epoch numbers and durations (see timefmt.h). */
#include "timefmt.h"

#include <time.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int fs_time_unit_parse(const char *s, enum fs_time_unit *u)
{
	static const char *const names[] = {"s", "ms", "us", "ns"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*u = (enum fs_time_unit)i;
			return 0;
		}
	return -1;
}

int64_t fs_time_unit_ns(enum fs_time_unit u)
{
	static const int64_t ns[] = {INT64_C(1000000000), 1000000, 1000, 1};
	return ns[u];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, int count, int *out)
{
	int v = 0;
	if (at + (size_t)count > n)
		return -1;
	for (int i = 0; i < count; i++) {
		char c = s[at + (size_t)i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

int fs_time_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	int y, mo, d, h, mi, se;
	if (digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || digits(s, n, 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s, n, 11, 2, &h) ||
	    s[13] != ':' || digits(s, n, 14, 2, &mi) || s[16] != ':' || digits(s, n, 17, 2, &se))
		return -1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	size_t i = 19;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		int nd = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if (nd < 9)
				frac = frac * 10 + (s[i] - '0');
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int oh, om;
		if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
		    digits(s, n, i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60 * (s[i] == '-' ? -1 : 1);
		i += 6;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	/* A leap second (:60) is read as the first instant of the next minute. */
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (secs > INT64_MAX / FS_NS_PER_SEC - 1 || secs < INT64_MIN / FS_NS_PER_SEC + 1)
		return -1;
	*ns = secs * FS_NS_PER_SEC + frac;
	return 0;
}

int fs_time_parse_decimal(const char *s, size_t n, int64_t unit_ns, int64_t *ns)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	size_t int_start = i;
	__int128 v = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > (__int128)INT64_MAX * 10)
			return -1;
	}
	size_t nint = i - int_start, nfrac = 0;
	v *= unit_ns;
	if (i < n && s[i] == '.') {
		__int128 scale = unit_ns;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, nfrac++) {
			if (scale >= 10) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			}
		}
	}
	if (i != n || nint + nfrac == 0 || v > INT64_MAX)
		return -1;
	*ns = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

int fs_time_from_json(const json_t *v, enum fs_time_unit unit, int64_t *ns,
                      const char **why)
{
	int64_t u = fs_time_unit_ns(unit);
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x > INT64_MAX / u || x < INT64_MIN / u) {
			*why = "time number out of range for the time unit";
			return -1;
		}
		*ns = x * u;
		return 0;
	}
	if (json_is_real(v)) {
		double x = json_real_value(v) * (double)u;
		if (!(x < 9.2e18 && x > -9.2e18)) {
			*why = "time number out of range for the time unit";
			return -1;
		}
		*ns = (int64_t)llround(x);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (fs_time_parse_decimal(s, n, u, ns) == 0 || fs_time_parse_rfc3339(s, n, ns) == 0)
			return 0;
		*why = "time is neither RFC 3339 (2024-01-31T12:00:00Z) nor a number";
		return -1;
	}
	*why = json_is_null(v) ? "time is null" : "time is not a string or a number";
	return -1;
}

static const struct {
	const char *name;
	int64_t ns;
} units[] = {
	/* Longest names first so that "ms" is not read as "m". */
	{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", INT64_C(1000000000)},
	{"m", INT64_C(60000000000)}, {"h", INT64_C(3600000000000)},
	{"d", INT64_C(86400000000000)}, {"w", INT64_C(604800000000000)},
};

int fs_duration_parse(const char *s, int64_t *ns)
{
	int64_t total = 0;
	if (!*s)
		return -1;
	while (*s) {
		size_t numlen = strspn(s, "0123456789.");
		if (numlen == 0)
			return -1;
		const char *u = s + numlen;
		size_t ulen = strspn(u, "abcdefghijklmnopqrstuvwxyz");
		int found = -1;
		for (int i = 0; i < (int)(sizeof units / sizeof units[0]); i++)
			if (strlen(units[i].name) == ulen && strncmp(u, units[i].name, ulen) == 0)
				found = i;
		int64_t part;
		if (found < 0 || fs_time_parse_decimal(s, numlen, units[found].ns, &part) < 0 ||
		    part > INT64_MAX - total)
			return -1;
		total += part;
		s = u + ulen;
	}
	if (total <= 0)
		return -1;
	*ns = total;
	return 0;
}

void fs_duration_format(int64_t ns, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = (int)(sizeof units / sizeof units[0]) - 1; i >= 0 && ns > 0; i--) {
		if (units[i].ns > ns)
			continue;
		int64_t k = ns / units[i].ns;
		ns -= k * units[i].ns;
		n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%lld%s", (long long)k,
		                      units[i].name);
	}
	if (n == 0)
		snprintf(out, size, "0s");
}

/* "YYYY-MM-DDTHH:MM:SS" of ns in UTC into out; returns its length and the
 * nanoseconds past that second in *frac. */
static size_t format_seconds(int64_t ns, char *out, size_t size, int64_t *frac)
{
	int64_t sec = ns / FS_NS_PER_SEC;
	*frac = ns % FS_NS_PER_SEC;
	if (*frac < 0) {
		*frac += FS_NS_PER_SEC;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	gmtime_r(&t, &tm);
	return strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

void fs_time_format(int64_t ns, char *out, size_t size)
{
	int64_t frac;
	size_t n = format_seconds(ns, out, size, &frac);
	if (frac && n < size) {
		char f[16];
		int len = snprintf(f, sizeof f, ".%09lld", (long long)frac);
		while (len > 1 && f[len - 1] == '0')
			f[--len] = '\0';
		n += (size_t)snprintf(out + n, size - n, "%s", f);
	}
	if (n < size)
		snprintf(out + n, size - n, "Z");
}

void fs_time_format_fixed(int64_t ns, char *out, size_t size)
{
	int64_t frac;
	size_t n = format_seconds(ns, out, size, &frac);
	if (n < size)
		snprintf(out + n, size - n, ".%09lldZ", (long long)frac);
}

int64_t fs_clock_ns(int clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * FS_NS_PER_SEC + ts.tv_nsec;
}
