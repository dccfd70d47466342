# syntax=docker/dockerfile:1
# billing: a static binary on a minimal image, run as a non-root user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/billing ./cmd/billing \
 && mkdir -p /out/home/out

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/billing /usr/local/bin/billing
# Invoice and reconciliation files land in /var/lib/billing/out, owned by the
# non-root user (uid 65532); mount a volume over it to keep them.
COPY --from=build --chown=65532:65532 /out/home /var/lib/billing
WORKDIR /var/lib/billing
ENV BILLING_OUTPUT_DIR=/var/lib/billing/out
# The portal: billing serve --listen 0.0.0.0:8080 inside a container.
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/billing"]
CMD ["help"]
