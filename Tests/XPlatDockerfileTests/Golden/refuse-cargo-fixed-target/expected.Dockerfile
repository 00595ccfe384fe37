FROM rust:1.80 AS build
WORKDIR /app
COPY . .
RUN cargo build --release --target x86_64-unknown-linux-musl

FROM scratch
COPY --from=build /app/target/x86_64-unknown-linux-musl/release/app /app
#! XP104 4:5
#! XP107 4:27
