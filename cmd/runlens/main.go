// Command runlens tells what a Cloud Run service did during a load test or a
// day of traffic, and what it cost. Run "runlens help" for the commands.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	code := 0
	stop := profile(os.Getenv("RUNLENS_CPUPROFILE"))
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "runlens: %v\n", err)
		code = exitCode(err)
	}
	stop()
	writeHeapProfile(os.Getenv("RUNLENS_MEMPROFILE"))
	os.Exit(code)
}

// writeHeapProfile writes a heap profile (what the run allocated, and
// what it still held) to path, when given, for "go tool pprof".
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "runlens: RUNLENS_MEMPROFILE: %v\n", err)
	}
}

// profile writes a CPU profile of the run to path, when given, for
// "go tool pprof"; the returned function ends it.
func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "runlens: RUNLENS_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
