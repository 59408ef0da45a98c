//go:build !purego

package logscan

import "golang.org/x/sys/cpu"

// haveBlocks tells whether the AVX2 routines can run here; tests turn it
// off to run the portable ones.
var haveBlocks = cpu.X86.HasAVX2

// The routines dispatch to their AVX2 versions (blocks_amd64.s) where the
// CPU has AVX2, and to their pure-Go twins (blocks.go) elsewhere; the two
// are tested against each other (FuzzBlocks).

func specialBlocks(b []byte) int {
	if haveBlocks {
		return specialBlocksAVX2(b)
	}
	return specialBlocksGo(b)
}

func quoteBlocks(b []byte, q []uint64) int {
	if haveBlocks {
		return quoteBlocksAVX2(b, q)
	}
	return quoteBlocksGo(b, q)
}

func structBlocks(b []byte, m []uint64, n int) {
	if haveBlocks {
		structBlocksAVX2(b, m, n)
		return
	}
	structBlocksGo(b, m, n)
}

func countSpecialBlocks(b []byte) int {
	if haveBlocks {
		return countSpecialBlocksAVX2(b)
	}
	return countSpecialBlocksGo(b)
}

//go:noescape
func specialBlocksAVX2(b []byte) int

//go:noescape
func quoteBlocksAVX2(b []byte, q []uint64) int

//go:noescape
func structBlocksAVX2(b []byte, m []uint64, n int)

//go:noescape
func countSpecialBlocksAVX2(b []byte) int
