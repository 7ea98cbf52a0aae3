# syntax=docker/dockerfile:1
# statuspost in a small image: the static (musl) binary, with git for `publish`,
# ssh for git@ remotes and CA certificates for https ones, on Alpine.
#
#   docker build -t statuspost .                                  # from source
#   docker run --rm -v "$PWD:/site" statuspost build              # the site in the current folder
#
# From source, the binary is built here with Rust's musl target. The release
# workflow instead passes `--build-arg BINARY=prebuilt` with the binaries of the
# Linux release archives in dist/linux-amd64/ and dist/linux-arm64/, so that the
# image holds exactly the released, attested binary and nothing is compiled twice.

ARG BINARY=source
ARG ALPINE=3.22

FROM rust:1-alpine AS source
# C compilers' musl headers for ring and mimalloc.
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# An explicit musl target: Rust links it statically, and build scripts still run.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    target="$(uname -m)-unknown-linux-musl" \
 && rustup target add "$target" \
 && cargo build --release --locked --target "$target" --bin statuspost \
 && cp "target/$target/release/statuspost" /statuspost \
 && /statuspost --version

FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/statuspost /statuspost

FROM ${BINARY} AS binary

FROM alpine:${ALPINE}
# git is what `publish` pushes with; announce's HTTPS and SMTP use certificates built into statuspost.
# safe.directory: a site mounted from the host belongs to another user than the container's.
RUN apk add --no-cache ca-certificates git openssh-client \
 && git config --system --add safe.directory '*'
COPY --from=binary /statuspost /usr/local/bin/statuspost
WORKDIR /site
# Root, as CI jobs expect of their image: they write to the checkout they mount.
ENTRYPOINT ["statuspost"]
CMD ["--help"]
