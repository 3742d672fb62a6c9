using Microsoft.Extensions.Options;

namespace DataMeesh.DataProducts.Hosting;

/// <summary>
/// Configuration section <c>DataProducts</c> (environment <c>DataProducts__*</c>): bound once and validated when the API
/// starts, so a bad value stops it with a message naming the key instead of failing later in a background task.
/// </summary>
public sealed class DataProductOptions
{
    public const string SectionName = "DataProducts";

    /// <summary>The password that makes <c>&lt;domain&gt;_reader</c> a login role; none leaves the role without login.</summary>
    public string? ReaderPassword { get; set; }

    /// <summary>The password that makes <c>&lt;domain&gt;_pii_reader</c> (personal data included) a login role.</summary>
    public string? PiiReaderPassword { get; set; }

    /// <summary>
    /// The mesh's secret key for pseudonyms (<c>email_hash</c>), the same for every domain so their pseudonyms join;
    /// none leaves <c>email_hash</c> empty.
    /// </summary>
    public string? PiiKey { get; set; }

    public QualityOptions Quality { get; set; } = new();

    /// <summary>Where consumers reach the product, as the data contracts name it (defaults: the API's own connection).</summary>
    public ContractServerOptions Servers { get; set; } = new();
}

public sealed class QualityOptions
{
    /// <summary>The longest wait <see cref="Task.Delay(TimeSpan)"/> accepts.</summary>
    internal static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>How often the quality checks run without an announced load.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class ContractServerOptions
{
    public string? PostgresHost { get; set; }
    public int? PostgresPort { get; set; }
    public string TrinoHost { get; set; } = "trino";
    public int TrinoPort { get; set; } = 8080;
}

/// <summary>Checks the values binding cannot: ranges, in our words and with the key to fix.</summary>
internal sealed class DataProductOptionsValidator : IValidateOptions<DataProductOptions>
{
    private const int MaxPort = 65535;
    private const int MinPiiKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, DataProductOptions options)
    {
        List<string> failures = [];
        var interval = options.Quality.Interval;
        if (interval <= TimeSpan.Zero || interval > QualityOptions.MaxInterval)
        {
            failures.Add($"DataProducts:Quality:Interval must be a positive time span of at most 24 days (such as 00:15:00), not {interval}");
        }

        if (options.PiiKey is { } key && key.Length < MinPiiKeyLength)
        {
            failures.Add($"DataProducts:PiiKey must be at least {MinPiiKeyLength} characters (a random secret shared by every domain), not {key.Length}");
        }

        CheckPort(failures, "PostgresPort", options.Servers.PostgresPort);
        CheckPort(failures, "TrinoPort", options.Servers.TrinoPort);
        if (string.IsNullOrWhiteSpace(options.Servers.TrinoHost))
        {
            failures.Add("DataProducts:Servers:TrinoHost must name a host (default: trino)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPort(List<string> failures, string key, int? port)
    {
        if (port is < 1 or > MaxPort)
        {
            failures.Add($"DataProducts:Servers:{key} must be a TCP port from 1 to {MaxPort}, not {port}");
        }
    }
}
