#!/bin/sh
# Entrypoint of the partnercenter image: make sure the app secrets exist, then run the command.
#
# DJANGO_SECRET_KEY, TOKEN_PEPPER and OUTBOX_SEALING_KEY come from the environment when it sets
# them (a secret manager, or variables exported before `docker compose up`). Any that is missing
# is read from /app/var/secrets/secrets.env, generated here on first start: in docker-compose.yml
# that folder is a named volume shared by every app container, so web, worker and beat agree and
# the secrets survive restarts — the Docker twin of var/full-secrets.env in `make run-full`.
# Django reads the file through /app/.env (settings/base.py; the environment always wins).
# Keep the volume: a new TOKEN_PEPPER or OUTBOX_SEALING_KEY invalidates pending invitations and
# queued mail.
set -eu

secrets_file="${PARTNERCENTER_SECRETS_FILE:-/app/var/secrets/secrets.env}"

if [ -z "${DJANGO_SECRET_KEY:-}" ] || [ -z "${TOKEN_PEPPER:-}" ] || [ -z "${OUTBOX_SEALING_KEY:-}" ]; then
    if [ ! -s "$secrets_file" ]; then
        tmp=$(mktemp "$secrets_file.XXXXXX")  # mode 0600
        python -c 'import secrets
for name in ("DJANGO_SECRET_KEY", "TOKEN_PEPPER", "OUTBOX_SEALING_KEY"):
    print(f"{name}={secrets.token_urlsafe(50)}")' >"$tmp"
        # A hard link is atomic and never replaces an existing file: when two containers start at
        # once, both end up with the same (first) file.
        if ln "$tmp" "$secrets_file" 2>/dev/null; then
            echo "docker-entrypoint: generated app secrets in $secrets_file" >&2
        fi
        rm -f "$tmp"
    fi
fi

exec "$@"
