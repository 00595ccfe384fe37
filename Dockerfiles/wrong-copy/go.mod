module example.com/wrong-copy

go 1.19
