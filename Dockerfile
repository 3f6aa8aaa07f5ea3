# aiobench's image for fleet runs (docs/k8s): a static aiobench (pure Go, no cgo: its SQLite is
# modernc's) and fio for cross-checks, on Debian. Build: docker build -t aiobench .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/aiobench ./cmd/aiobench

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends fio ca-certificates \
	&& rm -rf /var/lib/apt/lists/*
COPY --from=build /out/aiobench /usr/local/bin/aiobench
# The disk under test is mounted at /data, results go to /results (docs/k8s/job.yaml).
WORKDIR /results
ENTRYPOINT ["aiobench"]
