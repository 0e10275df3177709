#!/usr/bin/python3
"""Trickle latency: feed events one at a time through a pipe and time each
round trip (write one line, read its output line).

usage: latency.py INPUT.ndjson N_EVENTS CMD...
       latency.py --rate R [--samples FILE] INPUT.ndjson N_EVENTS CMD...

Prints `p50_us p99_us` (microseconds).  The first 1000 round trips are
warm-up and not counted.  The figure includes two pipe hops and the Python
harness, so run it with `cat` as CMD too: that is the floor of the method.

With --rate R the events are written at a fixed rate instead, R a second
(event i at i/R seconds from the start, whether or not the answers have
come: an open loop), while a second thread reads the output lines; each
event's latency is from its write to its output line being read.  Every
output line must begin with its input line (less the closing brace), in
order.  Prints `p50_us p99_us max_us rate` (rate: events a second the
writes achieved); --samples FILE also appends each counted latency (us)
to FILE, one a line, so that several runs can be pooled.  A tool that
answers before the next event comes sees one event at a time, as in the
closed loop, but at a pace that does not depend on its speed.
"""
import os
import subprocess
import sys
import threading
import time

rate = samples = None
if len(sys.argv) > 2 and sys.argv[1] == "--rate":
    rate = float(sys.argv[2])
    del sys.argv[1:3]
    if len(sys.argv) > 2 and sys.argv[1] == "--samples":
        samples = sys.argv[2]
        del sys.argv[1:3]
if len(sys.argv) < 4:
    sys.exit(__doc__.split("\n\n")[1])
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


def q(f):
    return ns[min(len(ns) - 1, int(f * len(ns)))] / 1000.0


if rate is None:
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
    print("%.0f %.0f" % (q(0.50), q(0.99)))
    sys.exit(0)

m = len(lines)
sent, got, bad = [0] * m, [0] * m, []


def reader():
    for i in range(m):
        out = rf.readline()
        got[i] = clock()
        if not out:
            bad.append("%s ended after %d of %d lines" % (cmd[0], i, m))
            return
        if not out.startswith(lines[i].rstrip(b"\r\n")[:-1]):
            bad.append("output line %d is not event %d: %r" % (i + 1, i + 1, out[:200]))
            return


t = threading.Thread(target=reader)
t.start()
start = clock()
for i, line in enumerate(lines):
    pause = start + int(i * 1e9 / rate) - clock()
    if pause > 0:
        time.sleep(pause / 1e9)
    sent[i] = clock()
    try:
        os.write(wfd, line)
    except BrokenPipeError:
        break
p.stdin.close()
t.join()
p.wait()
if bad:
    sys.exit("latency.py: " + bad[0])
ns = sorted(got[i] - sent[i] for i in range(WARM, m))
if samples:
    with open(samples, "a") as f:
        f.write("".join("%.1f\n" % ((got[i] - sent[i]) / 1000.0) for i in range(WARM, m)))
print("%.0f %.0f %.0f %.0f" % (q(0.50), q(0.99), ns[-1] / 1000.0,
                               (m - 1) * 1e9 / (sent[-1] - sent[0])))
