package main

// #include <unistd.h>
import "C"

func main() { _ = C.getpid() }
