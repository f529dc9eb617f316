from providers.services import cqc_ratings_import

from .import_cqc_directory import Command as DirectoryCommand


class Command(DirectoryCommand):
    help = (
        "Import CQC's care directory with filters (HSCA active locations) or latest "
        "ratings file, ODS or CSV: overall and key-question ratings, publication "
        "dates, beds and care home flags, matched by CQC location ID, with England's "
        "counts for the quality figures. All or nothing."
    )
    importer = staticmethod(cqc_ratings_import)
