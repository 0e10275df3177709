#!/usr/bin/python3
"""tests/online/expect.py: what the online store must hold after offline rows.

Reads offline-store rows (fsfeat --rows / --emit rows lines) and prints, for
every key, the hash its last row gives, in redis_dump's form: sorted
"KEY<TAB>FIELD<TAB>VALUE" lines. Values are the rows' own JSON texts (numbers
are kept as written, null as null); @time is the key's latest time in RFC
3339 with nine fractional digits. Written from the layout in fstools(7),
independently of the C code.

usage: expect.py PREFIX KEYFIELD[,KEYFIELD] [TIMEFIELD] < rows
"""
import datetime
import json
import sys


def rfc3339_fixed(text):
    """'2024-01-01T00:00:03Z' or '...03.25+01:00' -> UTC with 9 digits."""
    s = text.replace("z", "Z").replace("t", "T")
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    frac = "0"
    head, sep, rest = s.partition(".")
    if sep:
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, tz = rest[:i], rest[i:]
        s = head + tz
    dt = datetime.datetime.fromisoformat(s).astimezone(datetime.timezone.utc)
    ns = int((frac + "000000000")[:9])
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % ns


def main():
    prefix, keys = sys.argv[1], sys.argv[2].split(",")
    tfield = sys.argv[3] if len(sys.argv) > 3 else "ts"
    last, latest = {}, {}
    for line in sys.stdin:
        row = json.loads(line, parse_float=str, parse_int=str)
        key = prefix + ":".join(str(row[k]) for k in keys)
        t = rfc3339_fixed(row[tfield])
        last[key] = row["features"]
        # an out-of-order row keeps its key's latest time
        latest[key] = max(latest.get(key, t), t)
    out = []
    for key, feats in last.items():
        out.append("%s\t@time\t%s" % (key, latest[key]))
        for name, value in feats.items():
            out.append("%s\t%s\t%s" % (key, name, "null" if value is None else value))
    for line in sorted(out):
        print(line)


main()
