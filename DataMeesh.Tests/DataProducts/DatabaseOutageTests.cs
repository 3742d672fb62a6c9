using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// PostgreSQL goes away under load and comes back: callers get 503 + Retry-After problems (never a 500 or a hang), a write
/// retried with its idempotency key after the outage lands exactly once, and both APIs serve again without a restart.
/// Runs on a server of its own, since stopping the shared one would fail every other test.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private PrivatePostgres server = null!;
    private DataProductApps apps = null!;

    public async Task InitializeAsync()
    {
        server = await PrivatePostgres.StartNewAsync();
        apps = new DataProductApps(server.AdminConnectionString);
        await apps.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await apps.Sales.DisposeAsync();
        await apps.Marketing.DisposeAsync();
        await server.DisposeAsync(); // the databases go with the server
    }

    [Fact]
    public async Task Stopping_postgres_mid_traffic_gives_503s_and_the_apis_recover_when_it_restarts()
    {
        var sales = apps.Client("sales", "sales-writer");
        var marketing = apps.Client("marketing");
        var outcomes = new ConcurrentQueue<Outcome>();
        using var stopTraffic = new CancellationTokenSource();
        var phase = Phase.Before;

        // Four callers keep reading through the whole outage: single rows, pages and a domain endpoint on both APIs.
        var traffic = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var urls = new[] { (sales, "/orders/3"), (sales, "/datasets/orders/rows?limit=5&sort=-order_date"), (marketing, "/campaigns/2/leads"), (marketing, "/datasets/campaigns/rows") };
            for (var i = worker; !stopTraffic.IsCancellationRequested; i++)
            {
                var (client, url) = urls[i % urls.Length];
                var current = phase;
                outcomes.Enqueue(await Outcome.OfAsync(current, url, () => client.GetAsync(url)));
            }
        })).ToList();

        await WaitForAsync(() => outcomes.Count(o => o.Phase == Phase.Before) >= 20, "traffic before the outage");

        phase = Phase.Stopping;
        var answeredBeforeStop = outcomes.Count; // requests still in flight from here on may meet the shutdown
        await server.StopAsync();
        phase = Phase.Down;
        await WaitForAsync(() => outcomes.Count(o => o.Phase == Phase.Down) >= 40, "requests during the outage");
        var healthWhileDown = await apps.Api("sales").GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthWhileDown.StatusCode);
        // A caller that accepts only CSV gets the 503 as a problem too (it was an empty body).
        var csvWhileDown = new HttpRequestMessage(HttpMethod.Get, "/datasets/orders/rows");
        csvWhileDown.Headers.Accept.ParseAdd("text/csv");
        Assert.True((await (await sales.SendAsync(csvWhileDown)).ProblemAsync(503)).TryGetProperty("detail", out _));

        // A write during the outage fails cleanly; the client retries it later with the same key.
        const string key = "outage-order-1";
        var order = new
        {
            customerId = 1, paymentMethod = "Invoice", salesRep = "Ann Lee", region = "Europe",
            items = new[] { new { productId = 1L, quantity = 1, discountPercent = 0m } },
        };
        var duringOutage = await sales.PostJsonAsync("/orders", order, key);
        outcomes.Enqueue(await Outcome.FromAsync(Phase.Down, "POST /orders", duringOutage));

        phase = Phase.Starting;
        await server.StartAsync();
        phase = Phase.Restarted;
        var recovered = Stopwatch.StartNew();
        await WaitForAsync(() => outcomes.Reverse().Take(20).Count(o => o.Phase == Phase.Restarted && o.Status == 200) == 20,
            "20 successive 200s after the restart");
        recovered.Stop();
        await stopTraffic.CancelAsync();
        await Task.WhenAll(traffic);

        var all = outcomes.ToList();
        Assert.True(answeredBeforeStop >= 20, Summary(all));
        Assert.All(all.Take(answeredBeforeStop), o => Assert.Equal(200, o.Status));

        // While the server shuts down requests either finish or get a 503; once it is down, every request gets a 503
        // problem with Retry-After.
        var stopping = all.Skip(answeredBeforeStop).Where(o => o.Phase is Phase.Before or Phase.Stopping).ToList();
        Assert.All(stopping, o => Assert.True(o.Status is 200 or 503, $"{o.Url} answered {o.Status} during the shutdown: {o.Body}"));
        var down = all.Where(o => o.Phase == Phase.Down).ToList();
        Assert.True(down.Count >= 40, Summary(all));
        Assert.All(down, o => Assert.True(o.Status == 503, $"{o.Url} answered {o.Status} with the database down: {o.Body}"));
        Assert.All(down.Concat(stopping).Where(o => o.Status == 503), o =>
        {
            Assert.True(o.RetryAfter is > 0, $"{o.Url}: 503 without Retry-After");
            Assert.Equal("application/problem+json", o.ContentType);
        });

        // After the restart: requests racing the start-up may still get 503s, never anything else; the pool was
        // cleared on the first failure, so stale connections do not keep failing requests once the server is up.
        var restarted = all.Where(o => o.Phase is Phase.Starting or Phase.Restarted).ToList();
        Assert.All(restarted, o => Assert.True(o.Status is 200 or 503, $"{o.Url} answered {o.Status} after the restart: {o.Body}"));
        Assert.True(restarted.Count(o => o.Phase == Phase.Restarted && o.Status == 503) <= 8, Summary(all));
        Assert.True(recovered.Elapsed < TimeSpan.FromSeconds(30), $"took {recovered.Elapsed} to recover");

        // The write lands exactly once when retried, and a second retry replays it.
        var afterOutage = await sales.PostJsonAsync("/orders", order, key);
        var created = await afterOutage.JsonAsync(HttpStatusCode.Created);
        var replay = await sales.PostJsonAsync("/orders", order, key);
        Assert.Equal(created.GetProperty("order_id").GetInt64(), (await replay.JsonAsync(HttpStatusCode.Created)).GetProperty("order_id").GetInt64());
        // Unpooled: the test's own pooled connections died with the server too.
        var unpooled = new Npgsql.NpgsqlConnectionStringBuilder(apps.Databases.Sales) { Pooling = false }.ConnectionString;
        Assert.Equal(1L, await MigratedDatabases.QueryScalarAsync<long>(unpooled, "SELECT count(*) FROM datameesh.idempotency_keys"));
        Assert.Equal(1L, await MigratedDatabases.QueryScalarAsync<long>(unpooled,
            $"SELECT count(*) FROM orders WHERE order_id = {created.GetProperty("order_id").GetInt64()}"));

        // Health follows the database: unhealthy while it is down, healthy (or degraded by a quality check) once it is back.
        var health = await apps.Api("sales").GetAsync("/health");
        Assert.True(health.StatusCode == HttpStatusCode.OK, await health.Content.ReadAsStringAsync());
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    private static string Summary(IEnumerable<Outcome> outcomes) => string.Join(", ",
        outcomes.GroupBy(o => (o.Phase, o.Status)).Select(g => $"{g.Key.Phase}/{g.Key.Status}: {g.Count()}"));

    private enum Phase { Before, Stopping, Down, Starting, Restarted }

    private sealed record Outcome(Phase Phase, string Url, int Status, int? RetryAfter, string? ContentType, string Body)
    {
        public static async Task<Outcome> OfAsync(Phase phase, string url, Func<Task<HttpResponseMessage>> send)
        {
            try
            {
                return await FromAsync(phase, url, await send());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An aborted response (TestServer rethrows what the app let escape): fails the status assertions.
                return new Outcome(phase, url, 0, null, null, e.ToString());
            }
        }

        public static async Task<Outcome> FromAsync(Phase phase, string url, HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : (int?)null;
            return new Outcome(phase, url, (int)response.StatusCode, retryAfter, response.Content.Headers.ContentType?.MediaType,
                body.Length > 300 ? body[..300] : body);
        }
    }
}
