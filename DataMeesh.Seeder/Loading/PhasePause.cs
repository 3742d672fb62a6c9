using Microsoft.Extensions.Configuration;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// A test seam for the commit protocol: with <c>Seeder:PauseAt</c> set (environment <c>Seeder__PauseAt</c>) the seeder
/// stops at that phase, says so on stderr, and waits until Ctrl-C (then carries on as Ctrl-C there demands) or a kill.
/// The tests use it to interrupt the real process between the two domains' commits, a window of milliseconds otherwise.
/// Unset, it does nothing.
/// </summary>
internal sealed class PhasePause(IConfiguration configuration)
{
    /// <summary>Every domain's load is prepared; nothing is decided.</summary>
    public const string Prepared = "prepared";

    /// <summary>The first domain has committed (the decision); the others have not yet.</summary>
    public const string FirstCommitted = "first-committed";

    public async Task AtAsync(string phase, CancellationToken cancellationToken)
    {
        if (configuration["Seeder:PauseAt"] != phase)
        {
            return;
        }

        await Console.Error.WriteLineAsync($"paused at {phase}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
