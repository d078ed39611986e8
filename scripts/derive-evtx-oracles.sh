#!/bin/sh
# Regenerates the reference renderings the EVTX reader is tested against, from the bundled samples.
# Needs Debian's python3-evtx and libevtx-utils (apt-get install python3-evtx libevtx-utils).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/test/fixtures/evtx"
mkdir -p "$out/python-evtx" "$out/evtxexport"
for f in "$root"/datasets/evtx-attack-samples/lateral_movement/*.evtx; do
  name=$(basename "$f")
  evtx_dump.py "$f" > "$out/python-evtx/$name.xml"
  # evtxexport prints its banner first; the rest is the XML.
  evtxexport -f xml "$f" 2>/dev/null | tail -n +2 > "$out/evtxexport/$name.xml"
done
echo "wrote $out/python-evtx and $out/evtxexport"
