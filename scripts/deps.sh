#!/bin/sh
# Install the Debian packages qforge needs, only those that are missing.
# Idempotent; with everything present it runs one dpkg-query and exits.
set -eu

PKGS="make gcc flex bison libxml2-dev llvm-14-dev clang-14 libclang-rt-14-dev
libcmocka-dev zlib1g-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
qemu-system-arm dataset-fashion-mnist pkg-config"

missing=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PKGS 2>/dev/null |
	awk '$2 == "ii" { ok[$1] = 1 } END { for (p in ok) print p }' |
	sort > /tmp/qf-deps-ok.$$ ; \
	for p in $PKGS; do grep -qx "$p" /tmp/qf-deps-ok.$$ || echo "$p"; done)
rm -f /tmp/qf-deps-ok.$$
[ -z "$missing" ] && exit 0

echo "deps: installing:" $missing >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: error: missing packages and not root; run as root: apt-get install" $missing >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Update the lists only when apt cannot find a candidate for what we need.
need_update=0
for p in $missing; do
	cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; break; fi
done
[ "$need_update" -eq 1 ] && apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done" >&2
