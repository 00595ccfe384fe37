FROM --platform=$BUILDPLATFORM golang:1.22 AS base
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

FROM base AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
COPY . .
RUN export GOOS="$TARGETOS" GOARCH="$TARGETARCH"; \
    case "$TARGETARCH" in arm) export GOARM="${TARGETVARIANT#v}" ;; amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; esac; \
    go build -o /out/app . && \
    go build -o /out/helper ./cmd/helper

FROM base AS test
RUN go test ./...

FROM debian:bookworm-slim
COPY --from=build /out/app /out/helper /usr/local/bin/
