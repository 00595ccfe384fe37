FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends autoconf automake libtool make gcc pkg-config
RUN apt-get install -y --no-install-recommends libssl-dev libcurl4-openssl-dev libxml2-dev libpcre2-dev
WORKDIR /src
COPY . .
RUN autoreconf -fi && ./configure --prefix=/usr && make && make install DESTDIR=/out

FROM debian:bookworm-slim
COPY --from=build /out/usr/bin/fetcher /usr/local/bin/fetcher
#! XP103 3:48
#! XP103 6:23
