"""JupyterHub for DataMeesh: one container, users' servers as local processes, logins with the AppHost's secret passwords.

Every setting that differs between environments comes from the container's environment (platform/README.md).
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

TEMPLATES = Path(os.environ.get("DATAMEESH_TEMPLATES", "/opt/datameesh/templates/home"))
HOMES = os.environ.get("DATAMEESH_HOMES", "/home/jovyan/users")
DATA = Path(os.environ.get("DATAMEESH_HUB_DATA", "/srv/jupyterhub/data"))

ADMINS = {"admin"}
# Hub user = Trino user: Trino's groups give analyst cross-domain read, alice sales, bob marketing (platform/trino).
GROUPS = {"platform": ["admin"], "analysts": ["analyst"], "sales": ["alice"], "marketing": ["bob"]}

# What a user's server may see. Lake keys are deliberately absent: notebooks reach the lake through Trino's hive
# catalog, where the per-user rules apply.
PASS_THROUGH = (
    "TRINO_HOST", "TRINO_PORT", "TRINO_HTTP_SCHEME",
    "SALES_PG_HOST", "SALES_PG_PORT", "SALES_PG_DB", "SALES_PG_USER", "SALES_PG_PASSWORD",
    "MARKETING_PG_HOST", "MARKETING_PG_PORT", "MARKETING_PG_DB", "MARKETING_PG_USER", "MARKETING_PG_PASSWORD",
    "S3_ENDPOINT", "S3_REGION", "DATALAKE_BUCKET",
    "SALES_API_URL", "MARKETING_API_URL", "DATAMEESH_TOKEN_URL",
)


def required(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"jupyterhub: environment variable {name} is not set (the AppHost passes it from a secret parameter)")
    return value


def passed_through():
    return {name: os.environ[name] for name in PASS_THROUGH if os.environ.get(name)}


DATA.mkdir(parents=True, exist_ok=True)
c.JupyterHub.bind_url = "http://:8000"
c.JupyterHub.db_url = f"sqlite:///{DATA / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DATA / "jupyterhub_cookie_secret")

# Logins: one password for analysts, another (at least 32 characters) for the admin.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = required("HUB_USER_PASSWORD")
c.SharedPasswordAuthenticator.admin_password = required("HUB_ADMIN_PASSWORD")
c.Authenticator.admin_users = ADMINS
c.Authenticator.allowed_users = {user for users in GROUPS.values() for user in users} - ADMINS
# The list form: every JupyterHub release reads it (the {"users": [...]} form needs 3.2 or later).
c.JupyterHub.load_groups = {group: list(users) for group, users in GROUPS.items()}

# API tokens: no signing key and no API token is in the hub's environment, since every user's server runs as this
# container's one user and could read it. Instead the token service (DATAMEESH_TOKEN_URL) takes a server's own
# JUPYTERHUB_API_TOKEN, asks the hub whose it is (GET /hub/api/user always names the owner and their groups, whatever
# the token's other scopes), and issues a short-lived API token with the roles those groups grant (datameesh.api_token()).

# All users' servers run as this container's user, each in its own home (a dev setup; Kubernetes uses KubeSpawner).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = HOMES + "/{username}"
c.Spawner.default_url = "/lab/tree/00-welcome.ipynb"
c.Spawner.environment = {
    **passed_through(),
    # Callables receive the spawner: dbt finds profiles.yml in the user's own copy of the project.
    "DBT_PROFILES_DIR": lambda spawner: os.path.join(spawner.home_dir, "dbt"),
    "DATAMEESH_OUTPUT_DIR": lambda spawner: os.path.join(spawner.home_dir, "outputs"),
}


def copy_missing(source: Path, destination: Path):
    """Copies the shared notebooks and dbt project, file by file, only where the user has no file yet: a user's edits
    survive restarts, and notebooks added to the image later still arrive."""
    for path in source.rglob("*"):
        target = destination / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def prepare_home(spawner):
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    if TEMPLATES.is_dir():
        copy_missing(TEMPLATES, home)
    else:
        spawner.log.warning("No workspace templates at %s; %s starts with an empty home", TEMPLATES, spawner.user.name)


c.Spawner.pre_spawn_hook = prepare_home

# The team's dbt docs on port 8084, regenerated from the shared project while the hub runs.
c.JupyterHub.services = [
    {
        "name": "dbt-docs",
        "command": [sys.executable, os.environ.get("DBT_DOCS_SERVICE", "/opt/datameesh/dbt_docs_service.py")],
        "environment": {
            **passed_through(),
            "TRINO_USER": "dbt",
            "DBT_DOCS_PORT": os.environ.get("DBT_DOCS_PORT", "8084"),
            "DBT_DOCS_PROJECT": str(TEMPLATES / "dbt"),
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        },
    }
]
