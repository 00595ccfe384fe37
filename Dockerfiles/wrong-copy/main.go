// Command go-hello prints the platform it was compiled for, so a build's output can be checked
// against the platform that was asked for.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
