// Command hello prints its version and the platform it was compiled for.
package main

import (
	"fmt"
	"runtime"
)

var version = "dev"

func main() {
	fmt.Printf("hello %s from %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
}
