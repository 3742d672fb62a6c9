namespace DataMeesh.TokenService;

/// <summary>
/// What a JupyterHub group grants on the data-product APIs (the hub's groups are declared in
/// platform/jupyterhub/jupyterhub_config.py and mirror Trino's). Every hub user reads every domain with personal data
/// masked; a domain's team may also write its domain and run its quality checks; the platform team runs every domain's
/// checks. No group grants pii-reader: personal data through the APIs needs a token issued for it on purpose.
/// </summary>
public static class HubGroupRoles
{
    public static readonly IReadOnlyDictionary<string, string[]> ByGroup = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["platform"] = [.. PlatformRoles.Domains.Select(PlatformRoles.StewardOf)],
        ["sales"] = [PlatformRoles.WriterOf(ResourceNames.SalesDatabase), PlatformRoles.StewardOf(ResourceNames.SalesDatabase)],
        ["marketing"] = [PlatformRoles.WriterOf(ResourceNames.MarketingDatabase), PlatformRoles.StewardOf(ResourceNames.MarketingDatabase)],
        ["analysts"] = [],
    };

    /// <summary>The roles of a member of <paramref name="groups"/> (groups not listed grant nothing).</summary>
    public static string[] For(IEnumerable<string> groups) =>
        [.. groups.SelectMany(group => ByGroup.TryGetValue(group, out var roles) ? roles : []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
