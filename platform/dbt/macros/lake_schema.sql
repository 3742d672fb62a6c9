{#
  dbt creates the schemas it needs before any model (and before on-run-start hooks) runs. Overriding the Trino
  adapter's create_schema is therefore the one place where every schema in the hive catalog gets a location in the lake
  bucket; without it the metastore would choose its own warehouse directory.
#}
{% macro trino__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    create schema if not exists {{ relation.without_identifier() }}{{ lake_location_clause(relation) }}
  {%- endcall -%}
{%- endmacro %}

{% macro lake_location_clause(relation) -%}
  {%- if relation.database | lower == 'hive' -%}
    {{ " " }}with (location = 's3a://{{ var('datalake_bucket') }}/{{ relation.schema | lower }}/')
  {%- endif -%}
{%- endmacro %}

{#
  Schemas are named exactly as configured (analytics) rather than dbt's default <target>_<custom>, so Grafana
  and notebooks find the mart at hive.analytics.mart_customer_journey whoever built it.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
