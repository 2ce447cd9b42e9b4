# Shared steps of scripts/serve and scripts/test.

# Install Debian packages that are missing (as root, or with sudo).
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  local sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm installs the browser assets kg serves itself (YASGUI) and the accessibility checker the tests use.
ensure_npm() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

# kg lives in its own virtual environment, .venv in the checkout, made from the system's Python 3.11
# (Debian's /usr/bin/python3 where it exists; KG_PYTHON names another).  Nothing is installed into the
# system interpreter (Debian refuses that: PEP 668).  Sets VENV_PY and puts .venv/bin first on PATH.
ensure_venv() {
  local python="${KG_PYTHON:-}"
  if [ -z "$python" ]; then
    if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=python3; fi
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      apt_install python3-venv
    fi
    echo "creating the virtual environment .venv (with $python)"
    "$python" -m venv .venv
  fi
  VENV_PY="$PWD/.venv/bin/python"
  export PATH="$PWD/.venv/bin:$PATH"
}
