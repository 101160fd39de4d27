# Sourced by the benchmarks that run a PyTorch peer (bench/train.sh,
# bench/qat.sh) after setting $py and $me: installs Debian's python3-torch
# when $py cannot import it. Never part of make check.
if ! "$py" -c 'import torch, numpy' 2>/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "$me: PyTorch is missing and this is not root: apt-get install python3-torch" >&2
		exit 1
	fi
	echo "$me: installing python3-torch (PyTorch from Debian)" >&2
	export DEBIAN_FRONTEND=noninteractive
	cand=$(apt-cache policy python3-torch 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
		apt-get update -qq
	fi
	apt-get install -y -qq --no-install-recommends python3-torch python3-numpy >/dev/null
fi
