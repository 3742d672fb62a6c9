"""Serves the team's dbt docs on DBT_DOCS_PORT (8084), regenerating them from the shared project every few minutes, and
the executive report as a PDF at /reports/executive.pdf, rendered from Trino on each request (executive_report.py).

`dbt docs generate` needs Trino, which may start after the hub; until the first generation succeeds, the page says so.
Run by JupyterHub as a managed service (jupyterhub_config.py), as the Trino user `dbt`; the report reads as `grafana`.
"""

import html
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import executive_report

PORT = int(os.environ.get("DBT_DOCS_PORT", "8084"))
PROJECT = Path(os.environ.get("DBT_DOCS_PROJECT", "/opt/datameesh/templates/home/dbt"))
SITE = Path(os.environ.get("DBT_DOCS_SITE", "/srv/dbt-docs"))
REFRESH_SECONDS = int(os.environ.get("DBT_DOCS_REFRESH_SECONDS", "600"))
RETRY_SECONDS = 30
PUBLISHED = ("index.html", "manifest.json", "catalog.json")
REPORT_PATH = "/reports/executive.pdf"
# One report at a time: each is a dozen Trino queries and two matplotlib pages; a burst of clicks waits its turn.
REPORT_LOCK = threading.Lock()


def placeholder(message):
    SITE.mkdir(parents=True, exist_ok=True)
    (SITE / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=30><title>dbt docs</title>"
        f"<h1>dbt docs are being generated</h1><p>{html.escape(message)}</p>"
        "<p>In JupyterLab you can always run <code>cd ~/dbt &amp;&amp; dbt docs generate</code> yourself.</p>"
    )


def generate():
    """One `dbt docs generate` in a scratch copy of the project; publishes the result only when it succeeded."""
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
        environment = {**os.environ, "DBT_PROFILES_DIR": str(project)}
        result = subprocess.run(["dbt", "docs", "generate", "--project-dir", str(project)], cwd=project, env=environment,
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            return (result.stdout + result.stderr).strip().splitlines()[-1:] or ["dbt docs generate failed"]
        for name in PUBLISHED:
            shutil.copy2(project / "target" / name, SITE / (name + ".new"))
            os.replace(SITE / (name + ".new"), SITE / name)
    return None


def keep_generating():
    published = False
    while True:
        try:
            problem = generate()
        except Exception as error:  # a failed round must not stop the service; the next round retries
            problem = [str(error)]
        if problem:
            print("dbt-docs: " + " ".join(problem), file=sys.stderr, flush=True)
            if not published:
                placeholder("Last attempt: " + " ".join(problem))
        published = published or not problem
        time.sleep(REFRESH_SECONDS if published else RETRY_SECONDS)


class SiteHandler(SimpleHTTPRequestHandler):
    """The generated dbt docs as files, and the executive report rendered on request."""

    def do_GET(self):
        if self.path.split("?", 1)[0] == REPORT_PATH:
            self.send_report()
        else:
            super().do_GET()

    def send_report(self):
        try:
            with REPORT_LOCK:
                pdf = executive_report.build()
        except Exception as error:  # Trino down or starting: say so in our words, keep the details in the log
            print(f"dbt-docs: executive report failed: {error}", file=sys.stderr, flush=True)
            self.send_text(503, "The executive report cannot be built right now: Trino did not answer. "
                                "It may still be starting; try again in a minute.")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Disposition",
                         f'inline; filename="datameesh-executive-report-{datetime.now(timezone.utc):%Y-%m-%d}.pdf"')
        self.send_header("Content-Length", str(len(pdf)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(pdf)

    def send_text(self, status, message):
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "60")
        self.end_headers()
        self.wfile.write(body)


def main():
    placeholder("Waiting for Trino.")
    threading.Thread(target=keep_generating, daemon=True).start()
    server = ThreadingHTTPServer(("0.0.0.0", PORT), partial(SiteHandler, directory=str(SITE)))
    print(f"dbt-docs: serving {SITE} on port {PORT}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
