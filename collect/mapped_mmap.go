//go:build linux || darwin

package collect

import (
	"os"
	"syscall"
)

func mmap(f *os.File, size int) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
}

func munmap(data []byte) { _ = syscall.Munmap(data) }

// pageSize is the size of the pages dropPages lets go.
var pageSize = os.Getpagesize()

// dropPages lets go of the pages of b, a page-aligned slice of a mapping:
// they no longer count in the process's memory, and are read again from
// the file should they be touched.
func dropPages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
