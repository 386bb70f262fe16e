#!/usr/bin/env bash
# Installs what kubeslurm needs from Debian's packages and prepares the Slurm it builds against:
#
#   install-deps.sh [22.05]   Debian 12's Slurm packages, plus the configured source tree of that
#                             exact version under build/slurm (the select plugin compiles against
#                             Slurm's internal headers)
#   install-deps.sh 24.11     the same packages, plus Slurm 24.11.5 built from Debian 13's source
#                             package into $KUBESLURM_SLURM_ROOT/24.11.5 (default /opt/kubeslurm-slurm):
#                             prefix/ (daemons, commands, libslurm, plugins) and src/ (its
#                             configured tree); reused when present
#
# Idempotent and quiet when everything is already present.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
slurm_dir="$top/build/slurm"
line=${1:-22.05}
case "$line" in
  22.05|24.11) ;;
  *) echo "deps: Slurm $line: make deps provides 22.05 (Debian 12) and 24.11 (Debian 13's source);" \
       "for another Slurm build it yourself and pass SLURM_PREFIX= and SLURM_SRC=" >&2; exit 2 ;;
esac

packages=(
  build-essential pkg-config dpkg-dev python3 python3-pytest
  libslurm-dev slurm-wlm-plugins-dev slurmctld slurmd slurm-client munge libmunge-dev
  nlohmann-json3-dev catch2 libcurl4-openssl-dev libssl-dev libyaml-cpp-dev libcpp-httplib-dev
  rpm openssl procps iproute2 curl
  clang libclang-rt-dev
)

. "$top/scripts/lib/apt.sh"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# kubectl drives the Kubernetes API test server's own tests; it is on the build image, and
# comes from the kubernetes-client/kubectl package where a configured repository carries it.
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)

apt_updated=
apt_update() { [ -n "$apt_updated" ] || { say "apt-get update"; as_root apt-get update -qq; apt_updated=1; }; }

if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The packaged daemons must not run: tests start their own munged/slurmctld/slurmd.
for svc in slurmctld slurmd munge; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q "$svc" 2>/dev/null; then
    as_root systemctl disable --now -q "$svc" || true
  fi
done

[ "$line" = 24.11 ] && exec "$top/scripts/build-slurm-debian-source.sh" 24.11.5

# --- configured Slurm source tree of the installed version -----------------------------------
version=$(dpkg-query -W -f='${Version}' libslurm-dev)       # e.g. 22.05.8-4+deb12u3
upstream=${version%%-*}                                         # 22.05.8
tree="$slurm_dir/slurm-wlm-$upstream"
stamp="$slurm_dir/.configured-$version"
if [ -f "$stamp" ]; then
  exit 0
fi

# Its source from Debian 12's own index (another line's deb-src entry does not count).
have_slurm_source "${version//+/\\+}" || { add_deb_src "$(. /etc/os-release && echo "$VERSION_CODENAME")"; apt_updated=1; }

rm -rf "$slurm_dir" && mkdir -p "$slurm_dir"
if ! (cd "$slurm_dir" && apt-get source -qq "slurm-wlm=$version" >/dev/null 2>&1); then
  apt_update
  say "fetching the source of slurm-wlm $version"
  (cd "$slurm_dir" && apt-get source -qq "slurm-wlm=$version" >/dev/null 2>&1)
fi

# Debian's configure flags (debian/rules) so that struct layouts match the installed daemons;
# PAM and PMIx only shape contribs and plugins we never build, so they are left out.
say "configuring Slurm $upstream in ${tree#$top/}"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
(cd "$tree" && ./configure -q --prefix=/usr --libdir="/usr/lib/$multiarch" \
   --sysconfdir=/etc/slurm --with-munge --without-rpath --disable-debug \
   --enable-multiple-slurmd SUCMD=/bin/su SLEEP_CMD=/bin/sleep >"$slurm_dir/configure.log" 2>&1) ||
  { say "configure failed, see $slurm_dir/configure.log"; exit 1; }
ln -sfn "slurm-wlm-$upstream" "$slurm_dir/src"
touch "$stamp"
say "Slurm $upstream source ready"
