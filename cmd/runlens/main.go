// Command runlens tells what a Cloud Run service did during a load test or a
// day of traffic, and what it cost. Run "runlens help" for the commands.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "runlens: %v\n", err)
		os.Exit(exitCode(err))
	}
}
