package fakegcp

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strings"
)

// pageToken is where the next page starts. It is bound to the request it
// came from by a hash, so a token used with another filter is refused, as
// the real APIs refuse it.
type pageToken struct {
	offset int
	nonce  int // distinguishes the tokens of empty pages at one offset
	hash   uint64
}

func (t pageToken) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%d:%x", t.offset, t.nonce, t.hash))
}

func parseToken(s string, hash uint64) (pageToken, error) {
	if s == "" {
		return pageToken{hash: hash}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var t pageToken
	if err == nil {
		_, err = fmt.Sscanf(string(b), "%d:%d:%x", &t.offset, &t.nonce, &t.hash)
	}
	if err != nil || t.hash != hash || t.offset < 0 {
		return pageToken{}, fmt.Errorf("page token %q is invalid or belongs to another request", s)
	}
	return t, nil
}

// requestHash identifies a query by the parts a page token belongs to.
func requestHash(parts ...string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(parts, "\x00")))
	return h.Sum64()
}
