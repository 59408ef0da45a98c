package jsonerr

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAt(t *testing.T) {
	var v struct {
		Spec struct{ N int } `json:"spec"`
		Name string          `json:"name"`
	}
	for _, tc := range []struct{ data, want string }{
		{"{\n  \"spec\": 3\n}", "s.json:2: want an object at spec, got a number"},
		{"{\"name\": [1]}", "s.json:1: want a string at name, got an array"},
		{"{\"spec\": {\"N\": 1.5}}", "s.json:1: want an integer at spec.N, got a number 1.5"},
		{"{\n\n\"name\": x}", "s.json:3: invalid character 'x' looking for beginning of value"},
	} {
		err := json.Unmarshal([]byte(tc.data), &v)
		if got := At("s.json", []byte(tc.data), err).Error(); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.data, got, tc.want)
		}
	}
	err := json.NewDecoder(strings.NewReader(`{"schema": "v1", "x": [}`)).Decode(&v)
	if got, want := AtOffset("x.json", err).Error(), "x.json: offset 24: invalid character '}' looking for beginning of value"; got != want {
		t.Errorf("AtOffset: %q, want %q", got, want)
	}
}
