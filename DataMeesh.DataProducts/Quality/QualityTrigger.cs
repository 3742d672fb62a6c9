namespace DataMeesh.DataProducts.Quality;

/// <summary>Why a quality run happened: <c>datameesh.quality_runs.trigger</c>, whose CHECK constraint lists the same values.</summary>
public static class QualityTrigger
{
    /// <summary>The API started (and listens for loads from then on).</summary>
    public const string Startup = "startup";

    /// <summary><c>DataProducts:Quality:Interval</c> passed without another run.</summary>
    public const string Schedule = "schedule";

    /// <summary>A steward asked for it (<c>POST /quality/runs</c>).</summary>
    public const string Manual = "manual";

    /// <summary>
    /// A loader announced new data (<see cref="DataLoadNotification"/>), or the API listens again after losing its
    /// connection and measures what may have been loaded meanwhile.
    /// </summary>
    public const string Load = "load";
}
