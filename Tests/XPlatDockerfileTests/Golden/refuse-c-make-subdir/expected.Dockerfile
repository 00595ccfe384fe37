FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc make libc6-dev
WORKDIR /src
COPY . .
RUN make -C src tool

FROM debian:bookworm-slim
COPY --from=build /src/src/tool /usr/local/bin/tool
#! XP104 5:5
