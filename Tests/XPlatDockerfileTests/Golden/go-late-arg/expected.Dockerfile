FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY . .
RUN export GOOS="$TARGETOS" GOARCH="$TARGETARCH"; \
    case "$TARGETARCH" in arm) export GOARM="${TARGETVARIANT#v}" ;; amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; esac; \
    go install ./...
ARG TARGETARCH
RUN GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM alpine:3.20
COPY --from=build /out/app /app
