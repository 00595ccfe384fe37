# A matrix target (buildx 0.11 and newer expand it; 0.10 does not know `matrix`).
target "app" {
  name      = "app-${tgt}"
  matrix    = {
    tgt = ["tool", "app"]
  }
  context   = "ctx"
  target    = tgt
  platforms = ["linux/amd64", "linux/arm64"]
}
