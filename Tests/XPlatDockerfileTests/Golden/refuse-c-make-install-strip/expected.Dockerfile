FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make
COPY . /src
RUN make -C /src install DESTDIR=/out
FROM debian:bookworm-slim
COPY --from=build /out/usr/local/bin/greet /usr/local/bin/greet
#! XP104 4:5
