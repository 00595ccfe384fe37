# Shaped like real projects' bake files: variables for the version, registry and platforms,
# a shared parent target, a binaries target exported as files and an image target.
variable "VERSION" {
  default = "0.1.0"
}

variable "REGISTRY" {
  default = "127.0.0.1:5000"
}

variable "OUT" {
  default = "out"
}

variable "PLATFORMS" {
  default = "linux/amd64,linux/arm64,linux/arm/v7"
}

group "default" {
  targets = ["binaries", "image"]
}

target "_common" {
  args = {
    VERSION = VERSION
  }
  platforms = split(",", PLATFORMS)
}

target "binaries" {
  inherits = ["_common"]
  target   = "binaries"
  output   = ["type=local,dest=${OUT}/bin"]
}

target "image" {
  inherits = ["_common"]
  target   = "image"
  tags     = ["${REGISTRY}/xplat-bake/hello:${VERSION}", "${REGISTRY}/xplat-bake/hello:latest"]
}
