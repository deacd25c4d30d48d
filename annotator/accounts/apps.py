"""App config: Users, project membership and roles."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "annotator.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from annotator.accounts import signals  # noqa: F401  (connects the token revocation receivers)
