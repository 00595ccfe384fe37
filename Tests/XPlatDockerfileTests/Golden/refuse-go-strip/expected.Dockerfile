FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/tool ./cmd/tool
RUN strip /out/tool

FROM debian:bookworm-slim
COPY --from=build /out/tool /usr/local/bin/tool
#! XP104 5:5
