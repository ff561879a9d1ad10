# Shared by scripts/demo, scripts/test and the other scripts: install what is missing, build,
# and keep the second run quick. Source it; do not run it.
# shellcheck shell=bash

PORTOUT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Debian's Python: it sees the Debian packages (pybind11, pytest, hypothesis...). A python3
# earlier on PATH (pyenv, say) does not, so it is never used.
PORTOUT_SYSTEM_PYTHON=/usr/bin/python3
PORTOUT_VENV="$PORTOUT_ROOT/build/venv"
PORTOUT_PYTHON="$PORTOUT_VENV/bin/python"
PORTOUT_JOBS=${PORTOUT_JOBS:-2}

# What building and running the package needs.
PORTOUT_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libsodium-dev libssl-dev libsqlite3-dev sqlite3 libphonenumber-dev libicu-dev libpq-dev
  python3 python3-dev python3-venv python3-pip python3-setuptools python3-wheel pybind11-dev
  python3-tqdm python3-prompt-toolkit
  python3-fastapi python3-uvicorn python3-prometheus-client python3-httpx python3-cryptography
  python3-jinja2 python3-multipart
)
# What the test suites need besides.
PORTOUT_TEST_PACKAGES=(
  "${PORTOUT_BUILD_PACKAGES[@]}"
  googletest libgtest-dev libgmock-dev valgrind clang libclang-rt-14-dev libbenchmark-dev
  python3-pytest python3-pytest-xdist python3-hypothesis
  postgresql-15 python3-psycopg2 python3-argon2 faketime
  python3-pandas python3-matplotlib python3-nbformat python3-nbclient python3-ipykernel python3-mypy
  python3-pexpect python3-aiosmtpd python3-pyotp
  python3-selenium chromium chromium-driver nodejs
)

portout_say() { printf '\033[1m==> [%4ss] %s\033[0m\n' "$SECONDS" "$*" >&2; }

# Installs the Debian packages that are not installed yet; `apt-get update` runs only then.
portout_require_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  portout_say "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# axe-core (from npm: Debian has no package of it), which the browser tests inject into each
# page of the admin center. Installed once into build/npm; PORTOUT_AXE names its script.
PORTOUT_AXE_VERSION=4.10.3
portout_require_axe() {
  local prefix="$PORTOUT_ROOT/build/npm"
  export PORTOUT_AXE="$prefix/node_modules/axe-core/axe.min.js"
  if [ -f "$PORTOUT_AXE" ] && grep -q "\"version\": \"$PORTOUT_AXE_VERSION\"" "$prefix/node_modules/axe-core/package.json"; then
    return 0
  fi
  # npm comes with nodejs where nodejs is NodeSource's; Debian's own nodejs needs its npm package.
  command -v npm >/dev/null || portout_require_packages npm
  portout_say "installing axe-core $PORTOUT_AXE_VERSION from npm into build/npm"
  mkdir -p "$prefix"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "axe-core@$PORTOUT_AXE_VERSION" >/dev/null
}

# A digest of everything the installed package is built from.
portout_source_digest() {
  (cd "$PORTOUT_ROOT" && find CMakeLists.txt pyproject.toml setup.py README.md cpp bindings \
      -type f ! -path '*/__pycache__/*' ! -path '*.egg-info/*' ! -name '*.so' -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

# Builds the wheel with the offline setuptools shim and installs it into build/venv, a venv of
# Debian's Python with the system site packages. Skipped when no source changed since last time.
portout_install_package() {
  if [ ! -x "$PORTOUT_PYTHON" ]; then
    portout_say "creating $PORTOUT_VENV from $PORTOUT_SYSTEM_PYTHON (--system-site-packages)"
    "$PORTOUT_SYSTEM_PYTHON" -m venv --system-site-packages "$PORTOUT_VENV"
  fi
  local digest stamp="$PORTOUT_VENV/.portout-source-digest"
  digest=$(portout_source_digest)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && "$PORTOUT_PYTHON" -c 'import portout' 2>/dev/null; then
    portout_say "package portout is current in build/venv"
    return 0
  fi
  portout_say "building the portout wheel (CMake, -j$PORTOUT_JOBS) for $PORTOUT_SYSTEM_PYTHON"
  rm -rf "$PORTOUT_ROOT/build/dist"
  (cd "$PORTOUT_ROOT" &&
    CMAKE_BUILD_PARALLEL_LEVEL=$PORTOUT_JOBS PYTHON_EXECUTABLE=$PORTOUT_SYSTEM_PYTHON \
      "$PORTOUT_PYTHON" -m pip wheel --quiet --no-build-isolation --no-index --no-deps \
      -w build/dist .)
  "$PORTOUT_PYTHON" -m pip install --quiet --no-index --no-deps --force-reinstall \
    "$PORTOUT_ROOT"/build/dist/portout-*.whl
  echo "$digest" >"$stamp"
}

# The wheel last built by portout_install_package.
portout_wheel() { ls "$PORTOUT_ROOT"/build/dist/portout-*.whl; }

# A throwaway PostgreSQL 15 on loopback for the test suites: its own data folder under build/,
# run as the postgres user (the server refuses root), stopped when the calling script exits.
# Sets PORTOUT_TEST_POSTGRES to a connection string for a database of its own.
portout_start_postgres() {
  local bin=/usr/lib/postgresql/15/bin dir="$PORTOUT_ROOT/build/postgres" port=${PORTOUT_PG_PORT:-55432}
  mkdir -p "$dir/run"
  chown -R postgres:postgres "$dir"
  if ! runuser -u postgres -- test -w "$dir/run"; then
    # The checkout lies where the postgres user cannot reach: use a folder of its own in /tmp.
    dir="/tmp/portout-postgres-$(printf '%s' "$PORTOUT_ROOT" | sha256sum | cut -c1-12)"
    mkdir -p "$dir/run"
    chown -R postgres:postgres "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" --auth-local=trust --auth-host=scram-sha-256 \
      -U postgres --no-sync >"$dir/initdb.log"
  fi
  if runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  # fsync off: a test server's durability is not under test; the suites' crash tests kill
  # clients, not the machine.
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run -c fsync=off -c max_connections=200" \
    start >/dev/null
  PORTOUT_PG_STOP="runuser -u postgres -- $bin/pg_ctl -D $dir/data -m fast -w stop"
  trap 'portout_say "stopping PostgreSQL"; $PORTOUT_PG_STOP >/dev/null 2>&1 || true' EXIT
  local psql=(runuser -u postgres -- env PGOPTIONS=--client-min-messages=warning /usr/bin/psql -X -q -h "$dir/run" -p "$port" -d postgres)
  "${psql[@]}" -c "DROP DATABASE IF EXISTS portout_test" -c "DROP ROLE IF EXISTS portout" \
    -c "CREATE ROLE portout LOGIN PASSWORD 'portout-test'" \
    -c "CREATE DATABASE portout_test OWNER portout" >/dev/null
  export PORTOUT_TEST_POSTGRES="postgresql://portout:portout-test@127.0.0.1:$port/portout_test"
  export PORTOUT_PG_BIN=$bin PORTOUT_PG_DATA=$dir/data PORTOUT_PG_PORT=$port
  portout_say "PostgreSQL 15 on 127.0.0.1:$port (data in $dir)"
}
