#!/usr/bin/env bash
# Builds a Slurm release from Debian's own source package into a prefix outside the work tree,
# for `make deps SLURM=<line>` (called by scripts/install-deps.sh):
#
#   build-slurm-debian-source.sh 24.11.5
#
# Source: the upstream tarball of Debian 13 (trixie)'s `slurm-wlm` source package, through a
# deb-src entry on Debian's archive that apt checks as usual. The archive may serve the tarball
# without the .dsc, so the tarball is taken with `apt-get source --download-only` and checked
# against the SHA256 that the signed trixie Sources index gives for it (`apt-cache showsrc`):
# on a mismatch nothing is built.
#
# Result, under $KUBESLURM_SLURM_ROOT/<release> (default /opt/kubeslurm-slurm/<release>):
#   src/      the configured and built source tree (the select plugin compiles against it)
#   prefix/   `make install` of it: daemons, commands, libslurm, plugins, headers
#   .installed  written last; when present, nothing is done again.
set -euo pipefail

release=${1:?usage: build-slurm-debian-source.sh RELEASE (e.g. 24.11.5)}
suite=trixie
root=${KUBESLURM_SLURM_ROOT:-/opt/kubeslurm-slurm}/$release
stamp="$root/.installed"

. "$(dirname "$0")/lib/apt.sh"

[ -f "$stamp" ] && exit 0

have_slurm_source "${release//./\\.}-.*" || add_deb_src "$suite"

# The newest Debian revision of this upstream release, and its tarball's SHA256 from the index.
tarball="slurm-wlm_$release.orig.tar.gz"
read -r version sha256 < <(apt-cache showsrc slurm-wlm | awk -v rel="$release" -v tb="$tarball" '
  /^Package:/ { v = ""; in_sha = 0 }
  /^Version:/ { v = (index($2, rel "-") == 1) ? $2 : "" }
  /^Checksums-Sha256:/ { in_sha = 1; next }
  /^[^ ]/ { in_sha = 0 }
  in_sha && v != "" && $3 == tb { print v, $1; exit }') || true
if [ -z "${version:-}" ] || [ -z "${sha256:-}" ]; then
  say "no slurm-wlm $release source in Debian $suite's index (apt-cache showsrc slurm-wlm)" >&2
  exit 1
fi

dl="$root/download"
as_root mkdir -p "$dl"
if [ ! -f "$dl/$tarball" ] || ! echo "$sha256  $dl/$tarball" | sha256sum -c --quiet - 2>/dev/null; then
  say "downloading $tarball of slurm-wlm $version"
  rm -f "$dl/$tarball"
  # The .dsc and Debian's patches may be missing from the archive: only the tarball is used.
  (cd "$dl" && apt-get source --download-only -qq "slurm-wlm=$version" >"$dl/apt.log" 2>&1) || true
  [ -f "$dl/$tarball" ] || { say "apt did not deliver $tarball, see $dl/apt.log" >&2; exit 1; }
fi
if ! echo "$sha256  $dl/$tarball" | sha256sum -c --quiet - >/dev/null 2>&1; then
  say "$tarball does not match the SHA256 of Debian's signed index ($sha256): not building it" >&2
  rm -f "$dl/$tarball"
  exit 1
fi
say "$tarball: SHA256 matches Debian $suite's index"

started=$(date +%s)
phase() { say "Slurm $release: $1 ($(( $(date +%s) - started )) s so far, log in $root/build.log)"; }
rm -rf "$root/src" "$root/prefix"
mkdir -p "$root/src"
tar -xzf "$dl/$tarball" -C "$root/src" --strip-components=1
phase "configuring"
# Slurm needs only munge and OpenSSL (installed by install-deps.sh) for what kubeslurm uses; everything in one prefix so that nothing else on the
# machine changes. --enable-multiple-slurmd: the tests run many slurmd on one host.
(cd "$root/src" && ./configure -q --prefix="$root/prefix" --sysconfdir="$root/prefix/etc" \
   --with-munge --disable-debug --enable-multiple-slurmd \
   SUCMD=/bin/su SLEEP_CMD=/bin/sleep >"$root/build.log" 2>&1) ||
  { say "configure failed, see $root/build.log" >&2; exit 1; }
phase "compiling on $(nproc) cores (about 3 minutes on 2)"
make -C "$root/src" -j"$(nproc)" >>"$root/build.log" 2>&1 ||
  { say "make failed, see $root/build.log" >&2; exit 1; }
phase "installing into $root/prefix"
make -C "$root/src" install >>"$root/build.log" 2>&1 ||
  { say "make install failed, see $root/build.log" >&2; exit 1; }
echo "slurm-wlm $version from Debian $suite, sha256 $sha256" >"$stamp"
say "Slurm $release ready in $root/prefix ($(( $(date +%s) - started )) s)"
