// Command go-zlib compresses and restores a message with the C zlib (Debian's zlib1g-dev, found
// through pkg-config) and prints zlib's version: only a cgo build linked with zlib can.
package main

/*
#cgo pkg-config: zlib
#include <stdlib.h>
#include <zlib.h>
*/
import "C"

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"unsafe"
)

func main() {
	message := bytes.Repeat([]byte("cross-compiled with cgo and zlib; "), 8)
	packed := make([]byte, C.compressBound(C.uLong(len(message))))
	packedLen := C.uLongf(len(packed))
	if C.compress2((*C.Bytef)(unsafe.Pointer(&packed[0])), &packedLen,
		(*C.Bytef)(unsafe.Pointer(&message[0])), C.uLong(len(message)), 9) != C.Z_OK {
		fmt.Fprintln(os.Stderr, "go-zlib: compress2 failed")
		os.Exit(1)
	}
	restored := make([]byte, len(message))
	restoredLen := C.uLongf(len(restored))
	if C.uncompress((*C.Bytef)(unsafe.Pointer(&restored[0])), &restoredLen,
		(*C.Bytef)(unsafe.Pointer(&packed[0])), C.uLong(packedLen)) != C.Z_OK || !bytes.Equal(restored, message) {
		fmt.Fprintln(os.Stderr, "go-zlib: the round trip lost data")
		os.Exit(1)
	}
	fmt.Printf("zlib %s: %d bytes -> %d -> %d, round trip ok\n", C.GoString(C.zlibVersion()), len(message), packedLen, restoredLen)
	fmt.Printf("built for %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
