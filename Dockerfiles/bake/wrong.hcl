# A good target and a wrong one (an amd64 binary in every platform), each with a local output:
# the bake must fail and write neither.
variable "OUT" {
  default = "out"
}

group "default" {
  targets = ["good", "wrong"]
}

target "good" {
  context   = "ctx"
  target    = "app"
  platforms = ["linux/amd64", "linux/arm64"]
  output    = ["type=local,dest=${OUT}/good"]
}

target "wrong" {
  context   = "wrong"
  platforms = ["linux/amd64", "linux/arm64"]
  output    = ["type=local,dest=${OUT}/wrong"]
}
