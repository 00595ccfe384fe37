// XPlatDocker: what the docker client, the engine and buildx print about themselves, parsed once.
//
// Guide
// -----
// doctor (XPlatHost) and the builder (XPlatBuild) both read buildx's words: the platform lists of
// `docker buildx ls` and `docker buildx inspect`, the version line of `docker buildx version`, the
// `--metadata-file` a build writes, and `docker info` JSON. Each is parsed here, into a value, by one
// function, so the two never disagree (a platform neither understands is kept as text and reported,
// never dropped).
//
// - `BuildxPlatformList`: `linux/amd64, linux/arm64*, linux/mips64 (+3)`: platforms, the ones the
//   user pinned (`*`), the words that are not platforms, and whether the listing was cut short.
// - `BuildxListing`: `docker buildx ls` (JSON and table forms): builders, their nodes and platforms.
// - `BuildxVersion`: `github.com/docker/buildx v0.10.5 ed00243...`: which flags this buildx knows
//   (`--provenance`/`--sbom` from 0.10, which also adds provenance attestations by default).
// - `BuildxMetadata`: the JSON of `--metadata-file` (`containerimage.digest`, the descriptor, the
//   build ref).
// - `EngineInfo`: the parts of `docker info --format '{{json .}}'` a build needs.
// - `BakeDefinition`: `docker buildx bake --print`'s resolved groups and targets (buildx 0.10 to
//   0.13 keys; an unknown key is an error that quotes it).
//
// Nothing here runs a program: callers run them and hand over the text.
