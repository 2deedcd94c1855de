"""Spark (PySpark + delta-spark) as the other engine in interop tests: runs a list of writes and reads in one
Spark session (a session takes ~10 s to start).

Usage: spark_table.py OPS_JSON
  {"op": "write", "table": T, "mode": "append"|"overwrite", "start": N, "count": N, "day": "YYYY-MM-DD",
   "partitioned": bool, "replaceWhere": SQL, "checkpoint": bool}
      rows as write_table.py makes them: id long, value double (id / 4), name string ('n<id>', null every 7th),
      ts timestamp (2026-01-01T00:00:00Z + id seconds + id microseconds), day date
  {"op": "read", "table": T, "version": N (optional), "out": FILE}
      the table's rows as JSON lines in read_table.py's canonical form
Prints one JSON line: the table version after each op.
"""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_table import canon  # noqa: E402  (the same canonical JSON as delta-rs rows)


def session():
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def write(spark, op):
    from pyspark.sql.types import DateType, DoubleType, LongType, StringType, StructField, StructType, TimestampType

    schema = StructType([
        StructField("id", LongType()), StructField("value", DoubleType()), StructField("name", StringType()),
        StructField("ts", TimestampType()), StructField("day", DateType()),
    ])
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    day = datetime.date.fromisoformat(op["day"])
    ids = range(op["start"], op["start"] + op["count"])
    rows = [(i, i / 4, None if i % 7 == 0 else f"n{i}", base + datetime.timedelta(seconds=i, microseconds=i), day) for i in ids]
    writer = spark.createDataFrame(rows, schema).write.format("delta").mode(op["mode"])
    if op.get("partitioned"):
        writer = writer.partitionBy("day")
    if op.get("replaceWhere"):
        writer = writer.option("replaceWhere", op["replaceWhere"])
    writer.save(op["table"])
    if op.get("checkpoint"):
        spark._jvm.org.apache.spark.sql.delta.DeltaLog.forTable(spark._jsparkSession, op["table"]).checkpoint()


def read(spark, op):
    from pyspark.sql.types import TimestampType

    reader = spark.read.format("delta")
    if op.get("version") is not None:
        reader = reader.option("versionAsOf", op["version"])
    df = reader.load(op["table"])
    utc = {f.name for f in df.schema.fields if isinstance(f.dataType, TimestampType)}
    with open(op["out"], "w", encoding="utf-8") as out:
        for row in df.toLocalIterator():
            values = row.asDict(recursive=True)
            for name in utc:  # collected as naive UTC wall time (the process runs with TZ=UTC)
                if values[name] is not None:
                    values[name] = values[name].replace(tzinfo=datetime.timezone.utc)
            out.write(json.dumps({k: canon(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True) + "\n")


def version(spark, table):
    from delta.tables import DeltaTable

    return DeltaTable.forPath(spark, table).history(1).collect()[0]["version"]


def main(argv):
    ops = json.loads(argv[1])
    spark = session()
    versions = []
    for op in ops:
        (write if op["op"] == "write" else read)(spark, op)
        versions.append(version(spark, op["table"]))
    print(json.dumps(versions))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
