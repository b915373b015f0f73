#!/usr/bin/env bash
# Builds the benchmark (with the JDK ./fermata finds) and runs every workload, each in its own JVM.
#   bench/run.sh [--scale 1.0] [--workloads W1,W1C,W2,W3,W6] [--systems fermata-sqlite,...]
# JSON lines (one per figure) go to standard output; progress and logs to standard error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

"$root/fermata" mvn -q -B -ntp -Dstyle.color=never -pl bench -am package -DskipTests >&2

# The same JDK the launcher found: Maven reports it as "runtime: <java home>".
java_home="$("$root/fermata" mvn -v | sed -n 's/^Java version: .*runtime: \(.*\)$/\1/p' | head -n 1)"
java="${java_home:+$java_home/bin/}java"

exec "$java" --enable-native-access=ALL-UNNAMED -jar "$here/target/fermata-bench.jar" "$@"
