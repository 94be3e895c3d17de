#!/usr/bin/env bash
# Builds Ferry and runs its main job end to end on the embedded default: two
# file-backed pools under build/quickstart/, no Ceph. Needs JDK 17 and Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=java-agent/target/ferry-agent.jar
echo "== building Ferry (mvn package, tests skipped; scripts/test.sh runs them)"
mvn -B -q -ntp -DskipTests package
echo "== ferry demo"
exec java -jar "$jar" demo --dir build/quickstart "$@"
