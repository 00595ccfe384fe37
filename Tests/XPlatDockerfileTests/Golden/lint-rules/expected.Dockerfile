ARG TARGETARCH
ARG TARGETOS
FROM --platform=linux/amd64 golang:1.22 AS build
RUN GOOS=$TARGETOS go build -o /out/app .

FROM --platform=$BUILDPLATFORM debian:bookworm AS tools
RUN curl -fsSLo /usr/local/bin/kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl
RUN ARCH="$(uname -m)" && curl -fsSLO "https://example.com/tool-${ARCH}.tar.gz"

FROM --platform=$BUILDPLATFORM alpine:3.20
COPY --from=build /out/app /app
COPY --from=tools /usr/local/bin/kubectl /usr/local/bin/kubectl
