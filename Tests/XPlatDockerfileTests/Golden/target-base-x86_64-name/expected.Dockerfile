FROM ghcr.io/acme/builder-x86_64:1.0
WORKDIR /src
COPY . .
RUN go build -o /app .
CMD ["/app"]
