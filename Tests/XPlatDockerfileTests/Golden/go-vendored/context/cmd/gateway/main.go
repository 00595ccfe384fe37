package main

import (
	"fmt"

	"example.com/gateway/internal/store"
)

func main() { fmt.Println(store.Open()) }
