FROM golang:1.19 AS build
WORKDIR /src
COPY . .
RUN make build

FROM busybox
COPY --from=build /src/bin/app /usr/local/bin/app
#! XP104 4:5
