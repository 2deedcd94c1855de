"""A second, deliberately simple reference reader for the conformance test: replays the Delta log itself
(JSON commits and classic/multi-part Parquet checkpoints), then reads each live data file with pyarrow,
applying partition values from the log, column-mapping physical names and deletion vectors (decoded with
pyroaring, an independent Roaring implementation). Used to arbitrate when delta-rs refuses a table or
returns rows that differ from ours. It implements no table features beyond those.

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
Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85(text):
    out = bytearray()
    for i in range(0, len(text), 5):
        v = 0
        for c in text[i:i + 5]:
            v = v * 85 + Z85.index(c)
        out += v.to_bytes(4, "big")
    return bytes(out)


def deleted_rows(table, dv):
    """Row positions a deletion vector removes (PROTOCOL.md 'Deletion Vector Format')."""
    import struct
    import uuid

    from pyroaring import BitMap

    kind, where, size = dv["storageType"], dv["pathOrInlineDv"], dv["sizeInBytes"]
    if kind == "i":
        data = z85(where)[:size]
    else:
        if kind == "u":
            name = "deletion_vector_%s.bin" % uuid.UUID(bytes=z85(where[-20:]))
            f = os.path.join(table, where[:-20], name)
        else:
            f = urllib.parse.unquote(where[5:] if where.startswith("file:") else where)
        with open(f, "rb") as fh:
            fh.seek(dv.get("offset") or 0)
            (n,) = struct.unpack(">i", fh.read(4))
            data = fh.read(n)
    magic, count = struct.unpack("<iq", data[:12])
    if magic != 1681511377 or count != 1:
        raise RuntimeError("unsupported deletion vector layout")
    (key,) = struct.unpack("<i", data[12:16])
    rows = {(key << 32) | v for v in BitMap.deserialize(data[16:])}
    if len(rows) != dv["cardinality"]:
        raise RuntimeError("cardinality mismatch")
    return rows


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
        m = re.fullmatch(r"(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)", n)
        if m:
            cps[int(m.group(1))] = [n]
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

    def key(f):
        dv = f.get("deletionVector") or {}
        return (f["path"], dv.get("storageType"), dv.get("pathOrInlineDv"), dv.get("offset"))

    def apply(a):
        if a.get("add"):
            adds[key(a["add"])] = a["add"]
        elif a.get("remove"):
            adds.pop(key(a["remove"]), None)
        elif a.get("metaData"):
            state["metaData"] = a["metaData"]
        elif a.get("protocol"):
            state["protocol"] = a["protocol"]

    def checkpoint_rows(f):
        """Rows of a checkpoint file (Parquet, or JSON for v2), then those of its sidecars."""
        if f.endswith(".json"):
            with open(os.path.join(log, f), encoding="utf-8") as fh:
                rows = [json.loads(line) for line in fh if line.strip()]
        else:
            rows = pq.read_table(os.path.join(log, f)).to_pylist()
        out = []
        for row in rows:
            if row.get("sidecar") and row["sidecar"].get("path"):
                out += pq.read_table(os.path.join(log, "_sidecars", row["sidecar"]["path"])).to_pylist()
            else:
                out.append(row)
        return out

    if cp is not None:
        for f in complete[cp]:
            for row in checkpoint_rows(f):
                for kind in ("add", "remove", "metaData", "protocol"):
                    v = row.get(kind)
                    must = {"add": "path", "remove": "path", "metaData": "id", "protocol": "minReaderVersion"}[kind]
                    if v and v.get(must) is not None:
                        if kind == "add" or kind == "remove":
                            v["partitionValues"] = dict(v.get("partitionValues") or [])
                            if not (v.get("deletionVector") or {}).get("storageType"):
                                v.pop("deletionVector", None)
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
    # widened columns (type widening): integers read as decimals, dates read as timestamp_ntz
    if t.startswith("decimal") and isinstance(v, int) and not isinstance(v, bool):
        v = decimal.Decimal(v)
    if t == "timestamp_ntz" and isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
        v = datetime.datetime.combine(v, datetime.time())
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
            gone = deleted_rows(table, add["deletionVector"]) if add.get("deletionVector") else set()
            p = add["path"]
            f = urllib.parse.unquote(p[5:] if p.startswith("file:") else p)
            f = f if os.path.isabs(f) else os.path.join(table, f)
            rows = pq.read_table(f).to_pylist()
            pv = add.get("partitionValues") or {}
            for pos, row in enumerate(rows):
                if pos in gone:
                    continue
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
