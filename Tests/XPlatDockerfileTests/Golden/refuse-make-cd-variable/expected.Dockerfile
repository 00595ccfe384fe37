FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN cd "$APP_DIR" && make

FROM debian:bookworm-slim
COPY --from=build /src/bin/ /usr/local/bin/
#! XP104 4:22
