FROM debian:bookworm AS compile
RUN apt-get update && apt-get install -y build-essential
COPY . /work/
RUN set -e \
  && cd /work \
  && make
FROM debian:bookworm-slim
COPY --from=compile /work/probe /usr/local/bin/probe
ENTRYPOINT ["/usr/local/bin/probe"]
#! XP104 6:6
