FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make binutils
COPY . /src
RUN make -C /src relay
FROM debian:bookworm-slim
COPY --from=build /src/relay /usr/local/bin/relay
#! XP104 4:5
