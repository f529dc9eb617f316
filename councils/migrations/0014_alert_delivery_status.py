import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0013_merge_20261201_1500"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("sending", "Sending, or interrupted while sending"),
                    ("sent", "Sent"),
                ],
                # Deliveries recorded before this were written with their send.
                default="sent",
                help_text="“Sending” after the run stopped means the email may or "
                "may not have reached the mail server; it is not sent again.",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="delivery",
            name="sent_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the run claimed it for sending.",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["key"], name="delivery_key_idx"),
        ),
    ]
