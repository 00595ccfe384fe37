FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake make gcc libc6-dev
WORKDIR /src
COPY . .
RUN make release && cp build/tool /out/tool

FROM debian:bookworm-slim
COPY --from=build /out/tool /usr/local/bin/tool
#! XP104 5:5
