#!/usr/bin/python3
"""tests/sidecar/endpoint_server.py: a minimal model server for testing
`fsscore --endpoint`, written with Python's standard library alone and
independent of fstools' C code.

It serves ONE fstools linear model, computed here in Python:
    input_i = ((x_i if present else impute_i) - center_i) / scale_i
    z = intercept + sum of w_i * input_i, in the file's weight order
    score = logistic(z) or z (identity link)
over the KServe V2 REST protocol (GET /v2/models/NAME, POST
/v2/models/NAME/infer with one [N,F] tensor or one tensor per feature) and
TF Serving's (POST /v1/models/NAME:predict with "instances" or "inputs",
GET /v1/models/NAME/metadata). HTTP/1.1, so connections are kept alive.

    endpoint_server.py --model lin.json [--name NAME] [--port P] [--port-file F]
                       [--version-id ID | --no-version] [--log FILE]
                       [--delay-ms D | --delay-ms LO:HI] [--fail-first N]
                       [--fail-status CODE] [--status-every K:CODE]
                       [--garbage] [--short] [--die-after N] [--close-every K]
    endpoint_server.py --model lin.json --score [--from PATH] EVENTS.ndjson

Faults (they apply to inference requests only, numbered from 1 as they
arrive): --delay-ms sleeps before answering (LO:HI: a random time in that
range for each request); --fail-first answers the first N with
--fail-status (default 503); --status-every K:CODE answers every K-th with
CODE; --garbage answers 200 with a body that is not JSON; --short answers
one score fewer than the rows asked for; --die-after N answers N requests
and exits (status 3) without a word on the next one (once the first N
answers are out); --close-every K closes the connection after every K-th
answer ("Connection: close").

--log FILE appends, for each inference request, a line when it arrives
    req SEQ rows=N form=named|positional proto=v2|tf port=CLIENT_PORT t=SECONDS
and one when it is answered
    done SEQ code=STATUS t=SECONDS

--score prints, for each line of EVENTS, {"line":N,"score":S} (or
{"line":N,"reject":true} for a value fsscore would reject), reading the
features as fsscore does: numbers, numeric strings, true/false as 1/0,
null or absent as missing.
"""
import argparse
import json
import math
import os
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BadRequest(Exception):
    pass


class Linear:
    def __init__(self, path):
        with open(path) as f:
            m = json.load(f)
        if m.get("format") != "fstools-linear":
            raise SystemExit(f"{path}: not an fstools-linear model")
        self.logistic = m["link"] == "logistic"
        self.intercept = float(m["intercept"])
        self.names = list(m["weights"])           # the file's order
        self.w = [float(m["weights"][n]) for n in self.names]
        center, scale, impute = m.get("center", {}), m.get("scale", {}), m.get("impute", {})
        self.center = [float(center.get(n, 0)) for n in self.names]
        self.scale = [float(scale.get(n, 1)) for n in self.names]
        self.impute = [float(impute.get(n, center.get(n, 0))) for n in self.names]

    def score(self, row):
        """row: one value (float or None) per feature, in model order."""
        z = self.intercept
        for i, x in enumerate(row):
            v = self.impute[i] if x is None else x
            z += self.w[i] * ((v - self.center[i]) / self.scale[i])
        if not self.logistic:
            return z
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def value(v, where):
    """A request's value: a number, true/false as 1/0, null as missing."""
    if v is None:
        return None
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    raise BadRequest(f"{where} is {json.dumps(v)}, not a number")


def flatten(d):
    out = []
    for v in d:
        if isinstance(v, list):
            out.extend(flatten(v))
        else:
            out.append(v)
    return out


def v2_rows(model, req):
    """V2 infer body -> (rows, form)."""
    inputs = req.get("inputs") if isinstance(req, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise BadRequest("no \"inputs\" array")
    F = len(model.names)
    t0 = inputs[0]
    shape = t0.get("shape") if isinstance(t0, dict) else None
    if len(inputs) == 1 and t0.get("name") not in model.names and isinstance(shape, list) \
            and len(shape) == 2:
        n, f = shape
        if f != F:
            raise BadRequest(f"inputs[0].shape {shape}: the model has {F} features")
        data = flatten(t0.get("data", []))
        if len(data) != n * f:
            raise BadRequest(f"inputs[0].data has {len(data)} values, shape {shape} needs {n * f}")
        return [[value(data[r * F + c], f"inputs[0].data[{r * F + c}]") for c in range(F)]
                for r in range(n)], "positional"
    cols, n = {}, None
    for k, t in enumerate(inputs):
        name = t.get("name") if isinstance(t, dict) else None
        if name not in model.names:
            raise BadRequest(f"inputs[{k}].name {json.dumps(name)} is not a feature of the model")
        data = flatten(t.get("data", []))
        if n is not None and len(data) != n:
            raise BadRequest(f"inputs[{k}] has {len(data)} values, inputs[0] {n}")
        n = len(data)
        cols[name] = [value(v, f"inputs[{k}].data[{i}]") for i, v in enumerate(data)]
    return [[cols[f][r] if f in cols else None for f in model.names] for r in range(n)], "named"


def tf_rows(model, req):
    """TF Serving predict body -> (rows, form, key of the answer)."""
    if not isinstance(req, dict):
        raise BadRequest("the body is not an object")
    if "instances" in req:
        rows, key = req["instances"], "predictions"
    elif "inputs" in req:
        rows, key = req["inputs"], "outputs"
    else:
        raise BadRequest("neither \"instances\" nor \"inputs\"")
    if isinstance(rows, dict):      # columns by feature name
        n = len(next(iter(rows.values()), []))
        rows = [{f: col[r] for f, col in rows.items()} for r in range(n)]
    if not isinstance(rows, list):
        raise BadRequest(f"\"{key}\" rows are not a list")
    out, form = [], None
    for r, row in enumerate(rows):
        if isinstance(row, list):
            if len(row) != len(model.names):
                raise BadRequest(f"row {r} has {len(row)} values, the model {len(model.names)}")
            out.append([value(v, f"row {r}[{c}]") for c, v in enumerate(row)])
            form = "positional"
        elif isinstance(row, dict):
            for f in row:
                if f not in model.names:
                    raise BadRequest(f"row {r}: {json.dumps(f)} is not a feature of the model")
            out.append([value(row.get(f), f"row {r}.{f}") for f in model.names])
            form = "named"
        else:
            raise BadRequest(f"row {r} is neither a list nor an object")
    return out, form or "positional", key


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, opts, model):
        super().__init__(addr, Handler)
        self.opts, self.model = opts, model
        self.lock = threading.Lock()
        self.seq = self.answered = 0
        self.logf = open(opts.log, "a", buffering=1) if opts.log else None

    def log(self, line):
        if self.logf:
            with self.lock:
                self.logf.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms stall between headers and body

    def log_message(self, *args):    # quiet
        pass

    def answer(self, code, body, ctype="application/json", close=False):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size + 2)[:size]
                if size == 0:
                    return data
                data += chunk
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def name_ok(self, name):
        if name != self.server.opts.name:
            self.answer(404, {"error": f"model {json.dumps(name)} is not served here; "
                                       f"served: {self.server.opts.name}"})
            return False
        return True

    def do_GET(self):
        o, m = self.server.opts, self.server.model
        p = self.path
        if p == "/v2/health/live":
            return self.answer(200, {"live": True})
        if p == "/v2/health/ready":
            return self.answer(200, {"ready": True})
        g = re.fullmatch(r"/v2/models/([^/]+)(/ready)?", p)
        if g and self.name_ok(g.group(1)):
            if g.group(2):
                return self.answer(200, {"name": o.name, "ready": True})
            return self.answer(200, {
                "name": o.name, "versions": [o.version_id], "platform": "fstools-linear",
                "inputs": [{"name": f, "datatype": "FP64", "shape": [-1]} for f in m.names],
                "outputs": [{"name": "score", "datatype": "FP64", "shape": [-1]}]})
        g = re.fullmatch(r"/v1/models/([^/]+)(/metadata)?", p)
        if g and self.name_ok(g.group(1)):
            if not g.group(2):
                return self.answer(200, {"model_version_status": [{
                    "version": "1", "state": "AVAILABLE",
                    "status": {"error_code": "OK", "error_message": ""}}]})
            tensor = {"dtype": "DT_DOUBLE", "tensor_shape": {"dim": [{"size": "-1"}]}}
            sig = {"inputs": {f: dict(tensor, name=f) for f in m.names},
                   "outputs": {"score": dict(tensor, name="score")},
                   "method_name": "tensorflow/serving/predict"}
            return self.answer(200, {
                "model_spec": {"name": o.name, "signature_name": "", "version": "1"},
                "metadata": {"signature_def": {"signature_def": {"serving_default": sig}}}})
        if not g:
            self.answer(404, {"error": f"no such path: {p}"})

    def do_POST(self):
        o, m, srv = self.server.opts, self.server.model, self.server
        raw = self.body()
        g2 = re.fullmatch(r"/v2/models/([^/]+)(?:/versions/([^/]+))?/infer", self.path)
        g1 = re.fullmatch(r"/v1/models/([^/:]+):predict", self.path)
        if not g2 and not g1:
            return self.answer(404, {"error": f"no such path: {self.path}"})
        if not self.name_ok((g2 or g1).group(1)):
            return
        with srv.lock:
            srv.seq += 1
            seq = srv.seq
        try:
            req = json.loads(raw)
            if g2:
                rows, form = v2_rows(m, req)
            else:
                rows, form, key = tf_rows(m, req)
        except (ValueError, BadRequest, AttributeError, TypeError) as e:
            srv.log(f"req {seq} rows=0 form=bad proto={'v2' if g2 else 'tf'} "
                    f"port={self.client_address[1]} t={time.time():.6f}")
            self.answer(400, {"error": str(e)})
            srv.log(f"done {seq} code=400 t={time.time():.6f}")
            with srv.lock:
                srv.answered += 1
            return
        srv.log(f"req {seq} rows={len(rows)} form={form} proto={'v2' if g2 else 'tf'} "
                f"port={self.client_address[1]} t={time.time():.6f}")
        if o.die_after is not None and seq > o.die_after:
            # let the first N answers go out (2 s at most), then die
            for _ in range(200):
                with srv.lock:
                    if srv.answered >= o.die_after:
                        break
                time.sleep(0.01)
            srv.log(f"die {seq}")
            os._exit(3)
        if o.delay_ms:
            lo, _, hi = o.delay_ms.partition(":")
            time.sleep((random.uniform(float(lo), float(hi)) if hi else float(lo)) / 1000)
        code = 200
        if seq <= o.fail_first:
            code = o.fail_status
        elif o.status_every and seq % o.status_every[0] == 0:
            code = o.status_every[1]
        if code != 200:
            self.answer(code, {"error": f"request {seq}: failing on purpose ({code})"})
        elif o.garbage:
            self.answer(200, b"<html>this is not JSON</html>", "text/html")
        else:
            scores = [m.score(r) for r in rows]
            if o.short:
                scores = scores[:-1]
            if g2:
                res = {"model_name": o.name}
                if not o.no_version:
                    res["model_version"] = o.version_id
                if isinstance(req, dict) and "id" in req:
                    res["id"] = req["id"]
                res["outputs"] = [{"name": "score", "datatype": "FP64",
                                   "shape": [len(scores)], "data": scores}]
            else:
                res = {key: scores}
            self.answer(200, res, close=bool(o.close_every) and seq % o.close_every == 0)
        srv.log(f"done {seq} code={code} t={time.time():.6f}")
        with srv.lock:
            srv.answered += 1


def event_number(v):
    """A value as fsscore reads a feature: None for missing; raises on a reject."""
    if v is None or isinstance(v, (bool, int, float)):
        return value(v, "")
    if isinstance(v, str) and re.fullmatch(r"-?(?=\.?[0-9])[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?", v):
        x = float(v)
        if math.isfinite(x):
            return x
    raise BadRequest(v)


def score_file(model, path, frm):
    for n, line in enumerate(open(path), 1):
        ev = json.loads(line)
        obj = ev
        for k in ([] if frm == "." else frm.split(".")):
            obj = obj.get(k) if isinstance(obj, dict) else None
        try:
            if not isinstance(obj, dict):
                raise BadRequest(frm)
            row = [event_number(obj.get(f)) for f in model.names]
            print(json.dumps({"line": n, "score": model.score(row)}))
        except BadRequest:
            print(json.dumps({"line": n, "reject": True}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--name")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--version-id")
    ap.add_argument("--no-version", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--delay-ms")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--fail-status", type=int, default=503)
    ap.add_argument("--status-every", type=lambda s: tuple(int(x) for x in s.split(":")))
    ap.add_argument("--garbage", action="store_true")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--die-after", type=int)
    ap.add_argument("--close-every", type=int)
    ap.add_argument("--score", metavar="EVENTS")
    ap.add_argument("--from", dest="frm", default="features")
    o = ap.parse_args()
    model = Linear(o.model)
    if o.score:
        return score_file(model, o.score, o.frm)
    o.name = o.name or os.path.splitext(os.path.basename(o.model))[0]
    o.version_id = o.version_id or o.name + "@python"
    srv = Server(("127.0.0.1", o.port), o, model)
    port = srv.server_address[1]
    if o.port_file:
        with open(o.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.rename(o.port_file + ".tmp", o.port_file)
    print(f"endpoint_server: listening on http://127.0.0.1:{port}", file=sys.stderr, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
