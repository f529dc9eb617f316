from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from councils.models import Council
from councils.scoping import COMMISSIONERS_GROUP

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "demo-password"
DEMO_COMMISSIONERS = {
    "gateshead-commissioner": "gateshead",
    "durham-commissioner": "county-durham",
}


class Command(BaseCommand):
    help = (
        "Load the North East demo content from fixtures/ in file-name order, and "
        "(outside production) the demo accounts. Safe to run more than once."
    )

    def handle(self, *args, **options):
        fixtures = sorted(FIXTURES_DIR.glob("*.json"))
        with transaction.atomic():
            call_command("loaddata", *fixtures, verbosity=options["verbosity"])
            if settings.PRODUCTION:
                self.stdout.write("Production: demo accounts are not created.")
            else:
                self._create_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(fixtures)} fixture files."))

    def _create_demo_accounts(self):
        user_model = get_user_model()
        group = Group.objects.get(name=COMMISSIONERS_GROUP)
        for username, council_slug in DEMO_COMMISSIONERS.items():
            user, _ = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.is_staff = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(group)
            user.councils.set([Council.objects.get(slug=council_slug)])
        admin, _ = user_model.objects.get_or_create(username="portal-admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()
