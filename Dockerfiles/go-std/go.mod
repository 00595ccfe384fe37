module example.com/go-std

go 1.19
