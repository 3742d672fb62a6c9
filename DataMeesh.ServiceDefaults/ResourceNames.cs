namespace DataMeesh;

/// <summary>
/// Names shared by the AppHost and the services: resource names, connection names and database names.
/// Linked into DataMeesh.AppHost so one spelling serves both sides of every reference.
/// </summary>
public static class ResourceNames
{
    public const string SalesDatabase = "sales";
    public const string MarketingDatabase = "marketing";
    public const string MetastoreDatabase = "metastore";

    public const string SalesPostgres = "sales-postgres";
    public const string MarketingPostgres = "marketing-postgres";
    public const string MetastorePostgres = "metastore-postgres";

    public const string SalesApi = "sales-api";
    public const string MarketingApi = "marketing-api";
    public const string Seeder = "seeder";
}
