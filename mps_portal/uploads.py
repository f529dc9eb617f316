"""Request bodies refused as they arrive, before they are spooled to disk."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class BodySizeLimitUploadHandler(FileUploadHandler):
    """First of the upload handlers: stops a multipart body past the size limit.

    Django's own handlers keep reading a large upload into a temporary file and
    leave size checks to the form, after the whole body has arrived. This one
    refuses a declared ``Content-Length`` over ``REQUEST_BODY_MAX_BYTES`` before
    reading anything, and counts the bytes as they come for bodies that understate
    it. ``RequestDataTooBig`` is answered with the 400 page.
    """

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        self.received = 0
        if content_length > settings.REQUEST_BODY_MAX_BYTES:
            raise RequestDataTooBig("Request body exceeded REQUEST_BODY_MAX_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REQUEST_BODY_MAX_BYTES:
            raise RequestDataTooBig("Request body exceeded REQUEST_BODY_MAX_BYTES.")
        return raw_data

    def file_complete(self, file_size):
        return None
