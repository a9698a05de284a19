"""``python -m watchkeeper.simulate CONFIG.json [READY_FILE]``: the rig process itself.

:class:`watchkeeper.simulate.rig.Rig` and the CLI start the rig through this entry so that
GStreamer runs in its own process: its CPU can be measured alone, and a crash in a pipeline
cannot take a test runner down with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from watchkeeper.simulate.config import RigConfig
from watchkeeper.simulate.server import RigServer


def main(argv: list[str]) -> int:
    config = RigConfig.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    ready = Path(argv[1]) if len(argv) > 1 else None
    server = RigServer(config)
    server.build()
    server.start()
    server.run(ready, announce=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
