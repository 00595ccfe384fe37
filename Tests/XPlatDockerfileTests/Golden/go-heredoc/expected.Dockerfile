# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY . .
RUN <<EOT
#!/bin/sh
export GOOS="$TARGETOS" GOARCH="$TARGETARCH";
case "$TARGETARCH" in arm) export GOARM="${TARGETVARIANT#v}" ;; amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; esac;
set -e
go build -o /out/app .
EOT

FROM alpine:3.20
COPY --from=build /out/app /app
