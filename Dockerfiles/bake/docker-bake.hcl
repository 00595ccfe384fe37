# Bake file of xplat's tests: variables, a function, inherits, a group of three targets with
# different platform sets, and a target built on another through a target: context.
variable "REGISTRY" {
  default = "127.0.0.1:5000"
}

variable "TAG" {
  default = "dev"
}

function "image" {
  params = [name]
  result = ["${REGISTRY}/xplat-bake/${name}:${TAG}"]
}

group "default" {
  targets = ["tool", "app", "debug"]
}

group "linked" {
  targets = ["derived"]
}

target "_common" {
  context = "ctx"
  args = {
    GREETING = "hello"
  }
}

target "tool" {
  inherits  = ["_common"]
  target    = "tool"
  platforms = ["linux/amd64"]
  tags      = image("tool")
}

target "app" {
  inherits  = ["_common"]
  target    = "app"
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = image("app")
}

target "debug" {
  inherits  = ["app"]
  args = {
    GREETING = "debug"
  }
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags      = image("debug")
}

target "base" {
  inherits  = ["_common"]
  target    = "base"
  platforms = ["linux/amd64", "linux/arm64"]
}

target "derived" {
  context    = "ctx"
  dockerfile = "Dockerfile.derived"
  contexts = {
    base = "target:base"
  }
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = image("derived")
}
