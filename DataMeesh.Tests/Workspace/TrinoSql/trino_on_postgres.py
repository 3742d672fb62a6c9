"""Test only: a notebook's Trino statements on the test server's mesh database (DataMeesh.Tests/Workspace/MeshOnPostgres.cs).

Trino cannot run on the project's machines. Loaded as an IPython startup file, this replaces datameesh.trino_conn (which
trino_query uses too) with a connection to the mesh database (MESH_PG_DSN), where the domains' tables are the schemas
sales and marketing and the lake's schemas are hive_<schema>. Each statement runs as the notebook wrote it, after the
rewrites MeshOnPostgres states: catalog.schema.table names to schema.table, the Hive table properties of CREATE
statements (WITH (format = ..., external_location = ...)) dropped, Trino's ? parameters as psycopg2's %s.
"""

import os
import re

import psycopg2

import datameesh

DOMAIN_NAME = re.compile(r"\b(sales|marketing)\.public\.")
LAKE_NAME = re.compile(r"\bhive\.(\w+)\.")
LAKE_SCHEMA = re.compile(r"\bhive\.(\w+)\b")
CREATE = re.compile(r"^\s*CREATE\s+(TABLE|SCHEMA)\b", re.IGNORECASE)
HIVE_PROPERTIES = re.compile(r"\s*\bWITH\s*\((?:[^()']|'[^']*'|\([^()]*\))*\)\s*$", re.IGNORECASE)


def to_postgres(sql, has_parameters):
    sql = LAKE_NAME.sub(r"hive_\1.", DOMAIN_NAME.sub(r"\1.", sql.strip().rstrip(";")))
    if CREATE.match(sql):
        sql = LAKE_SCHEMA.sub(r"hive_\1", HIVE_PROPERTIES.sub("", sql))
    return sql.replace("%", "%%").replace("?", "%s") if has_parameters else sql


class Cursor:
    def __init__(self, cursor):
        self._cursor = cursor

    @property
    def description(self):
        return self._cursor.description

    def execute(self, sql, params=None):
        self._cursor.execute(to_postgres(sql, params is not None), params)

    def fetchall(self):
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def close(self):
        self._cursor.close()


class Connection:
    def __init__(self):
        self._connection = psycopg2.connect(os.environ["MESH_PG_DSN"], application_name="datameesh-notebook-test")
        self._connection.autocommit = True

    def cursor(self):
        return Cursor(self._connection.cursor())

    def close(self):
        self._connection.close()


datameesh.trino_conn = lambda catalog=None, schema=None: Connection()
