# escape=`
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR C:/src
COPY . .
RUN export GOOS="$TARGETOS" GOARCH="$TARGETARCH"; `
    case "$TARGETARCH" in arm) export GOARM="${TARGETVARIANT#v}" ;; amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; esac; `
    go build `
    -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
