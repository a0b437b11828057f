#!/usr/bin/env bash
# Creates .venv with Python 3.12 and installs the layer's runtime and the dev dependencies.
# The project's own code is put on the path with a .pth file: the layer package
# (layers/nguon, as /opt/python is in Lambda), the repository root (infra, tests) and the
# device SDK (device_sdk, which a device installs with pip install ./device_sdk).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.venv"
python=$("$root/infra/bootstrap/find-python.sh")

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
# pip, without the one warning per package a pip config naming absent local indexes
# (extra-index-url = file:///opt/...) prints; everything else, and pip's exit status
# (pipefail), pass through.
pip_install() {
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 |
    { grep -v "^WARNING: Location 'file:///opt/[^']*' is ignored: it is neither a file nor a directory\.$" || true; }
}
# Below 26.3: chalice (the portal's framework, functions/portal) declares pip<26.3.
pip_install --upgrade "pip>=25.1,<26.3"
# The layer's runtime, each function's own (functions/*/requirements.txt: what `sam build`
# installs into that function), and the dev tools.
function_requirements=()
for file in "$root"/functions/*/requirements.txt; do
  [ -e "$file" ] && function_requirements+=(-r "$file")
done
pip_install -r "$root/layers/nguon/requirements.txt" "${function_requirements[@]}" \
  --group "$root/pyproject.toml:dev"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n%s\n' "$root/layers/nguon" "$root" "$root/device_sdk" > "$site/nguon-dev.pth"
# Moved-clock runs (faketime): see infra/bootstrap/faketime_sleep.py.
cp "$root/infra/bootstrap/faketime_sleep.py" "$site/_nguon_faketime_sleep.py"
echo "import _nguon_faketime_sleep" > "$site/nguon-faketime.pth"
