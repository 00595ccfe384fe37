module example.com/go-make

go 1.19
