using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Seeding;

namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Migrated sales and marketing databases with the reference sample and one recorded quality run per domain: what the
/// notebooks and dashboards read on a freshly started platform.
/// </summary>
public class SeededDomains : IAsyncLifetime
{
    private readonly Lazy<Task<MeshOnPostgres>> mesh;

    public SeededDomains() => mesh = new(BuildMeshAsync);

    public MigratedDatabases Databases { get; } = new();

    /// <summary>
    /// What Trino shows of these databases (MeshOnPostgres), made on first use as on the platform: the dbt project built,
    /// then Mike's churn notebook run, which writes its predictions to the lake schema hive.sales.
    /// </summary>
    internal Task<MeshOnPostgres> MeshAsync() => mesh.Value;

    public const string ChurnNotebook = "05-churn-risk";

    private async Task<MeshOnPostgres> BuildMeshAsync()
    {
        var built = await MeshOnPostgres.CreateAsync(Databases);
        await built.RunNotebookAsync(ChurnNotebook);
        return built;
    }

    /// <summary>The seed scale: 1 is the reference sample (8 campaigns), 50 has 400 campaigns and 1,000 orders.</summary>
    public virtual long Scale => 1;

    public static string ReaderRole(string domain) => domain + "_reader";

    public async Task InitializeAsync()
    {
        await Databases.InitializeAsync();
        await SeedRunner.SeedOrThrowAsync(Databases, SeedRunner.Options(scale: Scale));
        foreach (var domain in new[] { "sales", "marketing" })
        {
            await RecordQualityRunAsync(Databases.ConnectionString(domain));
        }
    }

    public async Task DisposeAsync()
    {
        if (mesh.IsValueCreated && mesh.Value.IsCompletedSuccessfully)
        {
            await (await mesh.Value).DropAsync();
        }

        await Databases.DisposeAsync();
    }

    /// <summary>When the recorded quality run happened: the seeded sample's as-of date, so the run and the data share one clock
    /// (the dashboards' time window comes from the data, never from the day the tests run).</summary>
    public static DateTime QualityRunAt => SeedRunner.AsOf.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>
    /// One run in the contract's shape (platform/README.md, "Quality history"), derived from the data itself: a passing
    /// row count and primary-key uniqueness for every table, and one failing warning so failing-check panels have a row.
    /// </summary>
    private static Task RecordQualityRunAsync(string connectionString) => MigratedDatabases.ExecuteAsync(connectionString, $$"""
        WITH run AS (
            INSERT INTO datameesh.quality_runs (trigger, started_at, finished_at)
            VALUES ('manual', TIMESTAMPTZ '{{QualityRunAt:yyyy-MM-ddTHH:mm:ssZ}}' - interval '1 minute', TIMESTAMPTZ '{{QualityRunAt:yyyy-MM-ddTHH:mm:ssZ}}')
            RETURNING run_id
        ),
        tables AS (
            SELECT c.relname AS dataset, a.attname AS key_column,
                   (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text::numeric AS row_count
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_constraint p ON p.conrelid = c.oid AND p.contype = 'p'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.conkey[1]
            WHERE c.relkind = 'r'
        )
        INSERT INTO datameesh.quality_results (run_id, dataset, check_name, check_type, column_name, severity, passed, observed_value, threshold, details)
        SELECT run.run_id, t.dataset, checks.check_name, checks.check_type, checks.column_name, checks.severity, checks.passed,
               checks.observed_value, checks.threshold, checks.details
        FROM run, tables t,
        LATERAL (VALUES
            ('row_count', 'row_count', NULL, 'critical', t.row_count > 0, t.row_count, 1::numeric, 'rows present'),
            (t.key_column || '_unique', 'unique', t.key_column, 'critical', true, 0::numeric, 0::numeric, 'no duplicate keys'),
            ('freshness', 'freshness', NULL, 'warning', false, 48::numeric, 24::numeric, 'no new rows in the last 24 hours')
        ) AS checks (check_name, check_type, column_name, severity, passed, observed_value, threshold, details)
        """);
}

/// <summary>The same at scale 50: where charts and panels that list every campaign stop being readable.</summary>
public sealed class SeededDomainsAtScale50 : SeededDomains
{
    public override long Scale => 50;
}
