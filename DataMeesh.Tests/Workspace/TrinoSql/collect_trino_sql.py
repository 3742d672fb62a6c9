"""Every statement the workspace sends to Trino, as JSON on stdout: [{"origin": ..., "kind": ..., "sql": ...}].

Usage: collect_trino_sql.py PLATFORM_DIR

- notebooks: the SQL of every trino_query(...) call, of read_sql(conn, ...) on a connection from trino_conn(), and of
  cursor.execute(...) on a cursor of such a connection; a literal or a name bound to a literal. SQL the collector cannot see statically (an f-string, a computed name) is
  reported as kind "unresolved", so a check fails rather than skipping it.
- dbt: every model with its Jinja rendered by Jinja2 from the project's own sources (their database and schema) and
  refs (the profile's catalog and the schema dbt_project.yml gives the models), plus the create-schema statement the
  project's macro sends for the lake schema.
- Grafana: every panel target and every query variable on a datasource of type trino-datasource, Grafana's time macros
  replaced by timestamps and the dashboard's own variables by their "All" value (or their current one).
- reports: every module-level *_SQL string constant of platform/jupyterhub/executive_report.py (the PDF report's queries).
"""

import ast
import json
import re
import sys
from pathlib import Path

import jinja2
import yaml

TRINO_DATASOURCE_TYPE = "trino-datasource"


def notebook_statements(platform):
    statements = []
    for path in sorted((platform / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = [(index, ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                               for line in "".join(cell["source"]).splitlines()), filename=f"{path.name} cell {index}"))
                 for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"]
        # Names bound to a SQL literal or a Trino connection anywhere in the notebook (cells share one namespace).
        literals, trino_connections, trino_cursors = {}, set(), set()
        for _, tree in cells:
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    name = node.targets[0].id
                    if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                        literals[name] = node.value.value
                    elif isinstance(node.value, ast.Call) and call_name(node.value) == "trino_conn":
                        trino_connections.add(name)
        for _, tree in cells:
            for node in ast.walk(tree):
                # cursor = connection.cursor() on a Trino connection
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                        and isinstance(node.value, ast.Call) and call_name(node.value) == "cursor" \
                        and isinstance(node.value.func, ast.Attribute) and is_trino_connection(node.value.func.value, trino_connections):
                    trino_cursors.add(node.targets[0].id)
        for index, tree in cells:
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                sql_argument = None
                if call_name(node) == "trino_query" and node.args:
                    sql_argument = node.args[0]
                elif call_name(node) == "read_sql" and len(node.args) >= 2 and is_trino_connection(node.args[0], trino_connections):
                    sql_argument = node.args[1]
                elif call_name(node) == "execute" and node.args and isinstance(node.func, ast.Attribute) \
                        and isinstance(node.func.value, ast.Name) and node.func.value.id in trino_cursors:
                    sql_argument = node.args[0]
                if sql_argument is None:
                    continue
                origin = f"platform/notebooks/{path.name} cell {index} line {node.lineno}"
                if isinstance(sql_argument, ast.Constant) and isinstance(sql_argument.value, str):
                    statements.append({"origin": origin, "kind": "notebook", "sql": sql_argument.value})
                elif isinstance(sql_argument, ast.Name) and sql_argument.id in literals:
                    statements.append({"origin": f"{origin} ({sql_argument.id})", "kind": "notebook", "sql": literals[sql_argument.id]})
                else:
                    statements.append({"origin": origin, "kind": "unresolved", "sql": ast.unparse(sql_argument)})
    return statements


def call_name(call):
    function = call.func
    return function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else None


def is_trino_connection(argument, trino_connections):
    return (isinstance(argument, ast.Name) and argument.id in trino_connections) or (
        isinstance(argument, ast.Call) and call_name(argument) == "trino_conn")


class Relation:
    """What dbt's relation objects offer the project's macros."""

    def __init__(self, database, schema, identifier=None):
        self.database, self.schema, self.identifier = database, schema, identifier

    def without_identifier(self):
        return Relation(self.database, self.schema)

    def __str__(self):
        return ".".join(part for part in (self.database, self.schema, self.identifier) if part)


def dbt_statements(platform):
    dbt = platform / "dbt"
    project = yaml.safe_load((dbt / "dbt_project.yml").read_text(encoding="utf-8"))
    profile = yaml.safe_load((dbt / "profiles.yml").read_text(encoding="utf-8"))[project["profile"]]
    target = profile["outputs"][profile["target"]]
    # generate_schema_name (macros/lake_schema.sql) uses the configured schema as is.
    model_schema = project["models"][project["name"]].get("+schema", target["schema"])
    variables = {"datalake_bucket": "datalake"}  # the default of dbt_project.yml's env_var('DATALAKE_BUCKET', 'datalake')

    sources = {}
    for path in sorted((dbt / "models").rglob("*.yml")):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources", []):
            for table in source.get("tables", []):
                sources[(source["name"], table["name"])] = Relation(
                    source.get("database", source["name"]), source.get("schema", "public"), table.get("identifier", table["name"]))
    models = {path.stem: path for path in (dbt / "models").rglob("*.sql")}

    def source(source_name, table_name):
        if (source_name, table_name) not in sources:
            raise jinja2.UndefinedError(f"source('{source_name}', '{table_name}') is not declared in a sources file")
        return str(sources[(source_name, table_name)])

    def ref(model_name):
        if model_name not in models:
            raise jinja2.UndefinedError(f"ref('{model_name}') names no model of the project")
        return str(Relation(target["catalog"], model_schema, model_name))

    def env_var(name, default=None):
        if default is None:
            raise jinja2.UndefinedError(f"env_var('{name}') has no default")
        return default

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    context = {"source": source, "ref": ref, "var": variables.__getitem__, "env_var": env_var, "config": lambda *a, **k: "",
               "target": {"name": profile["target"], "schema": target["schema"], "database": target["catalog"]},
               "is_incremental": lambda: False}

    statements = []
    for name, path in sorted(models.items()):
        try:
            sql = environment.from_string(path.read_text(encoding="utf-8")).render(**context)
            statements.append({"origin": str(path.relative_to(platform.parent)), "kind": "dbt", "sql": sql})
        except jinja2.TemplateError as error:
            statements.append({"origin": str(path.relative_to(platform.parent)), "kind": "unresolved", "sql": f"Jinja: {error}"})

    # The project's create_schema override: the statement dbt sends for the lake schema before building the models.
    sent = []

    def statement(name, caller=None, **_):
        sent.append(caller())
        return ""

    for path in sorted((dbt / "macros").glob("*.sql")):
        module = environment.from_string(path.read_text(encoding="utf-8"), globals={**context, "statement": statement}).module
        create_schema = getattr(module, "trino__create_schema", None)
        if create_schema is not None:
            create_schema(Relation(target["catalog"], model_schema, "any_model"))
            statements.extend({"origin": f"{path.relative_to(platform.parent)} (trino__create_schema)", "kind": "dbt", "sql": sql}
                              for sql in sent)
            sent.clear()
    return statements


def variable_values(dashboard):
    """Each template variable of a dashboard and the value Grafana sends on opening it: its "All" value, else its current one."""
    values = {}
    for variable in (dashboard.get("templating") or {}).get("list", []):
        current = (variable.get("current") or {}).get("value")
        value = variable.get("allValue") if variable.get("includeAll") and variable.get("allValue") else current
        values[variable["name"]] = value[0] if isinstance(value, list) else value
    return values


def substitute_variables(sql, values):
    """${name}, ${name:sqlstring} and $name as Grafana writes them; sqlstring quotes the value as a SQL string literal."""
    def replace(match):
        name, option = match.group(1) or match.group(3), match.group(2)
        if name not in values or values[name] is None:
            return match.group(0)
        value = str(values[name])
        return "'" + value.replace("'", "''") + "'" if option == "sqlstring" else value
    return re.sub(r"\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)", replace, sql)


def grafana_statements(platform):
    time_filter = re.compile(r"\$__timeFilter\(([^)]+)\)")
    start, end = "TIMESTAMP '2026-01-01 00:00:00 UTC'", "TIMESTAMP '2026-12-31 00:00:00 UTC'"
    statements = []

    def add(origin, sql, values):
        sql = time_filter.sub(lambda m: f"{m.group(1)} BETWEEN {start} AND {end}", sql)
        sql = substitute_variables(sql.replace("$__timeFrom()", start).replace("$__timeTo()", end), values)
        statements.append({"origin": origin, "kind": "unresolved" if "$" in sql else "grafana", "sql": sql})

    for path in sorted((platform / "grafana" / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        values = variable_values(dashboard)
        for variable in (dashboard.get("templating") or {}).get("list", []):
            if variable.get("type") == "query" and (variable.get("datasource") or {}).get("type") == TRINO_DATASOURCE_TYPE:
                query = variable.get("query")
                add(f"platform/grafana/dashboards/{path.name} / variable {variable['name']}",
                    query.get("query", "") if isinstance(query, dict) else query or "", values)
        panels = [panel for row in dashboard.get("panels", []) for panel in [row, *row.get("panels", [])]]
        for panel in panels:
            for target in panel.get("targets", []):
                if (target.get("datasource") or {}).get("type") != TRINO_DATASOURCE_TYPE:
                    continue
                add(f"platform/grafana/dashboards/{path.name} / {panel.get('title')} / {target.get('refId')}",
                    target.get("rawSQL") or target.get("rawSql") or "", values)
    return statements


def report_statements(platform):
    """The PDF report's queries: module-level string constants named *_SQL (anything else the report sends is a defect)."""
    path = platform / "jupyterhub" / "executive_report.py"
    if not path.exists():
        return []
    statements = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id.endswith("_SQL"):
            origin = f"platform/jupyterhub/{path.name} {node.targets[0].id}"
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                statements.append({"origin": origin, "kind": "report", "sql": node.value.value})
            else:
                statements.append({"origin": origin, "kind": "unresolved", "sql": ast.unparse(node.value)})
    return statements


if __name__ == "__main__":
    root = Path(sys.argv[1]).resolve()
    json.dump(notebook_statements(root) + dbt_statements(root) + grafana_statements(root) + report_statements(root), sys.stdout, indent=1)
