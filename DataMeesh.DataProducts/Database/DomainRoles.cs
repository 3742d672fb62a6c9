namespace DataMeesh.DataProducts.Database;

/// <summary>
/// The database roles of a domain, created by the platform migration (<c>PlatformMigrations/data_product_platform.sql</c>,
/// which builds the same names in SQL).
/// </summary>
public static class DomainRoles
{
    /// <summary>The API's data plane: SELECT, and INSERT only where the API writes.</summary>
    public static string ApiOf(string domain) => domain + "_api";

    /// <summary>
    /// Read-only consumers (Grafana, notebooks): every column but the personal ones; a login role once the API is given its
    /// password.
    /// </summary>
    public static string ReaderOf(string domain) => domain + "_reader";

    /// <summary>Read-only, personal data included (Trino's catalogs, which mask it per group); created by migration 0006.</summary>
    public static string PiiReaderOf(string domain) => domain + "_pii_reader";
}
