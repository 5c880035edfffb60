// Command esroot is the native stack's front door to its Elasticsearch node: it answers
// GET / (the root endpoint the integ-test distribution lacks, which Filebeat reads first)
// and proxies everything else to the node. See internal/esroot.
//
//	esroot -listen 127.0.0.1:9200 -node http://127.0.0.1:9201
package main

import (
	"flag"
	"log/slog"
	"net/http"
	"net/url"
	"os"

	"github.com/finobs/finobs/internal/esroot"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9200", "address clients reach Elasticsearch at")
	node := flag.String("node", "http://127.0.0.1:9201", "the node's own HTTP address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	u, err := url.Parse(*node)
	if err != nil {
		log.Error("bad -node", "err", err)
		os.Exit(2)
	}
	log.Info("serving Elasticsearch's root endpoint, proxying the rest", "listen", *listen, "node", u)
	if err := http.ListenAndServe(*listen, esroot.Handler(u)); err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
}
