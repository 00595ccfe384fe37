FROM rust:1.80 AS build
WORKDIR /src
COPY . .
RUN make release

FROM debian:bookworm-slim
COPY --from=build /src/bin/app /usr/local/bin/app
#! XP104 4:5
