FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
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
    GOOS="$TARGETOS" GOARCH="$TARGETARCH" GOARM="$goarm" GOAMD64="$goamd64" go install ./... && { xplat_bin="$(go env GOPATH)/bin"; if [ -d "$xplat_bin/${TARGETOS}_$TARGETARCH" ]; then mv "$xplat_bin/${TARGETOS}_$TARGETARCH"/* "$xplat_bin/" && rmdir "$xplat_bin/${TARGETOS}_$TARGETARCH"; fi; }
ARG TARGETARCH
RUN GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM alpine:3.20
COPY --from=build /out/app /app
