package sim

import (
	"fmt"
	"testing"
)

func TestHex8(t *testing.T) {
	for _, v := range []uint64{0, 1, 15, 16, 0xabc, 0xffffffff, 0x100000000, 0x65f2d3a0, 12345678901234} {
		if got, want := string(hex8([]byte("x"), v)), "x"+fmt.Sprintf("%08x", v); got != want {
			t.Errorf("hex8(%d) = %s, want %s", v, got, want)
		}
	}
}
