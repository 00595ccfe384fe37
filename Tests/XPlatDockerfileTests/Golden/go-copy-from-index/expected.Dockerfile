FROM --platform=$BUILDPLATFORM golang:1.22
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY . .
RUN export GOOS="$TARGETOS" GOARCH="$TARGETARCH"; \
    case "$TARGETARCH" in arm) export GOARM="${TARGETVARIANT#v}" ;; amd64) export GOAMD64="${TARGETVARIANT:-v1}" ;; esac; \
    go build -o /app .

FROM scratch
COPY --from=0 /app /app
ENTRYPOINT ["/app"]
