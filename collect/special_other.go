//go:build !amd64 || purego

package collect

var haveBlocks = false

func specialBlocks(b []byte) int { return 0 }
