//go:build !purego

package collect

import "golang.org/x/sys/cpu"

// haveBlocks tells whether specialBlocks can run here.
var haveBlocks = cpu.X86.HasAVX2

// specialBlocks is in special_amd64.s.
//
//go:noescape
func specialBlocks(b []byte) int

// quoteBlocks is in special_amd64.s.
//
//go:noescape
func quoteBlocks(b []byte, q []uint64) int

// structBlocks is in special_amd64.s.
//
//go:noescape
func structBlocks(b []byte, m []uint64, n int)

// countSpecialBlocks is in special_amd64.s.
//
//go:noescape
func countSpecialBlocks(b []byte) int
