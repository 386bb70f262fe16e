#!/bin/sh
# Builds one Debian package from the installed tree DIR/debian/PACKAGE (called by `make deb`).
#
#   mkdeb.sh DIR PACKAGE VERSION DEPENDS SUMMARY DESCRIPTION [dpkg-shlibdeps options...]
#
# DEPENDS are the package's own relations (Slurm, the other kubeslurm package); the dependencies
# on shared libraries are added from dpkg-shlibdeps run on its ELF files, so they name the
# packages of the distribution the build host runs. The GPU backend is left out of that scan: it
# uses the site's NVIDIA driver, CUDA and NCCL, whatever installed them. Files under etc/ are
# conffiles. Writes DIR/PACKAGE_VERSION_ARCH.deb.
set -eu
[ $# -ge 6 ] || { echo "usage: $0 DIR PACKAGE VERSION DEPENDS SUMMARY DESCRIPTION [shlibdeps options]" >&2; exit 2; }
dir=$1 pkg=$2 version=$3 depends=$4 summary=$5 description=$6
shift 6
cd "$dir"
root=debian/$pkg
arch=$(dpkg --print-architecture)

# dpkg-shlibdeps reads debian/control (a source stanza and the binary packages) and finds a
# package's root by its DEBIAN directory.
[ -f debian/control ] || printf 'Source: kubeslurm\n' > debian/control
printf '\nPackage: %s\nArchitecture: any\n' "$pkg" >> debian/control
mkdir -p "$root/DEBIAN"

elfs=$(find "$root" -type f -perm -u+x ! -name libkubeslurm-gpu.so | sort | while read -r f; do
  [ "$(head -c 4 "$f" | tail -c 3)" = ELF ] && echo "$f"; done || true)
shlibs=
if [ -n "$elfs" ]; then
  # shellcheck disable=SC2086  # one word per file, none has blanks
  out=$(dpkg-shlibdeps -O --ignore-missing-info "$@" $elfs 2>>shlibdeps.log) || {
    cat shlibdeps.log >&2; echo "deb: dpkg-shlibdeps failed for $pkg" >&2; exit 1; }
  shlibs=$(printf '%s\n' "$out" | sed -n 's/^shlibs:Depends=//p')
fi
all=$shlibs
[ -z "$depends" ] || all=${all:+$all, }$depends

if [ -d "$root/etc" ]; then
  (cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
  [ -s "$root/DEBIAN/conffiles" ] || rm -f "$root/DEBIAN/conffiles"
fi
{
  echo "Package: $pkg"
  echo "Version: $version"
  echo "Architecture: $arch"
  echo "Maintainer: kubeslurm developers <kubeslurm@localhost>"
  echo "Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  [ -z "$all" ] || echo "Depends: $all"
  echo "Section: admin"
  echo "Priority: optional"
  echo "Homepage: https://github.com/kubeslurm/kubeslurm"
  echo "Description: $summary"
  echo " $description"
} > "$root/DEBIAN/control"
deb=${pkg}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "wrote $PWD/$deb"
