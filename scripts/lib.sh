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
