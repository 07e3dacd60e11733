#!/usr/bin/env bash
# A local Debian bookworm base with Python 3.11, made with debootstrap from the
# Debian packages, for building the image where no container registry is reachable:
#
#   sudo bash docker/debootstrap-base.sh [ROOTFS_DIR] [EXTRA_CA_DIR]
#   podman build --build-arg BASE_IMAGE=localhost/claimcheck-base:bookworm -t claimcheck .
#
# EXTRA_CA_DIR: *.crt files to trust as well (a proxy that re-signs TLS, for pip).
set -euo pipefail

rootfs="${1:-/var/tmp/claimcheck-base-rootfs}"
extra_ca="${2:-}"
image="localhost/claimcheck-base:bookworm"

if [ ! -x "$rootfs/usr/bin/python3" ]; then
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" http://deb.debian.org/debian
fi
if [ -n "$extra_ca" ]; then
    cp "$extra_ca"/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null
fi
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
tar -C "$rootfs" -c . | podman import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["/bin/bash"]' - "$image"
echo "built $image" >&2
