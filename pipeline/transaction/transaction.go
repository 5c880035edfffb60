// Package transaction is the one transaction model of finobs. Every producer, test and
// streaming job reads and writes exactly this shape; the JSON encoding is the contract.
//
// A record value is one JSON object, field order fixed, no whitespace:
//
//		{"transactionId":"0b0e4a5c-2f0e-4c4e-9a43-6f9e2f1d7a10","userId":"U0004821","merchantId":"M00042",
//		 "amount":123.45,"currency":"USD","transactionType":"purchase","paymentMethod":"credit_card",
//		 "location":"US","isInternational":false,"transactionTime":1764111600123}
//
//	  - transactionId: UUID (RFC 9562 text form, lower case).
//	  - userId: "U" + 7 digits; merchantId: "M" + 5 digits (fixed width, so they sort and group as text).
//	  - amount: exact decimal with 2 places, never a float in Go (Amount is int64 cents).
//	    Read it as DECIMAL(18,2) (see SparkSchema).
//	  - currency: ISO 4217 code; location: ISO 3166-1 alpha-2 country of the transaction.
//	  - isInternational: a JSON boolean, never a string.
//	  - transactionTime: event time in epoch milliseconds (UTC), never seconds.
//
// With these field names a value is about 250 bytes (see the generator tests for the exact
// distribution): the field names alone take 109.
//
// # Anomalies
//
// A transaction is anomalous if and only if its amount is at least AnomalyThreshold
// (10000.00, in any currency). The generator keeps every normal transaction strictly below
// it, so the rule recognizes exactly the generated anomalies. In Spark SQL: AnomalySQL.
package transaction

import (
	"errors"
	"fmt"
	"strconv"
)

// Transaction is one payment event.
type Transaction struct {
	TransactionID   UUID
	UserID          UserID
	MerchantID      MerchantID
	Amount          Amount
	Currency        string // ISO 4217, e.g. "USD"
	TransactionType Type
	PaymentMethod   PaymentMethod
	Location        string // ISO 3166-1 alpha-2, e.g. "US"
	IsInternational bool
	TransactionTime int64 // epoch milliseconds, UTC
}

// AnomalyThreshold is the smallest anomalous amount: 10000.00.
const AnomalyThreshold Amount = 10000_00

// AnomalySQL is the anomaly rule as a Spark SQL predicate over the JSON fields.
const AnomalySQL = "amount >= 10000.00"

// SparkSchema is the DDL schema to read a value with from_json.
const SparkSchema = "transactionId STRING, userId STRING, merchantId STRING, amount DECIMAL(18,2), " +
	"currency STRING, transactionType STRING, paymentMethod STRING, location STRING, " +
	"isInternational BOOLEAN, transactionTime BIGINT"

// IsAnomalous applies the anomaly rule.
func (t *Transaction) IsAnomalous() bool { return t.Amount >= AnomalyThreshold }

// Type is the kind of transaction.
type Type string

const (
	Purchase   Type = "purchase"
	Refund     Type = "refund"
	Withdrawal Type = "withdrawal"
	Transfer   Type = "transfer"
)

// Types lists every valid Type.
var Types = []Type{Purchase, Refund, Withdrawal, Transfer}

// PaymentMethod is how the transaction was paid.
type PaymentMethod string

const (
	CreditCard    PaymentMethod = "credit_card"
	DebitCard     PaymentMethod = "debit_card"
	DigitalWallet PaymentMethod = "digital_wallet"
	BankTransfer  PaymentMethod = "bank_transfer"
)

// PaymentMethods lists every valid PaymentMethod.
var PaymentMethods = []PaymentMethod{CreditCard, DebitCard, DigitalWallet, BankTransfer}

// minTime is 2000-01-01T00:00:00Z in milliseconds. Anything below is either a bug or a
// timestamp in seconds (1.7e9 s is January 1970 when read as milliseconds).
const minTime = 946684800000

// maxTime is 2100-01-01T00:00:00Z in milliseconds; above it is likely microseconds.
const maxTime = 4102444800000

// Validate reports the first field that breaks the contract.
func (t *Transaction) Validate() error {
	switch {
	case t.UserID > MaxUserID:
		return fmt.Errorf("transaction: userId %d out of range", uint32(t.UserID))
	case t.MerchantID > MaxMerchantID:
		return fmt.Errorf("transaction: merchantId %d out of range", uint32(t.MerchantID))
	case t.Amount < 0 || t.Amount > MaxAmount:
		return fmt.Errorf("transaction: amount %s out of range [0, %s]", t.Amount, MaxAmount)
	case !isUpper(t.Currency, 3):
		return fmt.Errorf("transaction: currency %q is not an ISO 4217 code", t.Currency)
	case !isUpper(t.Location, 2):
		return fmt.Errorf("transaction: location %q is not an ISO 3166-1 alpha-2 code", t.Location)
	case !validType(t.TransactionType):
		return fmt.Errorf("transaction: unknown transactionType %q", t.TransactionType)
	case !validMethod(t.PaymentMethod):
		return fmt.Errorf("transaction: unknown paymentMethod %q", t.PaymentMethod)
	case t.TransactionTime < minTime || t.TransactionTime >= maxTime:
		return fmt.Errorf("transaction: transactionTime %d is not epoch milliseconds in [2000, 2100)", t.TransactionTime)
	}
	return nil
}

func isUpper(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func validType(t Type) bool {
	for _, v := range Types {
		if v == t {
			return true
		}
	}
	return false
}

func validMethod(m PaymentMethod) bool {
	for _, v := range PaymentMethods {
		if v == m {
			return true
		}
	}
	return false
}

// UserID identifies a card holder; its text form is "U" and 7 digits.
type UserID uint32

// MaxUserID is the largest UserID that fits the fixed width.
const MaxUserID UserID = 9_999_999

func (u UserID) String() string { return string(u.Append(nil)) }

// Append appends the text form.
func (u UserID) Append(b []byte) []byte { return appendPadded(append(b, 'U'), uint64(u), 7) }

// ParseUserID parses "U0004821".
func ParseUserID(s string) (UserID, error) {
	v, err := parsePadded(s, 'U', 7)
	if err != nil {
		return 0, fmt.Errorf("transaction: bad userId %q: %w", s, err)
	}
	return UserID(v), nil
}

// MerchantID identifies a merchant; its text form is "M" and 5 digits.
type MerchantID uint32

// MaxMerchantID is the largest MerchantID that fits the fixed width.
const MaxMerchantID MerchantID = 99_999

func (m MerchantID) String() string { return string(m.Append(nil)) }

// Append appends the text form.
func (m MerchantID) Append(b []byte) []byte { return appendPadded(append(b, 'M'), uint64(m), 5) }

// ParseMerchantID parses "M00042".
func ParseMerchantID(s string) (MerchantID, error) {
	v, err := parsePadded(s, 'M', 5)
	if err != nil {
		return 0, fmt.Errorf("transaction: bad merchantId %q: %w", s, err)
	}
	return MerchantID(v), nil
}

// appendPadded appends v in decimal, left-padded with zeros to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || len(buf)-i < width-1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
}

var errFormat = errors.New("wrong format")

func parsePadded(s string, prefix byte, width int) (uint64, error) {
	if len(s) != width+1 || s[0] != prefix {
		return 0, errFormat
	}
	var v uint64
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errFormat
		}
		v = v*10 + uint64(c-'0')
	}
	return v, nil
}

// Amount is money in hundredths of the currency unit (cents), exact.
type Amount int64

// MaxAmount is the largest amount DECIMAL(18,2) holds.
const MaxAmount Amount = 999_999_999_999_999_999 // 9999999999999999.99

// String formats the amount with two decimal places: "123.45".
func (a Amount) String() string { return string(a.Append(nil)) }

// Append appends the decimal form with exactly two decimal places.
func (a Amount) Append(b []byte) []byte {
	v := int64(a)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// put writes the decimal form at the start of p, which must have room for 21 bytes.
func (a Amount) put(p []byte) int {
	v, i := uint64(a), 0
	if a < 0 {
		p[0] = '-'
		v, i = uint64(-a), 1
	}
	i += putUint(p[i:], v/100)
	p[i] = '.'
	c := v % 100 * 2
	p[i+1], p[i+2] = digitPairs[c], digitPairs[c+1]
	return i + 3
}

// ParseAmount parses a decimal with at most two decimal places ("12", "12.3", "12.34").
// More places, exponents or anything a float would round are errors: amounts are exact.
func ParseAmount(s string) (Amount, error) {
	bad := func() (Amount, error) {
		return 0, fmt.Errorf("transaction: bad amount %q: want a decimal with at most 2 places", s)
	}
	if s == "" {
		return bad()
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var units, cents int64
	digits, frac, inFrac := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !inFrac && digits > 0:
			inFrac = true
		case c >= '0' && c <= '9' && inFrac:
			if frac == 2 {
				return bad()
			}
			cents = cents*10 + int64(c-'0')
			frac++
		case c >= '0' && c <= '9':
			if digits == 16 {
				return bad()
			}
			units = units*10 + int64(c-'0')
			digits++
		default:
			return bad()
		}
	}
	if digits == 0 || (inFrac && frac == 0) {
		return bad()
	}
	if frac == 1 {
		cents *= 10
	}
	v := Amount(units*100 + cents)
	if neg {
		v = -v
	}
	return v, nil
}
