//go:build !amd64 || purego

package collect

var haveBlocks = false

func specialBlocks(b []byte) int { return 0 }

func quoteBlocks(b []byte, q []uint64) int { return 0 }

func structBlocks(b []byte, m []uint64, n int) {}

func countSpecialBlocks(b []byte) int { return 0 }
