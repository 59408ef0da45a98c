// Package prefault writes newly made memory once a page before it is
// read.
//
// Memory the Go heap has just taken from the system is not written by
// make or new: the kernel gives its pages on first use. When the first use
// reads (a hash table's probe, a count's "+="), the kernel maps the page
// to its shared zero page; the first write then copies it, and stops every
// core running the process to flush the old mapping. On a large table
// filled at random, those flushes cost more than the filling. A page
// written first is simply given. Touch is for tables of counts and hashes
// that are read before they are written.
package prefault

import "unsafe"

// pageSize is the smallest page size of the systems Go runs on.
const pageSize = 4096

// Touch writes the zero value into s once every page, and into its last
// element, and returns s. s must be newly made (all zero values), and T
// should hold no pointers.
func Touch[T any](s []T) []T {
	if len(s) == 0 {
		return s
	}
	var zero T
	step := max(1, pageSize/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
	s[len(s)-1] = zero
	return s
}
