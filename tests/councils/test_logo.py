"""Council logos are checked by content, size-limited and served with safe headers."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


def upload_logo(client, council, name, content):
    return client.post(
        reverse("admin:councils_council_change", args=[council.pk]),
        {
            "website": "",
            "commissioning_email": council.commissioning_email,
            "commissioning_phone": "",
            "logo": SimpleUploadedFile(name, content),
        },
    )


def test_a_png_logo_is_accepted_and_served_as_an_image(gateshead_client, gateshead):
    response = upload_logo(gateshead_client, gateshead, "logo.png", png_bytes())
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = gateshead_client.get(
        reverse("councils:council-logo", args=[gateshead.slug])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == png_bytes()
    from councils.models import AuditEntry

    change = AuditEntry.objects.get(council=gateshead).changes["logo"]
    assert change["from"] == ""
    assert change["to"] == "logo.png"


def test_an_html_file_named_logo_png_is_refused(gateshead_client, gateshead):
    html = b"<html><script>alert(document.cookie)</script></html>"
    response = upload_logo(gateshead_client, gateshead, "logo.png", html)
    assert response.status_code == 200
    assert "must be a PNG or JPEG image" in str(
        response.context["adminform"].form.errors["logo"]
    )
    gateshead.refresh_from_db()
    assert not gateshead.logo


def test_a_gif_renamed_to_png_is_refused(gateshead_client, gateshead):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    response = upload_logo(gateshead_client, gateshead, "logo.png", buffer.getvalue())
    assert "logo" in response.context["adminform"].form.errors


def test_a_logo_over_512_kb_is_refused(gateshead_client, gateshead):
    big = png_bytes() + b"\0" * (512 * 1024)
    response = upload_logo(gateshead_client, gateshead, "logo.png", big)
    assert "smaller than 512 KB" in str(
        response.context["adminform"].form.errors["logo"]
    )


def test_a_stored_file_that_is_not_an_image_is_never_served(client, gateshead):
    gateshead.logo.save("logo.png", ContentFile(b"<html>hello</html>"))
    response = client.get(reverse("councils:council-logo", args=[gateshead.slug]))
    assert response.status_code == 404


def test_a_council_without_a_logo_answers_404(client, gateshead):
    response = client.get(reverse("councils:council-logo", args=[gateshead.slug]))
    assert response.status_code == 404
