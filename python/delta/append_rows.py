"""Appends with delta-rs (python `deltalake`) a copy of some rows of a Delta table onto itself, whatever its schema.

Usage: append_rows.py TABLE --count N
Takes the first N rows of the table (by its first column, ascending) and appends them as one delta-rs commit with
the table's own schema and partitioning; prints the new version. TABLE may be s3://bucket/path: delta-rs reads the
AWS_* variables (AWS_ENDPOINT_URL, AWS_ALLOW_HTTP, AWS_CONDITIONAL_PUT=etag for a MinIO-like server).
"""
import os
import sys

from deltalake import DeltaTable, write_deltalake


def main(argv):
    table = argv[1]
    count = int(argv[argv.index("--count") + 1])
    dt = DeltaTable(table)
    data = dt.to_pyarrow_table()
    data = data.sort_by(data.column_names[0]).slice(0, count)
    write_deltalake(table, data, mode="append", partition_by=dt.metadata().partition_columns or None)
    print(DeltaTable(table).version())
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    os._exit(code)
