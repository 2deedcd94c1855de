"""The Python peers of the scoring loop: what a Python engineer would write instead of batch-score.

lean (--processes 1): for each Silver data file, pyarrow reads each row group (user_id + features) → numpy
matrix → onnxruntime → and per file pyarrow writes the same Gold output columns (snappy). Library defaults for
threads (pyarrow's pool and onnxruntime use every core).
per core (--processes N): laid out as batch-score runs, N processes take units of 2 row groups from one queue,
onnxruntime on 1 thread each, one snappy Gold file per unit.

Prints one JSON line: seconds per stage (summed over processes), users/s, peak RSS (summed over processes).

Usage: python peer.py --model FILE --features a,b,... --out DIR [--processes N] FILE.parquet...
"""
import argparse
import datetime
import json
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.parquet as pq


SCORED_AT = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.timezone.utc)


def open_session(model, threads):
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    dtype = np.float64 if inp.type == "tensor(double)" else np.float32
    outputs = [o.name for o in sess.get_outputs()]
    return sess, inp.name, ("probabilities" if "probabilities" in outputs else outputs[-1]), dtype


def score_groups(s, pf, groups, features, out_path, names, stage):
    """Scores row groups of one file and writes one Gold file; returns (users, checksum)."""
    sess, inp, prob_output, dtype = s
    ids, probs = [], []
    for g in groups:
        t = time.perf_counter()
        table = pf.read_row_group(g, columns=["user_id", *features])
        x = np.column_stack([table.column(f).to_numpy() for f in features]).astype(dtype)
        stage["read"] += time.perf_counter() - t
        t = time.perf_counter()
        p = sess.run([prob_output], {inp: x})[0]
        p = p[:, 1] if p.ndim == 2 and p.shape[1] == 2 else p.reshape(-1)
        stage["score"] += time.perf_counter() - t
        ids.append(table.column("user_id"))
        probs.append(p.astype(np.float64))
    t = time.perf_counter()
    user_id = pa.chunked_array([c for a in ids for c in a.chunks])
    prob = np.concatenate(probs)
    n = len(prob)
    model_name, model_version = names
    out = pa.table({
        "user_id": user_id,
        "purchase_probability": pa.array(prob, pa.float64()),
        "predicted_buyer": pa.array(prob >= 0.5),
        "model_name": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([model_name])),
        "model_version": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([model_version])),
        "run_id": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array(["bench"])),
        "scored_at": pa.array(np.full(n, int(SCORED_AT.timestamp() * 1e6), dtype=np.int64), pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(out, out_path, compression="snappy")
    stage["write"] += time.perf_counter() - t
    return n, float(prob.sum())


_worker = {}


def init_worker(model, features, names):
    _worker.update(s=open_session(model, 1), features=features, names=names)


def score_unit(job):
    path, groups, out_path = job
    stage = {"read": 0.0, "score": 0.0, "write": 0.0}
    n, checksum = score_groups(_worker["s"], pq.ParquetFile(path), groups, _worker["features"], out_path, _worker["names"], stage)
    return n, checksum, stage, os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model-name", default="model")
    ap.add_argument("--model-version", default="1")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    features = args.features.split(",")
    names = (args.model_name, args.model_version)
    started = time.perf_counter()
    stage = {"read": 0.0, "score": 0.0, "write": 0.0}
    users = 0
    checksum = 0.0
    os.makedirs(args.out, exist_ok=True)
    if args.processes == 1:
        s = open_session(args.model, 0)
        for path in args.files:
            t = time.perf_counter()
            pf = pq.ParquetFile(path)
            stage["read"] += time.perf_counter() - t
            out_path = os.path.join(args.out, os.path.basename(path).replace(".parquet", ".scored.parquet"))
            n, c = score_groups(s, pf, range(pf.num_row_groups), features, out_path, names, stage)
            users += n
            checksum += c
        runner = f"Python peer: pyarrow {pa.__version__} + onnxruntime {ort.__version__}"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    else:
        jobs = []
        for path in args.files:
            n = pq.ParquetFile(path).num_row_groups
            for g in range(0, n, 2):
                jobs.append((path, list(range(g, min(g + 2, n))), os.path.join(args.out, f"{os.path.basename(path)}.{g}.scored.parquet")))
        peaks = {}
        with ProcessPoolExecutor(args.processes, initializer=init_worker, initargs=(args.model, features, names)) as pool:
            for n, c, st, pid, rss in pool.map(score_unit, jobs):
                users += n
                checksum += c
                for k in stage:
                    stage[k] += st[k]
                peaks[pid] = max(peaks.get(pid, 0), rss)
        runner = f"Python per-core peer: {args.processes} processes × units of 2 row groups, 1 onnxruntime thread"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + sum(peaks.values())
    total = time.perf_counter() - started
    print(json.dumps({
        "layer": runner,
        "users": users,
        "seconds": {**stage, "total": total},
        "usersPerSecond": users / total,
        "peakRssMb": peak,
        "checksum": checksum,
    }))


if __name__ == "__main__":
    main()
