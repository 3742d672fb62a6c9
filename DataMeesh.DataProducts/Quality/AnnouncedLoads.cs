using System.Diagnostics;
using System.Threading.Channels;

namespace DataMeesh.DataProducts.Quality;

/// <summary>
/// Loads announced to the API (<see cref="DataLoadNotification"/>) that no quality run has measured yet. The listener
/// announces them; the quality loop waits for them and settles bursts (tables loaded one transaction after another,
/// a reset followed by a load) into one run.
/// </summary>
internal sealed class AnnouncedLoads
{
    /// <summary>A run starts once announcements have stopped for this long...</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    /// <summary>...or this long after the first one, whichever comes first, so a steady stream of loads is still measured.</summary>
    public static readonly TimeSpan MaxSettleTime = TimeSpan.FromSeconds(10);

    // One slot: any number of announcements before the next run ask for that one run.
    private readonly Channel<bool> pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly TaskCompletionSource listenerStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the listener's first attempt to listen finished, whether it succeeded or not. The start-up run waits
    /// for it: a load committed after that run measured but before the API listened would go unnoticed otherwise.
    /// </summary>
    public Task ListenerStarted => listenerStarted.Task;

    private long lastAnnounced = Stopwatch.GetTimestamp();

    internal void Announce()
    {
        Interlocked.Exchange(ref lastAnnounced, Stopwatch.GetTimestamp());
        pending.Writer.TryWrite(true);
    }

    internal void MarkListenerStarted() => listenerStarted.TrySetResult();

    /// <summary>
    /// Called as a run starts: PostgreSQL delivers an announcement only after the load committed, so whatever was
    /// announced so far is visible to this run and needs no run of its own.
    /// </summary>
    /// <returns>
    /// How long ago the latest announcement arrived: a run of any replica that started since then saw every load announced
    /// so far (the announcement reaches each replica after its load committed), so this replica need not measure them again.
    /// </returns>
    internal TimeSpan MarkMeasured()
    {
        pending.Reader.TryRead(out _);
        return Stopwatch.GetElapsedTime(Interlocked.Read(ref lastAnnounced));
    }

    /// <summary>Waits up to <paramref name="timeout"/> for an announcement, then until the burst it starts has settled.</summary>
    /// <returns><c>true</c> when a load was announced; <c>false</c> when <paramref name="timeout"/> passed without one.</returns>
    internal async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await NextAsync(timeout, cancellationToken))
        {
            return false;
        }

        var settling = Stopwatch.StartNew();
        while (MaxSettleTime - settling.Elapsed is var left && left > TimeSpan.Zero
               && await NextAsync(left < QuietPeriod ? left : QuietPeriod, cancellationToken))
        {
            // another announcement within the quiet period: the burst goes on
        }

        return true;
    }

    private async Task<bool> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await pending.Reader.WaitToReadAsync(timer.Token);
            return pending.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
