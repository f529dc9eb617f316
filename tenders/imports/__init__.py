"""Importing a council's tender table, one module per step.

- ``councils.reading`` (shared with the other imports) checks and reads the file;
- ``columns``: the headings a table may use, and matching a file's headings to them;
- ``amounts``: values in pounds as councils write them (dates: ``tenders.dates``,
  shared with the admin's forms);
- ``rows``: cleaning each row, one parser per column;
- ``report``: what an import found and did, and its record in the import log;
- ``writing``: COPY or ``executemany`` of new and changed rows;
- ``service``: ``tender_table_import``, the one code path for the admin and the
  ``import_tenders`` command, which matches rows to tenders and writes them;
- ``admin``: the admin's upload, preview and confirm screens.

Nothing is imported here, so that ``tenders.models`` can be loaded first.
"""
