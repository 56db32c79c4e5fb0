# Sourced by scripts/bootstrap.sh and the CI stages (scripts/ci/*.sh); needs $here set to
# the project root. install_missing GROUP... installs the packages of those groups of
# scripts/debian-packages.txt that are not installed yet.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the packages of the given groups that are not installed yet.
install_missing() {
  local missing=()
  local group pkg
  while read -r group pkg; do
    case "$group" in ''|'#'*) continue ;; esac
    for want in "$@"; do
      if [ "$group" = "$want" ] && ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$pkg")
      fi
    done
  done < "$here/scripts/debian-packages.txt"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

