#!/usr/bin/env bash
# Generates the Python gRPC stubs for the ferry.v1 contract into
# ferry_agent_client/_gen/ferry/v1/ with Debian's protoc (3.21) and
# grpc_python_plugin. python3-grpc-tools is not used: its bundled protoc is
# too old for the runtime. The output is not committed (see .gitignore), so it
# is regenerated from proto/ every time and never goes stale.
#
# protoc writes imports as "from ferry.v1 import x_pb2"; they are rewritten to
# "from ferry_agent_client._gen.ferry.v1 import x_pb2" so the stubs live inside
# our package and no top-level "ferry" module is added to sys.path.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
proto_root="${1:-$here/../proto/src/main/proto}"
out="$here/ferry_agent_client/_gen"

for tool in protoc grpc_python_plugin; do
  command -v "$tool" >/dev/null || {
    echo "gen-stubs: $tool not found; install protobuf-compiler and protobuf-compiler-grpc" >&2
    exit 1
  }
done
[ -d "$proto_root/ferry/v1" ] || { echo "gen-stubs: no ferry/v1 protos under $proto_root" >&2; exit 1; }

tmp="$(mktemp -d "$here/.gen.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
protoc -I "$proto_root" -I /usr/include \
  --python_out="$tmp" \
  --grpc_python_out="$tmp" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  "$proto_root"/ferry/v1/*.proto

sed -i -E 's/^from ferry\.v1 import /from ferry_agent_client._gen.ferry.v1 import /' "$tmp"/ferry/v1/*.py
if grep -nE '^(from|import) ferry\.' "$tmp"/ferry/v1/*.py; then
  echo "gen-stubs: an import of the top-level ferry package was left unrewritten" >&2
  exit 1
fi
touch "$tmp/__init__.py" "$tmp/ferry/__init__.py" "$tmp/ferry/v1/__init__.py"

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "gen-stubs: wrote $(ls "$out"/ferry/v1/*_pb2*.py | wc -l) modules to $out/ferry/v1"
