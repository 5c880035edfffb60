// Command bench runs a throughput benchmark of ours side by side with the reference tool,
// in the same run against the same native stack, and prints the ratio as its last line; and
// the pipeline's end-to-end freshness.
//
//	go run ./cmd/bench producer   # franz-go producer vs Kafka's ProducerPerformance
//	go run ./cmd/bench stream     # Go/Spark Connect job vs the PySpark reference job
//	go run ./cmd/bench freshness  # the whole pipeline: produce time to aggregate out
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// bench is one benchmark; each lives in its own file and registers itself in init.
type bench struct {
	usage string
	run   func(ctx context.Context, args []string) error
}

var benches = map[string]bench{}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		os.Exit(2)
	}
	b, ok := benches[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: unknown benchmark %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := b.run(ctx, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "bench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: bench <name> [flags]\n\nbenchmarks:")
	names := make([]string, 0, len(benches))
	for n := range benches {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, benches[n].usage)
	}
}
