#!/bin/sh
# Installs the octollm executable for this machine (Linux or macOS, x64 or arm64) and checks its SHA-256.
#   curl -fsSL <release url>/install.sh | sh
# Environment: OCTOLLM_VERSION (default: the version this script came with), OCTOLLM_DOWNLOAD_URL (where the
# release files are; default: the GitHub release of that version), OCTOLLM_INSTALL_DIR (default: ~/.local/bin).
set -eu

VERSION="${OCTOLLM_VERSION:-0.1.0}"
BASE="${OCTOLLM_DOWNLOAD_URL:-https://github.com/octollm/octollm/releases/download/v$VERSION}"
DIR="${OCTOLLM_INSTALL_DIR:-$HOME/.local/bin}"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "octollm install: unsupported system $(uname -s) (Linux and macOS; on Windows download octollm-$VERSION-windows-x64.exe)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  arm64|aarch64) arch=arm64 ;;
  *) echo "octollm install: unsupported CPU $(uname -m) (x64 and arm64)" >&2; exit 1 ;;
esac
file="octollm-$VERSION-$os-$arch"

fetch() { # url, output file
  if command -v curl >/dev/null 2>&1; then curl -fsSL "$1" -o "$2"
  elif command -v wget >/dev/null 2>&1; then wget -q "$1" -O "$2"
  else echo "octollm install: needs curl or wget" >&2; exit 1
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "downloading $file from $BASE"
fetch "$BASE/$file" "$tmp/$file"
fetch "$BASE/SHA256SUMS" "$tmp/SHA256SUMS"

want="$(grep " $file\$" "$tmp/SHA256SUMS" | cut -d' ' -f1)"
if [ -z "$want" ]; then echo "octollm install: $file is not listed in SHA256SUMS" >&2; exit 1; fi
if command -v sha256sum >/dev/null 2>&1; then got="$(sha256sum "$tmp/$file" | cut -d' ' -f1)"
else got="$(shasum -a 256 "$tmp/$file" | cut -d' ' -f1)"
fi
if [ "$want" != "$got" ]; then echo "octollm install: checksum mismatch for $file (expected $want, got $got)" >&2; exit 1; fi

mkdir -p "$DIR"
mv "$tmp/$file" "$DIR/octollm"
chmod +x "$DIR/octollm"
echo "installed octollm $("$DIR/octollm" --version 2>/dev/null || echo "$VERSION") to $DIR/octollm (sha256 $got)"
case ":$PATH:" in *":$DIR:"*) ;; *) echo "add $DIR to your PATH to run octollm" ;; esac
