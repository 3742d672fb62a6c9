namespace DataMeesh;

/// <summary>
/// The roles a platform token can carry, in one place: the data-product APIs authorise by them and the token service
/// issues only these. A token without roles reads every domain with personal data masked.
/// </summary>
public static class PlatformRoles
{
    /// <summary>Sees personal data unmasked.</summary>
    public const string PiiReader = "pii-reader";

    /// <summary>Suffix of the role that may write a domain: <c>sales-writer</c>.</summary>
    public const string Writer = "writer";

    /// <summary>Suffix of the role that may run a domain's quality checks on demand: <c>sales-steward</c>.</summary>
    public const string Steward = "steward";

    public static readonly string[] Domains = [ResourceNames.SalesDatabase, ResourceNames.MarketingDatabase];

    public static string WriterOf(string domain) => $"{domain}-{Writer}";

    public static string StewardOf(string domain) => $"{domain}-{Steward}";

    /// <summary>Every role a token may carry.</summary>
    public static readonly string[] All =
        [PiiReader, .. Domains.Select(WriterOf), .. Domains.Select(StewardOf)];
}
