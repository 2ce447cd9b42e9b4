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
base_python() {
  if [ -n "${KG_PYTHON:-}" ]; then echo "$KG_PYTHON"
  elif [ -x /usr/bin/python3 ]; then echo /usr/bin/python3
  else echo python3; fi
}

ensure_venv() {
  local python
  python="$(base_python)"
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

# CKAN and its DCAT extension for the harvest tests (CKAN's own RDF parser reads kg's catalogue), in
# .venv-ckan beside kg's environment: CKAN pins its own Flask, SQLAlchemy and rdflib.  Made again when
# tests/ckan-requirements.txt changes.
ensure_ckan_venv() {
  if [ -x .venv-ckan/bin/python ] && cmp -s tests/ckan-requirements.txt .venv-ckan/kg-requirements.txt; then
    return 0
  fi
  echo "installing CKAN and ckanext-dcat into .venv-ckan (for the harvest tests)"
  rm -rf .venv-ckan
  "$(base_python)" -m venv .venv-ckan
  .venv-ckan/bin/python -m pip install -q --disable-pip-version-check -r tests/ckan-requirements.txt
  cp tests/ckan-requirements.txt .venv-ckan/kg-requirements.txt
}
