"""Stands in for JupyterLab in a user's server that Debian's JupyterHub spawns in the tests (DebianJupyterHub.cs).

It runs with exactly the environment the hub's configuration gives a user's server (platform/jupyterhub), answers the
hub's "is it up?" probe, then does what a user would: asks datameesh.api_token() for a token (result, with the
server's own hub token, in ~/stand-in-token.json) and, when DATAMEESH_STAND_IN_NOTEBOOK names one, runs that notebook from the user's home headless
(~/executed/<notebook>, result in ~/stand-in-notebook.json). It then serves until the hub stops it.
"""

import http.server
import json
import os
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse


class Up(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"stand-in for JupyterLab")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", urlparse(os.environ["JUPYTERHUB_SERVICE_URL"]).port), Up)
threading.Thread(target=server.serve_forever, daemon=True).start()
home = Path(os.environ["HOME"])


def write(name, value):
    partial = home / (name + ".partial")
    partial.write_text(json.dumps(value))
    partial.rename(home / name)  # whole or absent: the test polls for it


import datameesh  # noqa: E402 (after the probe answers, so a slow import cannot fail the spawn)

# The server's own hub token too, so the test can show the token service stops honouring it once the server stops.
hub_token = os.environ["JUPYTERHUB_API_TOKEN"]
try:
    write("stand-in-token.json", {"token": datameesh.api_token(), "hubToken": hub_token})
except Exception as error:  # noqa: BLE001 (the test shows whatever went wrong)
    write("stand-in-token.json", {"error": f"{type(error).__name__}: {error}", "hubToken": hub_token})

notebook = os.environ.get("DATAMEESH_STAND_IN_NOTEBOOK")
if notebook:
    run = subprocess.run(
        ["/usr/bin/jupyter", "nbconvert", "--to", "notebook", "--execute", str(home / notebook),
         "--output-dir", str(home / "executed"), "--ExecutePreprocessor.timeout=300"],
        capture_output=True, text=True, cwd=home)
    write("stand-in-notebook.json", {"exitCode": run.returncode, "stdout": run.stdout, "stderr": run.stderr})

threading.Event().wait()
