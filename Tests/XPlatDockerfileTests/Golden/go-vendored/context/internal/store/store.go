package store

import "example.com/shim"

func Open() string { return shim.Version() }
