package main

// #cgo pkg-config: zlib
// #include <zlib.h>
import "C"

func main() { println(C.GoString(C.zlibVersion())) }
