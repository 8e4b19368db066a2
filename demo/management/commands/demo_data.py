from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import build_demo_world
from demo.users import DEMO_PASSWORD, DemoError


class Command(BaseCommand):
    help = "Create the demo partners, customers and users (idempotent) and print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            world = build_demo_world()
        except DemoError as error:
            raise CommandError(str(error)) from error
        base = settings.SITE_BASE_URL.rstrip("/")
        width = max(len(login.email) for login in world.logins)
        lines = [
            "",
            "=" * 78,
            f" partnercenter is starting at {base}/",
            f" Every demo user signs in with the password:  {DEMO_PASSWORD}",
            "=" * 78,
        ]
        for login in world.logins:
            lines.append(f"  {login.email.ljust(width)}  {login.roles}  —  {login.where}")
        lines += [
            "-" * 78,
            f" Mailbox (every email sent):  {base}/mailbox/"
            if settings.MAILBOX_ENABLED
            else " Email goes to the configured SMTP server.",
            f" Staff console:               {base}/admin/  (TOTP is required; set it up on first visit)",
            "=" * 78,
            "",
        ]
        self.stdout.write("\n".join(lines))
