FROM busybox
WORKDIR /src
RUN echo one; echo "main.c:3:12: error: foo undeclared" >&2; exit 2
