package native

import (
	"context"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

// registryService runs Apicurio Registry with its default storage, H2 in memory: the
// native stack's registry forgets its schemas when it stops, and the producer registers
// its schema again when it starts (Compose would give it a database). Its APIs listen on
// the instance's HTTP port; health and metrics on the management port.
func registryService(p Paths, env Env, inst stack.Instance) service {
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
			sys("apicurio.storage.snapshot.location", filepath.Join(p.Data(), "registry")),
			sys("apicurio.import.work-dir", filepath.Join(p.Data(), "registry")),
			"-jar", filepath.Join(p.RegistryHome(), "quarkus-run.jar")},
		env: []string{"JAVA_HOME=" + env.RegistryJava},
		prepare: func(context.Context) error {
			return mkdirs(filepath.Join(p.Data(), "registry"))
		},
		health:  all(httpOK(mgmt+"/health/ready"), httpOK("http://"+inst.Addr(stack.PortHTTP)+stack.RegistryCCompatPath+"/subjects")),
		timeout: 120 * time.Second, // ~16 s alone; longer beside Kafka's and Spark's JVMs on 2 cores
		url:     "http://" + inst.Addr(stack.PortHTTP) + stack.RegistryCCompatPath,
	}
}
