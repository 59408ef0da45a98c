package main

import (
	"os"
	"strconv"
	"strings"
)

// terminalColumns is the width the terminal tables fit: the COLUMNS
// environment variable, or 0 (render's default, 100 columns) when it is
// unset or not a positive number.
func terminalColumns() int {
	n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS")))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
