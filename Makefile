# finobs — every target is a thin call into Go code; see README.md.
GO        ?= go
PROM      ?= http://127.0.0.1:9090
ES        ?= http://127.0.0.1:9200
# Integration tests start Kafka, Spark and Prometheus: give them room.
TESTFLAGS ?= -timeout 30m -count=1


.PHONY: gen check test phases test-faults test-unit lint rules-test am-test up down status deploy deploy-down deploy-status deploy-secrets check-live bench-producer bench-stream bench-freshness bench-lag

gen: ## render every asset under deploy/
	$(GO) run ./cmd/gen

check: ## fail when committed output under deploy/ is stale
	$(GO) run ./cmd/gen --check

lint: ## lint every rule and dashboard expression against the metric catalog
	$(GO) run ./cmd/gen lint

rules-test: ## promtool: config, rules and unit tests of every alert
	$(GO) tool promtool check config deploy/prometheus/prometheus.yml deploy/local/prometheus.yml deploy/local/prometheus-kafka3.yml
	$(GO) tool promtool check rules deploy/prometheus/rules/*.yml deploy/local/rules/*.yml
	ls deploy/prometheus/tests/*.yml | xargs -P 2 -n 1 $(GO) tool promtool test rules # a file per process, two at a time: the SLO files are the longest

am-test: ## amtool: config and routing tests
	$(GO) tool amtool check-config deploy/alertmanager/alertmanager.yml deploy/local/alertmanager.yml
	$(GO) run ./cmd/gen routes-test

# The public declaration API from a module of its own: examples/payments declares a metric,
# a signal, an alert and a panel with pkg/ only and renders them; promtool checks the result.
EXAMPLE_OUT = .stack/example
.PHONY: example
example: ## build and run examples/payments into .stack/example, then promtool checks its rules and runs its tests
	rm -rf $(EXAMPLE_OUT)
	cd examples/payments && $(GO) vet . && $(GO) test . && $(GO) run . -out $(CURDIR)/$(EXAMPLE_OUT)
	$(GO) tool promtool check rules $(EXAMPLE_OUT)/prometheus/rules/*.yml
	$(GO) tool promtool test rules $(EXAMPLE_OUT)/prometheus/tests/*.yml

# finobs on your own clusters: examples/own-clusters/finobs.yaml (brokers as job="kafka", two
# clusters, a disabled alert, a moved threshold, two teams) rendered by gen -config, then
# checked by promtool (rules and their generated tests) and amtool (config, teams' routes);
# its Kubernetes objects decoded strictly, the PrometheusRules' groups compared with the rule
# files and checked by promtool (kube-check).
EXAMPLE_CONFIG_OUT = .stack/example-config
.PHONY: example-config
example-config: ## render examples/own-clusters/finobs.yaml into .stack/example-config; promtool and amtool check it, and its Kubernetes objects
	rm -rf $(EXAMPLE_CONFIG_OUT)
	$(GO) run ./cmd/gen -config examples/own-clusters/finobs.yaml -out $(EXAMPLE_CONFIG_OUT)
	$(GO) tool promtool check rules $(EXAMPLE_CONFIG_OUT)/rules/*.yml
	ls $(EXAMPLE_CONFIG_OUT)/tests/*.yml | xargs -P 2 -n 1 $(GO) tool promtool test rules
	$(GO) tool amtool check-config $(EXAMPLE_CONFIG_OUT)/alertmanager/alertmanager.yml
	$(GO) run ./cmd/gen routes-test -config examples/own-clusters/finobs.yaml -out $(EXAMPLE_CONFIG_OUT)
	$(GO) run ./cmd/gen kube-check -out $(EXAMPLE_CONFIG_OUT)

test-unit: ## the tests that need no running stack
	$(GO) test $$($(GO) list ./... | grep -v /integration)

# The whole contract: generation is current, every check passes, the integration tests run
# against the real native stack (started here if it is not up, and stopped again), then the
# fault suite on a 3+3 stack of its own (TestJobCorrectness runs there, across a broker outage).
# Each phase is timed into $(PHASES) (cmd/stack exec adds its install, start, tests and stop),
# and the table is printed at the end, passed or failed.
PHASES = $(CURDIR)/.stack/phases
# timed NAME, COMMAND: run COMMAND, append "NAME<TAB>seconds" to $(PHASES); on failure print the
# table so far and fail.
timed = t0=$$(date +%s); $(2); rc=$$?; printf '%s\t%s\n' "$(1)" $$(( $$(date +%s) - t0 )) >> $(PHASES); \
	if [ $$rc != 0 ]; then $(MAKE) --no-print-directory phases; exit $$rc; fi
test:
	@mkdir -p .stack && : > $(PHASES)
	@for step in check lint rules-test am-test example example-config; do \
		$(call timed,$$step,$(MAKE) --no-print-directory $$step); \
	done
	@$(call timed,integration tests (1-node stack),FINOBS_PHASES=$(PHASES) FINOBS_PHASE='1-node stack' \
		$(GO) run ./cmd/stack exec -- $(GO) test $(TESTFLAGS) -skip '^TestJobCorrectness$$' $$($(GO) list ./... | grep -v /integration/faults))
	@$(call timed,fault suite (3+3 stack),FINOBS_PHASES=$(PHASES) FINOBS_PHASE='3+3 stack' $(MAKE) --no-print-directory test-faults)
	@$(MAKE) --no-print-directory phases

phases: ## the phases of the last make test and their times
	@awk -F'\t' '{ printf "  %-44s %5ds  %3dm%02ds\n", $$1, $$2, $$2/60, $$2%60; if ($$1 !~ /: /) total += $$2 } \
		END { printf "  %-44s %5ds  %3dm%02ds\n", "make test", total, total/60, total%60 }' $(PHASES)

# The fault suite (nothing lost rides on its broker killed) on one 3+3 stack;
# FAULTS='TestFaults/lanes/brokers' runs a part. -parallel 64: every fault is a parallel
# subtest waiting for the one before it (the default, GOMAXPROCS, is 2 here).
# Then, side by side (-p 2), Alertmanager restarted and the job's totals across a broker
# outage: neither watches what the other touches (the restart's probe is an alert of its
# own), and each must run apart from the lanes. AFTER_FAULTS= leaves them out.
FAULTS ?= ^TestFaults$$
AFTER_FAULTS ?= ^(TestAlertmanagerRestart|TestJobCorrectness)$$
test-faults: ## kill, pause, cut off and freeze parts of the running 3+3 stack; every alert reaches its receiver
	KAFKA_NODES=3 FINOBS_LOGS=0 FINOBS_PIPELINE=1 $(GO) run ./cmd/stack exec -- sh -c '\
		$(GO) test -p 1 -parallel 64 -timeout 60m -count=1 -v -run "$(FAULTS)" ./integration/faults/ && \
		if [ -n "$(AFTER_FAULTS)" ]; then $(GO) test -p 2 -timeout 30m -count=1 -v -run "$(AFTER_FAULTS)" ./integration/faults/ ./pipeline/stream/integration/; fi'

up: ## start the native local stack (KAFKA_NODES=1|3), provision it, then the producer and stream driver (FINOBS_PIPELINE=0: without them)
	$(GO) run ./cmd/stack up

down: ## stop what `make up` started
	$(GO) run ./cmd/stack down

status:
	$(GO) run ./cmd/stack status

# Built, not `go run`: without an engine the one line it prints is all (go run adds its own).
COMPOSE = @$(GO) build -o bin/compose ./cmd/compose && bin/compose

deploy: ## the Compose stack: docker compose up --wait, then the provisioner (needs a Docker engine with the compose plugin)
	$(COMPOSE) up

deploy-down: ## stop the Compose stack (keeps its volumes; bin/compose down -volumes deletes them)
	$(COMPOSE) down

deploy-status:
	$(COMPOSE) status

deploy-secrets: ## write the Compose stack's secret files under deploy/secrets/ (git-ignored; never overwrites)
	$(COMPOSE) secrets

check-live: ## every catalog metric, rule and dashboard query returns data on the live stack (Prometheus and Elasticsearch)
	$(GO) run ./cmd/gen check --prometheus $(PROM) --elasticsearch $(ES)

bench-producer:
	$(GO) run ./cmd/bench producer -rounds 2 # alternating order evens out a shared machine

bench-stream:
	$(GO) run ./cmd/bench stream

# One reading of every consumer group (what a scrape of kafka-lag-exporter costs), against
# the running stack's Kafka: LAG_GROUPS groups on a topic of LAG_PARTITIONS partitions.
bench-lag: ## kafka-lag-exporter: time and memory of one scrape per group-partition (needs `make up`)
	$(GO) test -run '^$$' -bench '^BenchmarkConsumerGroupLag$$' -benchmem -benchtime 20x ./integration/

bench-freshness: ## produce time -> aggregate out, through the whole pipeline
	$(GO) run ./cmd/bench freshness
