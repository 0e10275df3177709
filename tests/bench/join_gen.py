#!/usr/bin/python3
"""Deterministic inputs for the fsjoin benchmark (tests/bench/join.sh).

usage: join_gen.py right N_ROWS SEED > right.ndjson
       join_gen.py spine N_EVENTS SEED > spine.ndjson

right: rows like fsfeat --emit rows with spec8.json's 8 features,
  {"user_id":"u012345","ts":"2024-03-07T11:02:03.456Z","features":{...}}
  about 235 bytes a line, keys from 100,000 users (lognormal activity, so
  some users have many rows and a few none), times uniform over the 30 days
  from 2024-03-01T00:00:00Z with millisecond precision, in no order at all
  (every row is drawn independently, so the file is a random shuffle).
  Values look like fsfeat's: sums and means of 2-decimal amounts with full
  double precision (23.685000000000002), counts as integers, a time since
  the previous event with 3 decimals, null where fsfeat writes null (no
  previous event: secs_since_last and amt_lag1, 1 %; one event in 24 h:
  amt_sd_24h).
spine: 1M card-payment events over the same 30 days, times non-decreasing,
  {"user_id":...,"ts":...,"amount":12.5,"merchant_id":"m0123","country":"DE",
  "channel":"pos"}, users drawn with the same activity, 1 % of them users
  the right side has never seen (u1xxxxx).

numpy's PCG64 seeded with an integer: the output is the same on every run.
"""
import sys

import numpy as np

N_USERS = 100_000
T0_MS = 1709251200000          # 2024-03-01T00:00:00Z
SPAN_MS = 30 * 86400 * 1000
CHUNK = 500_000


def user_weights(rng):
    w = rng.lognormal(0.0, 1.0, N_USERS)
    return w / w.sum()


def iso_ms(ms):
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")


def fstr(a):
    # numpy prints the shortest repr that reads back to the same double, as
    # Python's repr and fsfeat do; fsfeat writes 37.0 as 37
    s = a.astype(str)
    whole = a == np.floor(a)
    s[whole] = a[whole].astype(np.int64).astype(str)
    return s


def amounts(rng, shape):
    return np.round(rng.lognormal(3.2, 1.0, shape), 2)


def right(n, seed, out):
    rng = np.random.default_rng(seed)
    w = user_weights(rng)
    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        users = rng.choice(N_USERS, m, p=w)
        ts = iso_ms(T0_MS + rng.integers(0, SPAN_MS, m))
        # events in the last hour (1..6) and their amounts, summed in order
        k1 = rng.integers(1, 7, m)
        a = amounts(rng, (m, 6))
        a[np.arange(6)[None, :] >= k1[:, None]] = 0.0
        s1 = np.zeros(m)
        for c in range(6):
            s1 = s1 + a[:, c]
        mx = a.max(axis=1)
        n24 = k1 + rng.poisson(3.0, m)
        # 7 days: more events, a mean of their sum
        n7 = n24 + rng.poisson(12.0, m)
        extra = np.round(rng.gamma(2.0, 25.0, m) * (n7 - k1), 2)
        mean7 = (s1 + extra) / n7
        merch = np.minimum(n24, 1 + rng.binomial(n24 - 1, 0.8))
        secs = np.round(rng.exponential(3600.0, m), 3)
        lag = amounts(rng, m)
        sd = np.abs(rng.normal(30.0, 25.0, m)) * np.sqrt(1.0 + 1.0 / n24)
        first = rng.random(m) < 0.01
        cols = [
            ["u%06d" % u for u in users], ts,
            fstr(s1), n24.astype(str), fstr(mean7), merch.astype(str),
            np.where(first, "null", fstr(secs)), np.where(first, "null", fstr(lag)),
            fstr(mx), np.where(n24 == 1, "null", fstr(sd)),
        ]
        out.write("".join(
            f'{{"user_id":"{u}","ts":"{t}Z","features":{{"amt_sum_1h":{c0},"n_24h":{c1},'
            f'"amt_mean_7d":{c2},"merchants_24h":{c3},"secs_since_last":{c4},"amt_lag1":{c5},'
            f'"amt_max_1h":{c6},"amt_sd_24h":{c7}}}}}\n'
            for u, t, c0, c1, c2, c3, c4, c5, c6, c7 in zip(*cols)))
        done += m


def spine(n, seed, out):
    rng = np.random.default_rng(seed + 1)
    w = user_weights(np.random.default_rng(seed))  # the right side's activity
    ms = np.sort(T0_MS + rng.integers(0, SPAN_MS, n))
    users = rng.choice(N_USERS, n, p=w)
    unseen = rng.random(n) < 0.01
    users[unseen] = 1_000_000 + rng.integers(0, N_USERS, unseen.sum())
    amt = fstr(amounts(rng, n))
    merch = rng.integers(0, 5000, n)
    country = np.array(["DE", "FR", "NL", "ES", "IT", "GB", "PL", "US"])[
        rng.choice(8, n, p=[.3, .15, .1, .1, .1, .1, .05, .1])]
    channel = np.array(["web", "app", "pos"])[rng.choice(3, n, p=[.45, .35, .2])]
    ts = iso_ms(ms)
    for i in range(0, n, CHUNK):
        sl = slice(i, i + CHUNK)
        out.write("".join(
            f'{{"user_id":"u{u:06d}","ts":"{t}Z","amount":{a},"merchant_id":"m{mm:04d}",'
            f'"country":"{c}","channel":"{ch}"}}\n'
            for u, t, a, mm, c, ch in zip(users[sl].tolist(), ts[sl], amt[sl], merch[sl].tolist(),
                                          country[sl], channel[sl])))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("right", "spine"):
        sys.exit(__doc__.split("\n\n")[1])
    what, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    out = open(sys.stdout.fileno(), "w", buffering=1 << 20, closefd=False)
    (right if what == "right" else spine)(n, seed, out)
    out.flush()


if __name__ == "__main__":
    main()
