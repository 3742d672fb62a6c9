namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// A value for every secret parameter, passed on the command line as CI would. Each is recognisable, so the publish
/// tests can prove none of them reaches the chart, and nothing is generated into the developer's user secrets.
/// </summary>
public static class TestSecrets
{
    public static readonly IReadOnlyDictionary<string, string> Values = PlatformContract.Parameters.Secrets.ToDictionary(
        name => name,
        // Letters and digits (like the generated ones); 64 characters is valid base64 for the JWT signing key.
        name => ("Sentinel" + new string([.. name.Where(char.IsLetterOrDigit)]) + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")[..64]);

    public static string[] AsArguments() => [.. Values.Select(p => $"--Parameters:{p.Key}={p.Value}")];
}
