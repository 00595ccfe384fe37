FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake make gcc g++ \
    libgmp3-dev libpcap-dev libjson-c-dev libjudy-dev libunistring-dev
WORKDIR /src
COPY . .
RUN mkdir build && cd build && cmake .. && make -j"$(nproc)"

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgmp10 libpcap0.8 libjson-c5 libjudydebian1 libunistring2
COPY --from=build /src/build/netscan /usr/local/bin/netscan
#! XP103 3:5
#! XP103 6:32
