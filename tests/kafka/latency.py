#!/usr/bin/python3
"""Per-event latency through a Kafka pipeline, for tests/kafka/kafka.sh.

    latency.py send EVENTS N RATE   > "key<TAB>event" lines for kcat -P -K '\\t'
    latency.py receive N            < the pipeline's output, as kcat -C prints it

send writes the first N good events of EVENTS at RATE per second, each with
"seq" and "sent_ns" (the wall clock as it is written) put first, then 400
more at once: Debian 12's kcat -P (librdkafka 2.0.2) holds messages back
until enough more come or its input ends, so the last paced ones need a push.
receive reads the events at the far end and prints, once events 0 to N-1
have all come (or the input ends), the count, the rate they came at and the
50th and 99th percentile latency from being written to the producer to being
read from the consumer.
"""
import json
import sys
import time


def send(path, n, rate):
    lines, tail = [], 400
    with open(path) as f:
        for line in f:
            try:
                user = json.loads(line)["user_id"]
            except (ValueError, KeyError):
                continue
            lines.append((user, line.rstrip("\n")))
            if len(lines) == n + tail:
                break
    start = time.monotonic()
    for i, (user, line) in enumerate(lines):
        pause = start + min(i, n) / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        sys.stdout.write(f'{user}\t{{"seq":{i},"sent_ns":{time.time_ns()},{line[1:]}\n')
        sys.stdout.flush()


def receive(n):
    lat, first, last = [], None, None
    for line in sys.stdin:
        now = time.time_ns()
        try:
            event = json.loads(line)
            seq, sent = event["seq"], event["sent_ns"]
        except (ValueError, KeyError):
            continue
        if seq >= n:
            continue
        first = first or now
        last = now
        lat.append((now - sent) / 1e6)
        if len(lat) == n:
            break
    if not lat:
        print("no events came through")
        return 1
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    span = (last - first) / 1e9 if last > first else 0
    rate = f"{(len(lat) - 1) / span:.0f} events/s" if span else "n/a"
    print(f"{len(lat)} events at {rate}: latency p50 {q(0.50):.1f} ms, p99 {q(0.99):.1f} ms, "
          f"max {lat[-1]:.1f} ms")
    return 0 if len(lat) == n else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "receive":
        sys.exit(receive(int(sys.argv[2])))
    else:
        sys.exit(__doc__)
