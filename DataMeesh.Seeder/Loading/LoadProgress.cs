using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace DataMeesh.Seeder.Loading;

/// <summary>Rows written so far per domain and table; updated by the loaders, read by whichever progress display runs.</summary>
internal sealed class LoadProgress
{
    private readonly ConcurrentDictionary<(string Domain, string Table), StrongBox<long>> rows = new();

    public void Add(string domain, string table, long count) =>
        Interlocked.Add(ref rows.GetOrAdd((domain, table), _ => new StrongBox<long>()).Value, count);

    public long Rows(string domain, string table) =>
        rows.TryGetValue((domain, table), out var box) ? Interlocked.Read(ref box.Value) : 0;

    public long Rows(string domain) => rows.Where(r => r.Key.Domain == domain).Sum(r => Interlocked.Read(ref r.Value.Value));
}
