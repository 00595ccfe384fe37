FROM --platform=$BUILDPLATFORM gcc:12 AS builder
WORKDIR /build
COPY server.h .
COPY docker/main.c .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      arm/v7) triplet=arm-linux-gnueabihf debarch=armhf ;; \
      arm/v5) triplet=arm-linux-gnueabi debarch=armel ;; \
      amd64/*) triplet=x86_64-linux-gnu debarch=amd64 ;; \
      386/*) triplet=i686-linux-gnu debarch=i386 ;; \
      arm64/*) triplet=aarch64-linux-gnu debarch=arm64 ;; \
      riscv64/*) triplet=riscv64-linux-gnu debarch=riscv64 ;; \
      ppc64le/*) triplet=powerpc64le-linux-gnu debarch=ppc64el ;; \
      s390x/*) triplet=s390x-linux-gnu debarch=s390x ;; \
      mips64le/*) triplet=mips64el-linux-gnuabi64 debarch=mips64el ;; \
      loong64/*) triplet=loongarch64-linux-gnu debarch=loong64 ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    xplat_pkgs=; \
    command -v "$triplet-gcc" >/dev/null 2>&1 || xplat_pkgs="gcc-$(echo "$triplet" | tr _ -) libc6-dev-$debarch-cross"; \
    if [ -n "$xplat_pkgs" ]; then case "$xplat_pkgs" in *:*) dpkg --add-architecture "$debarch" ;; esac && apt-get update && apt-get install -y --no-install-recommends $xplat_pkgs; fi; \
    "$triplet-gcc" -std=c11 -static -o server -O2 -I. main.c && "$triplet-strip" server

FROM scratch
COPY --from=builder /build/server /server
ENTRYPOINT ["/server"]
