package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const msg = `{"version":"4","status":"firing","receiver":"chat","groupKey":"{}:{alertname=\"TargetDown\"}",
 "alerts":[{"status":"firing","labels":{"alertname":"TargetDown","instance":"producer"},"fingerprint":"abc"}]}`

func TestRecordAndQuery(t *testing.T) {
	file := filepath.Join(t.TempDir(), "n.jsonl")
	st, err := openStore(file)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler(st, slog.New(slog.DiscardHandler), "heartbeat", true))
	defer srv.Close()
	for _, path := range []string{"/chat", "/paging"} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
	}
	if resp, _ := http.Post(srv.URL+"/chat", "application/json", strings.NewReader("not json")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad body: %s, want 400", resp.Status)
	}
	get := func(q string) []Notification {
		resp, err := http.Get(srv.URL + "/notifications" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var ns []Notification
		if err := json.Unmarshal(b, &ns); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return ns
	}
	if ns := get(""); len(ns) != 2 {
		t.Errorf("all: %d notifications, want 2", len(ns))
	}
	ns := get("?receiver=paging&alertname=TargetDown")
	if len(ns) != 1 || ns[0].Path != "/paging" || ns[0].Message.Alerts[0].Labels["instance"] != "producer" {
		t.Errorf("paging: %+v", ns)
	}
	if ns := get("?alertname=Other"); len(ns) != 0 {
		t.Errorf("alertname filter: %+v", ns)
	}
	// A restart keeps what was received.
	st2, err := openStore(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st2.query("", "", time.Time{})); n != 2 {
		t.Errorf("reopened store has %d notifications, want 2", n)
	}
}

// The runbook_url of every alert resolves: the generated pages are served under /runbooks/.
func TestServesRunbooks(t *testing.T) {
	st, err := openStore(filepath.Join(t.TempDir(), "n.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(withRunbooks(handler(st, slog.New(slog.DiscardHandler), "heartbeat", true), "../../deploy/runbooks"))
	defer srv.Close()
	get := func(path string) (int, string, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	if code, ct, body := get("/runbooks/TargetDown.md"); code != 200 || !strings.HasPrefix(ct, "text/markdown") || !strings.Contains(body, "TargetDown") {
		t.Errorf("TargetDown.md: %d %s %.80q", code, ct, body)
	}
	if code, _, _ := get("/runbooks/NoSuchAlert.md"); code != 404 {
		t.Errorf("unknown page: %d, want 404", code)
	}
	if code, _, _ := get("/healthz"); code != 200 {
		t.Errorf("healthz: %d", code)
	}
}

// Each receiver on its own listener: a POST there is that receiver's, whatever its path;
// the API takes no POSTs then (a receiver pointed at it by mistake fails loudly), and
// /heartbeat reports the heartbeat receiver's last notification.
func TestReceiverListeners(t *testing.T) {
	st, err := openStore(filepath.Join(t.TempDir(), "n.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	api := httptest.NewServer(handler(st, log, "heartbeat", false))
	defer api.Close()
	paging := httptest.NewServer(receiverHandler(st, log, "paging"))
	defer paging.Close()
	beat := httptest.NewServer(receiverHandler(st, log, "heartbeat"))
	defer beat.Close()
	post := func(url string) int {
		resp, err := http.Post(url, "application/json", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(paging.URL + "/paging"); c != http.StatusOK {
		t.Fatalf("POST paging: %d", c)
	}
	if c := post(paging.URL + "/chat"); c != http.StatusOK {
		t.Fatalf("POST paging /chat: %d", c)
	}
	if c := post(api.URL + "/chat"); c == http.StatusOK {
		t.Errorf("POST to the API with receiver listeners: %d, want an error", c)
	}
	resp, err := http.Get(api.URL + "/heartbeat")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /heartbeat before any: %s, want 404", resp.Status)
	}
	before := time.Now()
	if c := post(beat.URL + "/heartbeat"); c != http.StatusOK {
		t.Fatalf("POST heartbeat: %d", c)
	}
	resolved := strings.Replace(msg, `"status":"firing","receiver"`, `"status":"resolved","receiver"`, 1)
	if resp, err := http.Post(beat.URL+"/heartbeat", "application/json", strings.NewReader(resolved)); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST resolved heartbeat: %v %v", resp, err)
	}
	ns := st.query("paging", "", time.Time{})
	if len(ns) != 2 || ns[0].Path != "/paging" || ns[1].Path != "/paging" || ns[1].Receiver != "paging" {
		t.Errorf("paging's notifications: %+v", ns)
	}
	if ns := st.query("chat", "", time.Time{}); len(ns) != 0 {
		t.Errorf("chat got %d notifications through paging's port", len(ns))
	}
	resp, err = http.Get(api.URL + "/heartbeat")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var hb Heartbeat
	if err := json.NewDecoder(resp.Body).Decode(&hb); err != nil {
		t.Fatal(err)
	}
	if hb.Receiver != "heartbeat" || hb.Count != 1 || hb.Last.Before(before.Add(-time.Second)) || hb.AgeSeconds < 0 || hb.AgeSeconds > 5 {
		t.Errorf("heartbeat: %+v", hb)
	}
}

func TestReceiverFlag(t *testing.T) {
	r := receivers{}
	if err := r.Set("paging=127.0.0.1:9096"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"paging=127.0.0.1:9097", "chat", "=127.0.0.1:1", "a/b=127.0.0.1:1"} {
		if err := r.Set(bad); err == nil {
			t.Errorf("-receiver %s: no error", bad)
		}
	}
	if r.String() != "paging=127.0.0.1:9096" {
		t.Errorf("String: %s", r)
	}
}
