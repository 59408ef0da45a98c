//go:build !amd64 || purego

package logscan

// haveBlocks is false: no assembly here, and the callers take their
// word-at-a-time paths; the routines are their pure-Go twins.
var haveBlocks = false

func specialBlocks(b []byte) int { return specialBlocksGo(b) }

func quoteBlocks(b []byte, q []uint64) int { return quoteBlocksGo(b, q) }

func structBlocks(b []byte, m []uint64, n int) { structBlocksGo(b, m, n) }

func countSpecialBlocks(b []byte) int { return countSpecialBlocksGo(b) }
