"""Writes a Delta table with delta-rs (python `deltalake`) for interop tests.

Usage: write_table.py TABLE --mode append|overwrite --start N --count N --day YYYY-MM-DD
                      [--partitioned] [--predicate SQL] [--checkpoint] [--id-column NAME] [--no-statistics]
       write_table.py TABLE --copy-first N
Rows: id long (start..start+count-1), value double (id / 4), name string ('n<id>', null every 7th),
ts timestamp UTC (2026-01-01T00:00:00Z + id seconds + id microseconds), day date (the --day value).
With --copy-first, whatever the table's schema: its first N rows (by its first column) appended again, with its
own partitioning. --id-column names the id column (a Silver table's user_id); --no-statistics writes Parquet
files without column statistics (no min/max in their footers). TABLE may be s3://bucket/path: delta-rs reads the AWS_* variables (AWS_ENDPOINT_URL,
AWS_ALLOW_HTTP, AWS_CONDITIONAL_PUT=etag for a MinIO-like server).
"""
import datetime
import os
import sys

import pyarrow as pa
from deltalake import ColumnProperties, DeltaTable, WriterProperties, write_deltalake


def main(argv):
    table = argv[1]
    opt = lambda name, default=None: argv[argv.index(name) + 1] if name in argv else default  # noqa: E731
    if "--copy-first" in argv:
        dt = DeltaTable(table)
        rows = dt.to_pyarrow_table()
        rows = rows.sort_by(rows.column_names[0]).slice(0, int(opt("--copy-first")))
        write_deltalake(table, rows, mode="append", partition_by=dt.metadata().partition_columns or None)
        print(DeltaTable(table).version())
        return 0
    start, count = int(opt("--start", "0")), int(opt("--count", "10"))
    day = datetime.date.fromisoformat(opt("--day", "2026-01-01"))
    ids = list(range(start, start + count))
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    data = pa.table({
        opt("--id-column", "id"): pa.array(ids, pa.int64()),
        "value": pa.array([i / 4 for i in ids], pa.float64()),
        "name": pa.array([None if i % 7 == 0 else f"n{i}" for i in ids], pa.string()),
        "ts": pa.array([base + datetime.timedelta(seconds=i, microseconds=i) for i in ids], pa.timestamp("us", tz="UTC")),
        "day": pa.array([day] * count, pa.date32()),
    })
    write_deltalake(
        table, data, mode=opt("--mode", "append"),
        partition_by=["day"] if "--partitioned" in argv else None,
        predicate=opt("--predicate"),
        writer_properties=WriterProperties(default_column_properties=ColumnProperties(statistics_enabled="NONE")) if "--no-statistics" in argv else None,
    )
    if "--checkpoint" in argv:
        DeltaTable(table).create_checkpoint()
    print(DeltaTable(table).version())
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    os._exit(code)
