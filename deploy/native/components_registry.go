package native

import (
	"context"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

// registryService runs Apicurio Registry on its SQL storage with H2 in a file (its default is
// H2 in memory: every restart lost the schemas and numbered them again, and records already
// in Kafka name ids by number). WRITE_DELAY=0 writes each commit before the registry answers:
// an id the producer was given survives a kill -9 right after. Its APIs listen on the
// instance's HTTP port; health and metrics on the management port.
func registryService(p Paths, env Env, st stack.Stack, inst stack.Instance) service {
	data := p.StateOf(st, "registry")
	mgmt := "http://" + inst.Addr(stack.PortMetrics)
	sys := func(k, v string) string { return "-D" + k + "=" + v }
	return service{
		dir: p.RegistryHome(),
		argv: []string{filepath.Join(env.RegistryJava, "bin", "java"),
			"-Xms" + RegistryHeap, "-Xmx" + RegistryHeap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Duser.timezone=UTC",
			"-Djava.io.tmpdir=" + filepath.Join(p.Data(), "registry"),
			sys("quarkus.http.host", inst.Host),
			sys("quarkus.http.port", strconv.Itoa(inst.Port(stack.PortHTTP))),
			sys("quarkus.management.host", inst.Host),
			sys("quarkus.management.port", strconv.Itoa(inst.Port(stack.PortMetrics))),
			// The shipped format prints dates as "2026-12+00-01" (YYYY-MMx-dd): a plain one, in UTC.
			sys("quarkus.log.console.format", "%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c] (%t) %m%n"),
			sys("apicurio.storage.kind", "sql"), sys("apicurio.storage.sql.kind", "h2"),
			sys("apicurio.datasource.url", RegistryDatasourceURL(filepath.Join(data, "db"))),
			sys("apicurio.storage.snapshot.location", filepath.Join(p.Data(), "registry")),
			sys("apicurio.import.work-dir", filepath.Join(p.Data(), "registry")),
			"-jar", filepath.Join(p.RegistryHome(), "quarkus-run.jar")},
		env: []string{"JAVA_HOME=" + env.RegistryJava},
		prepare: func(context.Context) error {
			return mkdirs(filepath.Join(p.Data(), "registry"), data)
		},
		health:  all(httpOK(mgmt+"/health/ready"), httpOK("http://"+inst.Addr(stack.PortHTTP)+stack.RegistryCCompatPath+"/subjects")),
		timeout: 120 * time.Second, // ~16 s alone; longer beside Kafka's and Spark's JVMs on 2 cores
		url:     "http://" + inst.Addr(stack.PortHTTP) + stack.RegistryCCompatPath,
	}
}

// RegistryDatasourceURL is the JDBC URL of the registry's database in a file at path (H2
// adds .mv.db): both stacks use it, Compose with a path on the registry's volume.
// DB_CLOSE_ON_EXIT=FALSE: the registry's connection pool closes the database when it stops;
// H2's own shutdown hook closed it first, under the registry's scheduled jobs.
func RegistryDatasourceURL(path string) string {
	return "jdbc:h2:file:" + path + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
}
