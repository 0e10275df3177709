#!/usr/bin/python3
"""Trickle latency: feed events one at a time through a pipe and time each
round trip (write one line, read its output line).

usage: latency.py INPUT.ndjson N_EVENTS CMD...

Prints `p50_us p99_us` (microseconds).  The first 1000 round trips are
warm-up and not counted.  The figure includes two pipe hops and the Python
harness, so run it with `cat` as CMD too: that is the floor of the method.
"""
import os
import subprocess
import sys
import time

src, n = sys.argv[1], int(sys.argv[2])
cmd = sys.argv[3:]
WARM = 1000
lines = []
with open(src, "rb") as f:
    for line in f:
        lines.append(line)
        if len(lines) >= n + WARM:
            break
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
wfd, rf = p.stdin.fileno(), p.stdout
rf = os.fdopen(os.dup(p.stdout.fileno()), "rb", buffering=1 << 16)
ns = []
clock = time.perf_counter_ns
for i, line in enumerate(lines):
    t = clock()
    os.write(wfd, line)
    out = rf.readline()
    d = clock() - t
    if not out:
        sys.exit("latency.py: %s ended early (after %d lines)" % (cmd[0], i))
    if i >= WARM:
        ns.append(d)
p.stdin.close()
p.wait()
ns.sort()


def q(f):
    return ns[min(len(ns) - 1, int(f * len(ns)))] / 1000.0


print("%.0f %.0f" % (q(0.50), q(0.99)))
