FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev
WORKDIR /src
COPY beacon.c .
RUN mkdir -p /out/bin && gcc -O2 -o /out/bin/beacon beacon.c \
 && find /out/bin -type f -exec strip --strip-unneeded {} +
FROM debian:bookworm-slim
COPY --from=build /out/bin/ /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/beacon"]
#! XP104 6:33
