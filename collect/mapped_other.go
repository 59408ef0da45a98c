//go:build !(linux || darwin)

package collect

import (
	"errors"
	"os"
)

// mmap is not used here: files are read.
func mmap(*os.File, int) ([]byte, error) { return nil, errors.New("not mapped") }

func munmap([]byte) {}

var pageSize = os.Getpagesize()

func dropPages([]byte) {}
