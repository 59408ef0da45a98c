// Package jsonerr words what was wrong with a JSON input the way every
// runlens message does: where first (FILE:LINE: when the text is at hand,
// FILE: offset N: when only the offset is), then what was expected.
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// At is err for the file name, whose text is data: "name:LINE: " and
// what was expected where err is a JSON syntax or type error with an
// offset, else "name: " and err.
func At(name string, data []byte, err error) error {
	if off, ok := Offset(err); ok && off <= int64(len(data)) {
		return &located{fmt.Sprintf("%s:%d", name, bytes.Count(data[:off], []byte("\n"))+1), err}
	}
	return &located{name, err}
}

// AtOffset is At where only the offset is known (a streaming decoder):
// "name: offset N: ".
func AtOffset(name string, err error) error {
	if off, ok := Offset(err); ok {
		return &located{fmt.Sprintf("%s: offset %d", name, off), err}
	}
	return &located{name, err}
}

// In is err at where (a file, "file:line" or "file: offset N"): its
// message is where, ": ", and what was wrong (Describe).
func In(where string, err error) error { return &located{where, err} }

// Offset is the input offset of a JSON syntax or type error.
func Offset(err error) (int64, bool) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return se.Offset, true
	case errors.As(err, &te):
		return te.Offset, true
	}
	return 0, false
}

// Describe says what a JSON type error expected: "want a string at
// logName, got a number"; other errors are as they are, without
// encoding/json's "json: " prefix.
func Describe(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		at := ""
		if te.Field != "" {
			at = " at " + te.Field
		}
		return fmt.Sprintf("want %s%s, got %s", jsonKind(te.Type), at, article(te.Value))
	}
	msg := err.Error()
	if len(msg) > 6 && msg[:6] == "json: " {
		msg = msg[6:]
	}
	return msg
}

// located is an error with where it is.
type located struct {
	where string
	err   error
}

func (e *located) Error() string { return e.where + ": " + Describe(e.err) }
func (e *located) Unwrap() error { return e.err }

// jsonKind names a Go type by the JSON that decodes into it.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a " + t.String()
}

// article puts "a" or "an" before a JSON value's kind as encoding/json
// names it ("number", "string", "object", "array", "bool", "number 1.5").
func article(v string) string {
	switch {
	case v == "":
		return "nothing"
	case v == "bool":
		return "true or false"
	case v[0] == 'a' || v[0] == 'o':
		return "an " + v
	}
	return "a " + v
}
