FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /out/app .

FROM debian:bookworm-slim
COPY --from=build /out/app /app
