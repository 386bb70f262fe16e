# Shared by the dependency scripts: messages, root, and Debian source indexes. Sourced, not run.

say() { printf 'deps: %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Whether apt knows the source package slurm-wlm at a version matching the regex `$1`.
have_slurm_source() { apt-cache showsrc slurm-wlm 2>/dev/null | grep -qE "^Version: ($1)\$"; }

# Adds a deb-src entry (source packages only) for Debian suite `$1`, its updates and security
# suites, on Debian's own archive signed by the Debian archive key, then updates the indexes.
add_deb_src() {
  local suite=$1 file=/etc/apt/sources.list.d/kubeslurm-$1-src.sources
  say "adding a deb-src entry for Debian $suite (source packages only): $file"
  as_root tee "$file" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  say "apt-get update"
  as_root apt-get update -qq
}
