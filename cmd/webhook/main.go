// Command webhook receives Alertmanager notifications for the local stack and keeps them,
// so tests can assert what was delivered to which receiver. With -receiver name=addr
// (repeated) each receiver has a listener of its own, as production's receivers are
// different services: a POST there is recorded as that receiver, and one receiver can be
// cut off while the others and the API stay reachable. Without -receiver, the URL path of a
// POST to -listen names the receiver (POST /paging, /chat, ...). Every notification is
// appended to a JSON Lines file and served back by GET /notifications
// (?receiver=paging&alertname=X&since=RFC3339); GET /heartbeat tells when the heartbeat
// receiver (-heartbeat) last got a notification and how long ago, as a dead man's switch
// service would.
// With -runbooks DIR it also serves the generated runbook pages under /runbooks/, where
// the runbook_url of alerts points (deploy/deployment).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Alert is one alert of an Alertmanager webhook message (version 4).
type Alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// Message is the body Alertmanager POSTs.
type Message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"` // Alertmanager's receiver name
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Notification is one delivery as recorded.
type Notification struct {
	ReceivedAt time.Time `json:"received_at"`
	Path       string    `json:"path"`     // "/paging"
	Receiver   string    `json:"receiver"` // the path without its slash: "paging"
	Message    Message   `json:"message"`
}

type store struct {
	mu   sync.Mutex
	file *os.File
	all  []Notification
}

func openStore(path string) (*store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	s := &store{}
	// Keep what earlier runs received: the file is the record of the whole session.
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var n Notification
			if json.Unmarshal(sc.Bytes(), &n) == nil {
				s.all = append(s.all, n)
			}
		}
		f.Close()
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	s.file = f
	return s, nil
}

func (s *store) add(n Notification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all = append(s.all, n)
	_, err = s.file.Write(append(b, '\n'))
	return err
}

// query returns the notifications to receiver (if set), holding an alert named alertname
// (if set), received at or after since.
func (s *store) query(receiver, alertname string, since time.Time) []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Notification{}
	for _, n := range s.all {
		if receiver != "" && n.Receiver != receiver || n.ReceivedAt.Before(since) {
			continue
		}
		if alertname != "" && !hasAlert(n.Message, alertname) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// last is when receiver last got a notification of something firing, and how many it
// got: a heartbeat that resolved is no heartbeat.
func (s *store) last(receiver string) (time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var at time.Time
	n := 0
	for _, x := range s.all {
		if x.Receiver == receiver && x.Message.Status == "firing" {
			n++
			if x.ReceivedAt.After(at) {
				at = x.ReceivedAt
			}
		}
	}
	return at, n
}

func hasAlert(m Message, name string) bool {
	for _, a := range m.Alerts {
		if a.Labels["alertname"] == name {
			return true
		}
	}
	return false
}

// receivers is the repeatable -receiver name=addr flag.
type receivers map[string]string

func (r receivers) String() string {
	var kv []string
	for n, a := range r {
		kv = append(kv, n+"="+a)
	}
	sort.Strings(kv)
	return strings.Join(kv, ",")
}

func (r receivers) Set(v string) error {
	name, addr, ok := strings.Cut(v, "=")
	if !ok || name == "" || addr == "" || strings.Contains(name, "/") {
		return fmt.Errorf("want name=host:port, got %q", v)
	}
	if _, dup := r[name]; dup {
		return fmt.Errorf("receiver %q given twice", name)
	}
	r[name] = addr
	return nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:9095", "address of the API (/notifications, /heartbeat, /healthz, /runbooks/)")
	file := flag.String("file", ".stack/webhook/notifications.jsonl", "JSON Lines file of received notifications")
	runbooks := flag.String("runbooks", "", "directory of runbook pages to serve under /runbooks/ (deploy/runbooks); empty serves none")
	heartbeat := flag.String("heartbeat", "heartbeat", "receiver whose notifications are the heartbeats GET /heartbeat reports")
	rcv := receivers{}
	flag.Var(rcv, "receiver", "name=host:port: a listener of its own for receiver name (repeat per receiver); with none, POST /name on -listen")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	st, err := openStore(*file)
	if err != nil {
		log.Error("open store", "err", err)
		os.Exit(1)
	}
	h := handler(st, log, *heartbeat, len(rcv) == 0)
	if *runbooks != "" {
		if fi, err := os.Stat(*runbooks); err != nil || !fi.IsDir() {
			log.Error("runbooks: not a directory", "dir", *runbooks, "err", err)
			os.Exit(1)
		}
		h = withRunbooks(h, *runbooks)
	}
	// Bind every address first: a port in use is reported before anything is served.
	servers := map[string]*http.Server{*listen: {Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	for name, addr := range rcv {
		if _, dup := servers[addr]; dup {
			log.Error("two listeners on one address", "addr", addr, "receiver", name)
			os.Exit(2)
		}
		servers[addr] = &http.Server{Handler: receiverHandler(st, log, name), ReadHeaderTimeout: 10 * time.Second}
	}
	errc := make(chan error, len(servers))
	for addr, srv := range servers {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "webhook:", err)
			os.Exit(1)
		}
		go func() { errc <- srv.Serve(ln) }()
	}
	log.Info("listening", "addr", *listen, "receivers", rcv.String(), "file", *file)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}

// handler serves the API; byPath also records a POST to /name as receiver name.
func handler(st *store, log *slog.Logger, heartbeat string, byPath bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /notifications", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var since time.Time
		if v := q.Get("since"); v != "" {
			var err error
			if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
				http.Error(w, "since: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st.query(q.Get("receiver"), q.Get("alertname"), since))
	})
	mux.HandleFunc("GET /heartbeat", func(w http.ResponseWriter, r *http.Request) {
		last, n := st.last(heartbeat)
		if n == 0 {
			http.Error(w, "no heartbeat received by "+heartbeat, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(Heartbeat{Receiver: heartbeat, Last: last, AgeSeconds: time.Since(last).Seconds(), Count: n})
	})
	if byPath {
		mux.HandleFunc("POST /{receiver...}", func(w http.ResponseWriter, r *http.Request) {
			record(w, r, st, log, strings.Trim(r.URL.Path, "/"))
		})
	}
	return mux
}

// Heartbeat is what GET /heartbeat answers.
type Heartbeat struct {
	Receiver   string    `json:"receiver"`
	Last       time.Time `json:"last"`
	AgeSeconds float64   `json:"age_seconds"`
	Count      int       `json:"count"` // firing notifications received, this session and the ones before
}

// receiverHandler records every POST, whatever its path, as receiver name.
func receiverHandler(st *store, log *slog.Logger, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "receiver "+name+": POST an Alertmanager webhook message", http.StatusMethodNotAllowed)
			return
		}
		record(w, r, st, log, name)
	})
}

func record(w http.ResponseWriter, r *http.Request, st *store, log *slog.Logger, receiver string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "not an Alertmanager webhook message: "+err.Error(), http.StatusBadRequest)
		return
	}
	n := Notification{ReceivedAt: time.Now().UTC(), Path: "/" + receiver, Receiver: receiver, Message: m}
	if err := st.add(n); err != nil {
		log.Error("record", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	names := make([]string, 0, len(m.Alerts))
	for _, a := range m.Alerts {
		names = append(names, a.Labels["alertname"])
	}
	log.Info("notification", "receiver", receiver, "am_receiver", m.Receiver, "status", m.Status, "alerts", strings.Join(names, ","))
}

// withRunbooks serves the Markdown pages of dir under /runbooks/ as plain text (readable in
// any browser, no renderer to install), and everything else with next.
func withRunbooks(next http.Handler, dir string) http.Handler {
	files := http.StripPrefix("/runbooks/", http.FileServer(http.Dir(dir)))
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /runbooks/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".md") {
			w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		}
		files.ServeHTTP(w, r)
	})
	return mux
}
