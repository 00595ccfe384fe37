// Prints the platform it was compiled for, so a test can see the Makefile's variables reached go.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("go-make: built for %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
