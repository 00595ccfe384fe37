ARG TARGETARCH
ARG BUILDPLATFORM
FROM --platform=$BUILDPLATFORM alpine:3.20 AS fetch
ARG TARGETARCH
RUN wget -O /tool "https://example.com/tool-${TARGETARCH}"

FROM alpine:3.20
COPY --from=fetch /tool /usr/local/bin/tool
