#!/usr/bin/env bash
# C2PA signing cost per published image (labelling.c2pa): a throw-away ES256 CA + leaf made with
# openssl, a 1024 x 1024 input, the host's pipeline in release mode, then the signing alone.
#
#   Benchmarks/imaging/c2pa.sh            # 40 signatures of the 1024² master JPEG
#   N=100 Benchmarks/imaging/c2pa.sh
# Needs: swift, libvips-tools, openssl, the C2PA library (scripts/install-deps.sh links it).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-40}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
CNF
(
  cd "$WORK"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days 2 -config openssl.cnf -extensions ca -subj "/CN=bench CA" -out ca.pem
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out leaf.key 2>/dev/null
  openssl req -new -key leaf.key -config openssl.cnf -subj "/CN=bench signer" -out leaf.csr
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 2 \
    -extfile openssl.cnf -extensions leaf -out leaf.pem 2>/dev/null
  cat leaf.pem ca.pem > chain.pem
)

echo "== input: 1024x1024 RGB PNG (Perlin colour field + grain, fixed seeds)" >&2
vips perlin "$WORK/r.v" 1024 1024 --cell-size 192 --seed 1
vips gaussnoise "$WORK/g.v" 1024 1024 --sigma 12 --mean 0
vips add "$WORK/r.v" "$WORK/g.v" "$WORK/s.v"
vips linear "$WORK/s.v" "$WORK/t.v" 100 128
vips bandjoin "$WORK/t.v $WORK/t.v $WORK/t.v" "$WORK/c.v"
vips cast "$WORK/c.v" "$WORK/in.png" uchar

echo "== build (release)" >&2
swift build -c release --product ImagingBenchmark >&2
BIN="$(swift build -c release --show-bin-path)/ImagingBenchmark"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
C2PA_CHAIN="$WORK/chain.pem" C2PA_KEY="$WORK/leaf.key" "$BIN" c2pa "$WORK/in.png" "$N"
