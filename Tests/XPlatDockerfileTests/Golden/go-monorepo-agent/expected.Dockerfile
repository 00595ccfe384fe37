FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN make -C services/agent build

FROM debian:bookworm-slim
COPY --from=build /src/services/agent/bin/agent /usr/local/bin/agent
#! XP104 4:5
