package shim

// #include <zlib.h>
// #cgo LDFLAGS: -lz
import "C"

func Version() string { return C.GoString(C.zlibVersion()) }
