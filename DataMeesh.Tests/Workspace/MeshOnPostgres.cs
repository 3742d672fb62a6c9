using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// What Trino shows the workspace, rebuilt on the test server because Trino cannot run on this machine: one PostgreSQL
/// database where the seeded domains' public schemas are the foreign schemas <c>sales</c> and <c>marketing</c>
/// (postgres_fdw: the very tables and views Trino's catalogs read) and every dbt model, as the collector renders it for
/// Trino, is a view in <c>hive_analytics</c>, created in ref order. A Trino statement runs here after one rewrite, of its
/// names only (<see cref="ToPostgres"/>): <c>sales.public.orders</c> becomes <c>sales.orders</c>, <c>hive.analytics.x</c>
/// becomes <c>hive_analytics.x</c>. Everything else must be SQL both engines accept, plus the two Trino functions defined
/// here (date_diff in days, count_if), so what runs is the statement Trino receives, not a translation of it. Trino itself
/// runs these statements end to end in DataMeesh.AppHost.Tests where its image exists.
/// </summary>
internal sealed partial class MeshOnPostgres
{
    private MeshOnPostgres(string connectionString) => ConnectionString = connectionString;

    /// <summary>The mesh database, as the test server's superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>The mesh database as libpq connection settings, for Python's psycopg2 (TrinoSql/trino_on_postgres.py reads MESH_PG_DSN).</summary>
    public string Dsn
    {
        get
        {
            var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"host={connection.Host} port={connection.Port} dbname={connection.Database} user={connection.Username}"
                   + (string.IsNullOrEmpty(connection.Password) ? "" : $" password={connection.Password}");
        }
    }

    /// <summary>The lake schemas the workspace writes to (hive.sales for the churn predictions) besides dbt's.</summary>
    public static readonly string[] LakeSchemas = ["analytics", "sales", "marketing"];

    public static async Task<MeshOnPostgres> CreateAsync(MigratedDatabases domains)
    {
        var admin = await PostgresServer.GetAdminConnectionStringAsync();
        var mesh = new MeshOnPostgres(PostgresServer.NewDatabaseConnectionString(admin, "mesh"));
        var database = new NpgsqlConnectionStringBuilder(mesh.ConnectionString).Database!;
        await MigratedDatabases.ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"");

        var server = new NpgsqlConnectionStringBuilder(admin);
        var setup = new List<string> { "CREATE EXTENSION postgres_fdw" };
        foreach (var domain in new[] { ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase })
        {
            var target = new NpgsqlConnectionStringBuilder(domains.ConnectionString(domain));
            var password = string.IsNullOrEmpty(server.Password) ? "" : $", password {Literal(server.Password)}";
            setup.Add($"CREATE SERVER {domain}_domain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host {Literal(target.Host!)}, port '{target.Port}', dbname {Literal(target.Database!)})");
            setup.Add($"CREATE USER MAPPING FOR CURRENT_USER SERVER {domain}_domain OPTIONS (user {Literal(server.Username!)}{password})");
            setup.Add($"CREATE SCHEMA {domain}");
            setup.Add($"IMPORT FOREIGN SCHEMA public FROM SERVER {domain}_domain INTO {domain}");
        }

        setup.AddRange(LakeSchemas.Select(schema => $"CREATE SCHEMA hive_{schema}"));
        setup.Add(TrinoFunctions);
        foreach (var statement in setup)
        {
            await MigratedDatabases.ExecuteAsync(mesh.ConnectionString, statement);
        }

        // What Trino's connector does not show is not here either: a statement reading such a column fails on the mesh as
        // it would in Trino (TrinoTypeMappingTests fails on any such column too; this keeps every statement honest).
        foreach (var domain in new[] { ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase })
        {
            foreach (var (relation, column) in await HiddenColumnsAsync(domains, domain))
            {
                await MigratedDatabases.ExecuteAsync(mesh.ConnectionString, $"ALTER FOREIGN TABLE {domain}.\"{relation}\" DROP COLUMN \"{column}\"");
            }
        }

        var models = await TrinoStatements.DbtModelsAsync();
        var project = DbtProject.Load();
        foreach (var model in InRefOrder(project))
        {
            await mesh.ExecuteAsync($"CREATE VIEW hive.analytics.{model} AS\n{models[model]}");
        }

        return mesh;
    }

    public async Task DropAsync()
    {
        foreach (var run in notebookRuns.Values)
        {
            Directory.Delete(run.Directory, recursive: true);
        }

        await PostgresServer.DropDatabaseAsync(ConnectionString);
    }

    private readonly Dictionary<string, NotebookRun> notebookRuns = [];

    /// <summary>A notebook executed headless against this mesh: its process, the executed copy and what it saved.</summary>
    public sealed record NotebookRun(ProcessResult Process, string Directory, string Executed, string Outputs)
    {
        public System.Text.Json.Nodes.JsonObject ExecutedNotebook => PlatformFiles.Json(Executed);

        public string[] Figures => System.IO.Directory.Exists(Outputs) ? System.IO.Directory.GetFiles(Outputs, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
    }

    /// <summary>
    /// Runs a workspace notebook headless with Debian's Jupyter, its Trino connections on this database
    /// (TrinoSql/trino_on_postgres.py, an IPython startup file); once per notebook and mesh.
    /// </summary>
    public async Task<NotebookRun> RunNotebookAsync(string notebook)
    {
        if (notebookRuns.TryGetValue(notebook, out var done))
        {
            return done;
        }

        await DebianPython.RequireAsync();
        var work = System.IO.Directory.CreateTempSubdirectory($"datameesh-{notebook}-").FullName;
        var startup = System.IO.Directory.CreateDirectory(Path.Combine(work, "ipython", "profile_default", "startup")).FullName;
        File.Copy(Path.Combine(TrinoGrammar.CheckerDirectory, "trino_on_postgres.py"), Path.Combine(startup, "00-trino-on-postgres.py"));
        var outputs = Path.Combine(work, "outputs");
        var environment = new Dictionary<string, string?>
        {
            ["PYTHONPATH"] = PlatformFiles.PathOf("jupyterhub"),
            ["IPYTHONDIR"] = Path.Combine(work, "ipython"),
            ["MESH_PG_DSN"] = Dsn,
            ["DATAMEESH_OUTPUT_DIR"] = outputs,
            ["MPLCONFIGDIR"] = Path.Combine(work, "matplotlib"),
            ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        var source = PlatformFiles.PathOf("notebooks", notebook + ".ipynb");
        var process = await ProcessResult.RunAsync(DebianPython.Jupyter,
            ["nbconvert", "--to", "notebook", "--execute", source, "--output-dir", work, "--ExecutePreprocessor.timeout=600"],
            environment, TimeSpan.FromMinutes(10), work);
        var run = new NotebookRun(process, work, Path.Combine(work, notebook + ".ipynb"), outputs);
        notebookRuns[notebook] = run;
        return run;
    }

    /// <summary>A Trino statement's names as PostgreSQL finds them here.</summary>
    public static string ToPostgres(string trinoSql) =>
        LakeName().Replace(DomainName().Replace(trinoSql, "$1."), "hive_$1.");

    /// <summary>A statement's result: column names, which columns are numeric (a chart's value axis), and the rows.</summary>
    public sealed record Result(List<string> Columns, List<bool> Numeric, List<object?[]> Rows)
    {
        public object? Value(int row, string column) => Rows[row][Columns.IndexOf(column)];

        /// <summary>Reads every row of <paramref name="reader"/>, SQL NULL as null.</summary>
        public static async Task<Result> ReadAsync(NpgsqlDataReader reader)
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var numeric = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetFieldType(i) is var t
                && (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(decimal) || t == typeof(double) || t == typeof(float))).ToList();
            return new Result(columns, numeric, await MigratedDatabases.ReadRowsAsync(reader));
        }
    }

    public async Task<Result> QueryAsync(string trinoSql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ToPostgres(trinoSql), connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await Result.ReadAsync(reader);
    }

    public async Task<T> ScalarAsync<T>(string trinoSql) => await MigratedDatabases.QueryScalarAsync<T>(ConnectionString, ToPostgres(trinoSql));

    public Task ExecuteAsync(string trinoSql) => MigratedDatabases.ExecuteAsync(ConnectionString, ToPostgres(trinoSql));

    /// <summary>The columns of the domain's published relations that Trino's catalog would skip (Platform/TrinoTypeMapping).</summary>
    internal static async Task<List<(string Relation, string Column)>> HiddenColumnsAsync(MigratedDatabases domains, string domain)
    {
        var mapping = Platform.TrinoTypeMapping.ForCatalog(domain);
        return (await domains.RowsAsync(domain, """
                SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typtype = 'e'
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                JOIN pg_type t ON t.oid = a.atttypid
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                """))
            .Where(r => mapping.Map((string)r[2]!, (bool)r[3]!).TrinoType is null)
            .Select(r => ((string)r[0]!, (string)r[1]!)).ToList();
    }

    /// <summary>Models after the models they ref, as dbt builds them.</summary>
    internal static List<string> InRefOrder(DbtProject project)
    {
        var ordered = new List<string>();
        void Visit(string model, HashSet<string> path)
        {
            if (ordered.Contains(model))
            {
                return;
            }

            Assert.True(path.Add(model), $"dbt models ref each other in a cycle through {model}");
            foreach (var parent in project.Models[model].Refs.Distinct())
            {
                Visit(parent, path);
            }

            path.Remove(model);
            ordered.Add(model);
        }

        foreach (var model in project.Models.Keys.Order(StringComparer.Ordinal))
        {
            Visit(model, []);
        }

        return ordered;
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Trino functions the workspace's statements use that PostgreSQL lacks, with Trino's documented meaning.</summary>
    private const string TrinoFunctions = """
        CREATE FUNCTION public.date_diff(unit text, from_time timestamp, to_time timestamp) RETURNS bigint
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            -- Trino: the number of whole units from from_time to to_time (negative when to_time is earlier).
            IF unit = 'day' THEN
                RETURN trunc(extract(epoch FROM to_time - from_time) / 86400)::bigint;
            END IF;
            RAISE EXCEPTION 'date_diff unit % is not defined on this test server', unit;
        END $$;
        CREATE FUNCTION public.count_if_step(counted bigint, condition boolean) RETURNS bigint
        LANGUAGE sql IMMUTABLE AS $$ SELECT counted + CASE WHEN condition THEN 1 ELSE 0 END $$;
        CREATE AGGREGATE public.count_if(boolean) (SFUNC = public.count_if_step, STYPE = bigint, INITCOND = '0');
        """;

    [GeneratedRegex(@"\b(sales|marketing)\.public\.")]
    private static partial Regex DomainName();

    [GeneratedRegex(@"\bhive\.(\w+)\.")]
    private static partial Regex LakeName();
}
