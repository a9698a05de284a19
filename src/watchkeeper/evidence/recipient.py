"""What the recipient reads: README.txt (how to verify with standard tools) and index.html.

``index.html`` plays the working copy offline and shows the manifest's facts. It cannot
embed the manifest itself (the manifest holds index.html's hash), so it shows everything but
the ``files`` list; the master and working entries carry their own hashes.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment

from watchkeeper.evidence.manifest import MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS

__all__ = ["VERIFY_COMMANDS", "index_html", "readme_text"]

VERIFY_COMMANDS = (
    f"openssl pkeyutl -verify -pubin -inkey {PUBLIC_KEY} -rawin -in {MANIFEST} "
    f"-sigfile {SIGNATURE}\n"
    f"sha256sum --strict -c {SUMS}\n"
    f'grep -q "$(sha256sum {SUMS} | cut -c1-64)" {MANIFEST} '
    f'&& echo "{SUMS}: listed in the signed manifest"\n'
)
"""The shell commands in the README, run as they stand by the tests."""

_README = """\
Evidence package {{ m.format }}
==============================================================

Camera:     {{ m.camera.id }} {{ m.camera.name }}
Location:   {{ m.camera.location or "-" }}, {{ m.camera.area }}, {{ m.camera.site }}
Window:     {{ m.window.start_london }} to {{ m.window.end_london }}
            {{ m.window.start_utc }} to {{ m.window.end_utc }} (UTC)
Request:    {{ m.request or "-" }}     Exhibit: {{ m.exhibit or "-" }}
Exported:   {{ m.created_london }} by {{ m.operator }}
System:     {{ m.system.name }} {{ m.system.version }}, id {{ m.system.id }}
Public key fingerprint (SHA-256 of the DER key):
            {{ fingerprint }}

What is here
------------
master/     The recorded files exactly as the recorder wrote them (fragmented MP4, one
            per minute or so). Their SHA-256 hashes were taken when they were written and
            checked again while this package was made.
working/    The same footage re-encoded as H.264 MP4 for ordinary players, cut to the
            window, with the camera and the time (Europe/London and UTC) on every frame.
            Made from the master; the master is the evidence.
{% if m.stills %}stills/     Pictures on screen at chosen instants, from the master, as JPEG:
{% for st in m.stills %}              {{ st.path }}  {{ st.at_london }} ({{ st.at_utc }})
{% endfor %}{% endif %}{{ manifest }}  Facts about the footage and the SHA-256 of every other file.
{{ signature }}  Ed25519 signature of {{ manifest }} by the system's key.
{{ public_key }}  The system's public key.
{{ sums }}  The hashes in the form sha256sum reads.
index.html  Open in a browser to play the working copy and read the facts, offline.
exhibit_label.pdf, continuity_statement.pdf
            Pre-filled from the manifest for the producing operator to check and sign.
{% if m.gaps %}
Nothing was recorded in these parts of the window:
{% for g in m.gaps %}  {{ g.start_utc }} to {{ g.end_utc }}: {{ g.reason }}
{% endfor %}{% endif %}
How to verify (Linux, macOS, or Windows with Git Bash; OpenSSL 3)
-----------------------------------------------------------------
In this folder run:

{{ commands }}
All three must succeed: "Signature Verified Successfully", every file "OK", and the last
line printed. The first proves {{ manifest }} is the one the system signed; the second that
every file is unchanged; the third that {{ sums }} is the signed list. Then check that the
fingerprint of {{ public_key }} matches the one the council publishes:

openssl pkey -pubin -in {{ public_key }} -outform DER | sha256sum
"""

_INDEX = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Evidence {{ m.camera.id }} {{ m.window.start_utc }}</title>
<style>
body{font-family:sans-serif;margin:1rem 2rem;max-width:70rem}
video,img{max-width:100%;background:#000}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}
code{font-size:.85em;word-break:break-all}
</style></head><body>
<h1>{{ m.camera.id }} {{ m.camera.name }}</h1>
<p>{{ m.camera.location }}</p>
<p>{{ m.window.start_london }} to {{ m.window.end_london }}<br>
{{ m.window.start_utc }} to {{ m.window.end_utc }} (UTC)</p>
{% for w in m.working %}
<h2>Working copy {{ loop.index }}</h2>
<video controls preload="metadata" src="{{ w.path }}"></video>
<p>First frame {{ w.first_frame_london }} ({{ w.first_frame_utc }}),
last frame {{ w.last_frame_london }}, {{ w.frames }} frames.</p>
{% endfor %}
{% if m.stills %}<h2>Stills</h2>
{% for st in m.stills %}<figure><img src="{{ st.path }}" alt="Still {{ loop.index }}">
<figcaption>{{ st.at_london }} ({{ st.at_utc }})</figcaption></figure>{% endfor %}{% endif %}
<h2>Facts</h2>
<table>
<tr><th>Format</th><td>{{ m.format }}</td></tr>
<tr><th>Request</th><td>{{ m.request or "-" }}</td></tr>
<tr><th>Exhibit</th><td>{{ m.exhibit or "-" }}</td></tr>
<tr><th>Exported</th><td>{{ m.created_london }} by {{ m.operator }}</td></tr>
<tr><th>System</th><td>{{ m.system.name }} {{ m.system.version }} ({{ m.system.id }})</td></tr>
<tr><th>Camera clock offset</th><td>{{ m.clock_offset_us or "not measured" }}</td></tr>
</table>
<h2>Gaps inside the window</h2>
{% if m.gaps %}<ul>{% for g in m.gaps %}
<li>{{ g.start_utc }} to {{ g.end_utc }}: {{ g.reason }}</li>{% endfor %}</ul>
{% else %}<p>None.</p>{% endif %}
<h2>Master files</h2>
<table><tr><th>File</th><th>From (UTC)</th><th>To (UTC)</th><th>SHA-256</th></tr>
{% for f in m.master %}<tr><td>{{ f.path }}</td><td>{{ f.start_utc }}</td>
<td>{{ f.end_utc }}</td><td><code>{{ f.sha256 }}</code></td></tr>
{% endfor %}</table>
<h2>All facts (JSON)</h2>
<pre>{{ facts }}</pre>
<p>Verify this package with the commands in README.txt.</p>
</body></html>
"""

_env = Environment(autoescape=False, keep_trailing_newline=True)  # noqa: S701 (plain text)
_html = Environment(autoescape=True)


def readme_text(manifest: dict[str, Any], fingerprint: str) -> str:
    return _env.from_string(_README).render(
        m=manifest,
        fingerprint=fingerprint,
        commands=VERIFY_COMMANDS,
        manifest=MANIFEST.ljust(10),
        signature=SIGNATURE.ljust(10),
        public_key=PUBLIC_KEY.ljust(10),
        sums=SUMS.ljust(10),
    )


def index_html(manifest: dict[str, Any]) -> str:
    facts = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    return _html.from_string(_INDEX).render(m=manifest, facts=facts)
