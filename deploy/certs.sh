#!/bin/sh
# Makes a private CA and the broker's TLS certificate once, into /certs (a compose volume).
set -eu
cd /certs
[ -f server.pem ] && exit 0
apk add --no-cache openssl >/dev/null
openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=SiteHub CA" -keyout ca.key -out ca.pem
openssl req -newkey rsa:3072 -nodes -subj "/CN=mosquitto" -keyout server.key -out server.csr
printf 'subjectAltName=DNS:mosquitto,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -extfile ext.cnf -out server.pem
chmod 644 ca.pem server.pem server.key
rm -f server.csr ext.cnf
