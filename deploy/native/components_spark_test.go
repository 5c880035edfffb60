package native

import (
	"slices"
	"strings"
	"testing"

	"github.com/finobs/finobs/topology"
)

func TestSparkMasterSetting(t *testing.T) {
	st, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]string{
		"":                      "spark://127.0.0.1:7077",
		"local[2]":              "local[2]",
		"local":                 "local",
		"local[*]":              "local[*]",
		"local[2,3]":            "local[2,3]",
		"spark://10.0.0.1:7077": "spark://10.0.0.1:7077",
	} {
		t.Setenv(SparkMasterEnv, v)
		got, err := SparkMaster(st)
		if err != nil || got != want {
			t.Errorf("%s=%q: %q, %v; want %q", SparkMasterEnv, v, got, err, want)
		}
	}
	for _, bad := range []string{"local[0]", "local[two]", "yarn", "spark://", "local[2"} {
		t.Setenv(SparkMasterEnv, bad)
		_, err := SparkMaster(st)
		if err == nil || !strings.Contains(err.Error(), SparkMasterEnv) || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s=%q: %v, want an error naming the setting and the value", SparkMasterEnv, bad, err)
		}
	}
}

// The Connect server runs against the topology's master; the worker offers what the
// topology says and registers with that master; a bad setting fails before anything starts.
func TestSparkServices(t *testing.T) {
	st, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	p := Paths{Repo: "/repo", State: "/state"}
	env := Env{JavaHome: "/jdk", SparkHome: "/pyspark", Alertmanager: "am"}
	t.Setenv(SparkMasterEnv, "")
	svcs, err := services(p, env, st)
	if err != nil {
		t.Fatal(err)
	}
	argv := map[string][]string{}
	for _, s := range svcs {
		argv[s.name()] = s.argv
	}
	connect := strings.Join(argv["spark-connect"], " ")
	if !strings.Contains(connect, "--master spark://127.0.0.1:7077") {
		t.Errorf("spark-connect does not run against the master: %s", connect)
	}
	w := argv["spark-worker-1"]
	if !slices.Contains(w, "spark://127.0.0.1:7077") || !strings.Contains(strings.Join(w, " "), "--cores 2 --memory 2048m") {
		t.Errorf("spark-worker-1: %v", w)
	}
	m := strings.Join(argv["spark-master"], " ")
	if !strings.Contains(m, "org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 8090") {
		t.Errorf("spark-master: %s", m)
	}
	t.Setenv(SparkMasterEnv, "mesos://x")
	if _, err := services(p, env, st); err == nil || !strings.Contains(err.Error(), SparkMasterEnv) {
		t.Errorf("a bad %s: %v", SparkMasterEnv, err)
	}
}

// The native stack fetches every Spark package Compose gives --packages (one list), spark-avro
// among them (from_avro), and the Kafka source's own dependencies beside them.
func TestSparkJarDeps(t *testing.T) {
	deps, err := sparkJarDeps()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range deps {
		got = append(got, d.String())
	}
	for _, want := range append(slices.Clone(SparkPackages), "org.apache.spark:spark-avro_2.13:"+SparkVersion,
		"org.apache.kafka:kafka-clients:"+SparkKafkaClientsVersion) {
		if !slices.Contains(got, want) {
			t.Errorf("the native stack does not fetch %s: %v", want, got)
		}
	}
}
