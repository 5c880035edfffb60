package sparkconnect

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// Registers spark.connect.* message types in the global registry. We never hold a copy of
	// Spark's protos: a second registration of the same names fails at start-up.
	_ "github.com/apache/spark-connect-go/spark/sql"
)

// The protos of spark-connect-go live in an internal package; we reach the same message types
// through the global registry by full name, build them from protojson and read them back into
// plain Go structs. The concrete Go types behind these messages are spark-connect-go's own, so
// values can flow between its DataFrame API and our commands.

// newMessage returns an empty spark.connect.<name> message.
func newMessage(name string) (protoreflect.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName("spark.connect." + name))
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: message spark.connect.%s is not registered by spark-connect-go: %w", name, err)
	}
	return mt.New(), nil
}

// messageFromJSON builds spark.connect.<name> from its protojson form.
func messageFromJSON(name string, doc any) (protoreflect.Message, error) {
	m, err := newMessage(name)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: encode %s: %w", name, err)
	}
	if err := protojson.Unmarshal(b, m.Interface()); err != nil {
		return nil, fmt.Errorf("sparkconnect: build %s from %s: %w", name, b, err)
	}
	return m, nil
}

// decodeInto converts a message to JSON and decodes it into a Go struct with camelCase tags.
func decodeInto(m proto.Message, v any) error {
	b, err := protojson.MarshalOptions{UseProtoNames: false}.Marshal(m)
	if err != nil {
		return fmt.Errorf("sparkconnect: encode %s: %w", m.ProtoReflect().Descriptor().FullName(), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("sparkconnect: decode %s: %w", m.ProtoReflect().Descriptor().FullName(), err)
	}
	return nil
}

// setMessage sets the message field at a dotted path ("command.write_stream_operation_start.input"),
// creating intermediate messages.
func setMessage(m protoreflect.Message, path string, v protoreflect.Message) error {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(p))
		if fd == nil || fd.Message() == nil {
			return fmt.Errorf("sparkconnect: %s has no message field %q", m.Descriptor().FullName(), p)
		}
		if i == len(parts)-1 {
			if fd.Message().FullName() != v.Descriptor().FullName() {
				return fmt.Errorf("sparkconnect: field %s wants %s, not %s", fd.FullName(), fd.Message().FullName(), v.Descriptor().FullName())
			}
			m.Set(fd, protoreflect.ValueOfMessage(v))
			return nil
		}
		m = m.Mutable(fd).Message()
	}
	return nil
}

// getMessage follows a dotted path of message fields; nil when a step is unset.
func getMessage(m protoreflect.Message, path string) protoreflect.Message {
	for _, p := range strings.Split(path, ".") {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(p))
		if fd == nil || fd.Message() == nil || !m.Has(fd) {
			return nil
		}
		m = m.Get(fd).Message()
	}
	return m
}

// getString reads a string field; "" when absent.
func getString(m protoreflect.Message, name string) string {
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		return ""
	}
	return m.Get(fd).String()
}
