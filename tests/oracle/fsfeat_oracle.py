#!/usr/bin/python3
# tests/oracle/fsfeat_oracle.py: generator and oracle for tests/oracle/fsfeat-pandas.sh.
#
# Generates a seeded, deterministic stream of NDJSON events (two runs: RFC 3339
# times with mixed offsets and fractional seconds, and epoch milliseconds with
# --time-unit ms), runs fsfeat on it with a spec that covers every aggregation,
# and checks every feature of every event against values computed here,
# independently of fsfeat (never from its output):
#   - count, min, max (inclusive windows and whole history): pandas groupby +
#     rolling(window, on="t") / expanding;
#   - ewma: pandas ewm(halflife=Timedelta, times=...).mean() per key;
#   - last, lag, time_since_last: pandas groupby ffill / shift;
#   - sum, mean, variance, stddev: exact integer arithmetic (amounts are
#     generated in cents; Python integers, one correctly rounded division), and
#     pandas rolling as a cross-check. pandas' online rolling sum/var keeps the
#     rounding error of large values that have left the window, so on this data
#     it is itself off by more than 1e-9 of the window's scale (e.g. a rolling
#     sum of 0.36 came out as 0.36000000046566133); it cannot be the truth here;
#   - what pandas cannot express: include_current false (earlier events with
#     EQUAL time stay in the window, unlike closed="left") and count_distinct,
#     with plain Python (per-key searchsorted bounds, integer prefix sums,
#     monotonic deques, a queue with a counter).
# Each computation is also done a second, independent way where cheap; the
# "oracle self-check" line fails when the two disagree (e.g. misaligned rows
# after groupby-rolling, which returns rows grouped by key).
#
# Prints TAP (plan first) on stdout. Usage:
#   fsfeat_oracle.py --fsfeat BIN --workdir DIR [--seed N] [--events N] [--keys N]
import argparse
import collections
import datetime
import json
import math
import random
import re
import subprocess
import time

import numpy as np
import pandas as pd

NS = 1_000_000_000
SEC, MIN, HOUR, DAY = NS, 60 * NS, 3600 * NS, 86400 * NS
WINDOWS = {"30s": 30 * SEC, "5m": 5 * MIN, "30m": 30 * MIN, "1h": HOUR, "24h": DAY, "7d": 7 * DAY}

# ---------------------------------------------------------------- the spec
# (name, agg, field, window, extra); extra may hold key, n, halflife, include_current.
FEATURES = [
    ("cnt_30s", "count", None, "30s", {}),
    ("cnt_5m", "count", None, "5m", {}),
    ("cnt_all", "count", None, None, {}),
    ("amt_cnt_1h", "count", "amount", "1h", {}),
    ("amt_sum_30s", "sum", "amount", "30s", {}),
    ("amt_sum_1h", "sum", "amount", "1h", {}),
    ("amt_sum_7d", "sum", "amount", "7d", {}),
    ("amt_sum_all", "sum", "amount", None, {}),
    ("amt_mean_5m", "mean", "amount", "5m", {}),
    ("amt_mean_24h", "mean", "amount", "24h", {}),
    ("amt_mean_all", "mean", "amount", None, {}),
    ("amt_min_1h", "min", "amount", "1h", {}),
    ("amt_min_all", "min", "amount", None, {}),
    ("amt_max_24h", "max", "amount", "24h", {}),
    ("amt_max_7d", "max", "amount", "7d", {}),
    ("amt_std_1h", "stddev", "amount", "1h", {}),
    ("amt_std_all", "stddev", "amount", None, {}),
    ("amt_var_24h", "variance", "amount", "24h", {}),
    ("amt_var_7d", "variance", "amount", "7d", {}),
    ("amt_last_5m", "last", "amount", "5m", {}),
    ("amt_last_all", "last", "amount", None, {}),
    ("amt_lag1", "lag", "amount", None, {}),
    ("amt_lag3", "lag", "amount", None, {"n": 3}),
    ("amt_lag1_1h", "lag", "amount", "1h", {"n": 1}),
    ("amt_lag3_5m", "lag", "amount", "5m", {"n": 3}),
    ("tsl", "time_since_last", None, None, {}),
    ("tsl_5m", "time_since_last", None, "5m", {}),
    ("amt_ewma_1h", "ewma", "amount", None, {"halflife": "1h"}),
    ("qty_ewma_30m", "ewma", "payload.qty", None, {"halflife": "30m"}),
    ("merch_cd_1h", "count_distinct", "merchant_id", "1h", {}),
    ("merch_cd_24h", "count_distinct", "merchant_id", "24h", {}),
    ("merch_cd_all", "count_distinct", "merchant_id", None, {}),
    ("qty_cd_7d", "count_distinct", "payload.qty", "7d", {}),
    ("qty_sum_24h", "sum", "payload.qty", "24h", {}),
    ("qty_cnt_5m", "count", "payload.qty", "5m", {}),
    # include_current false: the key's earlier events only (equal times included)
    ("cnt_1h_excl", "count", None, "1h", {"include_current": False}),
    ("amt_cnt_30s_excl", "count", "amount", "30s", {"include_current": False}),
    ("amt_sum_1h_excl", "sum", "amount", "1h", {"include_current": False}),
    ("amt_sum_all_excl", "sum", "amount", None, {"include_current": False}),
    ("amt_mean_24h_excl", "mean", "amount", "24h", {"include_current": False}),
    ("amt_max_30s_excl", "max", "amount", "30s", {"include_current": False}),
    ("amt_min_7d_excl", "min", "amount", "7d", {"include_current": False}),
    ("amt_std_24h_excl", "stddev", "amount", "24h", {"include_current": False}),
    ("amt_var_5m_excl", "variance", "amount", "5m", {"include_current": False}),
    ("amt_last_1h_excl", "last", "amount", "1h", {"include_current": False}),
    ("merch_cd_24h_excl", "count_distinct", "merchant_id", "24h", {"include_current": False}),
    # other keys
    ("m_cnt_1h", "count", None, "1h", {"key": "merchant_id"}),
    ("m_amt_sum_24h", "sum", "amount", "24h", {"key": "merchant_id"}),
    ("m_user_cd_7d", "count_distinct", "user_id", "7d", {"key": "merchant_id"}),
    ("m_amt_mean_1h_excl", "mean", "amount", "1h", {"key": "merchant_id", "include_current": False}),
    ("um_cnt_7d", "count", None, "7d", {"key": ["user_id", "merchant_id"]}),
    ("um_amt_sum_all", "sum", "amount", None, {"key": ["user_id", "merchant_id"]}),
    ("um_tsl", "time_since_last", None, None, {"key": ["user_id", "merchant_id"]}),
]


def spec_json():
    feats = []
    for name, agg, field, window, extra in FEATURES:
        f = {"name": name, "agg": agg}
        if field is not None:
            f["field"] = field
        if window is not None:
            f["window"] = window
        f.update(extra)
        feats.append(f)
    return {"key": "user_id", "features": feats}


# ---------------------------------------------------------------- generator
OFFSETS = [(0, "Z"), (0, "+00:00"), (120, "+02:00"), (-300, "-05:00"), (330, "+05:30"),
           (345, "+05:45"), (-570, "-09:30"), (840, "+14:00"), (-720, "-12:00"), (60, "+01:00")]
EPOCH_2024_03_01 = 1709251200 * NS


def rfc3339(rng, t_ns):
    off_min, suffix = rng.choice(OFFSETS)
    secs, frac = divmod(t_ns, NS)
    local = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs + off_min * 60)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if frac == 0:
        s += rng.choice(["", "", ".0", ".000", ".000000000"])
    else:
        d = ("%09d" % frac).rstrip("0")
        n = rng.choice([len(d), 3, 6, 9])
        s += "." + ("%09d" % frac)[:max(n, len(d))]
    return s + suffix


def gen(seed, n_base, n_users, epoch_ms):
    """Returns (lines, truth): truth is a dict of per-event columns."""
    rng = random.Random(seed)
    span = 10 * DAY
    users = ["u%05d" % i for i in range(n_users)]
    # a few ids that need JSON escapes or are non-ASCII: compared by content
    users[n_users - 1] = "usr\u00e9-\u00fc"
    users[n_users - 2] = "q\"uote"
    # skewed: Zipf(1) weights, the first few keys are hot
    weights = [1.0 / (i + 1) for i in range(n_users)]
    pool = ["m%04d" % i for i in range(2500)] + ["7", "42", "1001", "90210"]
    numeric_merchants = {"7", "42", "1001", "90210"}
    # each user has its own merchants (~50 for hot keys)
    favs = {}

    def merchants_of(u):
        if u not in favs:
            r = random.Random(seed * 7919 + hash_str(u))
            favs[u] = r.sample(pool, 50) + ["7", "42"]
        return favs[u]

    def grain():  # time granularity in ns
        if epoch_ms:
            return 1_000_000
        return rng.choice([NS, NS, 1_000_000, 1_000_000, 1_000_000, 1000, 1])

    def quant(t):
        g = grain()
        return t - t % g

    ev = []  # (t_ns, user)
    # every user at least once, then Zipf
    for u in users:
        ev.append((quant(rng.randrange(span)), u))
    for u in rng.choices(users, weights=weights, k=n_base - n_users):
        ev.append((quant(rng.randrange(span)), u))
    # bursts on hot keys: many events within seconds, with exact ties
    for _ in range(n_base // 200):
        u = users[min(int(rng.paretovariate(1.2)) - 1, 20)]
        t = quant(rng.randrange(span))
        for _ in range(rng.randint(3, 15)):
            ev.append((t, u))
            t += rng.choice([0, 0, SEC, 2 * SEC, 250_000_000, 7 * SEC])
    base = list(ev)
    # exact ties with another key and within a key
    for _ in range(n_base // 15):
        t, u = rng.choice(base)
        ev.append((t, u if rng.random() < 0.5 else rng.choice(users[:50])))
    # events exactly w apart (t - w is outside the window) and 1 ns/ms inside
    for _ in range(n_base // 25):
        t, u = rng.choice(base)
        w = rng.choice([30 * SEC, 5 * MIN, 30 * MIN, HOUR, DAY, 7 * DAY])
        d = rng.choice([0, 0, 0, -grain()])
        ev.append((t + w + d, u))
    ev = [e for e in ev if 0 <= e[0] < span + 8 * DAY]
    order = sorted(range(len(ev)), key=lambda i: (ev[i][0], i))  # stable
    ev = [ev[i] for i in order]

    lines = []
    cols = {k: [] for k in ("t", "user", "merchant", "amount_cents", "amount_present",
                            "qty", "qty_present", "qty_text")}
    for t_rel, u in ev:
        t = EPOCH_2024_03_01 + t_rel
        mlist = merchants_of(u)
        m = mlist[min(int(rng.expovariate(0.15)), len(mlist) - 1)] if rng.random() < 0.97 \
            else rng.choice(pool)
        mjson = int(m) if (m in numeric_merchants and rng.random() < 0.5) else m
        # amount: cents (exact), its JSON, and whether present and not null
        r = rng.random()
        cents, present = None, True
        mag = 10 ** rng.uniform(0, 9)  # 0.01 .. 10,000,000.00
        c = int(mag) * (-1 if rng.random() < 0.05 else 1)
        if r < 0.78:
            cents = c
            aj = "%d.%02d" % (abs(c) // 100, abs(c) % 100)
            if c < 0:
                aj = "-" + aj
            if rng.random() < 0.1 and c % 100 == 0:
                aj = str(c // 100)   # an integer JSON number
        elif r < 0.84:
            cents = c
            aj = '"%s%d.%02d"' % ("-" if c < 0 else "", abs(c) // 100, abs(c) % 100)
        elif r < 0.89:
            aj = "null"
            present = False
        elif r < 0.95:
            aj = None  # missing
            present = False
        elif r < 0.975:
            aj = '"abc"'
        elif r < 0.985:
            aj = rng.choice(["true", "false"])
        elif r < 0.99:
            aj = '{"v":1}'
        else:
            aj = '""'
        # payload.qty: ints, numeric strings (same distinct value as the int), null, absent
        r = rng.random()
        q, qp, qt = None, True, None
        pj = None
        if r < 0.70:
            q = rng.randint(1, 12)
            pj = '{"qty":%d,"sku":"s%d"}' % (q, rng.randint(1, 99))
        elif r < 0.80:
            q = rng.randint(1, 12)
            pj = '{"sku":"x","qty":"%d"}' % q
        elif r < 0.85:
            pj = '{"qty":null}'
            qp = False
        elif r < 0.90:
            pj = '{"sku":"none"}'
            qp = False
        else:
            qp = False  # no payload at all
        if q is not None:
            qt = str(q)
        if epoch_ms:
            tj = str(t // 1_000_000)
        else:
            tj = json.dumps(rfc3339(rng, t))
        fields = [("user_id", json.dumps(u, ensure_ascii=rng.random() < 0.5)),
                  ("ts", tj),
                  ("merchant_id", json.dumps(mjson))]
        if aj is not None:
            fields.append(("amount", aj))
        if pj is not None:
            fields.append(("payload", pj))
        if rng.random() < 0.3:
            fields.append(("note", json.dumps(rng.choice(["ok", "x}y", "{\"features\":1}", "\u2603"]))))
        if rng.random() < 0.2:
            rng.shuffle(fields)
        sep = ": " if rng.random() < 0.1 else ":"
        lines.append("{" + ",".join('"%s"%s%s' % (k, sep, v) for k, v in fields) + "}")
        cols["t"].append(t if not epoch_ms else (t // 1_000_000) * 1_000_000)
        cols["user"].append(u)
        cols["merchant"].append(m)
        cols["amount_cents"].append(cents)
        cols["amount_present"].append(present)
        cols["qty"].append(q)
        cols["qty_present"].append(qp)
        cols["qty_text"].append(qt)
    return lines, cols


def hash_str(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1000003
    return h


# ---------------------------------------------------------------- oracle helpers
class Field:
    """A numeric field: exact integers num / den per event (None: contributes nothing)."""

    def __init__(self, nums, den, present):
        self.nums = nums
        self.den = den
        self.present = np.array(present, dtype=bool)
        self.valid = np.array([v is not None for v in nums], dtype=bool)
        self.x = np.array([v / den if v is not None else np.nan for v in nums], dtype=float)


class Key:
    """One key: group codes, the group-sorted order (key, then input order), bounds."""

    def __init__(self, tuples, t):
        codes, uniq = pd.factorize(pd.Series(tuples, dtype=object))
        self.codes = codes
        self.ngroups = len(uniq)
        self.order = np.argsort(codes, kind="stable")
        self.t_sorted = t[self.order]
        c = codes[self.order]
        cuts = np.flatnonzero(np.diff(c)) + 1
        self.seg_start = np.concatenate(([0], cuts))
        self.seg_end = np.concatenate((cuts, [len(c)]))
        self.first = np.zeros(len(c), dtype=bool)  # first event of its key (sorted positions)
        self.first[self.seg_start] = True
        self.group_start = np.repeat(self.seg_start, self.seg_end - self.seg_start)
        self.pos = np.arange(len(c))
        self._bounds = {}
        self._cache = {}

    def start(self, w):
        """Sorted position of the key's first event with time > t - w (None: its first event)."""
        if w is None:
            return self.group_start
        if w not in self._bounds:
            st = np.empty(len(self.t_sorted), dtype=np.int64)
            for a, b in zip(self.seg_start, self.seg_end):
                tt = self.t_sorted[a:b]
                st[a:b] = a + np.searchsorted(tt, tt - w, side="right")
            self._bounds[w] = st
        return self._bounds[w]

    def unsort(self, v_sorted):
        out = np.empty(len(v_sorted), dtype=float)
        out[self.order] = v_sorted
        return out

    def cached(self, what, fn):
        if what not in self._cache:
            self._cache[what] = fn()
        return self._cache[what]


def prefix_sums(key, fld):
    """Prefix sums (Python integers, exact) of the values, squares and counts in key order."""
    p1, p2, pc = [0], [0], [0]
    s1 = s2 = cn = 0
    for i in key.order:
        v = fld.nums[i]
        if v is not None:
            s1 += v
            s2 += v * v
            cn += 1
        p1.append(s1)
        p2.append(s2)
        pc.append(cn)
    return p1, p2, pc


def exact_window(key, fname, fld, w, incl, agg):
    """Exact count/sum/mean/variance/stddev of the window from the integer prefix
    sums; each result is one correctly rounded division (and a sqrt for stddev)."""
    p1, p2, pc = key.cached(("prefix", fname), lambda: prefix_sums(key, fld))
    st = key.start(w)
    en = key.pos + (1 if incl else 0)
    den = fld.den
    res = np.empty(len(st))
    for i, (a, b) in enumerate(zip(st.tolist(), en.tolist())):
        n = pc[b] - pc[a]
        s1 = p1[b] - p1[a]
        if agg == "count":
            res[i] = n
        elif agg == "sum":
            res[i] = s1 / den
        elif agg == "mean":
            res[i] = s1 / (n * den) if n else np.nan
        elif n < 2:
            res[i] = np.nan
        else:
            var = (n * (p2[b] - p2[a]) - s1 * s1) / (n * (n - 1) * den * den)
            res[i] = var if agg == "variance" else math.sqrt(var)
    return key.unsort(res)


def event_count(key, w, incl):
    return key.unsort((key.pos + (1 if incl else 0) - key.start(w)).astype(float))


def deque_extreme(key, x, w, incl, want_max):
    """Sliding min or max of the window with a monotonic deque per key (NaN: skipped)."""
    res = np.empty(len(x))
    xs = x[key.order].tolist()
    ts = key.t_sorted.tolist()
    first = key.first.tolist()
    dq = collections.deque()
    lim = None

    def push(t, v):
        """Candidates that v beats for the rest of their life leave the queue."""
        while dq and (dq[-1][1] <= v if want_max else dq[-1][1] >= v):
            dq.pop()
        dq.append((t, v))

    for i, (t, v) in enumerate(zip(ts, xs)):
        if first[i]:
            dq.clear()
        if w is not None:
            lim = t - w
        if incl and v == v:
            push(t, v)
        if lim is not None:
            while dq and dq[0][0] <= lim:
                dq.popleft()
        res[i] = dq[0][1] if dq else np.nan
        if not incl and v == v:
            push(t, v)
    return key.unsort(res)


def distinct_count(key, texts, w, incl):
    """Distinct texts in the window: a queue of the window's values and their counts."""
    res = np.empty(len(texts))
    ts = key.t_sorted.tolist()
    vs = [texts[i] for i in key.order]
    first = key.first.tolist()
    dq = collections.deque()
    cnt = collections.Counter()
    for i, (t, v) in enumerate(zip(ts, vs)):
        if first[i]:
            dq.clear()
            cnt.clear()
        if incl and v is not None:
            dq.append((t, v))
            cnt[v] += 1
        if w is not None:
            while dq and dq[0][0] <= t - w:
                _, old = dq.popleft()
                cnt[old] -= 1
                if not cnt[old]:
                    del cnt[old]
        res[i] = len(cnt)
        if not incl and v is not None:
            dq.append((t, v))
            cnt[v] += 1
    return key.unsort(res)


def prev_python(key, x, t, k, w, what):
    """lag (what='value') or time_since_last (what='gap') with plain lists per key."""
    res = np.full(len(t), np.nan)
    hist = []
    first = key.first.tolist()
    for i, j in enumerate(key.order.tolist()):
        if first[i]:
            hist = []
        if len(hist) >= k:
            pj = hist[-k]
            gap = int(t[j]) - int(t[pj])
            if w is None or gap < w:
                res[j] = x[pj] if what == "value" else gap / 1e9
        hist.append(j)
    return res


def last_python(key, x, t, w, incl):
    res = np.empty(len(x))
    first = key.first.tolist()
    lastv = lastt = None
    for i, j in enumerate(key.order.tolist()):
        if first[i]:
            lastv = lastt = None
        if incl and x[j] == x[j]:
            lastv, lastt = x[j], int(t[j])
        ok = lastv is not None and (w is None or lastt > int(t[j]) - w)
        res[j] = lastv if ok else np.nan
        if not incl and x[j] == x[j]:
            lastv, lastt = x[j], int(t[j])
    return res


def ewma_python(key, x, t, hl):
    """Time-decayed mean with weights 0.5^((t - t_i)/halflife), as running sums."""
    res = np.empty(len(x))
    first = key.first.tolist()
    s = wsum = 0.0
    tprev = None
    for i, j in enumerate(key.order.tolist()):
        tj = int(t[j])
        if first[i]:
            s = wsum = 0.0
        elif tj != tprev:
            f = 0.5 ** ((tj - tprev) / hl)
            s *= f
            wsum *= f
        tprev = tj
        if x[j] == x[j]:
            s += x[j]
            wsum += 1.0
        res[j] = s / wsum if wsum > 0 else np.nan
    return res


def pandas_roll(df, key, col, w, how):
    """Inclusive window (or whole history) aggregation with pandas groupby rolling."""
    d = pd.DataFrame({"g": key.codes, "t": df["t"], "x": df[col]})
    g = d.groupby("g", sort=True)
    mp = 0 if how in ("count", "sum") else 1
    if w is None:
        r = g["x"].expanding(min_periods=mp)
    else:
        r = g.rolling(pd.Timedelta(w, unit="ns"), on="t", min_periods=mp)["x"]
    if how == "variance":
        v = r.var(ddof=1)
    elif how == "stddev":
        v = r.std(ddof=1)
    else:
        v = getattr(r, how)()
    # groupby-rolling returns the rows grouped by key (sorted codes), each key's
    # rows in input order, indexed by (key, t): put them back in input order by
    # position (checked with the "rid" column in run_case).
    return key.unsort(v.to_numpy(dtype=float))


def mismatches(exp, got, scale, kind):
    """Indices where got differs from exp.
    Tolerance: |got - exp| <= 1e-9 * max(|exp|, scale); for stddev the squares
    are compared, |got^2 - exp^2| <= 1e-9 * max(exp^2, scale); counts exact."""
    en, gn = np.isnan(exp), np.isnan(got)
    bad = en != gn
    both = ~en & ~gn
    e, g, s = exp[both], got[both], scale[both]
    if kind == "exact":
        b = e != g
    elif kind == "std":
        b = ~(np.abs(g * g - e * e) <= 1e-9 * np.maximum(e * e, s))
    else:
        b = ~(np.abs(g - e) <= 1e-9 * np.maximum(np.abs(e), s))
    bad[both] = b
    return np.flatnonzero(bad)


def describe(cols, t, min_events, min_keys):
    """What the generated stream holds: key skew, time ties, exact window edges."""
    users = collections.Counter(cols["user"])
    top = [c for _, c in users.most_common(3)]
    ties = int(np.sum(t[1:] == t[:-1]))
    last = {}
    key_ties = 0
    times = collections.defaultdict(set)
    edges = collections.Counter()
    for u, tt in zip(cols["user"], t.tolist()):
        if last.get(u) == tt:
            key_ties += 1
        last[u] = tt
        for wn in ("30s", "5m", "1h", "24h", "7d"):
            if tt - WINDOWS[wn] in times[u]:
                edges[wn] += 1
        times[u].add(tt)
    ok = (len(t) >= min_events and len(users) >= min_keys and top[0] >= 20 * len(t) / len(users)
          and ties > 0 and key_ties > 0 and all(edges[w] > 0 for w in ("30s", "5m", "1h", "24h", "7d")))
    return ok, ("%d events, %d keys, largest %s events; %d times equal to the previous line's, %d "
                "equal to the key's previous; events exactly w after one of their key: %s"
                % (len(t), len(users), "/".join(map(str, top)), ties, key_ties,
                   ", ".join("%s %d" % (w, edges[w]) for w in ("30s", "5m", "1h", "24h", "7d"))))


def fmt(v):
    return "null" if v != v else repr(float(v))


# ---------------------------------------------------------------- one run
def run_case(label, lines, cols, fsfeat, workdir, extra_args, tap, min_events, min_keys):
    n = len(lines)
    names = [f[0] for f in FEATURES]
    inp = "%s/%s.ndjson" % (workdir, label)
    with open(inp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    sp = "%s/spec.json" % workdir
    with open(sp, "w") as fh:
        json.dump(spec_json(), fh, indent=1)
    t0 = time.time()
    p = subprocess.run([fsfeat, "--spec", sp] + extra_args + [inp], capture_output=True)
    dt = time.time() - t0
    out = p.stdout.decode("utf-8", "replace").split("\n")
    if out and out[-1] == "":
        out.pop()
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"(\d+) rejected", err)
    rejected = int(m.group(1)) if m else 0
    tap(p.returncode == 0 and rejected == 0,
        "%s: fsfeat %s exits 0 and rejects none of %d events over %d keys"
        % (label, " ".join(extra_args) or "(RFC 3339 times)", n, len(set(cols["user"]))),
        ["exit %d after %.2fs; stderr:" % (p.returncode, dt)] + ["  " + x for x in err.splitlines()[:8]],
        always=True)
    tap(len(out) == n, "%s: %d output lines for %d input lines" % (label, len(out), n))

    # each output line: the input bytes without the final '}', then ,"features":{...}}
    got = {k: np.full(n, np.nan) for k in names}
    bad_prefix, bad_obj = [], []
    feat_re = re.compile(r',"features":(\{.*\})\}\Z')

    def no_const(c):
        raise ValueError("non-JSON number " + c)
    for i in range(min(n, len(out))):
        src, o = lines[i], out[i]
        if not o.startswith(src[:-1]):
            bad_prefix.append(i)
            continue
        try:
            mo = feat_re.match(o, len(src) - 1)
            if not mo:
                raise ValueError("no \",\"features\":{...}}\" after the input bytes")
            pairs = json.loads(mo.group(1), object_pairs_hook=list, parse_constant=no_const)
            if [k for k, _ in pairs] != names:
                raise ValueError("feature names or order differ from the spec")
            for k, v in pairs:
                if v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError("%s is neither a number nor null" % k)
                got[k][i] = v
        except ValueError as e:
            bad_obj.append((i, str(e)))
    for i in range(len(out), n):
        bad_obj.append((i, "no output line"))
    diag = []
    for i in bad_prefix[:3]:
        diag += ["line %d in:  %s" % (i + 1, lines[i]), "line %d out: %s" % (i + 1, out[i])]
    tap(not bad_prefix, "%s: every output line begins with its input line's bytes (minus the final })"
        % label, diag)
    tap(not bad_obj, "%s: every output line then ends with ,\"features\":{...}} holding the %d "
        "features in spec order, numbers or null" % (label, len(names)),
        ["line %d: %s: %s" % (i + 1, e, out[i] if i < len(out) else "") for i, e in bad_obj[:3]])

    # ---- the expected values
    t = np.array(cols["t"], dtype=np.int64)
    shape_ok, shape = describe(cols, t, min_events, min_keys)
    tap(shape_ok, "%s: the input has >= %d events over >= %d skewed keys, time ties within and "
        "across keys, events exactly one window apart" % (label, min_events, min_keys), [shape],
        always=True)
    fields = {"amount": Field(cols["amount_cents"], 100, cols["amount_present"]),
              "payload.qty": Field(cols["qty"], 1, cols["qty_present"])}
    texts = {"merchant_id": cols["merchant"], "user_id": cols["user"], "payload.qty": cols["qty_text"]}
    keys = {"user_id": Key(cols["user"], t),
            "merchant_id": Key(cols["merchant"], t),
            "user_id+merchant_id": Key(list(zip(cols["user"], cols["merchant"])), t)}
    df = pd.DataFrame({"t": pd.to_datetime(t, unit="ns"), "one": 1.0,
                       "rid": np.arange(n, dtype=float)})
    for fname, f in fields.items():
        df[fname] = f.x
        df[fname + "#present"] = np.where(f.present, 1.0, np.nan)

    # self-check of the row alignment after groupby-rolling: in an inclusive
    # window the newest row is the event itself
    align_ok = True
    for key in keys.values():
        for w in (None, 30 * SEC) if key is keys["user_id"] else (DAY,):
            align_ok &= np.array_equal(pandas_roll(df, key, "rid", w, "max"), np.arange(n))

    selfcheck = []
    for name, agg, field, window, extra in FEATURES:
        kspec = extra.get("key", "user_id")
        kname = kspec if isinstance(kspec, str) else "+".join(kspec)
        key = keys[kname]
        w = WINDOWS[window] if window else None
        incl = extra.get("include_current", True)
        fld = fields.get(field)
        # exp: the expected values (NaN: null); src: how they were computed;
        # cross: other independent computations of the same values, which must
        # agree with exp (a self-check of the oracle), with their tolerance scale.
        #
        # Tolerance against fsfeat: |got - exp| <= 1e-9 * max(|exp|, s) with
        #   s = the largest |value| in the window for sum and mean: the rounding
        #       error of a (compensated) sum is relative to its largest terms,
        #       not to the result, which can cancel to ~0; for ewma the largest
        #       |value| of the key so far (every earlier value has a weight);
        #   s = the square of that for variance; for stddev the squares are
        #       compared: |got^2 - exp^2| <= 1e-9 * max(exp^2, s);
        #   s = 0 (purely relative) for min, max, last, lag, time_since_last,
        #       which need no arithmetic;
        #   counts (count, count_distinct) must be exact.
        # pandas' own rolling sum/var (online add/remove) keeps rounding error
        # from large values that have left the window: it is checked against the
        # exact values with s = the largest |value| of the key so far instead.
        scale = np.zeros(n)
        kind = "exact" if agg in ("count", "count_distinct") else ("std" if agg == "stddev" else "rel")
        cross = []
        hist = None
        if fld is not None:
            hist = pd.Series(np.abs(fld.x)).groupby(key.codes).cummax()
            hist = hist.groupby(key.codes).ffill().fillna(0.0).to_numpy()
        if agg == "count":
            if field is None:
                if incl:
                    exp, src = pandas_roll(df, key, "one", w, "count"), "pandas rolling count"
                    cross.append(("bisect bounds", event_count(key, w, True), scale))
                else:
                    exp, src = event_count(key, w, False), "bisect bounds"
                    cross.append(("pandas rolling count - 1",
                                  pandas_roll(df, key, "one", w, "count") - 1, scale))
            else:
                pres = Field([1 if q else None for q in fld.present], 1, fld.present)
                ex = exact_window(key, field + "#present", pres, w, incl, "count")
                pc = pandas_roll(df, key, field + "#present", w, "count")
                if incl:
                    exp, src = pc, "pandas rolling count of present values"
                    cross.append(("bisect bounds", ex, scale))
                else:
                    exp, src = ex, "bisect bounds, present values"
                    cross.append(("pandas rolling count - own", pc - fld.present, scale))
        elif agg in ("sum", "mean", "variance", "stddev"):
            exp = exact_window(key, field, fld, w, incl, agg)
            src = "exact integer arithmetic" + (" (cross-checked with pandas rolling %s)" % agg if incl else "")
            m = key.cached(("absmax", field, w, incl),
                           lambda: deque_extreme(key, np.abs(fld.x), w, incl, True))
            m = np.where(np.isnan(m), 0.0, m)
            sq = agg in ("variance", "stddev")
            scale = m * m if sq else m
            hscale = hist * hist if sq else hist
            if incl:
                pr = pandas_roll(df, key, field, w, agg)
                if agg == "sum":
                    pr = np.where(np.isnan(pr), 0.0, pr)
                cross.append(("pandas rolling " + agg, pr, hscale))
            elif agg == "sum":
                pr = pandas_roll(df, key, field, w, "sum") - np.where(fld.valid, fld.x, 0.0)
                cross.append(("pandas rolling sum - own value", pr, hscale))
        elif agg in ("min", "max"):
            dq = deque_extreme(key, fld.x, w, incl, agg == "max")
            if incl:
                exp, src = pandas_roll(df, key, field, w, agg), "pandas rolling " + agg
                cross.append(("monotonic deque", dq, scale))
            else:
                exp, src = dq, "monotonic deque"
        elif agg == "last":
            # newest numeric value: forward-fill within the key, then check its
            # time. Times are int64 ns (above 2^53), so ffill/shift row numbers,
            # exact as floats, and look the times up.
            rows = pd.Series(np.where(fld.valid, np.arange(n), np.nan))
            lastrow = rows.groupby(key.codes).ffill()
            if not incl:
                lastrow = lastrow.groupby(key.codes).shift(1)
            has = lastrow.notna().to_numpy()
            lr = lastrow.fillna(0).astype(np.int64).to_numpy()
            ok = has if w is None else has & (t[lr] > t - w)
            exp, src = np.where(ok, fld.x[lr], np.nan), "pandas groupby ffill"
            cross.append(("python", last_python(key, fld.x, t, w, incl), scale))
        elif agg in ("lag", "time_since_last"):
            k = extra.get("n", 1) if agg == "lag" else 1
            prev = pd.Series(np.arange(n, dtype=float)).groupby(key.codes).shift(k)
            has = prev.notna().to_numpy()
            pr = prev.fillna(0).astype(np.int64).to_numpy()
            gap = t - t[pr]
            ok = has if w is None else has & (gap < w)   # gap < w: t_prev > t - w
            if agg == "lag":
                exp, src = np.where(ok, fld.x[pr], np.nan), "pandas groupby shift(%d)" % k
                cross.append(("python", prev_python(key, fld.x, t, k, w, "value"), scale))
            else:
                exp, src = np.where(ok, gap.astype(float) / 1e9, np.nan), "pandas groupby shift"
                cross.append(("python", prev_python(key, None, t, 1, w, "gap"), scale))
        elif agg == "ewma":
            hl = WINDOWS[extra["halflife"]]
            d = pd.DataFrame({"g": key.codes, "t": df["t"], "x": fld.x})
            e = d.groupby("g", sort=True).ewm(halflife=pd.Timedelta(hl, unit="ns"),
                                             times=d["t"])["x"].mean()
            exp, src = key.unsort(e.to_numpy(dtype=float)), "pandas ewm"
            scale = hist
            cross.append(("python running sums", ewma_python(key, fld.x, t, hl), hist))
        elif agg == "count_distinct":
            exp, src = distinct_count(key, texts[field], w, incl), "python queue+counter"
            if w is None and incl:
                tx = pd.Series(texts[field], dtype=object)
                new = pd.DataFrame({"g": key.codes, "v": tx}).duplicated(["g", "v"]) | tx.isna()
                cross.append(("pandas groupby cumsum of first occurrences",
                              (~new).astype(float).groupby(key.codes).cumsum().to_numpy(), scale))
        else:
            raise AssertionError(agg)

        for cname, cv, cs in cross:
            cb = mismatches(exp, cv, cs, kind)
            for i in cb[:2]:
                selfcheck.append("%s line %d: %s %s, %s %s" % (name, i + 1, src, fmt(exp[i]), cname, fmt(cv[i])))

        g = got[name]
        bad = mismatches(exp, g, scale, kind)
        wdesc = ("over %s" % window) if window else "over the whole history"
        if agg in ("lag", "time_since_last"):
            wdesc = ("within %s" % window) if window else "without window"
        if agg == "ewma":
            wdesc = "with halflife %s" % extra["halflife"]
        if not incl:
            wdesc += ", include_current false"
        ktxt = "" if kname == "user_id" else ", key %s" % kname
        diag = []
        shown = list(bad[:3])
        if len(bad) and kind != "exact":
            # and the worst one
            e, gg = exp[bad], g[bad]
            with np.errstate(invalid="ignore"):
                if kind == "std":
                    r = np.abs(gg * gg - e * e) / np.maximum(e * e, scale[bad])
                else:
                    r = np.abs(gg - e) / np.maximum(np.abs(e), scale[bad])
            r = np.where(np.isnan(r), np.inf, r)
            worst_i = bad[int(np.argmax(r))]
            if worst_i not in shown:
                shown.append(worst_i)
        for i in shown:
            diag.append("line %d: %s" % (i + 1, lines[i]))
            x = "  expected %s, got %s" % (fmt(exp[i]), fmt(g[i]))
            if scale[i]:
                x += "; tolerance 1e-9 * max(|expected|, %s)" % fmt(scale[i])
            if agg in ("sum", "mean", "variance", "stddev", "ewma"):
                x += "; largest |%s| of the key so far %s" % (field, fmt(hist[i]))
            diag.append(x)
        if len(bad):
            worst = ""
            if kind != "exact" and np.isfinite(r).any():
                sq = "^2" if kind == "std" else ""
                worst = "; worst: line %d, |got%s - expected%s| = %.3g x max(|expected%s|, scale) " \
                    "(allowed: 1e-9)" % (worst_i + 1, sq, sq, r[np.isfinite(r)].max(), sq)
            diag.append("%d of %d events differ%s" % (len(bad), n, worst))
        tap(len(bad) == 0, "%s: %s (%s %s%s) matches %s on %d events"
            % (label, name, agg, wdesc, ktxt, src, n), diag)
    tap(align_ok and not selfcheck,
        "%s: oracle self-check: pandas, exact arithmetic and plain Python agree with each other "
        "(row alignment after groupby-rolling, window bounds with ties)" % label,
        (["groupby-rolling rows are not aligned"] if not align_ok else []) + selfcheck[:12])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsfeat", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--seed", type=int, default=20240301)
    ap.add_argument("--events", type=int, default=96000, help="base events of the main run")
    ap.add_argument("--keys", type=int, default=3200)
    a = ap.parse_args()

    results = []

    def tap(ok, desc, diag=(), always=False):
        results.append((ok, desc, list(diag) if (always or not ok) else []))

    t0 = time.time()
    lines, cols = gen(a.seed, a.events, a.keys, False)
    # self-check of the generator: pandas reads the RFC 3339 strings as the
    # times the oracle uses
    sample = slice(0, None, 53)
    ts = pd.Series([json.loads(x)["ts"] for x in lines[sample]])
    parsed = pd.to_datetime(ts, utc=True).astype("int64").to_numpy()
    gen_ok = np.array_equal(parsed, np.array(cols["t"][sample], dtype=np.int64))
    tap(gen_ok, "generator self-check: pandas parses the RFC 3339 times as generated "
        "(offsets %s)" % " ".join(sorted({o for _, o in OFFSETS})))
    run_case("rfc3339", lines, cols, a.fsfeat, a.workdir, [], tap, 100000, 3000)
    lines2, cols2 = gen(a.seed + 1, a.events // 5, a.keys // 4, True)
    run_case("epoch-ms", lines2, cols2, a.fsfeat, a.workdir,
             ["--time-field", "ts", "--time-unit", "ms"], tap, 20000, 600)

    print("1..%d" % len(results))
    for k, (ok, desc, diag) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", k, desc))
        for d in diag:
            for dl in str(d).splitlines():
                print("# " + dl)
    print("# seed %d; total %.1fs" % (a.seed, time.time() - t0))


if __name__ == "__main__":
    main()
