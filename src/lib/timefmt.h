/* timefmt.h: event times and durations, the one time parser of fstools.
 *
 * Times are int64 nanoseconds since the Unix epoch (1677..2262), read from
 * RFC 3339 strings with any offset or from epoch numbers in an explicit unit;
 * fstools never guesses a unit from a number's magnitude. Durations are
 * nanoseconds too: "500ms", "30s", "5m", "1h", "7d", "1w", "1h30m", "1.5h".
 */
#ifndef FS_TIMEFMT_H
#define FS_TIMEFMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define FS_NS_PER_SEC INT64_C(1000000000)

enum fs_time_unit { FS_UNIT_S, FS_UNIT_MS, FS_UNIT_US, FS_UNIT_NS };

/* The clock (CLOCK_MONOTONIC for intervals, CLOCK_REALTIME for the wall) in
 * nanoseconds. */
int64_t fs_clock_ns(int clock);

/* Parses "s", "ms", "us" or "ns". Returns 0, or -1 for anything else. */
int fs_time_unit_parse(const char *s, enum fs_time_unit *u);
int64_t fs_time_unit_ns(enum fs_time_unit u);

/* RFC 3339 date-time ("2024-03-01T12:00:00.5+01:00"; 'T', 't' or a space
 * between date and time; 'Z', 'z' or ±hh:mm). Returns 0 and sets *ns, or -1. */
int fs_time_parse_rfc3339(const char *s, size_t n, int64_t *ns);

/* A decimal number ("1700000000", "-3", "1.25") times unit_ns, exactly, with
 * fractions below a nanosecond truncated. Returns 0, or -1 on bad syntax or
 * overflow. */
int fs_time_parse_decimal(const char *s, size_t n, int64_t unit_ns, int64_t *ns);

/* The event time in a JSON value: an RFC 3339 string, a number in `unit`, or
 * a string holding such a number. Returns 0, or -1 with a reason in why. */
int fs_time_from_json(const json_t *v, enum fs_time_unit unit, int64_t *ns,
                      const char **why);

/* A duration, strictly positive: one or more <number><unit> pairs with units
 * ns, us, ms, s, m, h, d, w. Returns 0, or -1. */
int fs_duration_parse(const char *s, int64_t *ns);

/* Formats a time as RFC 3339 in UTC: "2024-03-01T12:00:00Z", with the
 * fraction of a second when there is one ("...:00.25Z"). */
void fs_time_format(int64_t ns, char *out, size_t size);

/* Formats a time as RFC 3339 in UTC with all nine fractional digits
 * ("2024-03-01T12:00:00.250000000Z"): every such text has the same length,
 * so comparing two as strings compares the times (the online store's
 * newer-wins write does that inside Redis). size >= 31. */
void fs_time_format_fixed(int64_t ns, char *out, size_t size);

/* Formats a duration in the largest exact units ("1h30m", "250ms"). */
void fs_duration_format(int64_t ns, char *out, size_t size);

/* The number of the period of length d (> 0) that holds time t, periods
 * aligned to the epoch: floor(t / d), also before 1970. */
static inline int64_t fs_time_period(int64_t t, int64_t d)
{
	return t / d - (t % d < 0);
}

#endif
