#!/usr/bin/python3
"""Deterministic NDJSON event generator for the fsfeat benchmark.

usage: gen.py N_EVENTS N_KEYS SEED > events.ndjson

Card-payment-like events, ~145 bytes a line, times non-decreasing
(exponential gaps, mean 2.5 s, millisecond precision, starting
2024-03-01T00:00:00Z).  Users and merchants follow a Zipf-like law
(exponent 0.7 and 0.9), so a few keys are hot and most are cold.
Only Python's `random` module seeded with an integer is used, so the
output is byte-identical across runs and machines.
"""
import datetime
import itertools
import random
import sys

n_events, n_keys, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
N_MERCHANTS = 5000
rng = random.Random(seed)


def zipf_cum(n, s):
    return list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))


# Shuffle the ids so hot keys are not simply u00000, u00001, ...
users = ["u%05d" % i for i in range(n_keys)]
rng.shuffle(users)
merchants = ["m%04d" % i for i in range(N_MERCHANTS)]
rng.shuffle(merchants)
user_of = rng.choices(users, cum_weights=zipf_cum(n_keys, 0.7), k=n_events)
merch_of = rng.choices(merchants, cum_weights=zipf_cum(N_MERCHANTS, 0.9), k=n_events)
countries = rng.choices(["DE", "FR", "NL", "ES", "IT", "GB", "PL", "US"],
                        weights=[30, 15, 10, 10, 10, 10, 5, 10], k=n_events)
channels = rng.choices(["web", "app", "pos"], weights=[45, 35, 20], k=n_events)
devices = [('"ios"', '"17.1"'), ('"ios"', '"16.6"'), ('"android"', '"14"'),
           ('"android"', '"13"'), ('"web"', '"1.0"')]
device_of = rng.choices(devices, weights=[25, 10, 30, 15, 20], k=n_events)

t0 = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
t_ms = 0
out = sys.stdout
buf = []
for i in range(n_events):
    t_ms += int(rng.expovariate(1 / 2500.0))
    sec, ms = divmod(t_ms, 1000)
    ts = (t0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S")
    amount = round(rng.lognormvariate(3.5, 1.1), 2)
    os_, ver = device_of[i]
    buf.append('{"user_id":"%s","ts":"%s.%03dZ","amount":%.2f,"merchant_id":"%s",'
               '"country":"%s","channel":"%s","device":{"os":%s,"ver":%s}}\n'
               % (user_of[i], ts, ms, amount, merch_of[i], countries[i], channels[i],
                  os_, ver))
    if len(buf) >= 10000:
        out.write("".join(buf))
        buf.clear()
out.write("".join(buf))
