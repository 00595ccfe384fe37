module example.com/go-zlib

go 1.19
