TARGET_ARCH := $(shell go env GOHOSTARCH)
