"""Prints a Parquet file's Arrow schema as pyarrow reads it (tests check the physical encoding)."""
import sys

import pyarrow.parquet as pq

print(pq.read_schema(sys.argv[1]))
