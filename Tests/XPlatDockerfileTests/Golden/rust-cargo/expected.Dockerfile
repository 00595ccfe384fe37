FROM --platform=$BUILDPLATFORM rust:1.80 AS builder
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /app
COPY . .
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      amd64/*) triplet=x86_64-linux-gnu debarch=amd64 rust_target=x86_64-unknown-linux-gnu ;; \
      386/*) triplet=i686-linux-gnu debarch=i386 rust_target=i686-unknown-linux-gnu ;; \
      arm64/*) triplet=aarch64-linux-gnu debarch=arm64 rust_target=aarch64-unknown-linux-gnu ;; \
      arm/v7) triplet=arm-linux-gnueabihf debarch=armhf rust_target=armv7-unknown-linux-gnueabihf ;; \
      arm/v5) triplet=arm-linux-gnueabi debarch=armel rust_target=armv5te-unknown-linux-gnueabi ;; \
      riscv64/*) triplet=riscv64-linux-gnu debarch=riscv64 rust_target=riscv64gc-unknown-linux-gnu ;; \
      ppc64le/*) triplet=powerpc64le-linux-gnu debarch=ppc64el rust_target=powerpc64le-unknown-linux-gnu ;; \
      s390x/*) triplet=s390x-linux-gnu debarch=s390x rust_target=s390x-unknown-linux-gnu ;; \
      mips64le/*) triplet=mips64el-linux-gnuabi64 debarch=mips64el rust_target=mips64el-unknown-linux-gnuabi64 ;; \
      loong64/*) triplet=loongarch64-linux-gnu debarch=loong64 rust_target=loongarch64-unknown-linux-gnu ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    if ! command -v "$triplet-gcc" >/dev/null 2>&1; then apt-get update && apt-get install -y --no-install-recommends "gcc-$(echo "$triplet" | tr _ -)" "g++-$(echo "$triplet" | tr _ -)" "libc6-dev-$debarch-cross"; fi; \
    rustup target add "$rust_target"; \
    export TARGET_CC="$triplet-gcc" "CARGO_TARGET_$(echo "$rust_target" | tr a-z- A-Z_)_LINKER=$triplet-gcc"; \
    cargo build --target "$rust_target" --release --locked && mkdir -p target/release && cp -a "target/$rust_target/release/." target/release/

FROM debian:bookworm-slim
COPY --from=builder /app/target/release/app /usr/local/bin/app
CMD ["app"]
