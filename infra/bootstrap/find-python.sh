#!/usr/bin/env bash
# Prints the path of a Python 3.12 interpreter: the Lambda runtime in template.yaml is
# python3.12, and tests must run on the same minor version. pyenv shims are skipped in
# favour of the real binaries, because a shim fails when 3.12 is not the global version.
set -euo pipefail
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12.*/bin/python3.12 \
                 /usr/local/bin/python3.12 /usr/bin/python3.12; do
  if [ -x "$candidate" ] && "$candidate" -c 'import venv' >/dev/null 2>&1; then
    echo "$candidate"; exit 0
  fi
done
echo "Không tìm thấy Python 3.12 / Python 3.12 not found." >&2
echo "Cài bằng / install with:  pyenv install 3.12   (or, on Debian/Ubuntu: apt-get install -y python3.12 python3.12-venv)" >&2
exit 1
