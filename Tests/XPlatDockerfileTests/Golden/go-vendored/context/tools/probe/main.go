package main

// #include <pcap.h>
import "C"

func main() {}
