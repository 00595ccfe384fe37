FROM golang:1.22-alpine AS build
RUN apk add --no-cache build-base libpcap-dev=~1.10
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
#! XP102 2:35
