namespace DataMeesh;

/// <summary>
/// Every resource and connection name of the platform, in one place: the AppHost names its resources with these, the
/// services read their connection strings by them, and the tests look resources up by them. Linked into DataMeesh.AppHost.
/// </summary>
public static class ResourceNames
{
    // Connection (database) names: ConnectionStrings:<name> in the services.
    public const string SalesDatabase = "sales";
    public const string MarketingDatabase = "marketing";
    public const string MetastoreDatabase = "metastore";

    public const string SalesPostgres = "sales-postgres";
    public const string MarketingPostgres = "marketing-postgres";
    public const string MetastorePostgres = "metastore-postgres";

    public const string SalesApi = "sales-api";
    public const string MarketingApi = "marketing-api";
    public const string Seeder = "seeder";
    /// <summary>The one issuer of platform tokens (DataMeesh.TokenService).</summary>
    public const string TokenService = "token-service";

    public const string Lake = "lake";
    /// <summary>The one-shot job that creates the lake's bucket.</summary>
    public const string LakeInit = "lake-init";
    public const string HiveMetastore = "hive-metastore";
    public const string Trino = "trino";
    public const string JupyterHub = "jupyterhub";
    public const string Grafana = "grafana";

    /// <summary>The Kubernetes environment `aspire publish` targets, and the Helm chart it writes.</summary>
    public const string Kubernetes = "k8s";
    public const string HelmChart = "datameesh";
}
