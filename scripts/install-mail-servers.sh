#!/bin/sh
# Installs Debian's dovecot IMAP server for the e-mail channel's integration tests, which start their own instance
# on 127.0.0.1 with a config in a temp dir (packages/server/src/modules/channels/email/testing/mail-servers.ts).
# The system service is not started or needed. SMTP peers are in-process (smtp-server), so nothing else is needed.
# Idempotent and quiet: does nothing when dovecot is already installed.
set -eu
DOVECOT=${LINGXI_DOVECOT:-/usr/sbin/dovecot}
[ -x "$DOVECOT" ] && exit 0

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-mail-servers: need root to install dovecot-imapd (Debian package)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt cannot see the package yet (update is slow and needs the network).
if ! apt-cache show dovecot-imapd >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || { echo "install-mail-servers: apt-get update failed" >&2; exit 1; }
fi
log=$(mktemp)
# policy-rc.d may refuse to start the system service in containers; that is fine, the tests start their own.
if ! $SUDO apt-get install -y -qq --no-install-recommends dovecot-imapd >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
if [ ! -x "$DOVECOT" ]; then
  echo "install-mail-servers: apt-get ran but $DOVECOT is still missing" >&2
  exit 1
fi
echo "install-mail-servers: installed dovecot-imapd ($("$DOVECOT" --version 2>/dev/null || echo dovecot))"
