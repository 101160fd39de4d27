# Sourced by the whole-system tests in tests/sh/ (tests/run.sh runs every
# file in that folder as a test, so this one lives apart): the source tree
# as the current folder, the build under test, a scratch folder removed on
# exit, fail(), and slices of Fashion-MNIST as plain IDX files.
# Sets top, build, q (the qforge binary), tmp, fm (the data), failures.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fm=/usr/share/datasets/fashion-mnist
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# be32 N: N as four big-endian bytes (dash's printf has no \x: octal).
be32() {
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) \
		$(($1 & 255)))"
}

# idx_slice SPLIT N OUT: the first N images and labels of SPLIT (train or
# t10k) as $tmp/OUT-images and $tmp/OUT-labels, plain IDX files.
idx_slice() {
	{
		printf '\000\000\010\003'
		be32 "$2"
		be32 28
		be32 28
		gzip -dc "$fm/$1-images-idx3-ubyte.gz" | tail -c +17 | head -c $(($2 * 784))
	} >"$tmp/$3-images"
	{
		printf '\000\000\010\001'
		be32 "$2"
		gzip -dc "$fm/$1-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$2"
	} >"$tmp/$3-labels"
	[ "$(wc -c <"$tmp/$3-images")" -eq $((16 + $2 * 784)) ] || fail "could not cut $2 images of $1"
}

# fmnist_slice NTRAIN NTEST: $tmp/{train,test}-{images,labels}.
fmnist_slice() {
	idx_slice train "$1" train
	idx_slice t10k "$2" test
}

# fm_data NAME TRAIN TEST [VALIDATE]: a .qf data block NAME over
# Fashion-MNIST on stdout. TRAIN and TEST are each `slice` (the files
# idx_slice made, $tmp/train-* and $tmp/test-*) or `full` (Debian's files);
# VALIDATE training images are held out (default 0).
fm_data() {
	cat <<EOF
data $1 {
  format idx;
  train $(fm_files train train "$2");
  test  $(fm_files t10k test "$3");
  input 1x28x28 uint8;
  classes 10;
  validate ${4:-0};
}
EOF
}

# fm_files SPLIT SLICE HOW: the images and labels clause of fm_data.
fm_files() {
	if [ "$3" = slice ]; then
		echo "images \"$tmp/$2-images\" labels \"$tmp/$2-labels\""
	else
		echo "images \"$fm/$1-images-idx3-ubyte.gz\" labels \"$fm/$1-labels-idx1-ubyte.gz\""
	fi
}

# small_qf FILE QUANT [VALIDATE]: $tmp/FILE, a .qf of a small strided CNN on
# the slice fmnist_slice made, with the quant block QUANT (empty: a float
# run) and VALIDATE training images held out (default 0).
small_qf() {
	{
		fm_data subset slice slice "${3:-0}"
		cat <<EOF
$2
space small {
  input 1x28x28;
  conv c 8 k 3 s 2 relu;
  conv c 16 k 3 s 2 relu;
  conv c 16 k 3 s 1 relu;
  pool avg global;
  fc 10;
}
EOF
	} >"$tmp/$1"
}
