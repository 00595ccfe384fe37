FROM ubuntu:22.04 AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake make gcc libc6-dev zlib1g-dev
WORKDIR /src
COPY . .
RUN cmake -S . -B build && cmake --build build

FROM ubuntu:22.04
COPY --from=build /src/build/zver /usr/local/bin/zver
#! XP103 5:5
