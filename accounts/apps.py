from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sign-in log (accounts.sign_in_log): success, wrong password, wrong second factor.
        # Imported here: it imports the models, which are not ready when apps.py is imported.
        from accounts import sign_in_log

        sign_in_log.connect()
