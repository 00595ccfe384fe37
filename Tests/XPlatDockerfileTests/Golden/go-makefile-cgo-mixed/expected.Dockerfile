FROM --platform=$BUILDPLATFORM golang:1.19 AS build
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      amd64/v2) goarm= goamd64=v2 triplet=x86_64-linux-gnu debarch=amd64 ;; \
      amd64/v3) goarm= goamd64=v3 triplet=x86_64-linux-gnu debarch=amd64 ;; \
      amd64/v4) goarm= goamd64=v4 triplet=x86_64-linux-gnu debarch=amd64 ;; \
      arm/v7) goarm=7 goamd64= triplet=arm-linux-gnueabihf debarch=armhf ;; \
      arm/v5) goarm=5 goamd64= triplet=arm-linux-gnueabi debarch=armel ;; \
      amd64/*) goarm= goamd64=v1 triplet=x86_64-linux-gnu debarch=amd64 ;; \
      386/*) goarm= goamd64= triplet=i686-linux-gnu debarch=i386 ;; \
      arm64/*) goarm= goamd64= triplet=aarch64-linux-gnu debarch=arm64 ;; \
      riscv64/*) goarm= goamd64= triplet=riscv64-linux-gnu debarch=riscv64 ;; \
      ppc64le/*) goarm= goamd64= triplet=powerpc64le-linux-gnu debarch=ppc64el ;; \
      s390x/*) goarm= goamd64= triplet=s390x-linux-gnu debarch=s390x ;; \
      mips64le/*) goarm= goamd64= triplet=mips64el-linux-gnuabi64 debarch=mips64el ;; \
      loong64/*) goarm= goamd64= triplet=loongarch64-linux-gnu debarch=loong64 ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    xplat_pkgs=; \
    command -v "$triplet-gcc" >/dev/null 2>&1 || xplat_pkgs="gcc-$(echo "$triplet" | tr _ -) libc6-dev-$debarch-cross"; \
    if [ -n "$xplat_pkgs" ]; then case "$xplat_pkgs" in *:*) dpkg --add-architecture "$debarch" ;; esac && apt-get update && apt-get install -y --no-install-recommends $xplat_pkgs; fi; \
    GOOS="$TARGETOS" GOARCH="$TARGETARCH" GOARM="$goarm" GOAMD64="$goamd64" CGO_ENABLED=1 CC="$triplet-gcc" CXX="$triplet-g++" make

FROM debian:bookworm-slim
COPY --from=build /src/bin/ /usr/local/bin/
