"""PySpark reference of the finobs streaming job, as the original system wrote it.

The same outputs as pipeline/stream (per-merchant windowed aggregates to Kafka in update
mode; anomalous transactions to Kafka), written the way the system we replace wrote its job:
PySpark's DataFrame API with a StructType schema, two queries that each read the topic, no
validation and no dead-letter handling. It sets no shuffle partitions: the original ran with
Spark's 200; here it inherits the server's spark-defaults (4 on the native stack), which only
makes the comparison harder for us. It connects to the same Spark Connect server as the Go driver, so a benchmark compares the
two jobs on the same server and data.

It runs until both queries have read --expect records (or forever with 0), then prints every
progress report the server kept to stdout, one JSON line {"progress": {...}} each (what
cmd/bench reads), stops the queries and exits.

    .stack/venv/bin/python pipeline/stream/reference/stream_job.py --topic financial_transactions \
        --checkpoint-dir /tmp/ref-ckpt --expect 1000000
"""

import argparse
import json
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql.avro.functions import from_avro
from pyspark.sql.functions import avg, col, count, expr, from_json, max as max_, sum as sum_, to_json, struct, window
from pyspark.sql.types import (BooleanType, DecimalType, LongType, StringType, StructField, StructType)

SCHEMA = StructType([
    StructField("transactionId", StringType()),
    StructField("userId", StringType()),
    StructField("merchantId", StringType()),
    StructField("amount", DecimalType(18, 2)),
    StructField("currency", StringType()),
    StructField("transactionType", StringType()),
    StructField("paymentMethod", StringType()),
    StructField("location", StringType()),
    StructField("isInternational", BooleanType()),
    StructField("transactionTime", LongType()),
])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--remote", default="sc://127.0.0.1:15002")
    ap.add_argument("--bootstrap", default="127.0.0.1:9092")
    ap.add_argument("--topic", default="financial_transactions")
    ap.add_argument("--aggregates-topic", default="merchant_aggregates")
    ap.add_argument("--anomalies-topic", default="transaction_anomalies")
    ap.add_argument("--checkpoint-dir", required=True)
    ap.add_argument("--query-prefix", default="reference_")
    ap.add_argument("--trigger", default="0 seconds")
    ap.add_argument("--window", default="1 minute")
    ap.add_argument("--watermark", default="30 seconds")
    ap.add_argument("--max-offsets-per-trigger", type=int, default=0)
    ap.add_argument("--expect", type=int, default=0, help="stop once each query read this many records")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--format", choices=["json", "avro"], default="json",
                    help="avro: values in the schema registry's wire format, decoded with from_avro after the 5-byte framing")
    ap.add_argument("--avro-schema", default="", help="the Avro schema (JSON) the values are written with, for --format avro")
    a = ap.parse_args()

    spark = SparkSession.builder.remote(a.remote).getOrCreate()

    def read():
        r = (spark.readStream.format("kafka")
             .option("kafka.bootstrap.servers", a.bootstrap)
             .option("subscribe", a.topic)
             .option("startingOffsets", "earliest"))
        if a.max_offsets_per_trigger:
            r = r.option("maxOffsetsPerTrigger", a.max_offsets_per_trigger)
        df = r.load()
        if a.format == "avro":
            # The framing (magic byte, schema id) cut off, the body decoded with the schema.
            data = from_avro(expr("substring(value, 6)"), a.avro_schema)
        else:
            data = from_json(col("value").cast("string"), SCHEMA)
        return (df.select(data.alias("data"))
                .select("data.*")
                .withColumn("event_time", (col("transactionTime") / 1000).cast("timestamp")))

    aggregates = (read()
                  .withWatermark("event_time", a.watermark)
                  .groupBy(window(col("event_time"), a.window), col("merchantId"))
                  .agg(count("*").alias("count"), sum_("amount").alias("sum"),
                       avg("amount").alias("avg"), max_("amount").alias("max")))
    q1 = (aggregates
          .select(col("merchantId").alias("key"),
                  to_json(struct(col("merchantId"), col("window.start").alias("windowStart"),
                                 col("window.end").alias("windowEnd"), "count", "sum", "avg", "max")).alias("value"))
          .writeStream.format("kafka")
          .option("kafka.bootstrap.servers", a.bootstrap)
          .option("topic", a.aggregates_topic)
          .option("checkpointLocation", a.checkpoint_dir + "/aggregates")
          .outputMode("update")
          .queryName(a.query_prefix + "aggregates")
          .trigger(processingTime=a.trigger)
          .start())

    anomalies = read().filter(col("amount") >= 10000)
    q2 = (anomalies
          .select(col("merchantId").alias("key"), to_json(struct("*")).alias("value"))
          .writeStream.format("kafka")
          .option("kafka.bootstrap.servers", a.bootstrap)
          .option("topic", a.anomalies_topic)
          .option("checkpointLocation", a.checkpoint_dir + "/anomalies")
          .outputMode("append")
          .queryName(a.query_prefix + "anomalies")
          .trigger(processingTime=a.trigger)
          .start())

    queries = [q1, q2]
    deadline = time.time() + a.timeout
    try:
        # Poll the last report (read offsets) once a second, the history once at the end.
        while a.expect:
            done = 0
            for q in queries:
                lp = q.lastProgress
                lp = json.loads(lp.json) if hasattr(lp, "json") else lp
                if lp and lp["sources"]:
                    end = lp["sources"][0]["endOffset"]
                    end = json.loads(end) if isinstance(end, str) else end
                    if sum((end or {}).get(a.topic, {}).values()) >= a.expect:
                        done += 1
                if not q.isActive:
                    raise SystemExit(f"query {q.name} terminated: {q.exception()}")
            if done == len(queries):
                break
            if time.time() > deadline:
                raise SystemExit(f"timeout after {a.timeout}s")
            time.sleep(1)
        if not a.expect:
            spark.streams.awaitAnyTermination()
        for q in queries:
            for p in q.recentProgress:
                print(json.dumps({"progress": json.loads(p.json)}), flush=True)
    finally:
        for q in queries:
            try:
                q.stop()
            except Exception as e:  # the server may be gone; nothing more to do
                print(f"stop {q.name}: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
