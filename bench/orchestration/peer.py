"""The Python peers of a whole run (bench/orchestration): what a Python engineer would write instead of
batch-score, Silver Delta table in, Gold Delta tables out, no orchestrator.

  lean (--processes 1)   delta-rs reads partition snapshot_date=D of Silver as a stream of record batches →
                         onnxruntime (library default threads) → delta-rs writes Gold, replacing partition
                         score_date=D in one commit (the stream is written as it is scored) → the top buyers
                         (from the probabilities kept in memory, no second read) → top_buyers, one commit
  per core (--processes N)  as batch-score runs: N processes take units of 2 row groups from one queue,
                         onnxruntime on 1 thread, each unit written as one snappy Parquet file into the Gold
                         folder; the parent commits all files in one delta-rs transaction replacing the
                         partition, then selects and commits the top buyers from the units' candidates

The top-buyers rule is batch-score's default: rank by probability (ties: smaller user_id), keep the first
floor(0.1 × users) with probability >= 0.8. Prints one JSON line: wall seconds per phase, users, checksum
(sum of probabilities), top buyers count, peak RSS of all its processes.

Usage: python peer.py --silver T --gold T --top-buyers T --date D --model FILE --features a,b --processes N
"""
import argparse
import datetime
import json
import os
import resource
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake
from deltalake.transaction import AddAction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "score"))
from peer import open_session  # noqa: E402  (bench/score/peer.py: the one ONNX session setup of the peers)

FRACTION = 0.1
MIN_PROBABILITY = 0.8
SCORED_AT = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.timezone.utc)

GOLD_SCHEMA = pa.schema([
    ("user_id", pa.int64()), ("purchase_probability", pa.float64()), ("predicted_buyer", pa.bool_()),
    ("model_name", pa.string()), ("model_version", pa.string()), ("run_id", pa.string()),
    ("scored_at", pa.timestamp("us", tz="UTC")), ("score_date", pa.date32()),
])


def session(model, threads):
    """(session, input name, probability output, input dtype): bench/score's peers open theirs the same way."""
    return open_session(model, threads)


def score(s, table, features):
    sess, inp, out, dtype = s
    x = np.column_stack([table.column(f).to_numpy() for f in features]).astype(dtype)
    p = sess.run([out], {inp: x})[0]
    return (p[:, 1] if p.ndim == 2 and p.shape[1] == 2 else p.reshape(-1)).astype(np.float64)


def gold_batch(ids, prob, date, run_id):
    n = len(prob)
    return pa.record_batch([
        ids, pa.array(prob, pa.float64()), pa.array(prob >= 0.5), pa.array(np.full(n, "purchase_propensity", dtype=object), pa.string()),
        pa.array(np.full(n, "1", dtype=object), pa.string()), pa.array(np.full(n, run_id, dtype=object), pa.string()),
        pa.array(np.full(n, int(SCORED_AT.timestamp() * 1e6), dtype=np.int64), pa.timestamp("us", tz="UTC")),
        pa.array(np.full(n, date, dtype="datetime64[D]"), pa.date32()),
    ], schema=GOLD_SCHEMA)


def top_k(ids, probs, users):
    """The rule on all scored users: (ids, probs) of the kept ones, best first."""
    k = int(FRACTION * users)
    keep = probs >= MIN_PROBABILITY
    ids, probs = ids[keep], probs[keep]
    order = np.lexsort((ids, -probs))[:k]
    return ids[order], probs[order]


def write_top_buyers(path, ids, probs, date, run_id):
    n = len(ids)
    t = pa.table({
        "rank": pa.array(np.arange(1, n + 1, dtype=np.int32)), "user_id": pa.array(ids, pa.int64()),
        "purchase_probability": pa.array(probs, pa.float64()),
        "model_name": pa.array(["purchase_propensity"] * n, pa.string()), "model_version": pa.array(["1"] * n, pa.string()),
        "run_id": pa.array([run_id] * n, pa.string()), "score_date": pa.array(np.full(n, date, dtype="datetime64[D]"), pa.date32()),
    })
    write_deltalake(path, t, mode="overwrite", partition_by=["score_date"], predicate=f"score_date = '{date}'")


def lean(args, features, run_id):
    s = session(args.model, 0)
    dataset = DeltaTable(args.silver).to_pyarrow_dataset()
    scanner = dataset.scanner(columns=["user_id", *features], filter=pc.field("snapshot_date") == pa.scalar(datetime.date.fromisoformat(args.date)))
    kept_ids, kept_probs = [], []
    stats = {"users": 0, "checksum": 0.0}

    def scored():
        for batch in scanner.to_batches():
            if batch.num_rows == 0:
                continue
            t = pa.Table.from_batches([batch])
            p = score(s, t, features)
            ids = t.column("user_id").combine_chunks()
            stats["users"] += len(p)
            stats["checksum"] += float(p.sum())
            keep = p >= MIN_PROBABILITY  # candidates only: the rule never keeps anyone below it
            kept_ids.append(ids.to_numpy()[keep])
            kept_probs.append(p[keep])
            yield gold_batch(ids, p, args.date, run_id)

    reader = pa.RecordBatchReader.from_batches(GOLD_SCHEMA, scored())
    write_deltalake(args.gold, reader, mode="overwrite", partition_by=["score_date"], predicate=f"score_date = '{args.date}'")
    return stats, np.concatenate(kept_ids or [np.array([], np.int64)]), np.concatenate(kept_probs or [np.array([], np.float64)])


_worker = {}


def init_worker(model, features):
    _worker["s"] = session(model, 1)
    _worker["features"] = features


def score_unit(job):
    file, groups, out_dir, date, run_id = job
    features = _worker["features"]
    pf = pq.ParquetFile(file)
    t = pf.read_row_groups(groups, columns=["user_id", *features])
    p = score(_worker["s"], t, features)
    ids = t.column("user_id").combine_chunks()
    name = f"part-{uuid.uuid4()}.snappy.parquet"
    path = os.path.join(out_dir, name)
    pq.write_table(pa.Table.from_batches([gold_batch(ids, p, date, run_id)]).drop(["score_date"]), path, compression="snappy")
    keep = p >= MIN_PROBABILITY
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return name, os.path.getsize(path), len(p), float(p.sum()), ids.to_numpy()[keep], p[keep], os.getpid(), rss


def per_core(args, features, run_id):
    dt = DeltaTable(args.silver)
    files = dt.file_uris(file_pruning_predicate=[("snapshot_date", "=", args.date)])
    jobs = []
    folder = f"score_date={args.date}"
    out_dir = os.path.join(args.gold, folder)
    os.makedirs(out_dir, exist_ok=True)
    for f in sorted(files):
        n = pq.ParquetFile(f).num_row_groups
        for g in range(0, n, 2):
            jobs.append((f, list(range(g, min(g + 2, n))), out_dir, args.date, run_id))
    adds, kept_ids, kept_probs, rss = [], [], [], {}
    stats = {"users": 0, "checksum": 0.0}
    now = int(time.time() * 1000)
    with ProcessPoolExecutor(args.processes, initializer=init_worker, initargs=(args.model, features)) as pool:
        for name, size, n, checksum, ids, probs, pid, peak in pool.map(score_unit, jobs):
            adds.append(AddAction(f"{folder}/{name}", size, {"score_date": args.date}, now, True, json.dumps({"numRecords": n})))
            stats["users"] += n
            stats["checksum"] += checksum
            kept_ids.append(ids)
            kept_probs.append(probs)
            rss[pid] = max(rss.get(pid, 0), peak)
    if DeltaTable.is_deltatable(args.gold):
        gold = DeltaTable(args.gold)
    else:
        write_deltalake(args.gold, pa.Table.from_batches([], schema=GOLD_SCHEMA), mode="overwrite", partition_by=["score_date"])
        gold = DeltaTable(args.gold)
    gold.create_write_transaction(adds, mode="overwrite", schema=gold.schema(), partition_by=["score_date"], partition_filters=[("score_date", "=", args.date)])
    stats["childrenRssMb"] = sum(rss.values())
    return stats, np.concatenate(kept_ids), np.concatenate(kept_probs)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--silver", "--gold", "--top-buyers", "--date", "--model", "--features"):
        ap.add_argument(a, required=True)
    ap.add_argument("--processes", type=int, default=1)
    args = ap.parse_args()
    features = args.features.split(",")
    run_id = str(uuid.uuid4())
    started = time.perf_counter()
    stats, ids, probs = (lean if args.processes == 1 else per_core)(args, features, run_id)
    scored = time.perf_counter()
    top_ids, top_probs = top_k(ids, probs, stats["users"])
    write_top_buyers(args.top_buyers, top_ids, top_probs, args.date, run_id)
    done = time.perf_counter()
    print(json.dumps({
        "runner": (f"Python lean peer: delta-rs + onnxruntime {ort.__version__}, 1 process" if args.processes == 1
                   else f"Python per-core peer: {args.processes} processes, pyarrow + onnxruntime {ort.__version__} (1 thread), delta-rs commit"),
        "users": stats["users"], "checksum": stats["checksum"], "topBuyers": int(len(top_ids)),
        "seconds": {"scoreAndCommit": scored - started, "topBuyers": done - scored, "total": done - started},
        "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + stats.get("childrenRssMb", 0),
    }))


if __name__ == "__main__":
    main()
