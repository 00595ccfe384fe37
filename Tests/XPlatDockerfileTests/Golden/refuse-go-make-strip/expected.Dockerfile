FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 make build
FROM debian:bookworm-slim
COPY --from=build /src/bin/pinger /usr/local/bin/pinger
#! XP104 4:19
