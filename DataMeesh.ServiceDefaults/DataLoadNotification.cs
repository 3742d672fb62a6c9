namespace DataMeesh;

/// <summary>
/// How a loader tells a domain's API that it changed the domain's data, so the API measures row counts, freshness and
/// quality within seconds instead of at its next scheduled quality run. The loader sends, inside its load transaction,
/// <c>SELECT pg_notify('datameesh_data_loaded', 'sales')</c> (the payload is the domain): PostgreSQL delivers a
/// notification on COMMIT only, so a rolled-back load announces nothing. Listening needs no privileges. The seeder
/// announces every load, right after committing it (its loads end in a two-phase commit, and a prepared transaction cannot
/// notify); any other loader (an ETL job, a script) may do the same.
/// </summary>
public static class DataLoadNotification
{
    /// <summary>The PostgreSQL LISTEN/NOTIFY channel, in each domain's own database.</summary>
    public const string Channel = "datameesh_data_loaded";
}
