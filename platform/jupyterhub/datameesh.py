"""Connections to the DataMeesh platform for notebooks: ``from datameesh import trino_conn, domain_conn``.

Everything comes from environment variables the hub passes to each user's server (see platform/README.md), so notebooks
hold no host names and no passwords. Trino queries run as the hub user, so Trino's per-domain access rules apply.
"""

import os
from pathlib import Path

DOMAINS = ("sales", "marketing")
TRINO_CATALOGS = ("sales", "marketing", "hive")


class MissingSetting(RuntimeError):
    """An environment variable the platform should have set is missing."""


def setting(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise MissingSetting(
            f"Environment variable {name} is not set. The hub passes it to your server; restart your server from "
            "File > Hub Control Panel, or ask the platform team to set it on the jupyterhub container."
        )
    return value


def trino_user():
    """The hub user: Trino's access rules (platform/trino) decide per domain what this user may read and write."""
    return os.environ.get("JUPYTERHUB_USER") or setting("TRINO_USER")


def trino_conn(catalog=None, schema=None):
    """A DB-API connection to Trino as the logged-in hub user."""
    import trino  # imported here so notebooks that only use PostgreSQL do not need the Trino client

    return trino.dbapi.connect(
        host=setting("TRINO_HOST"),
        port=int(setting("TRINO_PORT", "8080")),
        user=trino_user(),
        catalog=catalog,
        schema=schema,
        http_scheme=os.environ.get("TRINO_HTTP_SCHEME", "http"),
        source="datameesh-notebook",
    )


def domain_settings(domain):
    """Connection settings of a domain's PostgreSQL (read-only role), from <DOMAIN>_PG_* variables; no password."""
    if domain not in DOMAINS:
        raise ValueError(f"Unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    prefix = domain.upper() + "_PG_"
    return {
        "host": setting(prefix + "HOST"),
        "port": int(setting(prefix + "PORT", "5432")),
        "dbname": setting(prefix + "DB", domain),
        "user": setting(prefix + "USER"),
    }


def domain_conn(domain):
    """A psycopg2 connection to a domain's PostgreSQL as its read-only role; numeric columns arrive as float."""
    import psycopg2
    import psycopg2.extensions

    connection = psycopg2.connect(
        password=os.environ.get(domain.upper() + "_PG_PASSWORD"),
        application_name="datameesh-notebook",
        **domain_settings(domain),
    )
    # Decimal objects make pandas columns of dtype object, which plotting and scikit-learn reject.
    numeric_as_float = psycopg2.extensions.new_type(
        psycopg2.extensions.DECIMAL.values, "DATAMEESH_NUMERIC", lambda value, _: None if value is None else float(value)
    )
    psycopg2.extensions.register_type(numeric_as_float, connection)
    connection.set_session(readonly=True, autocommit=True)
    return connection


def read_sql(connection, sql, params=None):
    """Runs a query on any DB-API connection (psycopg2 or Trino) and returns a pandas DataFrame."""
    import pandas as pd

    cursor = connection.cursor()
    try:
        cursor.execute(sql, params) if params is not None else cursor.execute(sql)
        rows = cursor.fetchall()
        columns = [column[0] for column in cursor.description]
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=columns)


def trino_query(sql, catalog=None, schema=None):
    """One Trino query as a DataFrame, on a connection that is closed afterwards."""
    connection = trino_conn(catalog, schema)
    try:
        return read_sql(connection, sql)
    finally:
        connection.close()


def api_url(domain, path=""):
    """URL of a domain's data-product API (SALES_API_URL, MARKETING_API_URL), e.g. api_url('sales', '/datasets')."""
    if domain not in DOMAINS:
        raise ValueError(f"Unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    base = setting(domain.upper() + "_API_URL").rstrip("/")
    return base + "/" + path.lstrip("/") if path else base


class TokenUnavailable(RuntimeError):
    """No API token could be had: the message says why and what to do."""


# The platform token of this server's user, reused until shortly before it expires.
_api_token = {"value": None, "expires": 0.0}


def api_token(domain=None):
    """A bearer token both data-product APIs accept, for the logged-in hub user.

    The token service (DATAMEESH_TOKEN_URL) exchanges this server's own JUPYTERHUB_API_TOKEN for a short-lived token
    with the roles the user's hub groups grant (every user reads; a domain's team may also write it and run its quality
    checks). Reused until a minute before it expires. Outside the hub, DATAMEESH_API_TOKEN (e.g. from
    ``DataMeesh.TokenService token``) is used as it is. None when neither is configured; TokenUnavailable when the
    exchange is refused. ``domain`` is accepted for older notebooks: one token reads every domain."""
    import json
    import time
    import urllib.error
    import urllib.request

    if domain is not None and domain not in DOMAINS:
        raise ValueError(f"Unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
    given = os.environ.get("DATAMEESH_API_TOKEN")
    if given:
        return given
    service, hub_token = os.environ.get("DATAMEESH_TOKEN_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not service or not hub_token:
        return None
    if _api_token["value"] and time.time() < _api_token["expires"] - 60:
        return _api_token["value"]

    request = urllib.request.Request(service.rstrip("/") + "/tokens/jupyterhub", data=b"", method="POST",
                                     headers={"Authorization": f"Bearer {hub_token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            issued = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", errors="replace")
        try:
            body = json.loads(body).get("detail") or body
        except (ValueError, AttributeError):
            pass
        raise TokenUnavailable(f"The token service refused this server's hub token ({error.code}): {str(body)[:300]}") from None
    except urllib.error.URLError as error:
        raise TokenUnavailable(f"The token service ({service}) is not reachable: {error.reason}") from None
    _api_token.update(value=issued["accessToken"], expires=time.time() + issued["expiresIn"])
    return issued["accessToken"]


def lake_bucket():
    return setting("DATALAKE_BUCKET", "datalake")


def lake_location(*parts):
    """An s3a:// location in the lake bucket, e.g. lake_location('analytics') for a Hive schema."""
    return "s3a://" + "/".join([lake_bucket(), *[part.strip("/") for part in parts]]) + "/"


def output_dir():
    """Where notebooks save figures and exports (DATAMEESH_OUTPUT_DIR, default ~/outputs); created if missing."""
    directory = Path(os.environ.get("DATAMEESH_OUTPUT_DIR") or Path.home() / "outputs")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def top_with_rest(frame, label, by, n=10, other="Other"):
    """The n rows of ``frame`` with the largest ``by`` and one more row summing the numeric columns of all the others,
    labelled e.g. "Other (391)": a chart of the result has at most n + 1 bars or series whatever the data's size.
    Ratios are not sums: recompute them from the summed columns afterwards."""
    import pandas as pd

    ordered = frame.sort_values([by, label], ascending=[False, True])
    top, rest = ordered.head(n), ordered.iloc[n:]
    if rest.empty:
        return top.reset_index(drop=True)
    grouped = {column: rest[column].sum() for column in rest.select_dtypes("number").columns}
    grouped[label] = f"{other} ({len(rest)})"
    return pd.concat([top, pd.DataFrame([grouped])], ignore_index=True)


def format_money(value):
    """Dollars in the unit that keeps the number short: $950, $12.3K, $4.5M, $2M, -$1.2B."""
    sign, value = ("-" if value < 0 else ""), abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= limit:
            scaled = value / limit
            return f"{sign}${scaled:,.0f}{suffix}" if round(scaled, 1) == round(scaled) else f"{sign}${scaled:,.1f}{suffix}"
    return f"{sign}${value:,.0f}"


def money_axis(axis):
    """Labels a matplotlib axis (``ax.yaxis`` or ``ax.xaxis``) in dollars, $K/$M/$B as the values need."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: format_money(value)))


def describe_environment():
    """What this server is wired to, without secrets: one row per data source or tool."""
    def configured(*names):
        values = [os.environ.get(name) for name in names]
        return ":".join(value for value in values if value) if all(values) else "not configured"

    rows = [
        ("Trino", "catalogs " + ", ".join(TRINO_CATALOGS), configured("TRINO_HOST", "TRINO_PORT"), "trino_conn()"),
        ("Sales PostgreSQL", "database sales (read-only)", configured("SALES_PG_HOST", "SALES_PG_PORT"), "domain_conn('sales')"),
        ("Marketing PostgreSQL", "database marketing (read-only)", configured("MARKETING_PG_HOST", "MARKETING_PG_PORT"),
         "domain_conn('marketing')"),
        ("Lake", "bucket " + os.environ.get("DATALAKE_BUCKET", "datalake"), configured("S3_ENDPOINT"), "hive catalog in Trino"),
        ("Sales API", "datasets, contracts, quality", configured("SALES_API_URL"), "api_url('sales')"),
        ("Marketing API", "datasets, contracts, quality", configured("MARKETING_API_URL"), "api_url('marketing')"),
        ("API token", "for you, with your hub groups' roles", configured("DATAMEESH_TOKEN_URL"), "api_token()"),
    ]
    return [dict(zip(("source", "what", "where", "from a notebook"), row)) for row in rows]
