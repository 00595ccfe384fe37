FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev
WORKDIR /src
COPY greet.c .
RUN gcc -O2 -o greet greet.c \
 && install -D -sm 0755 greet /opt/greet/bin/greet
FROM debian:bookworm-slim
COPY --from=build /opt/greet /opt/greet
ENTRYPOINT ["/opt/greet/bin/greet"]
#! XP104 6:5
