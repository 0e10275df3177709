/* report.h: the self-contained HTML drift report of fspsi --report.
 *
 * One page, no external assets (inline CSS and SVG, no scripts needed to
 * read it), so that it opens offline and survives being mailed. For each
 * feature, worst first: its status in colour, the baseline's and the
 * run's histograms side by side, and PSI over the windows as a line with
 * the warn and alert thresholds.
 *
 * The report is drawn from one JSON document (built by drift.c):
 *
 *   {"title": "...", "generated": "2026-11-24T10:20:00Z",
 *    "baseline": "baseline.json", "inputs": ["day.ndjson", ...],
 *    "warn": 0.1, "alert": 0.2, "epsilon": 0.0001,
 *    "events": 123456, "windows": 12,
 *    "features": [                       (already sorted, worst first)
 *      {"feature": "amount", "type": "numeric" | "category",
 *       "status": "ok" | "warn" | "alert",
 *       "psi": 0.01, "max_psi": 0.02, "js": 0.05, "ks": 0.03 | null,
 *       "n": 1000, "null_share": 0.0, "baseline_null_share": 0.0,
 *       "bins": ["< 1.5", "[1.5, 3)", ..., "null"],
 *       "baseline_shares": [...], "shares": [...],    (one per bin)
 *       "windows": [{"start": "...", "end": "...", "psi": 0.01,
 *                    "status": "ok"}, ...]}]}
 */
#ifndef FS_REPORT_H
#define FS_REPORT_H

#include <jansson.h>
#include <stddef.h>

/* Writes the page for doc to path (atomically: a temporary file renamed
 * into place). Returns 0, or -1 with the reason in err. */
int fs_report_write(const char *path, const json_t *doc, char *err, size_t errsize);

#endif
