#!/bin/sh
# One golden batch run under valgrind memcheck: every article of
# examples/ through `geomention parse --split`, no memory error and no
# definite or indirect leak (exit 1 from valgrind otherwise), and the
# same two files as the same run without valgrind.
# Usage: valgrind_batch.sh GEOMENTION GAZETTEER SOURCE_ROOT WORKDIR
set -u
gm=$1 gaz=$2 src=$3 work=$4
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skip"; exit 77; }
rm -rf "$work" && mkdir -p "$work" || exit 1
"$gm" parse --gazetteer "$gaz" --split "$work/plain" "$src"/examples/*.txt "$src"/tests/fuzz/corpus/parse/news "$src"/tests/fuzz/corpus/parse/names "$src"/tests/fuzz/corpus/parse/demonyms || {
  echo "FAIL: plain run failed"; exit 1; }
valgrind -q --error-exitcode=1 --leak-check=full \
  --errors-for-leak-kinds=definite,indirect \
  "$gm" parse --gazetteer "$gaz" --split "$work/vg" "$src"/examples/*.txt "$src"/tests/fuzz/corpus/parse/news "$src"/tests/fuzz/corpus/parse/names "$src"/tests/fuzz/corpus/parse/demonyms
rc=$?
if [ $rc -ne 0 ]; then echo "FAIL: valgrind run exit $rc"; exit 1; fi
for layer in places regions; do
  cmp "$work/plain.$layer.geojson" "$work/vg.$layer.geojson" || {
    echo "FAIL: $layer differs under valgrind"; exit 1; }
  [ -s "$work/vg.$layer.geojson" ] || { echo "FAIL: $layer empty"; exit 1; }
done
echo "valgrind: clean, output identical"
rm -rf "$work"
