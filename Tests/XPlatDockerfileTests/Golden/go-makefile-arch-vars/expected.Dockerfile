FROM --platform=$BUILDPLATFORM golang:1.19 AS build
WORKDIR /src
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN case "$TARGETARCH/$TARGETVARIANT" in \
      amd64/v2) goarm= goamd64=v2 ;; \
      amd64/v3) goarm= goamd64=v3 ;; \
      amd64/v4) goarm= goamd64=v4 ;; \
      arm/v7) goarm=7 goamd64= ;; \
      arm/v6) goarm=6 goamd64= ;; \
      arm/v5) goarm=5 goamd64= ;; \
      amd64/*) goarm= goamd64=v1 ;; \
      *) goarm= goamd64= ;; \
    esac; \
    GOOS="$TARGETOS" GOARCH="$TARGETARCH" GOARM="$goarm" GOAMD64="$goamd64" TARGET_OS="$TARGETOS" TARGET_ARCH="$TARGETARCH" make build

FROM busybox
COPY --from=build /src/bin/app /usr/local/bin/app
