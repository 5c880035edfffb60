package transaction

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// UUID is a 128-bit identifier; its text form is the lower-case RFC 9562 form.
type UUID [16]byte

const hexDigits = "0123456789abcdef"

func (u UUID) String() string { return string(u.Append(nil)) }

// Append appends the 36-character text form.
func (u UUID) Append(b []byte) []byte {
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// ParseUUID parses the 36-character text form (either case).
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("transaction: bad UUID %q", s)
	}
	j := 0
	for i := 0; i < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return UUID{}, fmt.Errorf("transaction: bad UUID %q", s)
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// The constant parts of the encoding as arrays: assigning an array compiles to a few
// moves, where copying a string calls memmove.
var (
	jID        = [18]byte([]byte(`{"transactionId":"`))
	jUser      = [13]byte([]byte(`","userId":"U`))
	jMerchant  = [17]byte([]byte(`","merchantId":"M`))
	jAmount    = [11]byte([]byte(`","amount":`))
	jCurrency  = [13]byte([]byte(`,"currency":"`))
	jType      = [21]byte([]byte(`","transactionType":"`))
	jMethod    = [19]byte([]byte(`","paymentMethod":"`))
	jLocation  = [14]byte([]byte(`","location":"`))
	jIntlTrue  = [43]byte([]byte(`","isInternational":true,"transactionTime":`))
	jIntlFalse = [44]byte([]byte(`","isInternational":false,"transactionTime":`))
)

// AppendJSON appends the JSON encoding of t to b. It does not allocate when b has room;
// producers encode into a reused buffer with it.
func (t *Transaction) AppendJSON(b []byte) []byte {
	if t.UserID > MaxUserID || t.MerchantID > MaxMerchantID || !plain(t.Currency) || !plain(t.Location) ||
		!plain(string(t.TransactionType)) || !plain(string(t.PaymentMethod)) {
		return t.appendJSONSlow(b)
	}
	// Fast path: size the output once, then write into it by index, without append's checks.
	// 219 bytes of names and punctuation, at most 21 for the amount and 20 for the time.
	need := 219 + 21 + 20 + len(t.Currency) + len(t.Location) + len(t.TransactionType) + len(t.PaymentMethod)
	n := len(b)
	b = slices.Grow(b, need)
	p := b[n : n+need]
	*(*[18]byte)(p) = jID
	i := 18
	putUUID(p[i:i+36], &t.TransactionID)
	i += 36
	*(*[13]byte)(p[i:]) = jUser
	i += 13
	putDigits(p[i:i+7], uint64(t.UserID))
	i += 7
	*(*[17]byte)(p[i:]) = jMerchant
	i += 17
	putDigits(p[i:i+5], uint64(t.MerchantID))
	i += 5
	*(*[11]byte)(p[i:]) = jAmount
	i += 11
	i += t.Amount.put(p[i:])
	*(*[13]byte)(p[i:]) = jCurrency
	i += 13
	i += copy(p[i:], t.Currency)
	*(*[21]byte)(p[i:]) = jType
	i += 21
	i += copy(p[i:], t.TransactionType)
	*(*[19]byte)(p[i:]) = jMethod
	i += 19
	i += copy(p[i:], t.PaymentMethod)
	*(*[14]byte)(p[i:]) = jLocation
	i += 14
	i += copy(p[i:], t.Location)
	if t.IsInternational {
		*(*[43]byte)(p[i:]) = jIntlTrue
		i += 43
	} else {
		*(*[44]byte)(p[i:]) = jIntlFalse
		i += 44
	}
	if t.TransactionTime >= 0 {
		i += putUint(p[i:], uint64(t.TransactionTime))
	} else {
		i += len(strconv.AppendInt(p[i:i], t.TransactionTime, 10))
	}
	p[i] = '}'
	return b[:n+i+1]
}

// plain reports whether s needs no escaping in a JSON string.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hexPairs is the two hex digits of every byte value, for putUUID.
var hexPairs = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigits[i>>4], hexDigits[i&0xf]}
	}
	return t
}()

// putUUID writes the 36-character text form into p, two digits per table load.
func putUUID(p []byte, u *UUID) {
	_ = p[35]
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			p[j] = '-'
			j++
		}
		*(*[2]byte)(p[j:]) = hexPairs[c]
		j += 2
	}
}

// digitPairs is "00" to "99": digits are written two at a time, backwards, in place.
const digitPairs = "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849" +
	"5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// putDigits writes v in decimal into all of p, zero-padded on the left.
func putDigits(p []byte, v uint64) {
	i := len(p)
	for i >= 2 {
		q := v / 100
		d := (v - q*100) * 2
		p[i-1], p[i-2] = digitPairs[d+1], digitPairs[d]
		v, i = q, i-2
	}
	if i == 1 {
		p[0] = byte('0' + v%10)
	}
}

// putUint writes v in decimal at the start of p (which must have room) and returns the
// number of digits: no intermediate buffer and no copy, unlike strconv.AppendUint.
func putUint(p []byte, v uint64) int {
	n := decimalLen(v)
	putDigits(p[:n], v)
	return n
}

var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

func decimalLen(v uint64) int {
	n := (bits.Len64(v) * 1233) >> 12 // about log10
	if n < len(pow10) && v >= pow10[n] {
		n++
	}
	return max(n, 1)
}

// appendJSONSlow is the general encoder, for values outside the contract: it still emits
// valid JSON (escaped strings, unpadded overlong ids) so that a bad value is visible downstream.
func (t *Transaction) appendJSONSlow(b []byte) []byte {
	b = append(b, `{"transactionId":"`...)
	b = t.TransactionID.Append(b)
	b = append(b, `","userId":"`...)
	b = t.UserID.Append(b)
	b = append(b, `","merchantId":"`...)
	b = t.MerchantID.Append(b)
	b = append(b, `","amount":`...)
	b = t.Amount.Append(b)
	b = append(b, `,"currency":`...)
	b = appendString(b, t.Currency)
	b = append(b, `,"transactionType":`...)
	b = appendString(b, string(t.TransactionType))
	b = append(b, `,"paymentMethod":`...)
	b = appendString(b, string(t.PaymentMethod))
	b = append(b, `,"location":`...)
	b = appendString(b, t.Location)
	if t.IsInternational {
		b = append(b, `,"isInternational":true,"transactionTime":`...)
	} else {
		b = append(b, `,"isInternational":false,"transactionTime":`...)
	}
	b = appendInt(b, t.TransactionTime)
	return append(b, '}')
}

// MarshalJSON implements json.Marshaler with the same bytes as AppendJSON.
func (t Transaction) MarshalJSON() ([]byte, error) { return t.AppendJSON(make([]byte, 0, 256)), nil }

// appendString appends s as a JSON string. Valid values never need escaping; the slow path
// is there so that AppendJSON always emits valid JSON.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v // math.MinInt64 is not a valid time; Validate rejects it anyway
	}
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
}

// wire is the decoding shape: pointers find missing fields, the raw amount keeps it exact
// (and rejects a quoted one), and typed bool/int64 reject the old producers' "true" and 1.7e9-style values.
type wire struct {
	TransactionID   *string         `json:"transactionId"`
	UserID          *string         `json:"userId"`
	MerchantID      *string         `json:"merchantId"`
	Amount          json.RawMessage `json:"amount"`
	Currency        *string         `json:"currency"`
	TransactionType *string         `json:"transactionType"`
	PaymentMethod   *string         `json:"paymentMethod"`
	Location        *string         `json:"location"`
	IsInternational *bool           `json:"isInternational"`
	TransactionTime *int64          `json:"transactionTime"`
}

// UnmarshalJSON decodes and validates one transaction. Missing fields, wrong JSON types
// and values outside the contract are errors.
func (t *Transaction) UnmarshalJSON(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("transaction: %w", err)
	}
	var missing []string
	for _, f := range []struct {
		name string
		nil  bool
	}{
		{"transactionId", w.TransactionID == nil}, {"userId", w.UserID == nil}, {"merchantId", w.MerchantID == nil},
		{"amount", len(w.Amount) == 0 || string(w.Amount) == "null"}, {"currency", w.Currency == nil}, {"transactionType", w.TransactionType == nil},
		{"paymentMethod", w.PaymentMethod == nil}, {"location", w.Location == nil},
		{"isInternational", w.IsInternational == nil}, {"transactionTime", w.TransactionTime == nil},
	} {
		if f.nil {
			missing = append(missing, f.name)
		}
	}
	if missing != nil {
		return fmt.Errorf("transaction: missing fields %v", missing)
	}
	var (
		v   Transaction
		err error
		e   error
	)
	v.TransactionID, e = ParseUUID(*w.TransactionID)
	err = errors.Join(err, e)
	v.UserID, e = ParseUserID(*w.UserID)
	err = errors.Join(err, e)
	v.MerchantID, e = ParseMerchantID(*w.MerchantID)
	err = errors.Join(err, e)
	v.Amount, e = ParseAmount(string(w.Amount)) // raw bytes: a quoted "1.00" is not a number
	err = errors.Join(err, e)
	if err != nil {
		return err
	}
	v.Currency = *w.Currency
	v.TransactionType = Type(*w.TransactionType)
	v.PaymentMethod = PaymentMethod(*w.PaymentMethod)
	v.Location = *w.Location
	v.IsInternational = *w.IsInternational
	v.TransactionTime = *w.TransactionTime
	if err := v.Validate(); err != nil {
		return err
	}
	*t = v
	return nil
}
