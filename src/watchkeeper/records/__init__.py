"""Control-room records: the occurrence (incident) log, radio, shift, visitor and fault logs.

BS 7958 and council codes of practice ask a control room to keep these; most keep them
in spreadsheets. Each concern has its own module; services take a session and a
:class:`~watchkeeper.auth.principal.Principal` and audit every change.
"""
