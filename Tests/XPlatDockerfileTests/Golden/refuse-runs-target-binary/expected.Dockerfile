FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o ./out/app .
RUN ./out/app --selftest

FROM alpine:3.20
COPY --from=build /src/out/app /app
#! XP101 5:5
