module example.com/gateway

go 1.19

require (
	example.com/shim v0.1.0
	github.com/mattn/go-sqlite3 v1.14.16 // indirect
)
