"""A second, deliberately simple reference reader for the conformance test: replays the Delta log itself
(JSON commits and classic/multi-part Parquet checkpoints), then reads each live data file with pyarrow,
applying partition values from the log and column-mapping physical names. Used to arbitrate when delta-rs
refuses a table or returns rows that differ from ours. It implements no table features beyond that, and
refuses (exit 3) deletion vectors.

Usage: replay_oracle.py TABLE [--version N]     prints rows as JSON lines (same canonical form as read_table.py)
"""
import base64
import datetime
import decimal
import json
import os
import re
import sys
import urllib.parse

import pyarrow.parquet as pq

from read_table import canon, map_key

PHYS = "delta.columnMapping.physicalName"


def replay(table, version):
    log = os.path.join(table, "_delta_log")
    names = os.listdir(log)
    commits = {int(n[:20]) for n in names if re.fullmatch(r"\d{20}\.json", n)}
    cps = {}
    for n in names:
        m = re.fullmatch(r"(\d{20})\.checkpoint\.parquet", n)
        if m:
            cps[int(m.group(1))] = [n]
        m = re.fullmatch(r"(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet", n)
        if m:
            cps.setdefault((int(m.group(1)), int(m.group(3))), []).append(n)
    complete = {}
    for k, files in cps.items():
        if isinstance(k, tuple):
            if len(files) == k[1]:
                complete[k[0]] = sorted(files)
        else:
            complete[k] = files
    target = version if version is not None else max(list(commits) + list(complete))
    for cp in sorted([v for v in complete if v <= target], reverse=True) + [None]:
        start = 0 if cp is None else cp + 1
        if all(v in commits for v in range(start, target + 1)):
            break
    else:
        raise RuntimeError("cannot reconstruct")
    adds, state = {}, {}

    def apply(a):
        if a.get("add"):
            adds[a["add"]["path"]] = a["add"]
        elif a.get("remove"):
            adds.pop(a["remove"]["path"], None)
        elif a.get("metaData"):
            state["metaData"] = a["metaData"]
        elif a.get("protocol"):
            state["protocol"] = a["protocol"]

    if cp is not None:
        for f in complete[cp]:
            for row in pq.read_table(os.path.join(log, f)).to_pylist():
                for kind in ("add", "remove", "metaData", "protocol"):
                    v = row.get(kind)
                    key = {"add": "path", "remove": "path", "metaData": "id", "protocol": "minReaderVersion"}[kind]
                    if v and v.get(key) is not None:
                        if kind == "add" or kind == "remove":
                            v["partitionValues"] = dict(v.get("partitionValues") or [])
                        apply({kind: v})
    for v in range(start, target + 1):
        with open(os.path.join(log, "%020d.json" % v), encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    apply(json.loads(line))
    return state["metaData"], list(adds.values())


def phys(field):
    return (field.get("metadata") or {}).get(PHYS) or field["name"]


def convert(v, t):
    """A pyarrow value as the canonical JSON value of Delta type t."""
    if v is None:
        return None
    if isinstance(t, dict):
        if t["type"] == "struct":
            return {f["name"]: convert(v.get(phys(f)), f["type"]) for f in t["fields"]}
        if t["type"] == "array":
            return [convert(x, t["elementType"]) for x in v]
        if t["type"] == "map":
            return {map_key(k): convert(x, t["valueType"]) for k, x in v}
    if t == "timestamp" and isinstance(v, datetime.datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=datetime.timezone.utc)
    if t == "timestamp_ntz" and isinstance(v, datetime.datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    if t.startswith("decimal") and isinstance(v, decimal.Decimal):
        scale = int(re.search(r",\s*(\d+)", t).group(1)) if "," in t else 0
        return format(v.quantize(decimal.Decimal(1).scaleb(-scale)), "f")
    return canon(v)


def partition_value(raw, t):
    if raw is None or raw == "":
        return None
    if t == "string":
        return raw
    if t in ("long", "integer", "short", "byte"):
        return int(raw)
    if t in ("float", "double"):
        return canon(float(raw))
    if t == "boolean":
        return raw.lower() == "true"
    if t == "date":
        return datetime.date.fromisoformat(raw[:10]).isoformat()
    if t in ("timestamp", "timestamp_ntz"):
        s = raw.strip().replace("T", " ")
        zone = None
        if s.endswith("Z"):
            s, zone = s[:-1], datetime.timezone.utc
        d = datetime.datetime.fromisoformat(s)
        if d.tzinfo is not None:
            d = d.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        if t == "timestamp":
            return canon(d.replace(tzinfo=zone or datetime.timezone.utc))
        return canon(d)
    if t == "binary":
        return base64.b64encode(raw.encode("utf-8")).decode("ascii")
    if t.startswith("decimal"):
        return convert(decimal.Decimal(raw), t)
    raise RuntimeError("partition type " + t)


def main(argv):
    table = argv[1]
    version = int(argv[argv.index("--version") + 1]) if "--version" in argv else None
    try:
        meta, adds = replay(table, version)
        schema = json.loads(meta["schemaString"])
        parts = meta.get("partitionColumns") or []
        for add in adds:
            if add.get("deletionVector"):
                raise RuntimeError("deletion vectors")
            p = add["path"]
            f = urllib.parse.unquote(p[5:] if p.startswith("file:") else p)
            f = f if os.path.isabs(f) else os.path.join(table, f)
            rows = pq.read_table(f).to_pylist()
            pv = add.get("partitionValues") or {}
            for row in rows:
                out = {}
                for field in schema["fields"]:
                    name, ph = field["name"], phys(field)
                    if name in parts:
                        out[name] = partition_value(pv.get(ph, pv.get(name)), field["type"])
                    else:
                        out[name] = convert(row.get(ph), field["type"])
                sys.stdout.write(json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n")
    except Exception as e:  # noqa: BLE001
        sys.stdout.write(json.dumps({"error": f"{type(e).__name__}: {e}"}) + "\n")
        return 3
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    # Skip interpreter teardown: deltalake's runtime threads sometimes abort the process at exit.
    os._exit(code)
