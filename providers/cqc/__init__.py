"""Reading and importing CQC's published files, one module per step.

``reading`` opens a file (CSV, ODS or XLSX), finds CQC's header under any preamble and
says which of CQC's files it is; ``cells`` parses CQC's cell values; ``directory``
and ``ratings`` turn rows into location records; ``writing`` saves them in bulk, all
or nothing, and records the run.
"""
