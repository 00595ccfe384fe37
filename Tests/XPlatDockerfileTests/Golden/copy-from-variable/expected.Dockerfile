FROM golang:1.19 AS build-amd64
RUN go build -o /out/app .
FROM golang:1.19 AS build-arm64
RUN go build -o /out/app .
FROM busybox
ARG TARGETARCH
COPY --from=build-${TARGETARCH} /out/app /app
