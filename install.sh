#!/bin/sh
# Installs a prebuilt statuspost, checked against the release's SHA256SUMS.
#
#   curl -fsSL https://github.com/statuspost_owner/statuspost/releases/download/v0.1.0/install.sh | sh
#
# Settings, all optional, from the environment:
#   STATUSPOST_VERSION       the version to install; default: the one this script came with
#   STATUSPOST_INSTALL_DIR   where to put `statuspost`; default: ~/.local/bin
#   STATUSPOST_DOWNLOAD_URL  where releases are; the files are read from
#                            $STATUSPOST_DOWNLOAD_URL/v$STATUSPOST_VERSION/
#   STATUSPOST_TARGET        the target triple to install instead of this machine's
#
# Exit status: 0 installed; 1 failed (download, checksum, extraction), nothing
# installed; 2 no prebuilt binary for this platform (build it with cargo instead).
#
# Everything is in functions called on the last line, so a download cut short
# runs nothing. Only POSIX sh and curl or wget, tar (unzip on Windows) and
# sha256sum, shasum or openssl are needed.
set -eu

# The prebuilt targets and the archives' names and layout, as dist/targets.txt
# lists them (tests/testsuite/install.rs checks that the two agree).
targets="x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc"
default_version="0.1.0"
default_url="https://github.com/statuspost_owner/statuspost/releases/download"

say() {
    printf 'statuspost install: %s\n' "$*" >&2
}

fail() {
    say "error: $*"
    exit 1
}

has() {
    command -v "$1" >/dev/null 2>&1
}

# This machine's target triple. Linux gets the static (musl) build, which runs
# on glibc and musl distributions alike.
detect_target() {
    os=$(uname -s 2>/dev/null || echo unknown)
    arch=$(uname -m 2>/dev/null || echo unknown)
    case "$arch" in
        x86_64 | amd64 | x64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin)
            # A shell under Rosetta says x86_64 on Apple silicon; the native build is faster.
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
                arch=aarch64
            fi
            echo "$arch-apple-darwin"
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT) echo "$arch-pc-windows-msvc" ;;
        *) echo "$arch-$(echo "$os" | tr '[:upper:]' '[:lower:]')" ;;
    esac
}

download() {
    if has curl; then
        curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
    elif has wget; then
        wget --quiet --tries=3 --output-document="$2" "$1"
    else
        fail "neither curl nor wget is installed: one of them is needed to download statuspost"
    fi
}

sha256_of() {
    if has sha256sum; then
        sha256sum <"$1" | cut -d ' ' -f 1
    elif has shasum; then
        shasum -a 256 <"$1" | cut -d ' ' -f 1
    elif has openssl; then
        openssl dgst -sha256 -r <"$1" | cut -d ' ' -f 1
    else
        fail "no sha256sum, shasum or openssl to check the download with"
    fi
}

unpack() {
    case "$1" in
        *.tar.gz) tar -xzf "$1" -C "$2" ;;
        *.zip)
            if has unzip; then
                unzip -q "$1" -d "$2"
            elif has powershell.exe; then
                # PowerShell reads Windows paths, not Git Bash's /tmp/...
                zip_path=$(cygpath -w "$1" 2>/dev/null || echo "$1")
                into=$(cygpath -w "$2" 2>/dev/null || echo "$2")
                powershell.exe -NoProfile -Command "Expand-Archive -LiteralPath '$zip_path' -DestinationPath '$into'"
            else
                fail "unzip is needed to unpack $1"
            fi
            ;;
    esac
}

main() {
    version="${STATUSPOST_VERSION:-$default_version}"
    version="${version#v}"
    case "$version" in
        "" | *[!0-9A-Za-z.+-]*) fail "\`$version\` is not a version (e.g. $default_version)" ;;
    esac
    base_url="${STATUSPOST_DOWNLOAD_URL:-$default_url}"
    base_url="${base_url%/}"
    install_dir="${STATUSPOST_INSTALL_DIR:-${HOME:?}/.local/bin}"

    if [ -n "${STATUSPOST_TARGET:-}" ]; then
        target="$STATUSPOST_TARGET"
        platform="$target, from STATUSPOST_TARGET"
    else
        target=$(detect_target)
        platform="$(uname -s 2>/dev/null || echo unknown) $(uname -m 2>/dev/null || echo unknown), $target"
    fi
    case " $targets " in
        *" $target "*) ;;
        *)
            say "error: there is no prebuilt statuspost for this platform ($platform)."
            say "Prebuilt: $targets."
            say "Build it from source instead, with Rust 1.85 or newer: cargo install --locked --version $version statuspost"
            exit 2
            ;;
    esac

    case "$target" in
        *-windows-*) format=zip exe=.exe ;;
        *) format=tar.gz exe= ;;
    esac
    archive="statuspost-v${version}-${target}.${format}"
    binary="statuspost-v${version}-${target}/statuspost${exe}"
    url="$base_url/v$version"

    tmp=$(mktemp -d 2>/dev/null || mktemp -d -t statuspost)
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    say "downloading statuspost $version for $target from $url/"
    download "$url/SHA256SUMS" "$tmp/SHA256SUMS" || fail "could not download $url/SHA256SUMS"
    download "$url/$archive" "$tmp/$archive" || fail "could not download $url/$archive"

    # sha256sum writes `HASH  NAME`, or `HASH *NAME` in binary mode.
    expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print tolower($1) }' "$tmp/SHA256SUMS")
    [ -n "$expected" ] || fail "SHA256SUMS names no $archive: refusing to install a file it cannot check"
    actual=$(sha256_of "$tmp/$archive" | tr '[:upper:]' '[:lower:]')
    if [ "$actual" != "$expected" ]; then
        fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual. Nothing was installed."
    fi

    mkdir "$tmp/unpacked"
    unpack "$tmp/$archive" "$tmp/unpacked" || fail "could not unpack $archive"
    [ -f "$tmp/unpacked/$binary" ] || fail "$archive holds no $binary"

    mkdir -p "$install_dir" || fail "could not create $install_dir"
    dest="$install_dir/statuspost$exe"
    # Copied beside the old one and renamed over it: a running statuspost keeps its file,
    # and an interrupted install leaves the old one whole. The archive's modification time
    # is kept: builds fingerprint the program by size and time, so the same release
    # installed again (a CI cache that expired) still trusts the pages it wrote.
    cp -p "$tmp/unpacked/$binary" "$dest.new.$$" || fail "could not write to $install_dir"
    chmod 755 "$dest.new.$$"
    mv -f "$dest.new.$$" "$dest" || { rm -f "$dest.new.$$"; fail "could not install $dest"; }
    say "installed statuspost $version to $dest"
    case ":${PATH:-}:" in
        *":$install_dir:"*) ;;
        *) say "$install_dir is not on your PATH: add it, e.g. export PATH=\"$install_dir:\$PATH\"" ;;
    esac
}

main "$@"
