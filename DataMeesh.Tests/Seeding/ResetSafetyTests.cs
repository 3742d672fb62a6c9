using System.Net;
using DataMeesh.Seeder;
using DataMeesh.Tests.DataProducts;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>
/// <c>--reset</c> next to live APIs: it refuses to delete writes the API acknowledged unless told to (--discard-writes),
/// takes the API's idempotency records along with the rows (so no old key replays to an ID handed out again), and
/// writes that arrive during the reset wait and land after it. Each test has its own databases and APIs.
/// </summary>
public sealed class ResetSafetyTests : IAsyncLifetime
{
    private static readonly string[] Reset = ["--reset", "--as-of", "2026-11-23"];

    private readonly DataProductApps apps = new();

    public Task InitializeAsync() => apps.InitializeAsync();

    public Task DisposeAsync() => apps.DisposeAsync();

    private static object Order() => new
    {
        customerId = 3, paymentMethod = "Invoice", salesRep = "Reset Probe", region = "Europe",
        items = new[] { new { productId = 1L, quantity = 2, discountPercent = 0m } },
    };

    [Fact]
    public async Task Reset_refuses_to_delete_acknowledged_writes_and_changes_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var placed = await apps.Client("sales", "sales-writer").PostJsonAsync("/orders", Order(), key);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var before = await SeedRunner.FingerprintAsync(apps.Databases);

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", Reset, SeederCli.Environment(apps.Databases));

        Assert.Equal(ExitCodes.ResetRefused, run.ExitCode);
        Assert.Contains("sales: --reset refused: 2 rows were written after the data was loaded (orders: 1, order_items: 1)", run.Error);
        Assert.Contains("--discard-writes", run.Error);
        Assert.DoesNotContain("marketing: --reset refused", run.Error);
        Assert.Equal(before, await SeedRunner.FingerprintAsync(apps.Databases));
        Assert.Equal(1L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.idempotency_keys"));
    }

    [Fact]
    public async Task Reset_with_discard_writes_takes_the_idempotency_records_along_so_an_old_key_never_replays_to_another_order()
    {
        var client = apps.Client("sales", "sales-writer");
        var key = Guid.NewGuid().ToString();
        var first = await client.PostJsonAsync("/orders", Order(), key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/orders/21", first.Headers.Location?.ToString());

        var run = await ProjectProcess.RunAsync("DataMeesh.Seeder", [.. Reset, "--discard-writes"], SeederCli.Environment(apps.Databases));
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Equal(20L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
        Assert.Equal(0L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM datameesh.idempotency_keys"));

        // Order 21 was deleted with its record: the retry is a new request, and the ID it gets is its own order's.
        var retry = await client.PostJsonAsync("/orders", Order(), key);
        var order = await retry.JsonAsync(HttpStatusCode.Created);
        Assert.False(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal($"/orders/{order.GetProperty("order_id").GetInt64()}", retry.Headers.Location?.ToString());
        Assert.Equal("Reset Probe", await apps.Databases.ScalarAsync<string>("sales",
            $"SELECT sales_rep FROM orders WHERE order_id = {order.GetProperty("order_id").GetInt64()}"));
        Assert.Equal(21L, await apps.Databases.ScalarAsync<long>("sales", "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task A_write_that_arrives_during_a_reset_waits_and_lands_after_it_with_its_key()
    {
        // Paused between the commits: sales has committed, marketing's reset is prepared and holds its locks.
        using var seeder = ProjectProcess.Start("DataMeesh.Seeder", Reset,
            new Dictionary<string, string?>(SeederCli.Environment(apps.Databases)) { ["Seeder__PauseAt"] = "first-committed" });
        await seeder.WaitForOutputAsync("paused at first-committed", TimeSpan.FromMinutes(2));

        var client = apps.Client("marketing", DataProductApps.WriterRoles("marketing"));
        var key = Guid.NewGuid().ToString();
        var lead = new { firstName = "Wren", lastName = "Hale", email = $"wren.{Guid.NewGuid():N}@example.com", leadSource = "LinkedIn", leadScore = 64, campaignId = 1 };
        var posting = client.PostJsonAsync("/leads", lead, key);
        await WaitUntilAWriteWaitsForALockAsync(apps.Databases.Marketing);
        Assert.False(posting.IsCompleted);

        seeder.Interrupt(); // after the decision, Ctrl-C completes the pair
        Assert.Equal(ExitCodes.Success, await seeder.WaitForExitAsync(TimeSpan.FromMinutes(1)));

        var created = await (await posting).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(16L, created.GetProperty("lead_id").GetInt64()); // right after the 15 reloaded leads
        Assert.Equal(16L, await apps.Databases.ScalarAsync<long>("marketing", "SELECT count(*) FROM leads"));
        var replay = await client.PostJsonAsync("/leads", lead, key);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(16L, (await replay.JsonAsync(HttpStatusCode.Created)).GetProperty("lead_id").GetInt64());
    }

    private static async Task WaitUntilAWriteWaitsForALockAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await MigratedDatabases.QueryScalarAsync<long>(connectionString,
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "No API write ever waited for the reset's locks.");
            await Task.Delay(50);
        }
    }
}
