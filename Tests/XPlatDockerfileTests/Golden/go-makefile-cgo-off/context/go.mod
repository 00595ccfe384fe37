module example.com/relay

go 1.19

require (
	github.com/mattn/go-sqlite3 v1.14.16 // indirect
	golang.org/x/sys v0.5.0
)
