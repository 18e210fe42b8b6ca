#!/usr/bin/env bash
# The seed's openssl recipe (chain section + mTLS section), with the fixes it needs to
# be valid under strict verification: EC P-256 keys (the key kind pkilab uses by
# default) and -addext / -extfile extensions (CA:TRUE and keyUsage on CAs, a path
# length, subjectAltName and extendedKeyUsage on leaves, key identifiers everywhere).
# Same output as `pkilab init DIR`: root, intermediate1, intermediate2, server,
# fullchain, client and client2 with .p12 files (password 123456).
#
# usage: bash benchmarks/openssl_recipe.sh DIR
set -euo pipefail
mkdir -p "$1"
cd "$1"

cat > ca1.ext <<'X'
basicConstraints=critical,CA:TRUE,pathlen:1
keyUsage=critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
sed 's/pathlen:1/pathlen:0/' ca1.ext > ca2.ext
cat > server.ext <<'X'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat > client.ext <<'X'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
# issue NAME "SUBJECT" ISSUER DAYS EXTFILE
issue() {
  key "$1"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "$2"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial \
    -out "$1.crt" -days "$4" -extfile "$5" 2>/dev/null
}

key root
openssl req -new -x509 -days 3650 -key root.key -out root.crt \
  -subj "/O=pkilab/CN=pkilab Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
issue intermediate1 "/O=pkilab/CN=pkilab Intermediate CA 1" root 1825 ca1.ext
issue intermediate2 "/O=pkilab/CN=pkilab Intermediate CA 2" intermediate1 1825 ca2.ext
issue server "/O=pkilab/CN=localhost" intermediate2 397 server.ext
cat server.crt intermediate2.crt intermediate1.crt > fullchain.crt
cat intermediate2.crt intermediate1.crt > chain.crt
for client in client client2; do
  issue "$client" "/O=pkilab/CN=$client" intermediate2 397 client.ext
  openssl pkcs12 -export -in "$client.crt" -inkey "$client.key" -certfile chain.crt \
    -name "$client" -out "$client.p12" -passout pass:123456
done
chmod 600 ./*.key ./*.p12
rm -f ./*.csr ./*.ext ./*.srl chain.crt
