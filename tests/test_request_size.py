"""Request bodies over the limit are refused before they are read or spooled to disk."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


class CountingStream(io.BytesIO):
    """A request body that records how much of it the portal read."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        CountingStream.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        CountingStream.read_bytes += len(data)
        return data


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.REQUEST_BODY_MAX_BYTES = 4096
    # Without the limit, any upload would be written to this folder.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_an_upload_over_the_limit_gets_400_and_is_never_written(
    gateshead_commissioner, gateshead, small_limit
):
    client = Client(raise_request_exception=False)
    client.force_login(gateshead_commissioner)
    response = client.post(
        reverse("admin:councils_council_change", args=[gateshead.pk]),
        {"logo": SimpleUploadedFile("logo.png", b"\x89PNG" + b"\0" * 20_000)},
    )
    assert response.status_code == 400
    assert list(small_limit.iterdir()) == []


def test_the_body_is_refused_before_it_is_read(
    gateshead_commissioner, gateshead, small_limit
):
    client = Client(raise_request_exception=False)
    client.force_login(gateshead_commissioner)
    boundary = "BoUnDaRy"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="logo"; filename="logo.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\0" * 300_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    CountingStream.read_bytes = 0
    response = client.generic(
        "POST",
        reverse("admin:councils_council_change", args=[gateshead.pk]),
        **{
            "wsgi.input": CountingStream(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert response.status_code == 400
    assert CountingStream.read_bytes < 65_536


def test_an_upload_within_the_limit_is_handled(
    gateshead_client, gateshead, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = gateshead_client.post(
        reverse("admin:councils_council_change", args=[gateshead.pk]),
        {"logo": SimpleUploadedFile("logo.png", b"not an image")},
    )
    # Read and checked by the form (and refused there, as it is not an image).
    assert response.status_code == 200
    assert "logo" in response.context["adminform"].form.errors
