package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
	"github.com/finobs/finobs/topics"
)

var (
	streamQuery          = rules.Target(stack.StreamDriver, "stream-driver").With("query", "transactions")
	transactionsOnBroker = rules.Target(stack.KafkaCombined, "kafka-1").With("topic", topics.Transactions)
	driverTarget         = rules.Target(stack.StreamDriver, "stream-driver")
	connectTarget        = rules.Target(stack.SparkConnect, "spark-connect")
)

// The two processes every query needs. Their own pages, not TargetDown's chat message: with
// the driver gone its query metrics vanish, and with Spark Connect gone they freeze, so none
// of the query alerts below can fire, and merchant aggregates stop.
var (
	StreamDriverDown = rules.Alert{
		Name: "StreamDriverDown", When: signals.StreamDriverDown, For: minute, Panel: dashboards.StreamDriverUpPanel,
		Summary:     "The stream driver is down.",
		Description: "Prometheus cannot scrape the stream driver {{ $labels.instance }}: no query runs, no aggregates are written.",
		Runbook: rules.Runbook{
			Meaning:    "The process that starts and watches the streaming queries (cmd/stream) does not answer: it exited (it gives up on a query after its restart policy, or on a data loss) or hangs.",
			Impact:     "The queries it drives are stopped: merchant aggregates and anomalies stop; transactions wait in Kafka. The query alerts are blind (their metrics come from the driver). Its TargetDown is inhibited while this fires.",
			Diagnosis:  []string{"Its exit status and the last lines of its JSON log (`.stack/logs/stream-driver.log` locally) say why: exit 3 is a data loss (`StreamDataLoss`), a given-up query logs its last failure.", "Check `SparkConnectDown`: the driver needs the server to start a query."},
			Mitigation: []string{"Start it again (`make up` starts what is down); " + resumes, "After a data loss, read StreamDataLoss's runbook before restarting."},
		},
		Tests: []rules.Test{
			{Name: "the driver stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: driverTarget.Expect(), Value: 0}}, Series: []rules.Series{
					driverTarget.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "the driver runs", At: 5 * minute, Series: []rules.Series{
				driverTarget.Series(catalog.Up, "1x10"),
			}},
		},
	}
	SparkConnectDown = rules.Alert{
		Name: "SparkConnectDown", When: signals.SparkConnectDown, For: minute, Panel: dashboards.SparkConnectUpPanel,
		Summary:     "The Spark Connect server is down.",
		Description: "Prometheus cannot scrape the Spark Connect server {{ $labels.instance }}: the streaming queries run nowhere.",
		Runbook: rules.Runbook{
			Meaning:    "The Spark application that runs the streaming queries (the Spark Connect server) does not answer: it died, was killed for memory, or hangs in a long GC.",
			Impact:     "Every query stops; the driver restarts them per its restart policy and gives up after five failures in 15 minutes. Aggregates stop; transactions wait in Kafka. Its TargetDown, and the queries being down or stale, are inhibited while this fires.",
			Diagnosis:  []string{"Its log (`.stack/logs/spark-connect.log` locally; the Spark master's UI for the application) has the cause: OutOfMemoryError, a lost master, a killed JVM.", "Check the host's memory and the executors' (`SparkNoWorkerAlive`)."},
			Mitigation: []string{"Start it again (`make up`); the driver's next restart resumes the queries from their checkpoints. If the driver gave up meanwhile (`StreamDriverDown`), start the driver too."},
		},
		Tests: []rules.Test{
			{Name: "the server stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: connectTarget.Expect(), Value: 0}}, Series: []rules.Series{
					connectTarget.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "the server runs", At: 5 * minute, Series: []rules.Series{
				connectTarget.Series(catalog.Up, "1x10"),
			}},
		},
	}
)

// Alerts of the Structured Streaming queries.
var (
	StreamQueryDown = rules.Alert{
		Name: "StreamQueryDown", When: signals.StreamQueryStopped, For: minute, Panel: dashboards.StreamQueriesUpPanel,
		Summary:     "A streaming query has stopped.",
		Description: "Query {{ $labels.query }} is not active: no aggregates or anomalies are produced.",
		Runbook: rules.Runbook{
			Meaning:    "The Spark Connect server reports the query as stopped or failed.",
			Impact:     "Merchant aggregates and anomaly alerts stop; input accumulates in Kafka (offsets behind latest grow).",
			Diagnosis:  []string{"Read the stream driver's log for the query's exception.", "Check the Spark Connect server log and the checkpoint directory (permissions, space)."},
			Mitigation: []string{"Restart `cmd/stream`; " + resumes},
		},
		Tests: []rules.Test{
			{Name: "the query stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 0}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamQueryUp, "1 1 0x8"),
				}},
			{Name: "the query runs", At: 5 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamQueryUp, "1x10"),
			}},
		},
	}
	StreamFallingBehind = rules.Alert{
		Name: "StreamFallingBehind", When: signals.StreamFallingBehind, For: 10 * minute, Panel: dashboards.StreamRatesPanel,
		Summary:     "A streaming query processes slower than its input arrives.",
		Description: "Query {{ $labels.query }} processes {{ $value | humanize }} rows/s, less than 90% of its input rate.",
		Runbook: rules.Runbook{
			Meaning:    "Over ten minutes, the rows processed per second stayed below the rows arriving per second.",
			Impact:     "Lag grows; aggregates arrive later and later (freshness drops).",
			Diagnosis:  []string{"Check batch duration against the trigger and offsets behind latest.", "Check executor CPU and shuffle partitions (too many tiny tasks is a common cause)."},
			Mitigation: []string{"Give the job more cores or executors; size spark.sql.shuffle.partitions to the cores; cap maxOffsetsPerTrigger to keep batches even."},
		},
		Tests: []rules.Test{
			{Name: "half the input rate", At: 25 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 1000}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamProcessedRate, "1000x30"),
					streamQuery.Series(catalog.StreamInputRate, "2000x30"),
				}},
			{Name: "keeping up", At: 25 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamProcessedRate, "5000x30"),
				streamQuery.Series(catalog.StreamInputRate, "2000x30"),
			}},
		},
	}
	StreamBatchSlowerThanTrigger = rules.Alert{
		Name: "StreamBatchSlowerThanTrigger", When: signals.StreamBatchSlowerThanTrigger, For: 10 * minute, Panel: dashboards.StreamBatchDurationPanel,
		Summary:     "Micro-batches take longer than the trigger interval.",
		Description: "Batches of {{ $labels.query }} take {{ $value | humanizeDuration }}, longer than its trigger.",
		Runbook: rules.Runbook{
			Meaning:    "Each micro-batch runs past the next trigger, so batches run back to back and grow.",
			Impact:     "Latency rises with every batch; end-to-end freshness degrades.",
			Diagnosis:  []string{"Check the state size (`finobs_stream_state_rows`) and the input per batch."},
			Mitigation: []string{"Lengthen the trigger, cap maxOffsetsPerTrigger, or add executor cores."},
		},
		Tests: []rules.Test{
			{Name: "15s batches on a 10s trigger", At: 15 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 15}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamBatchDuration, "15x20"),
					streamQuery.Series(catalog.StreamTriggerInterval, "10x20"),
				}},
			{Name: "2s batches on a 10s trigger", At: 15 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamBatchDuration, "2x20"),
				streamQuery.Series(catalog.StreamTriggerInterval, "10x20"),
			}},
		},
	}
	StreamWatermarkLagging = rules.Alert{
		Name: "StreamWatermarkLagging", When: signals.StreamWatermarkLagging, For: 10 * minute, Panel: dashboards.StreamWatermarkPanel,
		Summary:     "A streaming query's event-time watermark lags far behind now.",
		Description: "The watermark of {{ $labels.query }} is {{ $value | humanizeDuration }} behind the wall clock.",
		Runbook: rules.Runbook{
			Meaning:    "The watermark (max event time minus the allowed delay) is more than ten minutes old.",
			Impact:     "Windows close late, so aggregates are late; or producers send old event times (check the epoch unit: seconds vs milliseconds).",
			Diagnosis:  []string{"Compare the producer's transactionTime with the wall clock.", "Check whether the query falls behind (`StreamFallingBehind`)."},
			Mitigation: []string{"Fix the producer's clock or time unit; let the query catch up."},
		},
		Tests: []rules.Test{
			{Name: "watermark stuck at one minute past epoch", At: 25 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 1440}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamWatermark, "60x30"),
				}},
			{Name: "watermark follows the clock", At: 25 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamWatermark, "0+60x30"),
			}},
		},
	}
	StreamQueryStalled = rules.Alert{
		Name: "StreamQueryStalled", When: signals.StreamQueryStalled, For: 5 * minute, Panel: dashboards.StreamRowsReadPanel,
		Summary:     "A streaming query reads nothing while its topic receives records.",
		Description: "Query {{ $labels.query }} read no rows in 5 minutes although topic " + topics.Transactions + " keeps receiving.",
		Runbook: rules.Runbook{
			Meaning:    "Records arrive in Kafka but the query's input stays flat: it is hung, or reading the wrong topic or offsets.",
			Impact:     "No aggregates; lag grows without bound.",
			Diagnosis:  []string{"Check `finobs_stream_query_up` and the last progress time.", "Check the Spark Connect server for stuck tasks (thread dump of the executor)."},
			Mitigation: []string{"Stop and restart the query from its checkpoint (`cmd/stream`)."},
		},
		Tests: []rules.Test{
			{Name: "input flat, topic busy", At: 15 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 0}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamInputRows, "100x20"),
					transactionsOnBroker.Series(catalog.KafkaMessagesIn, "0+600x20"),
				}},
			{Name: "input follows the topic", At: 15 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamInputRows, "0+600x20"),
				transactionsOnBroker.Series(catalog.KafkaMessagesIn, "0+600x20"),
			}},
		},
	}
	StreamNoInput = rules.Alert{
		Name: "StreamNoInput", When: signals.StreamNoInput, For: 10 * minute, Panel: dashboards.StreamRowsReadPanel,
		Summary:     "A running streaming query has had no input for ten minutes.",
		Description: "Query {{ $labels.query }} is active but read no rows in 10 minutes: is the producer running?",
		Runbook: rules.Runbook{
			Meaning:    "The query runs, but nothing arrives on its topic.",
			Impact:     "No transactions are processed; dashboards go flat.",
			Diagnosis:  []string{"Check the producer (`ProducerThroughputCollapsed`, `up{job=\"producer\"}`) and the topic's messages in."},
			Mitigation: []string{"Restart the producer or fix its connection to Kafka."},
		},
		Tests: []rules.Test{
			{Name: "no input", At: 25 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 0}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamInputRows, "100x30"),
					streamQuery.Series(catalog.StreamQueryUp, "1x30"),
				}},
			{Name: "input flows", At: 25 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamInputRows, "0+100x30"),
				streamQuery.Series(catalog.StreamQueryUp, "1x30"),
			}},
		},
	}
	StreamStateGrowing = rules.Alert{
		Name: "StreamStateGrowing", When: signals.StreamStateGrowing, For: 15 * minute, Panel: dashboards.StreamStateRowsPanel,
		Summary:     "Streaming state keeps growing.",
		Description: "State of {{ $labels.query }} holds {{ $value | humanize }} rows, more than twice as many as 30 minutes ago.",
		Runbook: rules.Runbook{
			Meaning:    "The state store more than doubled in half an hour: windows are not being evicted.",
			Impact:     "Memory and checkpoint size grow until the executors fail.",
			Diagnosis:  []string{"Check the watermark (`StreamWatermarkLagging`): without a moving watermark, state is never dropped.", "Check the number of distinct keys (merchants)."},
			Mitigation: []string{"Fix the event time or watermark; shorten the window or the allowed lateness."},
		},
		Tests: []rules.Test{
			{Name: "state grows linearly from zero", At: 50 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 1e6}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamStateRows, "0+20000x60"),
				}},
			{Name: "state steady", At: 50 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamStateRows, "500000x60"),
			}},
		},
	}
	StreamDeadLetters = rules.Alert{
		Name: "StreamDeadLetters", When: signals.StreamDeadLettering, For: 5 * minute, Panel: dashboards.StreamDeadLettersPanel,
		Summary:     "Malformed transactions are being sent to the dead-letter topic.",
		Description: "Query {{ $labels.query }} dead-letters {{ $value | humanize }} rows/s.",
		Runbook: rules.Runbook{
			Meaning:    "Records fail decoding (Avro: not the registry's wire format, an unknown schema id, an undecodable body; JSON: not parsable) or the transaction contract, and go to the dead-letter topic with the reason.",
			Impact:     "Those transactions are missing from the aggregates until replayed.",
			Diagnosis:  []string{"Consume the dead-letter topic and read the reason field; raw is the record, or its first 64 KiB when truncated is true (an Avro record's as base64), rawBytes and rawSha256 its whole size and digest, topic, partition and offset where it still is; find the producer that sends them.", "`unknown schema id N`: a producer registered and writes a schema version the job was not started with; `curl -s 127.0.0.1:8085/apis/ccompat/v7/schemas/ids/N` (local) shows it."},
			Mitigation: []string{"Fix the producer; replay the dead letters after the fix.", "For a new schema version that the registry accepted (FULL compatibility), restart the job on it once the producers write it."},
		},
		Tests: []rules.Test{
			{Name: "one a second", At: 15 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 1}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamDeadLetters, "0+60x20"),
				}},
			{Name: "none", At: 15 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamDeadLetters, "7x20"),
			}},
		},
	}
	StreamEventTimeAhead = rules.Alert{
		Name: "StreamEventTimeAhead", When: signals.StreamEventTimeAhead, For: 5 * minute, Panel: dashboards.StreamEventSkewPanel,
		Summary:     "Transactions carry event times ahead of the brokers' clock.",
		Description: "Query {{ $labels.query }} read records dated {{ $value | humanizeDuration }} ahead of when the broker appended them.",
		Runbook: rules.Runbook{
			Meaning:    "A producer's clock runs ahead, or a producer dates transactions in the future. The input topic's timestamps are the broker's append time (LogAppendTime), so event time minus that is the producer's skew.",
			Impact:     "Beyond the job's tolerance (-max-event-ahead, 5 minutes by default) records are quarantined to the dead-letter topic and missing from the aggregates; below it they push the watermark ahead, and records of producers with right clocks arrive late and are dropped.",
			Diagnosis:  []string{"Consume the dead-letter topic for reasons starting `quarantined:`; its raw field names the producer's records (transactionTime) and topic, partition and offset.", "Check the producers' hosts' clocks (`chronyc tracking`, `timedatectl`)."},
			Mitigation: []string{"Fix the producer's clock (NTP) or its dating of transactions.", "Replay the quarantined records from their partition and offset once their event times are right."},
		},
		Tests: []rules.Test{
			{Name: "a producer's clock two minutes ahead", At: 10 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 120}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamEventSkew, "120x10"),
				}},
			{Name: "records a little behind, as they come", At: 10 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamEventSkew, "-0.5x10"),
			}},
			{Name: "one batch ahead, then right again", At: 10 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamEventSkew, "-0.5x3 3600 -0.5x6"),
			}},
		},
	}
	StreamLateRowsDropped = rules.Alert{
		Name: "StreamLateRowsDropped", When: signals.StreamLateRowsDropped, For: 10 * minute, Panel: dashboards.StreamLateRowsPanel,
		Summary:     "Rows arrive behind the watermark and are dropped.",
		Description: "Query {{ $labels.query }} drops {{ $value | humanize }} late rows/s.",
		Runbook: rules.Runbook{
			Meaning:    "Events arrive later than the watermark delay allows and are not counted.",
			Impact:     "Aggregates miss those transactions.",
			Diagnosis:  []string{"Compare event times with arrival times; check producer clocks and buffering."},
			Mitigation: []string{"Raise the watermark delay if lateness is legitimate."},
		},
		Tests: []rules.Test{
			{Name: "two a second", At: 25 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 2}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamLateRows, "0+120x30"),
				}},
			{Name: "a few", At: 25 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamLateRows, "0+6x30"),
			}},
		},
	}
)

// StreamProgressStale: a query that stopped reporting progress is hung, whatever it reads.
var StreamProgressStale = rules.Alert{
	Name: "StreamProgressStale", When: signals.StreamProgressStale, For: 3 * minute, Panel: dashboards.StreamProgressAgePanel,
	Summary:     "A streaming query has stopped reporting progress.",
	Description: "Query {{ $labels.query }} last reported progress {{ $value | humanizeDuration }} ago.",
	Runbook: rules.Runbook{
		Meaning:    "The driver publishes a progress report after every micro-batch; none came for over two minutes.",
		Impact:     "No batch completes: aggregates stop and the backlog grows, though the query may still count as active.",
		Diagnosis:  []string{"Check the current batch in the Spark Connect server's UI and log (a stuck task, a lost executor).", "Check the stream driver's log: it may have stopped polling."},
		Mitigation: []string{"Restart the query (`cmd/stream`); it resumes from its checkpoint."},
	},
	Tests: []rules.Test{
		{Name: "progress stuck at one minute", At: 10 * minute,
			Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 540}}, Series: []rules.Series{
				streamQuery.Series(catalog.StreamLastProgress, "60x15"),
			}},
		{Name: "progress every minute", At: 10 * minute, Series: []rules.Series{
			streamQuery.Series(catalog.StreamLastProgress, "0+60x15"),
		}},
	},
}

// A query that fails again and again, and data lost under it: the driver's restart policy
// and its failures by class (pipeline/stream).
var (
	StreamQueryCrashLooping = rules.Alert{
		Name: "StreamQueryCrashLooping", When: signals.StreamCrashLooping, Panel: dashboards.StreamRestartsPanel,
		Summary:     "A streaming query keeps failing and being restarted.",
		Description: "The driver restarted query {{ $labels.query }} {{ $value | humanize }} times in 15 minutes: it fails again after every start.",
		Runbook: rules.Runbook{
			Meaning: "The stream driver started the query again from its checkpoint at least 3 times in 15 minutes: each time it failed, the driver marked it down and restarted it as its policy says " +
				"(-max-restarts, -restart-window, -restart-backoff). Each start puts the query up again for a while, so StreamQueryDown (down for a minute) may never fire; it is muted while this fires.",
			Impact: "No aggregates or anomalies while it fails; input accumulates in Kafka. Past -max-restarts in -restart-window (5 in 15 minutes by default) the driver gives up and exits 3: " +
				"the job stays down until someone starts it, and if retention overtakes its checkpoint meanwhile, the next start fails as a data loss.",
			Diagnosis: []string{
				"Read the error class of the failures on the panel beside this one (`finobs_stream_query_failures_total`): state, kafka, start, terminated or other.",
				"Read the driver's log: every `query failed` line carries `error_class`, `spark_error_class` and the exception; `giving up on the query` says why it stopped.",
				"state: the state store cannot load or write the checkpoint's state (a state store setting given with -conf, a damaged or unreadable checkpoint directory, its disk). kafka: the brokers (`KafkaBrokerDown`, the -bootstrap address as the Spark server reaches it). start or other: the Spark Connect server's log.",
			},
			Mitigation: []string{
				"Fix the cause and start `cmd/stream` again with the same flags; " + resumes,
				"If the checkpoint itself cannot be used (damaged state), start over deliberately with `-fresh`: the checkpoint and its ownership record are moved aside to `<query>.replaced-<time>` (nothing is deleted) and the topic is read again from -starting-offsets.",
				"Do not raise -max-restarts to quiet the page: restarting does not heal a query that fails at every start.",
			},
		},
		Tests: []rules.Test{
			{Name: "three restarts in five minutes, no progress since", At: 5 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 3}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamQueryRestarts, "0 1 2 3 3 3"),
					streamQuery.Series(catalog.StreamLastProgress, "0 0 0 0 0 0"),
				}},
			{Name: "three restarts of a query that never made progress (no progress series)", At: 5 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Expect(), Value: 3}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamQueryRestarts, "0 1 2 3 3 3"),
				}},
			{Name: "three restarts, then batches again (the fault was fixed)", At: 5 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamQueryRestarts, "0 1 2 3 3 3"),
				streamQuery.Series(catalog.StreamLastProgress, "0 0 0 0 240 300"),
			}},
			{Name: "two restarts, then the driver stops (increase reads 2.5)", At: 4 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamQueryRestarts, "0 1 2 _ _"),
			}},
			{Name: "restarts spread over an hour", At: 60 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamQueryRestarts, "0+0.1x60"),
			}},
		},
	}
	StreamDataLoss = rules.Alert{
		Name: "StreamDataLoss", When: signals.StreamDataLoss, Panel: dashboards.StreamFailuresPanel,
		Summary:     "Records were lost in Kafka before the streaming query read them.",
		Description: "Query {{ $labels.query }} failed because offsets its checkpoint needs are gone from Kafka; the driver gave up and exited.",
		Runbook: rules.Runbook{
			Meaning: "Spark failed the query because records its checkpoint has not read yet are no longer in Kafka (failOnDataLoss, on by default: -fail-on-data-loss): retention deleted them, someone deleted records, or a partition was truncated. " +
				"The driver counted it (error_class data_loss) and gave up at once, without restarting (a restart cannot bring the records back), then exited 3 after serving /metrics for -linger. " +
				"The alert fires from a single scrape of the count and holds for 15 minutes.",
			Impact: "The transactions in the gap were never aggregated or checked for anomalies, and the job is down: no output until someone decides how to go on. Nothing was skipped silently: the job did not run on past the gap.",
			Diagnosis: []string{
				"Read the driver's `query failed` line: Spark's message names the topic partition and the offset range that is gone.",
				"Compare the topic's retention (retention.ms, retention.bytes) with how long the job was stopped or behind (offsets behind latest, StreamFallingBehind before this).",
				"Check for deleted records or an unclean leader election that truncated a partition (KafkaUncleanLeaderElection).",
				"A checkpoint refused as foreign (exit 4, with a message naming the checkpoint and what it belongs to) is not a data loss: its ownership record (`<query>.owner.json` beside it) names another topic id (a topic deleted and created again under the same name), another Kafka cluster or another query shape than the job reads now, so its offsets mean nothing in this topic, and nothing runs.",
			},
			Mitigation: []string{
				"Decide about the gap: replay the lost transactions from their source if there is one, or record it (partition, offsets, time) for the aggregates' consumers.",
				"Start over deliberately with `-fresh`: the checkpoint and its ownership record are moved aside to `<query>.replaced-<time>` (nothing is deleted) and the topic is read from -starting-offsets (earliest: everything Kafka still holds is aggregated again). Without -fresh the job fails again on the same gap; a foreign checkpoint is resolved the same way.",
				"Do not turn -fail-on-data-loss off to get past it: the job would skip the gap with a line in Spark's log only.",
				"Raise the topic's retention above the longest time the job may be stopped.",
			},
		},
		Tests: []rules.Test{
			{Name: "a data loss at the first batch, scraped twice before the driver exits", At: 10 * minute,
				Fires: []rules.Firing{{Labels: dataLoss.Expect(), Value: 1}}, Series: []rules.Series{
					dataLoss.Series(catalog.StreamQueryFailures, "_ _ 1 1 _x10"),
				}},
			{Name: "failures of another class", At: 10 * minute, Series: []rules.Series{
				dataLoss.Series(catalog.StreamQueryFailures, "0x12"),
				streamQuery.With("error_class", "other").Series(catalog.StreamQueryFailures, "0 1 2 3x10"),
			}},
			{Name: "a data loss 20 minutes ago", At: 25 * minute, Series: []rules.Series{
				dataLoss.Series(catalog.StreamQueryFailures, "0 1 1 _x25"),
			}},
		},
	}
)

var dataLoss = streamQuery.With("error_class", signals.DataLossClass)

// Streaming: the Structured Streaming queries, seen through the stream driver's progress
// metrics. Streaming commits no consumer-group offsets: lag comes from offsets behind latest.
var Streaming = rules.Group{
	Name:      "spark-streaming",
	Component: "spark",
	Recording: []rules.Recording{
		{Record: "query:finobs_stream_offsets_behind_latest:sum", Expr: promql.Sum(promql.Select(catalog.StreamOffsetsBehind), "query")},
		{Record: "query:finobs_stream_input_rows:rate5m", Expr: promql.Sum(promql.Rate(promql.Select(catalog.StreamInputRows), 5*minute), "query")},
	},
	Alerts: []rules.Alert{
		StreamDriverDown, SparkConnectDown, StreamQueryDown, StreamFallingBehind, StreamBatchSlowerThanTrigger, StreamWatermarkLagging,
		StreamQueryStalled, StreamNoInput, StreamStateGrowing, StreamDeadLetters, StreamEventTimeAhead, StreamLateRowsDropped,
		StreamProgressStale, StreamQueryCrashLooping, StreamDataLoss,
	},
}
