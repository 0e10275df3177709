#!/usr/bin/python3
"""fsscore's A/B split (--challenger, --split) checked against its rule,
transcribed here with python3-xxhash.

The rule: an event's split key (--split-key FIELD, or the Kafka message key
@key with --kcat) is hashed as text (a string's characters without the
quotes, as UTF-8; an integer as written; true/false) with XXH64 and the seed
--split-seed (default 0); u = (XXH64(key, seed) >> 11) / 2**53, and the event
goes to the challenger when u < FRACTION, else to the champion. The arm's
model scores it: "score" (and "flag" with --threshold), "model" (that
model's id), then "arm".

Generates 100,000 distinct entities, each with a string key and an integer
key, plus repeat events of some of them, and two fstools-linear models that
score differently. Checks every event's arm against the rule (seeds 0, 7 and
2**63-1, fractions 0.2 and 0.3, string and integer keys), the challenger's
share against a 5-sigma binomial bound, that another seed switches about
2f(1-f) of the entities, that 0.2 -> 0.3 only moves champion entities to the
challenger, and that each event's score and model are those fsscore --model
gives with its arm's model alone. Also: --threshold, --shadow, --batch,
keys that are non-ASCII, escaped, large or negative integers and booleans,
missing/null/object keys rejected ("bad key"), --kcat's @key by default,
--split 0 and 1, and the refused combinations. Prints TAP.
"""
import argparse
import json
import math
import os
import re
import subprocess

import numpy as np
import xxhash

results = []
N = 100_000
F = 0.2


def report(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def u_of(key_text, seed=0):
    return (xxhash.xxh64_intdigest(key_text.encode("utf-8"), seed) >> 11) / 2**53


def arm_of(key_text, fraction, seed=0):
    return "challenger" if u_of(key_text, seed) < fraction else "champion"


def key_text(v):
    """The bytes the spec hashes, for a JSON value as Python decoded it (the
    integers here are written by json.dumps as Python prints them)."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    return v


class Run:
    def __init__(self, args, name, argv, inp=None, timeout=60):
        self.name = name
        errs = os.path.join(args.workdir, name + ".errors")
        self.argv = [args.fsscore, *argv]
        if "--errors" not in argv:
            self.argv[1:1] = ["--errors", errs]
        try:
            p = subprocess.run(self.argv, capture_output=True, text=True, timeout=timeout, input=inp)
            self.rc, self.stdout, self.stderr = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            self.rc, self.stdout, self.stderr = "timeout", e.stdout or "", e.stderr or ""
            if isinstance(self.stdout, bytes):
                self.stdout, self.stderr = self.stdout.decode(), self.stderr.decode() if self.stderr else ""
        self.recs, self.bad = [], []
        for line in self.stdout.splitlines():
            try:
                self.recs.append(json.loads(line))
            except ValueError:
                self.bad.append(line)
        self.rejects = []
        if os.path.exists(errs):
            with open(errs) as f:
                self.rejects = [json.loads(x) for x in f if x.strip()]
            os.unlink(errs)

    def fine(self, n):
        return self.rc == 0 and not self.bad and len(self.recs) == n

    def why(self):
        return (f"exit {self.rc}; {len(self.recs)} records, {len(self.bad)} unparsable; "
                f"stderr: {' | '.join(self.stderr.strip().splitlines()[:2])[:400]}; argv: {' '.join(self.argv[1:])}")


def linear(path, intercept, weights):
    with open(path, "w") as f:
        json.dump({"format": "fstools-linear", "version": 1, "link": "logistic", "intercept": intercept,
                   "weights": weights}, f)
    return path


def gen_entities(rng):
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789-_.:/ "))
    users = set()
    while len(users) < N:
        k = int(rng.integers(1, 24))
        s = "".join(rng.choice(alphabet, k))
        if rng.random() < 0.5:
            s = f"user-{len(users)}" + s
        users.add(s)
    users = list(users)
    rng.shuffle(users)
    uids = np.unique(rng.integers(-10**9, 10**9, int(N * 1.2)))
    uids = [int(x) for x in rng.permutation(uids)[:N]]
    return users, uids


def gen_events(rng, users, uids, repeats=10_000):
    idx = list(range(N)) + [int(i) for i in rng.integers(0, N, repeats)]
    rng.shuffle(idx)
    amount = np.round(rng.gamma(2, 40, len(idx)), 2)
    count = rng.integers(0, 30, len(idx))
    return [{"ev": n, "user": users[i], "uid": uids[i], "features": {"amount": float(amount[n]),
                                                                     "count": int(count[n])}}
            for n, i in enumerate(idx)]


def write(path, events, ensure_ascii=True):
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=ensure_ascii) + "\n")
    return path


def share_bound(p_hat, p, n, sigmas=5):
    sd = math.sqrt(p * (1 - p) / n)
    return abs(p_hat - p) <= sigmas * sd, sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsscore", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    wd = args.workdir
    if not os.access(args.fsscore, os.X_OK):
        print("1..1")
        print(f"not ok 1 - {args.fsscore} is built")
        return

    # the rule's transcription against XXH64's published test vectors
    report(xxhash.xxh64_intdigest(b"", 0) == 0xEF46DB3751D8E999
           and xxhash.xxh64_intdigest(b"a", 0) == 0xD24EC4F1A98C6E5B
           and xxhash.xxh64_intdigest(b"abc", 0) == 0x44BC2CF5AD770999,
           "python3-xxhash's XXH64 gives the reference digests of \"\", \"a\" and \"abc\"")

    rng = np.random.default_rng(20261114)
    users, uids = gen_entities(rng)
    events = gen_events(rng, users, uids)
    ev_path = write(os.path.join(wd, "events.ndjson"), events)
    champ = linear(os.path.join(wd, "champion.json"), -1.2, {"amount": 0.011, "count": 0.05})
    chal = linear(os.path.join(wd, "challenger.json"), 0.4, {"amount": -0.004, "count": -0.08})
    n_ev = len(events)
    report(len(set(users)) == N and len(set(uids)) == N and n_ev > N,
           f"data: {N} distinct entities, each with a string key (user) and an integer key (uid, negative ones "
           f"too), in {n_ev} events ({n_ev - N} repeat an entity)")

    # each model alone
    alone = {}
    for arm, model in (("champion", champ), ("challenger", chal)):
        r = Run(args, "alone-" + arm, ["--model", model, ev_path])
        alone[arm] = r.recs if r.fine(n_ev) else None
        if not r.fine(n_ev):
            report(False, f"fsscore --model {arm} alone scores every event", r.why())
    if alone["champion"] and alone["challenger"]:
        differ = sum(a["score"] != b["score"] for a, b in zip(alone["champion"], alone["challenger"]))
        ids = {alone["champion"][0]["model"], alone["challenger"][0]["model"]}
        report(differ > 0.99 * n_ev and len(ids) == 2,
               f"the champion and challenger models give different scores ({differ} of {n_ev} events) and ids "
               f"{sorted(ids)}")

    def split(name, key, fraction, seed=None, extra=(), path=ev_path, n=n_ev):
        argv = ["--model", champ, "--challenger", chal, "--split", str(fraction), "--split-key", key, *extra]
        if seed is not None:
            argv += ["--split-seed", str(seed)]
        r = Run(args, name, argv + [path])
        report(r.fine(n) and [o.get("ev") for o in r.recs] == list(range(n)) and not r.rejects,
               f"{name}: exits 0 and writes every event, in order", r.why())
        return r

    def arms_match(name, r, key, fraction, seed=0, evs=events):
        bad = []
        for e, o in zip(evs, r.recs):
            want = arm_of(key_text(e[key]), fraction, seed)
            if o.get("arm") != want:
                bad.append(f"event {e['ev']} {key}={json.dumps(e[key], ensure_ascii=False)}: arm {o.get('arm')!r}, "
                           f"expected {want} (u = {u_of(key_text(e[key]), seed)!r})")
        report(r.recs and len(r.recs) == len(evs) and not bad,
               f"{name}: every event's arm is \"challenger\" iff (XXH64({key}, seed {seed}) >> 11) / 2^53 < {fraction} "
               f"({len(evs)} events)", f"{len(bad)} differ: " + "; ".join(bad[:4]))
        return {key_text(e[key]): o.get("arm") for e, o in zip(evs, r.recs)}

    def share(name, arms, p, what="challenger"):
        n = len(arms)
        k = sum(a == what for a in arms.values())
        ok, sd = share_bound(k / n, p, n)
        report(ok, f"{name}: the challenger's share of the {n} entities, {k / n:.4f}, is within 5 sigma "
               f"({5 * sd:.4f}) of {p}", f"{k} of {n}")

    # --- string keys, fraction 0.2, seed 0
    r = split("split-0.2-user", "user", F)
    a_user = arms_match("split-0.2-user", r, "user", F)
    share("split-0.2-user", a_user, F)
    if r.recs:
        # the arm's model's score and id, exactly as fsscore --model with that model alone
        bad, cnt = [], {"champion": 0, "challenger": 0}
        for e, o in zip(events, r.recs):
            arm = o.get("arm")
            if arm not in cnt or not alone.get(arm):
                bad.append(f"event {e['ev']}: arm {arm!r}")
                continue
            cnt[arm] += 1
            ref = alone[arm][e["ev"]]
            if o.get("score") != ref["score"] or o.get("model") != ref["model"]:
                bad.append(f"event {e['ev']} ({arm}): score {o.get('score')!r}, model {o.get('model')!r}; "
                           f"alone: {ref['score']!r}, {ref['model']!r}")
        report(not bad, f"split-0.2-user: each event's score and model are its arm's model's, equal to "
               f"fsscore --model on that model alone ({cnt['champion']} champion, {cnt['challenger']} challenger)",
               f"{len(bad)} differ: " + "; ".join(bad[:4]))
        bad = []
        for e, o in zip(events, r.recs):
            keys = list(o)
            want_prefix = list(e)
            if keys[:len(want_prefix)] != want_prefix or keys[len(want_prefix):] != ["score", "model", "arm"]:
                bad.append(f"event {e['ev']}: {keys}")
        report(not bad, "split-0.2-user: the event's members, then \"score\", \"model\", \"arm\" (nothing else)",
               "; ".join(bad[:3]))
        seen, bad = {}, 0
        for e, o in zip(events, r.recs):
            bad += seen.setdefault(e["user"], o.get("arm")) != o.get("arm")
        report(bad == 0, f"split-0.2-user: the {n_ev - N} repeat events of an entity get its arm again",
               f"{bad} differ")

    # --- integer keys
    r = split("split-0.2-uid", "uid", F)
    a_uid = arms_match("split-0.2-uid", r, "uid", F)
    share("split-0.2-uid", a_uid, F)

    # --- another seed
    r7 = split("split-0.2-seed7", "user", F, seed=7)
    a7 = arms_match("split-0.2-seed7", r7, "user", F, seed=7)
    if a7 and a_user and len(a7) == len(a_user) == N:
        sw = sum(a7[k] != a_user[k] for k in a_user) / N
        p = 2 * F * (1 - F)
        ok, sd = share_bound(sw, p, N)
        report(ok, f"split-0.2-seed7: --split-seed 7 switches the arm of {sw:.4f} of the entities, within 5 sigma "
               f"({5 * sd:.4f}) of 2f(1-f) = {p:.2f}")
    else:
        report(False, "split-0.2-seed7: --split-seed 7 switches about 2f(1-f) of the entities", "no arms to compare")
    r7u = split("split-0.2-seed7-uid", "uid", F, seed=7)
    arms_match("split-0.2-seed7-uid", r7u, "uid", F, seed=7)
    rbig = split("split-0.2-seed-2^63-1", "user", F, seed=2**63 - 1)
    arms_match("split-0.2-seed-2^63-1", rbig, "user", F, seed=2**63 - 1)
    # fsscore(1): the seed is a whole number from 0 to 2^63-1
    part = events[:20000]
    ppath = write(os.path.join(wd, "part.ndjson"), part)
    rmax = Run(args, "split-seed-2^63", ["--model", champ, "--challenger", chal, "--split", str(F),
                                         "--split-key", "user", "--split-seed", str(2**63), ppath])
    report(rmax.rc == 64 and not rmax.recs,
           "split-seed-2^63: a --split-seed past the documented 0 .. 2^63-1 is a usage error (64)", rmax.why())

    # --- ramp 0.2 -> 0.3
    r3 = split("split-0.3-user", "user", 0.3)
    a3 = arms_match("split-0.3-user", r3, "user", 0.3)
    if a3 and a_user and len(a3) == len(a_user) == N:
        back = sum(a_user[k] == "challenger" and a3[k] != "challenger" for k in a_user)
        moved = sum(a_user[k] == "champion" and a3[k] == "challenger" for k in a_user)
        ok, sd = share_bound(moved / N, 0.1, N)
        report(back == 0 and ok,
               f"split-0.3-user: raising --split from 0.2 to 0.3 keeps every challenger entity a challenger and moves "
               f"{moved / N:.4f} of the entities from champion to challenger (within 5 sigma of 0.1)",
               f"{back} went back to the champion")
    else:
        report(False, "split-0.3-user: raising --split from 0.2 to 0.3 only moves champion entities", "no arms")
    r3u = split("split-0.3-uid", "uid", 0.3)
    a3u = arms_match("split-0.3-uid", r3u, "uid", 0.3)
    if a3u and a_uid and len(a3u) == len(a_uid) == N:
        back = sum(a_uid[k] == "challenger" and a3u[k] != "challenger" for k in a_uid)
        report(back == 0, "split-0.3-uid: raising --split from 0.2 to 0.3 moves no integer-keyed challenger entity "
               "back to the champion", f"{back} went back")

    # --- 0 and 1
    for f, want in ((0, "champion"), (1, "challenger")):
        r = split(f"split-{f}", "user", f)
        k = sum(o.get("arm") == want for o in r.recs)
        report(r.recs and k == n_ev, f"split-{f}: --split {f} sends every event to the {want}", f"{k} of {len(r.recs)}")

    # --- --threshold, --shadow, --batch on a slice
    r = split("split-threshold", "user", F, extra=["--threshold", "0.3"], path=ppath, n=len(part))
    arms_match("split-threshold", r, "user", F, evs=part)
    bad = [o for o in r.recs if o.get("flag") is not (o.get("score", -1) >= 0.3)
           or list(o)[-4:] != ["score", "flag", "model", "arm"]]
    report(r.recs and not bad, "split-threshold: \"flag\" is score >= 0.3 for the arm's score, written between "
           "\"score\" and \"model\", before \"arm\"", json.dumps(bad[:2]))
    shadow = linear(os.path.join(wd, "shadow.json"), -0.3, {"amount": 0.002, "count": 0.01})
    rs = Run(args, "alone-shadow", ["--model", shadow, ppath])
    r = split("split-shadow", "user", F, extra=["--shadow", shadow], path=ppath, n=len(part))
    arms_match("split-shadow", r, "user", F, evs=part)
    if rs.fine(len(part)) and r.recs:
        bad = [(o.get("ev"), o.get("score_shadow"), s["score"]) for o, s in zip(r.recs, rs.recs)
               if o.get("score_shadow") != s["score"] or o.get("model_shadow") != s["model"]]
        bad += [(o.get("ev"), o.get("score"), alone["champion"][o["ev"]]["score"]) for o in r.recs
                if alone.get(o.get("arm")) and o.get("score") != alone[o["arm"]][o["ev"]]["score"]]
        report(not bad, f"split-shadow: --shadow adds score_shadow/model_shadow of the shadow model on every event "
               f"of either arm, and score stays the arm's ({len(part)} events)", str(bad[:3]))
    else:
        report(False, "split-shadow: --shadow adds score_shadow/model_shadow on every event", rs.why())
    r1 = split("split-batch-reference", "user", F, path=ppath, n=len(part))
    rb = split("split-batch", "user", F, extra=["--batch", "64"], path=ppath, n=len(part))
    report(rb.recs and rb.stdout == r1.stdout, "split-batch: --batch 64 writes the same bytes as one event a pass",
           f"{sum(a != b for a, b in zip(rb.stdout.splitlines(), r1.stdout.splitlines()))} lines differ")

    # --- keys of every kind, under 12 seeds at 1/2 (a wrong hash passes one by chance 1 in 4096)
    odd = ["é", "日本語のキー", "ключ", "a\"b\\c", "tab\there", "emoji \U0001F600", "", " ", "0", "-1",
           "1e3", "null", "true"]
    odd_ints = [0, -1, 7, -123456789, 2**53 + 1, 10**18, -(2**63), 2**63 - 1]
    kev = [{"ev": i, "k": v, "features": {"amount": 1.0, "count": 1}} for i, v in
           enumerate(odd + odd_ints + [True, False])]
    lines_raw = [json.dumps(e, ensure_ascii=False) for e in kev]
    lines_esc = [json.dumps(e, ensure_ascii=True) for e in kev]
    kpath = os.path.join(wd, "keys.ndjson")
    with open(kpath, "w", encoding="utf-8") as f:
        f.write("\n".join(lines_raw + lines_esc) + "\n")
    kev2 = kev + [dict(e, ev=e["ev"] + len(kev)) for e in kev]
    bad, runs_ok = [], True
    for seed in range(12):
        r = Run(args, f"keys-seed{seed}", ["--model", champ, "--challenger", chal, "--split", "0.5",
                                           "--split-key", "k", "--split-seed", str(seed), kpath])
        if not r.fine(len(kev2)):
            runs_ok = False
            bad.append(r.why())
            break
        for e, o in zip(kev2, r.recs):
            want = arm_of(key_text(e["k"]), 0.5, seed)
            if o.get("arm") != want:
                bad.append(f"seed {seed}: {json.dumps(e['k'], ensure_ascii=False)} "
                           f"({'escaped' if e['ev'] >= len(kev) else 'raw UTF-8'}): {o.get('arm')}, expected {want}")
    report(runs_ok and not bad,
           "keys: a string hashes as its UTF-8 characters without quotes (raw or \\u-escaped, \"\" included), an "
           "integer as written (2^53+1, 10^18, -2^63, 2^63-1), true/false as such: arms equal the rule under "
           "seeds 0-11",
           "; ".join(bad[:6]))

    # --- keys that cannot split: rejected as bad key, the rest scored
    rej_ev = [{"ev": 0, "k": "fine", "features": {"amount": 1.0}},
              {"ev": 1, "features": {"amount": 1.0}},
              {"ev": 2, "k": None, "features": {"amount": 1.0}},
              {"ev": 3, "k": {"a": 1}, "features": {"amount": 1.0}},
              {"ev": 4, "k": 12, "features": {"amount": 1.0}}]
    rpath = write(os.path.join(wd, "reject.ndjson"), rej_ev)
    r = Run(args, "keys-rejected", ["--model", champ, "--challenger", chal, "--split", "0.2", "--split-key", "k",
                                    rpath])
    lines = sorted(x.get("line") for x in r.rejects)
    cats = dict((k, int(n)) for n, k in re.findall(r"(\d+) bad (\w+)", r.stderr))
    report(r.rc == 0 and [o.get("ev") for o in r.recs] == [0, 4] and lines == [2, 3, 4] and cats == {"key": 3},
           "keys-rejected: a missing, null or object split key is rejected (\"bad key\", lines 2-4); the others "
           "are scored", f"{r.why()}; rejected lines {lines}; summary {cats}")

    # --- --kcat: the message key by default
    kc = []
    for i, e in enumerate(events[:5000]):
        key = None if i % 997 == 3 else e["user"]
        kc.append({"topic": "tx", "partition": i % 3, "offset": i, "tstype": "create", "ts": 1700000000000 + i,
                   "broker": 0, "key": key, "payload": json.dumps(e)})
    kcpath = write(os.path.join(wd, "kcat.ndjson"), kc)
    r = Run(args, "kcat", ["--kcat", "--model", champ, "--challenger", chal, "--split", str(F), kcpath])
    keep = [(c, e) for c, e in zip(kc, events[:5000]) if c["key"] is not None]
    bad = [f"offset {c['offset']}: {o.get('arm')}" for (c, e), o in zip(keep, r.recs)
           if o.get("arm") != arm_of(c["key"], F) or o.get("ev") != e["ev"]]
    nnull = len(kc) - len(keep)
    report(r.rc == 0 and len(r.recs) == len(keep) and not bad and len(r.rejects) == nnull,
           f"kcat: with --kcat the split key defaults to @key, the message key: arms equal the rule; "
           f"{nnull} null keys rejected", f"{r.why()}; {len(r.rejects)} rejected; " + "; ".join(bad[:4]))

    # --- usage
    r = Run(args, "no-split-key", ["--model", champ, "--challenger", chal, "--split", "0.2", ppath])
    report(r.rc == 64 and not r.recs, "usage: --split without --split-key (and no --kcat) is a usage error (64)",
           r.why())
    lab = write(os.path.join(wd, "learn.ndjson"), [{"user": "a", "y": 1, "features": {"amount": 1.0}}])
    for name, argv in (
            ("--learn", ["--learn", "--label", "y", "--model", champ, "--challenger", chal, "--split", "0.2",
                         "--split-key", "user", lab]),
            ("--endpoint", ["--endpoint", "http://127.0.0.1:9/v2/models/m/infer", "--features", "amount",
                            "--challenger", chal, "--split", "0.2", "--split-key", "user", lab]),
            ("--serve", ["--serve", "127.0.0.1:0", "--model", champ, "--challenger", chal, "--split", "0.2",
                         "--split-key", "user"])):
        r = Run(args, "refused" + name, argv, timeout=10)
        report(r.rc == 64 and not r.recs, f"usage: --challenger/--split with {name} is refused (64)", r.why())

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if detail and not ok:
            for line in str(detail).splitlines():
                print(f"# {line}")


if __name__ == "__main__":
    main()
