#!/usr/bin/python3
"""A hand-written Python model sidecar, for the sidecar benchmark (sidecar.sh).

usage: sidecar_xgboost.py MODEL.json [ADDR:]PORT [--name NAME] [--id ID] [--nthread N]

The typical small inference sidecar: python3-xgboost behind the standard
library's http.server (ThreadingHTTPServer: one thread per connection,
HTTP/1.1 keep-alive).  Each request: json.loads the body, a numpy float64
array, Booster.inplace_predict, json.dumps the answer.  It speaks the subset
of the protocols of `fsscore --serve` (fsscore(1)) that `fsscore --endpoint`
uses, so the same client can be put in front of either server:

  POST /v2/models/NAME/infer    V2 (KServe / Open Inference Protocol): one
                                tensor [N,F] (flat or nested, the model's
                                feature order) or one tensor per feature
                                ([N] or [N,1]); null = missing
  POST /v1/models/NAME:predict  TF Serving: {"instances":[[...]|{...},...]}
                                or {"inputs":[[...],...]|{F:[...],...}}
  GET  /v2/models/NAME, /v1/models/NAME/metadata, /v2/health/live,
       /v2/health/ready, /v2/models/NAME/ready

NAME defaults to the model file's name without its extension; ID (the
answers' model_version) to "1".  nthread defaults to 1 (one core, as the
rest of the benchmark).  On start it prints `listening on http://ADDR:PORT`
on stderr (PORT 0 = a free port); SIGTERM or SIGINT stop it.

Two things a careful hand-written sidecar does and this one does too: it
does not log every request to stderr, and it sets TCP_NODELAY
(disable_nagle_algorithm), without which the header and body writes of an
answer meet the client's delayed ACK and an answer can wait 40 ms.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import xgboost as xgb


class BadRequest(Exception):
    pass


def usage():
    sys.exit(__doc__.split("\n\n")[1])


args = [a for a in sys.argv[1:]]
opts = {"--name": None, "--id": "1", "--nthread": "1"}
pos = []
while args:
    a = args.pop(0)
    if a in opts:
        if not args:
            usage()
        opts[a] = args.pop(0)
    elif a.startswith("-"):
        usage()
    else:
        pos.append(a)
if len(pos) != 2:
    usage()
MODEL, LISTEN = pos
NAME = opts["--name"] or os.path.splitext(os.path.basename(MODEL))[0]
VERSION = opts["--id"]
host, _, port = LISTEN.rpartition(":")
host = host or "127.0.0.1"

booster = xgb.Booster(model_file=MODEL)
booster.set_param({"nthread": int(opts["--nthread"])})
FEATURES = booster.feature_names
if not FEATURES:
    sys.exit("sidecar_xgboost.py: %s has no feature names" % MODEL)
NF = len(FEATURES)
INDEX = {f: i for i, f in enumerate(FEATURES)}

V2_META = json.dumps({
    "name": NAME, "versions": [VERSION], "platform": "xgboost",
    "inputs": [{"name": f, "datatype": "FP64", "shape": [-1]} for f in FEATURES],
    "outputs": [{"name": "score", "datatype": "FP64", "shape": [-1]}]}).encode()
TF_META = json.dumps({
    "model_spec": {"name": NAME, "signature_name": "", "version": "1"},
    "metadata": {"signature_def": {"signature_def": {"serving_default": {
        "inputs": {f: {"dtype": "DT_DOUBLE", "tensor_shape": {"dim": [{"size": "-1"}]}, "name": f}
                   for f in FEATURES},
        "outputs": {"score": {"dtype": "DT_DOUBLE", "tensor_shape": {"dim": [{"size": "-1"}]},
                              "name": "score"}},
        "method_name": "tensorflow/serving/predict"}}}}}).encode()


def matrix(rows):
    """A float64 [N,F] array from a nested list (None = NaN)."""
    try:
        x = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise BadRequest("values must be numbers or null: %s" % e)
    if x.ndim == 1 and x.size == 0:
        x = x.reshape(0, NF)
    if x.ndim != 2 or x.shape[1] != NF:
        raise BadRequest("rows of %d values expected, got shape %s" % (NF, list(x.shape)))
    return x


def columns(cols, n):
    """A float64 [N,F] array from {feature: list of N values}."""
    x = np.full((n, NF), np.nan)
    for f, v in cols.items():
        if f not in INDEX:
            raise BadRequest("unknown feature %r" % f)
        try:
            x[:, INDEX[f]] = np.array(v, dtype=np.float64).reshape(n)
        except (TypeError, ValueError) as e:
            raise BadRequest("feature %r: %s" % (f, e))
    return x


def v2_infer(req):
    inputs = req.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise BadRequest("no inputs")
    if len(inputs) == 1 and len(inputs[0].get("shape", [])) == 2 and inputs[0]["shape"][1] == NF \
            and inputs[0].get("name") not in INDEX:
        t = inputs[0]
        try:
            x = np.array(t["data"], dtype=np.float64).reshape(t["shape"])
        except (TypeError, ValueError) as e:
            raise BadRequest("inputs[0]: %s" % e)
    else:
        n = inputs[0]["shape"][0]
        x = columns({t["name"]: t["data"] for t in inputs}, n)
    s = booster.inplace_predict(x) if len(x) else np.zeros(0)
    out = {"model_name": NAME, "model_version": VERSION,
           "outputs": [{"name": "score", "datatype": "FP64", "shape": [len(s)],
                        "data": s.tolist()}]}
    if "id" in req:
        out["id"] = req["id"]
    return out


def tf_predict(req):
    if "instances" in req:
        rows, key = req["instances"], "predictions"
        if rows and isinstance(rows[0], dict):
            x = np.full((len(rows), NF), np.nan)
            for i, r in enumerate(rows):
                for f, v in r.items():
                    if f not in INDEX:
                        raise BadRequest("unknown feature %r" % f)
                    x[i, INDEX[f]] = np.nan if v is None else float(v)
        else:
            x = matrix(rows)
    elif "inputs" in req:
        key = "outputs"
        if isinstance(req["inputs"], dict):
            cols = req["inputs"]
            n = len(next(iter(cols.values()))) if cols else 0
            x = columns(cols, n)
        else:
            x = matrix(req["inputs"])
    else:
        raise BadRequest("no instances or inputs")
    s = booster.inplace_predict(x) if len(x) else np.zeros(0)
    return {key: s.tolist()}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def answer(self, code, body):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        if p in ("/v2/health/live", "/v2/health/ready"):
            self.answer(200, {p.rsplit("/", 1)[1]: True})
        elif p == "/v2/models/" + NAME:
            self.answer(200, V2_META)
        elif p == "/v2/models/%s/ready" % NAME:
            self.answer(200, {"name": NAME, "ready": True})
        elif p == "/v1/models/%s/metadata" % NAME:
            self.answer(200, TF_META)
        else:
            self.answer(404, {"error": "no such path: " + p})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        p = self.path
        if p == "/v2/models/%s/infer" % NAME or p == "/v2/models/%s/versions/%s/infer" % (NAME, VERSION):
            f = v2_infer
        elif p == "/v1/models/%s:predict" % NAME:
            f = tf_predict
        else:
            self.answer(404, {"error": "no such path: " + p})
            return
        try:
            self.answer(200, f(json.loads(body)))
        except (BadRequest, ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
            self.answer(400, {"error": str(e) or type(e).__name__})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def stop(*_):
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
srv = Server((host.strip("[]"), int(port)), Handler)
sys.stderr.write("sidecar_xgboost.py: serving %s: %s (xgboost %s, nthread %s)\n"
                 % (NAME, MODEL, xgb.__version__, opts["--nthread"]))
sys.stderr.write("sidecar_xgboost.py: listening on http://%s:%d\n" % (host, srv.server_address[1]))
sys.stderr.flush()
srv.serve_forever()
