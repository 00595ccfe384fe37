// Command go-cgo asks the C library, through cgo, which glibc and which machine it runs on. Only a
// binary built with cgo can print the first line: with cgo off the package does not build at all.
package main

/*
#include <gnu/libc-version.h>
#include <sys/utsname.h>

static const char *machine(void) {
	static struct utsname u;
	if (uname(&u) != 0) return "unknown";
	return u.machine;
}
*/
import "C"

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("cgo: glibc %s on %s\n", C.GoString(C.gnu_get_libc_version()), C.GoString(C.machine()))
	fmt.Printf("built for %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
