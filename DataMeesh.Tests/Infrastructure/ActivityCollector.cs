using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>
/// An OpenTelemetry processor that keeps every span a host's tracer provider ends, to see what it really traces. Spans
/// come from every source the provider listens to in this process (other tests' too): filter on tags such as the database.
/// </summary>
public sealed class ActivityCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> ended = new();

    public IReadOnlyCollection<Activity> Ended => ended;

    public override void OnEnd(Activity data) => ended.Enqueue(data);

    /// <summary>Npgsql's spans of commands on the database <paramref name="connectionString"/> names.</summary>
    public IReadOnlyList<Activity> NpgsqlCommandsOn(string connectionString)
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
        return [.. ended.Where(a => a.Source.Name == "Npgsql" && (a.GetTagItem("db.namespace") as string) == database)];
    }
}
