import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = settings.LOCAL_DIR / "admin-password"


class Command(BaseCommand):
    help = (
        "Make sure a local admin account exists. A new one gets a random password, "
        "printed once and kept in .local/admin-password (git-ignored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            where = PASSWORD_FILE if PASSWORD_FILE.exists() else "the password you set"
            self.stdout.write(f"Log in as '{username}' with the password in {where}.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        settings.LOCAL_DIR.mkdir(exist_ok=True)
        PASSWORD_FILE.write_text(password + "\n")
        PASSWORD_FILE.chmod(0o600)
        self.stdout.write(
            f"Created the admin account '{username}' with password: {password}\n"
            f"(kept in {PASSWORD_FILE}; change it in the admin)"
        )
