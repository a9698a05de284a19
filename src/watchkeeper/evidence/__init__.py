"""Evidence and disclosure: export packages, their verification, requests and custody.

One module per stage: ``manifest`` (the package format, a public contract), ``signing``
(the system's Ed25519 key), ``master`` (bit-exact copies of recorded segments),
``working`` (the burned-in working copy), ``package`` (assembles a package), ``verify``,
``deadlines`` (statutory clocks, pure). See ``docs/design/evidence.md``.
"""
