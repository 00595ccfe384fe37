# A target built on another through a target: context, with tiny images (the recording of a real
# buildx remote builder holds the images it exported).
variable "OUT" {
  default = "out"
}

target "probe" {
  context    = "ctx"
  dockerfile = "Dockerfile.probe"
  platforms  = ["linux/amd64", "linux/arm64"]
}

target "uses" {
  context    = "ctx"
  dockerfile = "Dockerfile.uses-probe"
  contexts = {
    probe = "target:probe"
  }
  platforms = ["linux/amd64", "linux/arm64"]
  output    = ["type=local,dest=${OUT}/uses"]
}
