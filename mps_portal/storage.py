"""The production static files storage."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, each file's address worked out
    once per process.

    Every page asks for the same six addresses (stylesheets and scripts in
    ``base.html``), and each ``url()`` parses, looks up in the manifest, joins
    and quotes again. The manifest is read when the storage is made and
    ``collectstatic`` (which changes it) reaches it through ``_url()``, not
    ``url()``; changing a static setting makes a new storage, with none kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)
        try:
            return self._urls[key]
        except KeyError:
            url = self._urls[key] = super().url(name, force)
            return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
