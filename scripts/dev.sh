#!/usr/bin/env bash
# One entry point for a fresh machine: installs what OGI Desk needs, then serves or tests.
#   bash scripts/dev.sh serve   install everything, migrate the SQLite database, run `ogi serve` on 127.0.0.1:8000
#   bash scripts/dev.sh test    install everything, make sure PostgreSQL is up, run every test
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="$ROOT/.venv"

# Debian packages: CJK fonts for letters, HarfBuzz's subsetter (fast font subsetting in WeasyPrint),
# Pango for WeasyPrint, poppler-utils (pdftotext/pdftoppm), Chromium for browser tests,
# postgresql-client (pg_dump/pg_restore for `ogi backup` / `ogi restore` on PostgreSQL), openssl (the
# notification tests make a certificate for their local TLS mail server).
# Letters (docs/letters/README.md "Fonts"): fonts-hanazono and fonts-babelstone-han are the fallback
# faces for rare characters (CJK Extensions A–H); tesseract-ocr with chi_sim reads scanned letters
# uploaded to POST /api/v1/letters/check.
APT_PACKAGES=(fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai libharfbuzz-subset0 libpango-1.0-0
              libpangoft2-1.0-0 poppler-utils chromium python3-venv postgresql-client openssl
              fonts-hanazono fonts-babelstone-han tesseract-ocr tesseract-ocr-chi-sim)

install_system() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    local SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_python() {
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  local stamp="$VENV/.ogi-installed" want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e ".[dev]"
    echo "$want" > "$stamp"
  fi
}

ensure_postgres() {
  # The machine kind runs PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`); start it if it stopped.
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
  fi
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    export OGI_TEST_POSTGRES_URL="${OGI_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
    echo "PostgreSQL tests: on ($OGI_TEST_POSTGRES_URL)"
  else
    echo "PostgreSQL tests: off (no server on 127.0.0.1:5432)"
  fi
}

cmd="${1:-serve}"; shift || true
install_system
install_python
export PATH="$VENV/bin:$PATH"
case "$cmd" in
  serve)
    exec ogi serve "$@" ;;
  test)
    ensure_postgres
    ruff check workflow scoring service tests benchmarks
    exec python -m pytest -n 2 --dist loadgroup "$@" ;;
  install)
    echo "installed" ;;
  *)
    echo "usage: bash scripts/dev.sh serve|test|install" >&2; exit 2 ;;
esac
