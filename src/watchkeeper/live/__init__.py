"""Live video: the recorder's packets to the browser as fMP4 over a WebSocket."""
