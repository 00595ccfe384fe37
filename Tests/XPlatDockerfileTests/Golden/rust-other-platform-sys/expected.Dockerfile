FROM --platform=$BUILDPLATFORM rust:1.63 AS build
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      arm/v7) triplet=arm-linux-gnueabihf debarch=armhf rust_target=armv7-unknown-linux-gnueabihf rust_linker=CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER ;; \
      arm/v5) triplet=arm-linux-gnueabi debarch=armel rust_target=armv5te-unknown-linux-gnueabi rust_linker=CARGO_TARGET_ARMV5TE_UNKNOWN_LINUX_GNUEABI_LINKER ;; \
      amd64/*) triplet=x86_64-linux-gnu debarch=amd64 rust_target=x86_64-unknown-linux-gnu rust_linker=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER ;; \
      386/*) triplet=i686-linux-gnu debarch=i386 rust_target=i686-unknown-linux-gnu rust_linker=CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_LINKER ;; \
      arm64/*) triplet=aarch64-linux-gnu debarch=arm64 rust_target=aarch64-unknown-linux-gnu rust_linker=CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER ;; \
      riscv64/*) triplet=riscv64-linux-gnu debarch=riscv64 rust_target=riscv64gc-unknown-linux-gnu rust_linker=CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER ;; \
      ppc64le/*) triplet=powerpc64le-linux-gnu debarch=ppc64el rust_target=powerpc64le-unknown-linux-gnu rust_linker=CARGO_TARGET_POWERPC64LE_UNKNOWN_LINUX_GNU_LINKER ;; \
      s390x/*) triplet=s390x-linux-gnu debarch=s390x rust_target=s390x-unknown-linux-gnu rust_linker=CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_LINKER ;; \
      mips64le/*) triplet=mips64el-linux-gnuabi64 debarch=mips64el rust_target=mips64el-unknown-linux-gnuabi64 rust_linker=CARGO_TARGET_MIPS64EL_UNKNOWN_LINUX_GNUABI64_LINKER ;; \
      loong64/*) triplet=loongarch64-linux-gnu debarch=loong64 rust_target=loongarch64-unknown-linux-gnu rust_linker=CARGO_TARGET_LOONGARCH64_UNKNOWN_LINUX_GNU_LINKER ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    xplat_pkgs=; \
    command -v "$triplet-gcc" >/dev/null 2>&1 || xplat_pkgs="gcc-$(echo "$triplet" | tr _ -) libc6-dev-$debarch-cross"; \
    command -v rustup >/dev/null 2>&1 || dpkg -s "libstd-rust-dev:$debarch" >/dev/null 2>&1 || xplat_pkgs="$xplat_pkgs libstd-rust-dev:$debarch"; \
    if [ -n "$xplat_pkgs" ]; then case "$xplat_pkgs" in *:*) dpkg --add-architecture "$debarch" ;; esac && apt-get update && apt-get install -y --no-install-recommends $xplat_pkgs; fi; \
    if command -v rustup >/dev/null 2>&1; then rustup target add "$rust_target"; fi; \
    export "$rust_linker=$triplet-gcc"; \
    TARGET_CC="$triplet-gcc" cargo build --target "$rust_target" --release && mkdir -p target/release && cp -a "target/$rust_target/release/." target/release/

FROM debian:bookworm-slim
COPY --from=build /src/target/release/keyring /usr/local/bin/keyring
