from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction

from councils import search
from councils.models import Council, Publication, Publishable
from councils.publishing import default_review_by, publish
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
        "(outside production) the demo accounts. Safe to run more than once: rows "
        "already in the database are left as they are, so edits made since the "
        "last load are kept. To start again from the fixtures, see the README."
    )

    def handle(self, *args, **options):
        fixtures = sorted(FIXTURES_DIR.glob("*.json"))
        with transaction.atomic():
            loaded = set()
            added = sum(self._load_missing(path, loaded) for path in fixtures)
            self._reset_sequences(loaded)
            self._publish_demo_content()
            # Fixture rows are saved raw, without the signals that index them.
            search.rebuild()
            if settings.PRODUCTION:
                self.stdout.write("Production: demo accounts are not created.")
            else:
                self._create_demo_accounts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(fixtures)} fixture files: {added} new rows; rows "
                "already there were left alone."
            )
        )

    def _reset_sequences(self, models) -> None:
        """As loaddata does: rows saved with their own ids leave PostgreSQL's id
        sequences behind, so the next new row would take a used id."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def _load_missing(self, path: Path, loaded: set) -> int:
        """Save the fixture's rows that are not in the database yet.

        A row is found by its primary key, or by its natural key for fixtures
        written without one; one that exists is never overwritten.
        """
        added = 0
        with path.open(encoding="utf-8") as stream:
            for item in serializers.deserialize(
                "json", stream, handle_forward_references=True
            ):
                model = type(item.object)
                pk = item.object.pk
                if pk is not None and model._default_manager.filter(pk=pk).exists():
                    continue
                item.save()
                loaded.add(model)
                added += 1
        return added

    def _publish_demo_content(self):
        """Demo content never published goes live, as of its fixture's date where
        it has one ("last updated" of an MPS section, a tender's "published")."""
        for model in apps.get_models():
            if not issubclass(model, Publishable):
                continue
            field_names = {field.name for field in model._meta.get_fields()}
            for item in model.objects.filter(first_published_at=None):
                updated = item.content_updated_at or getattr(item, "published_at", None)
                publish(obj=item, user=None, major=True, note="First published.")
                if updated is None:
                    continue
                # Keep the document's own date rather than today's.
                review_by = default_review_by(updated)
                dates = {"content_updated_at": updated, "review_by": review_by}
                if "published_at" in field_names:
                    dates["published_at"] = updated
                model._base_manager.filter(pk=item.pk).update(
                    first_published_at=updated, **dates
                )
                live_dates = {"publish_at": updated, **dates}
                if "updated_at" in field_names:
                    live_dates["updated_at"] = updated
                model._base_manager.filter(live_of=item).update(
                    first_published_at=updated, **live_dates
                )
                Publication.objects.for_object(item).update(publish_at=updated)

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
