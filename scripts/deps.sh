#!/bin/sh
# Installs the Debian packages qforge needs, and only those that are
# missing. Idempotent: with everything present it is one dpkg-query call.
# Called first by `make check` and `make demo`.
set -eu

PKGS="make gcc pkg-config flex bison libxml2-dev zlib1g-dev llvm-14-dev clang-14
libclang-rt-14-dev libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi
qemu-system-arm dataset-fashion-mnist gcc-riscv64-unknown-elf qemu-system-misc"

installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $PKGS 2>/dev/null |
	awk '$2 == "ii" { print $1 }')
missing=""
for p in $PKGS; do
	case " $(echo $installed) " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: error: these packages are missing and this is not root:$missing" >&2
	echo "deps: run as root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# apt-get update only when some package has no install candidate: a fresh
# image has empty lists, a warm one does not need the network round trip.
for p in $missing; do
	cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
		apt-get update -qq
		break
	fi
done
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done" >&2
