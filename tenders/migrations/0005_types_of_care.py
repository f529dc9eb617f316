"""Tenders and arrangements speak of the shared types of care (councils.TypeOfCare).

Each service category becomes the type of care with the same slug, and every
tender's and arrangement's categories are carried over before the old list goes.
"""

from django.db import migrations, models


def categories_to_types_of_care(apps, schema_editor):
    ServiceCategory = apps.get_model("tenders", "ServiceCategory")
    TypeOfCare = apps.get_model("councils", "TypeOfCare")
    type_for = {}
    for category in ServiceCategory.objects.all():
        type_of_care, _ = TypeOfCare.objects.get_or_create(
            slug=category.slug,
            defaults={"name": category.name, "position": category.position},
        )
        type_for[category.pk] = type_of_care.pk
    for model_name, owner in (
        ("Tender", "tender_id"),
        ("Arrangement", "arrangement_id"),
    ):
        model = apps.get_model("tenders", model_name)
        old = model.service_categories.through
        new = model.types_of_care.through
        new.objects.bulk_create(
            new(
                **{
                    owner: getattr(row, owner),
                    "typeofcare_id": type_for[row.servicecategory_id],
                }
            )
            for row in old.objects.all()
        )


def types_of_care_to_categories(apps, schema_editor):
    ServiceCategory = apps.get_model("tenders", "ServiceCategory")
    TypeOfCare = apps.get_model("councils", "TypeOfCare")
    category_for = {}
    for type_of_care in TypeOfCare.objects.all():
        category, _ = ServiceCategory.objects.get_or_create(
            slug=type_of_care.slug,
            defaults={"name": type_of_care.name, "position": type_of_care.position},
        )
        category_for[type_of_care.pk] = category.pk
    for model_name, owner in (
        ("Tender", "tender_id"),
        ("Arrangement", "arrangement_id"),
    ):
        model = apps.get_model("tenders", model_name)
        old = model.service_categories.through
        new = model.types_of_care.through
        old.objects.bulk_create(
            old(
                **{
                    owner: getattr(row, owner),
                    "servicecategory_id": category_for[row.typeofcare_id],
                }
            )
            for row in new.objects.all()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0003_type_of_care"),
        ("tenders", "0004_arrangement"),
    ]

    operations = [
        migrations.AddField(
            model_name="arrangement",
            name="types_of_care",
            field=models.ManyToManyField(
                blank=True,
                related_name="arrangements",
                to="councils.typeofcare",
                verbose_name="types of care",
            ),
        ),
        migrations.AddField(
            model_name="tender",
            name="types_of_care",
            field=models.ManyToManyField(
                blank=True,
                related_name="tenders",
                to="councils.typeofcare",
                verbose_name="types of care",
            ),
        ),
        migrations.RunPython(categories_to_types_of_care, types_of_care_to_categories),
        migrations.RemoveField(model_name="arrangement", name="service_categories"),
        migrations.RemoveField(model_name="tender", name="service_categories"),
        migrations.DeleteModel(name="ServiceCategory"),
    ]
