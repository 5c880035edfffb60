// Package sparkconnect is Structured Streaming over the Spark Connect protocol, for Go.
//
// spark-connect-go has batch DataFrames but no readStream/writeStream and no StreamingQuery.
// This package adds them on top of its session: a streaming source is a Read relation with
// is_streaming set, wrapped into a spark-connect-go DataFrame, so every transformation stays in
// its DataFrame/SQL API; starting, inspecting and stopping queries are Spark Connect commands
// (WriteStreamOperationStart, StreamingQueryCommand) sent on the same gRPC connection and session.
// Messages are spark-connect-go's own generated types, found through the global proto registry.
package sparkconnect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"sync"

	"github.com/apache/spark-connect-go/spark/client/channel"
	"github.com/apache/spark-connect-go/spark/sparkerrors"
	"github.com/apache/spark-connect-go/spark/sql"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

const executePlanMethod = "/spark.connect.SparkConnectService/ExecutePlan"

// Session is a spark-connect-go session plus the streaming commands it lacks. Use the embedded
// SparkSession for SQL, batch reads and configuration.
type Session struct {
	sql.SparkSession
	conn *grpc.ClientConn
	tap  *tap
}

// Connect opens a session on a Spark Connect server. remote is host:port or an sc:// URL
// (sc://host:port[/;user_id=...]).
func Connect(ctx context.Context, remote string) (*Session, error) {
	if u, err := url.Parse(remote); err != nil || u.Scheme != "sc" {
		remote = "sc://" + remote
	}
	base, err := channel.NewBuilder(remote)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: connection string %q: %w", remote, err)
	}
	t := &tap{}
	b := &builder{BaseBuilder: base, tap: t}
	ss, err := sql.NewSessionBuilder().WithChannelBuilder(b).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: connect %s: %w", remote, err)
	}
	s := &Session{SparkSession: ss, conn: b.conn, tap: t}
	// A first round trip checks the server and lets the tap learn the session identity that
	// spark-connect-go generated (it keeps it private); our commands must carry the same one.
	if _, err := ss.Config().GetWithDefault(ctx, "spark.sql.session.timeZone", "UTC"); err != nil {
		b.conn.Close()
		return nil, fmt.Errorf("sparkconnect: spark connect server at %s: %w", remote, err)
	}
	if s.tap.identity().sessionID == "" {
		b.conn.Close()
		return nil, errors.New("sparkconnect: could not learn the session id from spark-connect-go's requests")
	}
	return s, nil
}

// Close releases the connection. Queries keep running on the server until stopped or until the
// server expires the session.
func (s *Session) Close() error { return s.conn.Close() }

// SessionID is the Spark Connect session id shared by DataFrame calls and streaming commands.
func (s *Session) SessionID() string { return s.tap.identity().sessionID }

// builder is spark-connect-go's channel builder with our interceptors on the connection.
type builder struct {
	*channel.BaseBuilder
	tap  *tap
	conn *grpc.ClientConn
}

func (b *builder) Build(ctx context.Context) (*grpc.ClientConn, error) {
	if b.Token() != "" {
		return nil, errors.New("sparkconnect: token authentication (TLS) is not supported")
	}
	addr := net.JoinHostPort(b.Host(), strconv.Itoa(b.Port()))
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(b.tap.unary),
		grpc.WithChainStreamInterceptor(b.tap.stream),
		// Relations of a streaming job are small, but progress JSON and explain output are not.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(128<<20)),
	)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: dial %s: %w", addr, err)
	}
	b.conn = conn
	return conn, nil
}

type identity struct {
	sessionID, userID, clientType string
}

// tap watches spark-connect-go's requests: it learns the session identity and, when asked
// through the context, hands out the relation of a DataFrame (AnalyzePlan carries it as the
// plan root). That is how a DataFrame built with spark-connect-go becomes the input of a
// streaming command without reaching into its private fields.
type tap struct {
	mu sync.Mutex
	id identity
}

func (t *tap) identity() identity {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id
}

func (t *tap) observe(req any) {
	m, ok := req.(proto.Message)
	if !ok {
		return
	}
	r := m.ProtoReflect()
	sid := getString(r, "session_id")
	if sid == "" {
		return
	}
	var uid string
	if uc := getMessage(r, "user_context"); uc != nil {
		uid = getString(uc, "user_id")
	}
	t.mu.Lock()
	if t.id.sessionID == "" {
		t.id = identity{sessionID: sid, userID: uid, clientType: getString(r, "client_type")}
	}
	t.mu.Unlock()
}

type captureKey struct{}

func (t *tap) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	t.observe(req)
	if slot, ok := ctx.Value(captureKey{}).(*protoreflect.Message); ok {
		if m, ok := req.(proto.Message); ok {
			if root := getMessage(m.ProtoReflect(), "schema.plan.root"); root != nil {
				*slot = root
			}
		}
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

func (t *tap) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, err
	}
	return &tappedStream{ClientStream: cs, tap: t}, nil
}

type tappedStream struct {
	grpc.ClientStream
	tap *tap
}

func (s *tappedStream) SendMsg(m any) error {
	s.tap.observe(m)
	return s.ClientStream.SendMsg(m)
}

// relation returns the Relation message behind a DataFrame. The server analyzes the plan on the
// way (a cheap schema call), so a plan it cannot resolve fails here, before a query starts.
func (s *Session) relation(ctx context.Context, df sql.DataFrame) (protoreflect.Message, error) {
	var rel protoreflect.Message
	if _, err := df.Schema(context.WithValue(ctx, captureKey{}, &rel)); err != nil {
		return nil, fmt.Errorf("sparkconnect: analyze plan: %w", err)
	}
	if rel == nil {
		return nil, errors.New("sparkconnect: the DataFrame's plan was not seen on the wire")
	}
	return rel, nil
}

// newDataFrame is spark-connect-go's constructor; its parameter types are internal to that
// module, so it is called through reflection with values of exactly those types.
var newDataFrame = reflect.ValueOf(sql.NewDataFrame)

// dataFrame wraps a Relation into a spark-connect-go DataFrame of this session.
func (s *Session) dataFrame(rel protoreflect.Message) (sql.DataFrame, error) {
	ft := newDataFrame.Type()
	sv := reflect.ValueOf(s.SparkSession)
	rv := reflect.ValueOf(rel.Interface())
	if ft.NumIn() != 2 || ft.NumOut() != 1 || !sv.Type().AssignableTo(ft.In(0)) || !rv.Type().AssignableTo(ft.In(1)) {
		return nil, fmt.Errorf("sparkconnect: spark-connect-go's NewDataFrame is %s; cannot pass (%s, %s)", ft, sv.Type(), rv.Type())
	}
	df, ok := newDataFrame.Call([]reflect.Value{sv, rv})[0].Interface().(sql.DataFrame)
	if !ok {
		return nil, errors.New("sparkconnect: NewDataFrame did not return a DataFrame")
	}
	return df, nil
}

// executeResponse is the part of ExecutePlanResponse our commands read.
type executeResponse struct {
	WriteStreamOperationStartResult *struct {
		QueryID queryID `json:"queryId"`
		Name    string  `json:"name"`
	} `json:"writeStreamOperationStartResult"`
	StreamingQueryCommandResult *commandResult `json:"streamingQueryCommandResult"`
}

type queryID struct {
	ID    string `json:"id"`
	RunID string `json:"runId"`
}

type commandResult struct {
	QueryID queryID `json:"queryId"`
	Status  *struct {
		StatusMessage   string `json:"statusMessage"`
		IsDataAvailable bool   `json:"isDataAvailable"`
		IsTriggerActive bool   `json:"isTriggerActive"`
		IsActive        bool   `json:"isActive"`
	} `json:"status"`
	RecentProgress *struct {
		RecentProgressJSON []string `json:"recentProgressJson"`
	} `json:"recentProgress"`
	Explain *struct {
		Result string `json:"result"`
	} `json:"explain"`
	Exception *struct {
		ExceptionMessage *string `json:"exceptionMessage"`
		ErrorClass       *string `json:"errorClass"`
		StackTrace       *string `json:"stackTrace"`
	} `json:"exception"`
	AwaitTermination *struct {
		Terminated bool `json:"terminated"`
	} `json:"awaitTermination"`
}

// execute runs one Command in this session and folds the response stream into one result.
func (s *Session) execute(ctx context.Context, command protoreflect.Message) (*executeResponse, error) {
	id := s.tap.identity()
	req, err := messageFromJSON("ExecutePlanRequest", map[string]any{
		"sessionId":   id.sessionID,
		"userContext": map[string]any{"userId": id.userID},
		"clientType":  id.clientType,
		"operationId": uuid.NewString(),
	})
	if err != nil {
		return nil, err
	}
	if err := setMessage(req, "plan.command", command); err != nil {
		return nil, err
	}
	cs, err := s.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, executePlanMethod)
	if err != nil {
		return nil, rpcError(err)
	}
	if err := cs.SendMsg(req.Interface()); err != nil {
		return nil, rpcError(err)
	}
	if err := cs.CloseSend(); err != nil {
		return nil, rpcError(err)
	}
	var out executeResponse
	for {
		resp, err := newMessage("ExecutePlanResponse")
		if err != nil {
			return nil, err
		}
		if err := cs.RecvMsg(resp.Interface()); errors.Is(err, io.EOF) {
			return &out, nil
		} else if err != nil {
			return nil, rpcError(err)
		}
		if getString(resp, "session_id") != id.sessionID {
			return nil, fmt.Errorf("sparkconnect: response for session %q, want %q", getString(resp, "session_id"), id.sessionID)
		}
		var r executeResponse
		if err := decodeInto(resp.Interface(), &r); err != nil {
			return nil, err
		}
		if r.WriteStreamOperationStartResult != nil {
			out.WriteStreamOperationStartResult = r.WriteStreamOperationStartResult
		}
		if r.StreamingQueryCommandResult != nil {
			out.StreamingQueryCommandResult = r.StreamingQueryCommandResult
		}
	}
}

// rpcError turns a gRPC status into Spark's error (class, message) where there is one.
func rpcError(err error) error {
	if se := sparkerrors.FromRPCError(err); se != nil {
		return se
	}
	return err
}
