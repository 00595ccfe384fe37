FROM --platform=$BUILDPLATFORM debian:bookworm AS build
RUN apt-get update && apt-get install -y curl xz-utils
ARG ZIG_VERSION=0.13.0
RUN curl -fsSL https://ziglang.org/download/${ZIG_VERSION}/zig-linux-x86_64-${ZIG_VERSION}.tar.xz | tar -xJ -C /opt
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      arm/v7) zig_target=arm-linux-musleabihf ;; \
      arm/v6) zig_target=arm-linux-musleabihf ;; \
      arm/v5) zig_target=arm-linux-musleabi ;; \
      amd64/*) zig_target=x86_64-linux-musl ;; \
      386/*) zig_target=x86-linux-musl ;; \
      arm64/*) zig_target=aarch64-linux-musl ;; \
      riscv64/*) zig_target=riscv64-linux-musl ;; \
      ppc64le/*) zig_target=powerpc64le-linux-musl ;; \
      s390x/*) zig_target=s390x-linux-musl ;; \
      mips64le/*) zig_target=mips64el-linux-muslabi64 ;; \
      loong64/*) zig_target=loongarch64-linux-musl ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    /opt/zig-linux-x86_64-0.13.0/zig build -Dtarget="$zig_target" -Doptimize=ReleaseSafe

FROM alpine:3.20
COPY --from=build /src/zig-out/bin/app /app
