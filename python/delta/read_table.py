"""Independent reader for tests: prints a Delta table's rows as JSON lines using delta-rs (python `deltalake`).

Usage: read_table.py TABLE [--version N]
Values use the same canonical JSON form as `batch-score delta read --json`: longs as JSON numbers, dates
'YYYY-MM-DD', timestamps ISO-8601 UTC with microseconds ('...Z'; timestamp_ntz without 'Z'), decimals as
strings with exactly `scale` digits, binary base64, NaN/Infinity as strings, maps as objects.
On failure prints {"error": ...} on stdout and exits 3.
"""
import base64
import datetime
import decimal
import json
import math
import os
import sys


def canon(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return v.strftime("%Y-%m-%dT%H:%M:%S.") + "%06dZ" % v.microsecond
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % v.microsecond
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            return {map_key(k): canon(x) for k, x in v}
        return [canon(x) for x in v]
    if isinstance(v, tuple):
        return [canon(x) for x in v]
    return v


def canon_typed(v, t):
    """canon() guided by the Arrow type, so an empty map prints as {} (to_pylist gives [] for it)."""
    import pyarrow.types as pt

    if v is None:
        return None
    if pt.is_map(t):
        return {map_key(k): canon_typed(x, t.item_type) for k, x in v}
    if pt.is_struct(t):
        return {t.field(i).name: canon_typed(v.get(t.field(i).name), t.field(i).type) for i in range(t.num_fields)}
    if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t):
        return [canon_typed(x, t.value_type) for x in v]
    return canon(v)


def map_key(k):
    # Map keys become JSON object keys: spell numbers as JavaScript's String(n) does (0.0 -> "0").
    # Composite keys are spelled as JavaScript's String() spells them (arrays comma-joined).
    if isinstance(k, (list, tuple)):
        return ",".join(map_key(x) for x in k)
    c = canon(k)
    if isinstance(c, float) and c.is_integer() and abs(c) < 1e21:
        return str(int(c))
    return c if isinstance(c, str) else json.dumps(c)


def main(argv):
    table = argv[1]
    version = None
    if "--version" in argv:
        version = int(argv[argv.index("--version") + 1])
    try:
        from deltalake import DeltaTable

        dt = DeltaTable(table, version=version)
        t = dt.to_pyarrow_table()
        fields = [(f.name, f.type) for f in t.schema]
        out = sys.stdout
        for row in t.to_pylist():
            out.write(json.dumps({c: canon_typed(row[c], ty) for c, ty in fields}, ensure_ascii=False, sort_keys=True) + "\n")
    except Exception as e:  # noqa: BLE001 - report any refusal as data for the comparison
        sys.stdout.write(json.dumps({"error": f"{type(e).__name__}: {e}"}) + "\n")
        return 3
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    # Skip interpreter teardown: deltalake's runtime threads sometimes abort the process at exit.
    os._exit(code)
