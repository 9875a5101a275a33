#!/usr/bin/env bash
# Throw-away PKI for a loopback kube-apiserver: a CA, the serving certificate (127.0.0.1, localhost) and
# the service-account signing key pair the API server insists on. Usage: certs.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; return 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=contract-ca' -keyout ca.key -out ca.crt
quiet openssl req -newkey rsa:2048 -nodes -subj '/CN=kube-apiserver' -keyout apiserver.key -out apiserver.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >san.ext
quiet openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
  -out apiserver.crt
quiet openssl genrsa -out sa.key 2048
quiet openssl rsa -in sa.key -pubout -out sa.pub
