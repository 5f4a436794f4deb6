#!/bin/sh
# Writes mosquitto's password file from the .env secrets (hashed by mosquitto_passwd).
set -eu
f=/mosquitto/passwords/passwd
: > "$f"
mosquitto_passwd -b "$f" hub "$HUB_MQTT_PASSWORD"
mosquitto_passwd -b "$f" site-1 "$GATEWAY_SITE1_PASSWORD"
chmod 0700 "$f"
