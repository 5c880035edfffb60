package stream

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func owner() Owner {
	return Owner{Query: "transactions", Topic: "financial_transactions", TopicID: "q1Zc9pXlQ1mGJH1fPnTmDw", ClusterID: "c-one",
		Shape: Shape{Version: shapeVersion, Window: "1m0s", StatePartitions: 4}, Bootstrap: "127.0.0.1:9092"}
}

// ranOnce makes dir look like a checkpoint a query ran with.
func ranOnce(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "offsets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata"), []byte(`{"id":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointOwnership(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ckpt := filepath.Join(t.TempDir(), "transactions")

	// First start: an absent checkpoint is claimed, the record written beside it.
	claimed, err := checkOwnership(ckpt, owner(), nil, at)
	if err != nil || !claimed {
		t.Fatalf("first start: claimed %v, %v", claimed, err)
	}
	rec, err := readOwner(recordPath(ckpt))
	if err != nil || rec == nil || rec.TopicID != owner().TopicID || !rec.Created.Equal(at) {
		t.Fatalf("record %+v, %v", rec, err)
	}
	ranOnce(t, ckpt)
	// The same owner resumes.
	if claimed, err := checkOwnership(ckpt, owner(), nil, at.Add(time.Hour)); err != nil || claimed {
		t.Fatalf("same owner: claimed %v, %v", claimed, err)
	}

	for name, tc := range map[string]struct {
		change func(*Owner)
		want   []string
	}{
		"topic recreated": {func(o *Owner) { o.TopicID = "AAAAAAAAAAAAAAAAAAAAAA" },
			[]string{"topic id q1Zc9pXlQ1mGJH1fPnTmDw, not AAAAAAAAAAAAAAAAAAAAAA (topic financial_transactions was deleted and created again since)"}},
		"other cluster": {func(o *Owner) { o.ClusterID, o.TopicID = "c-two", "BBBBBBBBBBBBBBBBBBBBBB" },
			[]string{"Kafka cluster c-one, not c-two (another cluster)", "topic id q1Zc9pXlQ1mGJH1fPnTmDw, not BBBBBBBBBBBBBBBBBBBBBB"}},
		"other topic": {func(o *Owner) { o.Topic = "other" },
			[]string{"topic financial_transactions (id q1Zc9pXlQ1mGJH1fPnTmDw), not other"}},
		"other window": {func(o *Owner) { o.Shape.Window = "2m0s" }, []string{"window 1m0s, not 2m0s"}},
		"other state partitions": {func(o *Owner) { o.Shape.StatePartitions = 8 },
			[]string{"4 state partitions, not 8 (fixed at the first start)"}},
		"plan changed": {func(o *Owner) { o.Shape.Version++ }, []string{"query shape version 1, not 2 (the job's plan changed)"}},
	} {
		now := owner()
		tc.change(&now)
		_, err := checkOwnership(ckpt, now, nil, at)
		var fe *ForeignCheckpointError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a ForeignCheckpointError", name, err)
			continue
		}
		if strings.Join(fe.Differences, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: differences %q, want %q", name, fe.Differences, tc.want)
		}
		msg := err.Error()
		for _, want := range []string{"checkpoint " + ckpt + " belongs to topic financial_transactions (id q1Zc9pXlQ1mGJH1fPnTmDw) of Kafka cluster c-one",
			recordPath(ckpt), "nothing was started", "-fresh", "nothing is deleted"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: message %q lacks %q", name, msg, want)
			}
		}
		if startFailureClass(err) != FailForeignCheckpoint || !FailForeignCheckpoint.permanent() {
			t.Errorf("%s: class %s", name, startFailureClass(err))
		}
	}
	// A bootstrap address is where the record was written from, not an identity.
	moved := owner()
	moved.Bootstrap = "kafka:9092"
	if _, err := checkOwnership(ckpt, moved, nil, at); err != nil {
		t.Errorf("another bootstrap address of the same cluster: %v", err)
	}

	// The topic is gone: the checkpoint belongs to nothing the cluster has.
	_, err = checkOwnership(ckpt, Owner{Query: "transactions", Topic: "financial_transactions", ClusterID: "c-one"},
		&missingTopicError{topic: "financial_transactions", cluster: "c-one"}, at)
	if fe := (*ForeignCheckpointError)(nil); !errors.As(err, &fe) || !fe.Missing ||
		!strings.Contains(err.Error(), "which has no topic financial_transactions any more") {
		t.Errorf("topic deleted: %v", err)
	}

	// A checkpoint without a record (written before records, or copied without it) is refused.
	if err := os.Remove(recordPath(ckpt)); err != nil {
		t.Fatal(err)
	}
	_, err = checkOwnership(ckpt, owner(), nil, at)
	if fe := (*ForeignCheckpointError)(nil); !errors.As(err, &fe) || fe.Owner != nil ||
		!strings.Contains(err.Error(), "has no ownership record "+recordPath(ckpt)) {
		t.Errorf("no record: %v", err)
	}

	// -fresh: both move aside, nothing is deleted, and the next start claims anew.
	if err := writeOwner(recordPath(ckpt), owner()); err != nil {
		t.Fatal(err)
	}
	aside, err := moveAside(ckpt, at)
	if err != nil || aside != ckpt+".replaced-20261201T090000Z" {
		t.Fatalf("moved to %q, %v", aside, err)
	}
	if _, err := os.Stat(filepath.Join(aside, "metadata")); err != nil {
		t.Errorf("moved checkpoint: %v", err)
	}
	if _, err := os.Stat(recordPath(aside)); err != nil {
		t.Errorf("moved record: %v", err)
	}
	ranOnce(t, ckpt)
	if err := writeOwner(recordPath(ckpt), owner()); err != nil {
		t.Fatal(err)
	}
	if again, err := moveAside(ckpt, at); err != nil || again != ckpt+".replaced-20261201T090000Z-2" {
		t.Errorf("second move in the same second: %q, %v", again, err)
	}
	if again, err := moveAside(ckpt, at); err != nil || again != "" {
		t.Errorf("nothing to move: %q, %v", again, err)
	}
	recreated := owner()
	recreated.TopicID = "AAAAAAAAAAAAAAAAAAAAAA"
	if claimed, err := checkOwnership(ckpt, recreated, nil, at); err != nil || !claimed {
		t.Errorf("after -fresh: claimed %v, %v", claimed, err)
	}

	// A missing input topic with no checkpoint: nothing to refuse, but nothing to tie it to.
	other := filepath.Join(t.TempDir(), "q")
	_, err = checkOwnership(other, Owner{}, &missingTopicError{topic: "t", cluster: "c", bootstrap: "b"}, at)
	if err == nil || !strings.Contains(err.Error(), "input topic t does not exist in Kafka cluster c (b): create it first") {
		t.Errorf("missing topic: %v", err)
	}
	// A record that is not JSON is an error, not a claim.
	if err := os.WriteFile(recordPath(other), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	ranOnce(t, other)
	if _, err := checkOwnership(other, owner(), nil, at); err == nil || !strings.Contains(err.Error(), "is unreadable") {
		t.Errorf("bad record: %v", err)
	}
}
