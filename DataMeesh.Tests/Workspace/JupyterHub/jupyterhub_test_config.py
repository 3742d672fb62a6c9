"""The workspace's own platform/jupyterhub/jupyterhub_config.py, as the image runs it, on Debian's JupyterHub in a test.

Only what a test machine needs differs, each for a stated reason: logins through the REST API (Debian's 3.0 has no
shared-password authenticator), ports of the test's own, no dbt-docs service (no dbt here), a driver service whose token
may start servers, and a stand-in for JupyterLab (stand_in_server.py) that runs with the environment the hub gives it.
"""

import os
import sys

c = get_config()  # noqa: F821
platform_config = os.environ["DATAMEESH_HUB_CONFIG"]
exec(compile(open(platform_config).read(), platform_config, "exec"))  # noqa: S102

c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['DATAMEESH_TEST_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['DATAMEESH_TEST_HUB_API_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['DATAMEESH_TEST_PROXY_API_PORT']}"
c.JupyterHub.services = [{"name": "test-driver", "api_token": os.environ["DATAMEESH_TEST_DRIVER_TOKEN"]}]
c.JupyterHub.load_roles.append({"name": "test-driver", "scopes": ["servers", "read:users"], "services": ["test-driver"]})
c.Spawner.cmd = [sys.executable, os.environ["DATAMEESH_TEST_STAND_IN"]]
if os.environ.get("DATAMEESH_STAND_IN_NOTEBOOK"):
    c.Spawner.environment["DATAMEESH_STAND_IN_NOTEBOOK"] = os.environ["DATAMEESH_STAND_IN_NOTEBOOK"]
