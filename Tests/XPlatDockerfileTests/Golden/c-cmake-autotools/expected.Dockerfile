FROM --platform=$BUILDPLATFORM gcc:13 AS build
RUN apt-get update && apt-get install -y cmake
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      arm/v7) triplet=arm-linux-gnueabihf debarch=armhf cmake_processor=armv7l ;; \
      arm/v5) triplet=arm-linux-gnueabi debarch=armel cmake_processor=armv5tel ;; \
      amd64/*) triplet=x86_64-linux-gnu debarch=amd64 cmake_processor=x86_64 ;; \
      386/*) triplet=i686-linux-gnu debarch=i386 cmake_processor=i686 ;; \
      arm64/*) triplet=aarch64-linux-gnu debarch=arm64 cmake_processor=aarch64 ;; \
      riscv64/*) triplet=riscv64-linux-gnu debarch=riscv64 cmake_processor=riscv64 ;; \
      ppc64le/*) triplet=powerpc64le-linux-gnu debarch=ppc64el cmake_processor=ppc64le ;; \
      s390x/*) triplet=s390x-linux-gnu debarch=s390x cmake_processor=s390x ;; \
      mips64le/*) triplet=mips64el-linux-gnuabi64 debarch=mips64el cmake_processor=mips64 ;; \
      loong64/*) triplet=loongarch64-linux-gnu debarch=loong64 cmake_processor=loongarch64 ;; \
      *) echo "unsupported target $TARGETARCH$TARGETVARIANT" >&2; exit 1 ;; \
    esac; \
    xplat_pkgs=; \
    command -v "$triplet-gcc" >/dev/null 2>&1 || xplat_pkgs="gcc-$(echo "$triplet" | tr _ -) libc6-dev-$debarch-cross"; \
    command -v "$triplet-g++" >/dev/null 2>&1 || xplat_pkgs="$xplat_pkgs g++-$(echo "$triplet" | tr _ -)"; \
    if [ -n "$xplat_pkgs" ]; then case "$xplat_pkgs" in *:*) dpkg --add-architecture "$debarch" ;; esac && apt-get update && apt-get install -y --no-install-recommends $xplat_pkgs; fi; \
    cmake -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$cmake_processor" -DCMAKE_C_COMPILER="$triplet-gcc" -DCMAKE_CXX_COMPILER="$triplet-g++" -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build --parallel
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
    cd vendor/zlib && CC="$triplet-gcc" CXX="$triplet-g++" ./configure --host="$triplet" --static && CC="$triplet-gcc" CXX="$triplet-g++" make

FROM debian:bookworm-slim
COPY --from=build /src/build/tool /usr/local/bin/tool
