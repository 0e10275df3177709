#!/usr/bin/python3
"""Print fsgroundtruth's compare records as a table (for examples/ab/run.sh).

    /usr/bin/python3 table.py window|running FILE

window: a line per window (the records of "scope":"window"): its day,
whether it is mature, its labels and frauds, each side's ROC AUC and the
difference (challenger - champion), each with its half-width at 1 - alpha
(the interval is the value -+ that, the AUCs' clipped to [0, 1]), p_value
and the verdict.

running: a line per look of the running comparison ("scope":"running",
from fsgroundtruth --horizon): the labels so far, the information
(labels / horizon), the alpha spent so far and this look's level, the
difference, z, p_value, the verdict and whether the look is final.

Other records (metrics, alert, joined) are skipped; "-" is null.
"""
import datetime
import json
import sys


def num(x, fmt):
    return "-" if x is None else format(x, fmt)


def pm(value, lo, hi, fmt):
    """value +- the larger half of its interval, "-" when undefined"""
    if value is None:
        return "-"
    half = max(value - lo, hi - value) if lo is not None and hi is not None else None
    return format(value, fmt) + ("" if half is None else " ± " + format(half, ".4f"))


def auc(arm):
    return pm(arm["roc_auc"], arm["roc_auc_lo"], arm["roc_auc_hi"], ".4f")


def delta(r):
    return pm(r["challenger_auc_delta"], r["challenger_auc_delta_lo"],
              r["challenger_auc_delta_hi"], "+.4f")


def last_day(end):
    """the last day a window ending at END covers"""
    t = datetime.datetime.fromisoformat(end.replace("Z", "+00:00"))
    return (t - datetime.timedelta(seconds=1)).strftime("%Y-%m-%d")


def frauds(r):
    """the labeled frauds: one sample's when paired, both arms' when not"""
    a, b = r["champion"]["positives"], r["challenger"]["positives"]
    return a if r["test"] == "delong_paired" else a + b


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("window", "running"):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    scope = sys.argv[1]
    rows = [r for r in map(json.loads, open(sys.argv[2]))
            if r.get("kind") == "compare" and r["scope"] == scope]
    if scope == "window":
        print(f"{'day':<10} {'mature':>6} {'labels':>6} {'frauds':>6}  {'champion AUC':<16} "
              f"{'challenger AUC':<16} {'difference':<17} {'p_value':>7}  verdict")
        for r in rows:
            print(f"{r['window_start'][:10]:<10} {'yes' if r['mature'] else 'no':>6} "
                  f"{r['labels']:>6} {frauds(r):>6}  {auc(r['champion']):<16} "
                  f"{auc(r['challenger']):<16} {delta(r):<17} {num(r['p_value'], '7.2g'):>7}  "
                  f"{r['verdict']}")
    else:
        print(f"{'look':>4} {'through':<10} {'labels':>6} {'information':>11} {'alpha_spent':>11} "
              f"{'alpha_look':>10}  {'difference':<17} {'z':>5} {'p_value':>7}  {'verdict':<10} final")
        for r in rows:
            print(f"{r['look']:>4} {last_day(r['window_end']):<10} {r['labels']:>6} "
                  f"{r['information']:>11.3f} {r['alpha_spent']:>11.2g} {r['alpha_look']:>10.2g}  "
                  f"{delta(r):<17} {num(r['z'], '5.2f'):>5} {num(r['p_value'], '7.2g'):>7}  "
                  f"{r['verdict']:<10} {'yes' if r['final'] else 'no'}")


if __name__ == "__main__":
    main()
