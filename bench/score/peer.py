"""The lean Python peer of the scoring loop: what a Python engineer would write instead of batch-score.

For each Silver data file: pyarrow reads each row group (user_id + features) → numpy matrix → onnxruntime →
and per file pyarrow writes the same Gold output columns (snappy). Library defaults for threads (pyarrow's
pool and onnxruntime use every core). Prints one JSON line: seconds per stage, users/s, peak RSS.

Usage: python peer.py --model FILE --features a,b,... --out DIR FILE.parquet...
"""
import argparse
import datetime
import json
import os
import resource
import time

import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model-name", default="model")
    ap.add_argument("--model-version", default="1")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    features = args.features.split(",")
    started = time.perf_counter()
    sess = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    dtype = np.float64 if inp.type == "tensor(double)" else np.float32
    outputs = [o.name for o in sess.get_outputs()]
    prob_output = "probabilities" if "probabilities" in outputs else outputs[-1]
    scored_at = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.timezone.utc)
    stage = {"read": 0.0, "score": 0.0, "write": 0.0}
    users = 0
    checksum = 0.0
    os.makedirs(args.out, exist_ok=True)
    for path in args.files:
        t = time.perf_counter()
        pf = pq.ParquetFile(path)
        ids, probs = [], []
        stage["read"] += time.perf_counter() - t
        for g in range(pf.num_row_groups):
            t = time.perf_counter()
            table = pf.read_row_group(g, columns=["user_id", *features])
            x = np.column_stack([table.column(f).to_numpy() for f in features]).astype(dtype)
            stage["read"] += time.perf_counter() - t
            t = time.perf_counter()
            p = sess.run([prob_output], {inp.name: x})[0]
            p = p[:, 1] if p.ndim == 2 and p.shape[1] == 2 else p.reshape(-1)
            stage["score"] += time.perf_counter() - t
            ids.append(table.column("user_id"))
            probs.append(p.astype(np.float64))
        t = time.perf_counter()
        user_id = pa.chunked_array([c for a in ids for c in a.chunks])
        prob = np.concatenate(probs)
        n = len(prob)
        out = pa.table({
            "user_id": user_id,
            "purchase_probability": pa.array(prob, pa.float64()),
            "predicted_buyer": pa.array(prob >= 0.5),
            "model_name": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([args.model_name])),
            "model_version": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([args.model_version])),
            "run_id": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array(["bench"])),
            "scored_at": pa.array(np.full(n, int(scored_at.timestamp() * 1e6), dtype=np.int64), pa.timestamp("us", tz="UTC")),
        })
        pq.write_table(out, os.path.join(args.out, os.path.basename(path).replace(".parquet", ".scored.parquet")), compression="snappy")
        stage["write"] += time.perf_counter() - t
        users += n
        checksum += float(prob.sum())
    total = time.perf_counter() - started
    print(json.dumps({
        "layer": f"Python peer: pyarrow {pa.__version__} + onnxruntime {ort.__version__}",
        "users": users,
        "seconds": {**stage, "total": total},
        "usersPerSecond": users / total,
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "checksum": checksum,
    }))


if __name__ == "__main__":
    main()
