namespace DataMeesh;

/// <summary>
/// The names, ports and paths the AppHost wires and the files under <c>platform/</c> rely on (see platform/README.md).
/// Linked into DataMeesh.Tests, which checks the configuration files against these constants, so this folder
/// (DataMeesh.AppHost/Shared) must compile without any Aspire package.
/// </summary>
public static class PlatformContract
{
    /// <summary>AppHost parameters: pass them as <c>--Parameters:NAME=value</c> (or <c>Parameters__NAME</c> in the environment).</summary>
    public static class Parameters
    {
        public const string SalesPostgresPassword = "sales-postgres-password";
        public const string MarketingPostgresPassword = "marketing-postgres-password";
        public const string MetastorePostgresPassword = "metastore-postgres-password";
        public const string SalesReaderPassword = "sales-reader-password";
        public const string MarketingReaderPassword = "marketing-reader-password";
        public const string SalesPiiReaderPassword = "sales-pii-reader-password";
        public const string MarketingPiiReaderPassword = "marketing-pii-reader-password";
        /// <summary>The mesh's pseudonym key (email_hash), the same for every domain: README, "Personal data".</summary>
        public const string PiiKey = "pii-key";
        public const string LakeAccessKey = "lake-access-key";
        public const string LakeSecretKey = "lake-secret-key";
        public const string JupyterHubAdminPassword = "jupyterhub-admin-password";
        public const string JupyterHubUserPassword = "jupyterhub-user-password";
        public const string GrafanaAdminPassword = "grafana-admin-password";
        /// <summary>The secret the token service derives its ES256 signing key from; only the token service gets it.</summary>
        public const string TokenSigningKey = "token-signing-key";
        public const string SeedScale = "seed-scale";

        public static readonly string[] Secrets =
        [
            SalesPostgresPassword, MarketingPostgresPassword, MetastorePostgresPassword, SalesReaderPassword, MarketingReaderPassword,
            SalesPiiReaderPassword, MarketingPiiReaderPassword, PiiKey, LakeSecretKey, JupyterHubAdminPassword, JupyterHubUserPassword, GrafanaAdminPassword, TokenSigningKey,
        ];
    }

    /// <summary>Named volumes. Kubernetes uses them as pod volume names, so they must be DNS labels (no dots).</summary>
    public static class Volumes
    {
        public const string SalesPostgresData = "sales-postgres-data";
        public const string MarketingPostgresData = "marketing-postgres-data";
        public const string MetastorePostgresData = "metastore-postgres-data";
        public const string LakeData = "lake-data";
        public const string JupyterHubData = "jupyterhub-data";
        public const string JupyterHubHomes = "jupyterhub-homes";

        public static readonly string[] All = [SalesPostgresData, MarketingPostgresData, MetastorePostgresData, LakeData, JupyterHubData, JupyterHubHomes];
    }

    /// <summary>Environment variables, as platform/README.md names them.</summary>
    public static class Env
    {
        public const string SalesPgHost = "SALES_PG_HOST";
        public const string SalesPgPort = "SALES_PG_PORT";
        public const string SalesPgDb = "SALES_PG_DB";
        public const string SalesPgUser = "SALES_PG_USER";
        public const string SalesPgPassword = "SALES_PG_PASSWORD";
        public const string MarketingPgHost = "MARKETING_PG_HOST";
        public const string MarketingPgPort = "MARKETING_PG_PORT";
        public const string MarketingPgDb = "MARKETING_PG_DB";
        public const string MarketingPgUser = "MARKETING_PG_USER";
        public const string MarketingPgPassword = "MARKETING_PG_PASSWORD";
        public const string S3Endpoint = "S3_ENDPOINT";
        public const string S3AccessKey = "S3_ACCESS_KEY";
        public const string S3SecretKey = "S3_SECRET_KEY";
        public const string S3Region = "S3_REGION";
        public const string DatalakeBucket = "DATALAKE_BUCKET";
        public const string TrinoHost = "TRINO_HOST";
        public const string TrinoPort = "TRINO_PORT";
        public const string TrinoUrl = "TRINO_URL";
        public const string SalesApiUrl = "SALES_API_URL";
        public const string MarketingApiUrl = "MARKETING_API_URL";
        /// <summary>The token service, where a hub user's server exchanges its JUPYTERHUB_API_TOKEN for a platform token.</summary>
        public const string TokenServiceUrl = "DATAMEESH_TOKEN_URL";
        public const string HubAdminPassword = "HUB_ADMIN_PASSWORD";
        public const string HubUserPassword = "HUB_USER_PASSWORD";
        public const string GrafanaAdminPassword = "GF_SECURITY_ADMIN_PASSWORD";

        // AppHost wiring (platform/README.md, "AppHost wiring"): names only the AppHost and platform/trino, platform/hive use.
        public const string HiveMetastoreUri = "HIVE_METASTORE_URI";
        public const string MetastorePgHost = "METASTORE_PG_HOST";
        public const string MetastorePgPort = "METASTORE_PG_PORT";
        public const string MetastorePgDb = "METASTORE_PG_DB";
        public const string MetastorePgUser = "METASTORE_PG_USER";
        public const string MetastorePgPassword = "METASTORE_PG_PASSWORD";
        // The S3A credentials provider of the metastore reads the AWS SDK's own variable names.
        public const string AwsAccessKeyId = "AWS_ACCESS_KEY_ID";
        public const string AwsSecretAccessKey = "AWS_SECRET_ACCESS_KEY";

        public static readonly DatabaseVariables SalesDatabase = new(SalesPgHost, SalesPgPort, SalesPgDb, SalesPgUser, SalesPgPassword);
        public static readonly DatabaseVariables MarketingDatabase = new(MarketingPgHost, MarketingPgPort, MarketingPgDb, MarketingPgUser, MarketingPgPassword);
        public static readonly string[] Lake = [S3Endpoint, S3AccessKey, S3SecretKey, S3Region, DatalakeBucket];

        /// <summary>Every variable the AppHost sets on each container; <c>${ENV:X}</c> / <c>${env.X}</c> in its files must be one of them.</summary>
        public static readonly string[] Trino = [.. SalesDatabase, .. MarketingDatabase, .. Lake, HiveMetastoreUri];
        public static readonly string[] HiveMetastore =
            [.. Lake, MetastorePgHost, MetastorePgPort, MetastorePgDb, MetastorePgUser, MetastorePgPassword, AwsAccessKeyId, AwsSecretAccessKey];
        public static readonly string[] JupyterHub =
            [.. SalesDatabase, .. MarketingDatabase, .. Lake, TrinoHost, TrinoPort, SalesApiUrl, MarketingApiUrl, TokenServiceUrl, HubAdminPassword, HubUserPassword];
        public static readonly string[] Grafana = [.. SalesDatabase, .. MarketingDatabase, TrinoUrl, GrafanaAdminPassword];

        /// <summary>Variables whose values are secrets: they must reach Kubernetes as Secrets, never as ConfigMap entries.</summary>
        public static readonly string[] Secret =
            [SalesPgPassword, MarketingPgPassword, S3SecretKey, HubAdminPassword, HubUserPassword, GrafanaAdminPassword, MetastorePgPassword, AwsSecretAccessKey];
    }

    /// <summary>
    /// Settings the data-product APIs read (their configuration keys, written as environment variables): they trust tokens
    /// of one issuer for one audience, checked with the public key the token service publishes (discovery, then JWKS).
    /// </summary>
    public static class ApiEnv
    {
        public const string ReaderPassword = "DataProducts__ReaderPassword";
        public const string PiiReaderPassword = "DataProducts__PiiReaderPassword";
        public const string PiiKey = "DataProducts__PiiKey";
        public const string JwtIssuer = "Authentication__Schemes__Bearer__ValidIssuer";
        public const string JwtAudience = "Authentication__Schemes__Bearer__ValidAudiences__0";
        public const string JwtMetadataAddress = "Authentication__Schemes__Bearer__MetadataAddress";
        // Inside the mesh the token service speaks plain HTTP, as every service here does (TLS ends at the ingress).
        public const string JwtRequireHttpsMetadata = "Authentication__Schemes__Bearer__RequireHttpsMetadata";
        public const string Issuer = PlatformTokens.Issuer;
        public const string Audience = PlatformTokens.Audience;

        /// <summary>Variables whose values are secrets (Kubernetes Secrets when published).</summary>
        public static readonly string[] Secret = [ReaderPassword];
    }

    /// <summary>Settings of the token service (DataMeesh.TokenService, section <c>Tokens</c>).</summary>
    public static class TokenEnv
    {
        public const string SigningKey = "Tokens__SigningKey";
        public const string JupyterHubUrl = "Tokens__JupyterHubUrl";
        /// <summary>Run mode only: a key made for one AppHost run, with which the dashboard's "Get a token" command asks for tokens.</summary>
        public const string DeveloperKey = "Tokens__DeveloperKey";

        /// <summary>Variables whose values are secrets (Kubernetes Secrets when published).</summary>
        public static readonly string[] Secret = [SigningKey, DeveloperKey];
    }

    /// <summary>
    /// Read-only PostgreSQL roles the APIs' migrations create (LOGIN once the API has their password): the readers without
    /// personal columns (Grafana, notebooks) and the PII-entitled ones Trino's catalogs connect as (Trino masks per group).
    /// </summary>
    public static class Roles
    {
        public const string SalesReader = "sales_reader";
        public const string MarketingReader = "marketing_reader";
        public const string SalesPiiReader = "sales_pii_reader";
        public const string MarketingPiiReader = "marketing_pii_reader";
    }

    /// <summary>Who is who in Trino: JupyterHub users query as themselves; Grafana as <see cref="Grafana"/>.</summary>
    public static class Users
    {
        public const string Admin = "admin";
        public const string Dbt = "dbt";
        public const string Analyst = "analyst";
        public const string Alice = "alice";
        public const string Bob = "bob";
        public const string Grafana = "grafana";

        /// <summary>Trino groups (platform/trino/groups.txt).</summary>
        public static readonly IReadOnlyDictionary<string, string[]> Groups = new Dictionary<string, string[]>
        {
            ["platform"] = [Admin, Dbt],
            ["sales"] = [Alice],
            ["marketing"] = [Bob],
            ["analysts"] = [Analyst],
        };

        /// <summary>The Trino groups that see personal data unmasked; rules.json masks it for everyone else (README, "Personal data").</summary>
        public static readonly string[] PiiGroups = ["platform"];
    }

    public static class Ports
    {
        public const int JupyterHubHost = 30080;
        public const int JupyterHub = 8000;
        public const int GrafanaHost = 30083;
        public const int Grafana = 3000;
        public const int DbtDocsHost = 30084;
        public const int DbtDocs = 8084;
        public const int Trino = 8080;
        public const int HiveThrift = 9083;
        public const int Lake = 9000;
        public const int LakeConsole = 9001;
    }

    /// <summary>Where configuration lives inside the containers, and where it comes from in the repository.</summary>
    public static class Paths
    {
        public const string TrinoEtc = "/etc/trino";
        public const string GrafanaProvisioning = "/etc/grafana/provisioning";
        public const string GrafanaDashboards = "/var/lib/grafana/dashboards";
        public const string HiveCustomConf = "/hive_custom_conf";
        public const string JupyterHubData = "/srv/jupyterhub/data";
        public const string JupyterHubHomes = "/home/jovyan/users";

        public const string TrinoSource = "platform/trino";
        public const string HiveSource = "platform/hive";
        public const string Platform = "platform";
        // Built with platform/ as the context: the image also carries the notebooks and the dbt project.
        public const string JupyterHubSource = "platform/jupyterhub";
        public const string JupyterHubDockerfile = "jupyterhub/Dockerfile";
        public const string GrafanaProvisioningSource = "platform/grafana/provisioning";
        public const string GrafanaDashboardsSource = "platform/grafana/dashboards";
    }

    public static class Lake
    {
        public const string Bucket = "datalake";
        public const string Region = "us-east-1";
        public const string Warehouse = "s3a://datalake/warehouse/managed";
        public const string ExternalWarehouse = "s3a://datalake/warehouse/external";
    }

    /// <summary>
    /// Memory limit of every part in MiB (containers: <c>--memory</c> locally and the pod limit on Kubernetes; .NET services: the
    /// GC heap limit locally and the pod limit on Kubernetes). The total leaves a 16 GB laptop room for the OS, Docker, the IDE,
    /// the Aspire dashboard and a browser; README.md states it.
    /// </summary>
    public static class MemoryMiB
    {
        public const int SalesPostgres = 512;
        public const int MarketingPostgres = 512;
        public const int MetastorePostgres = 256;
        public const int Lake = 512;
        public const int LakeInit = 64;
        // The metastore's entrypoint starts the JVM with -Xmx1G.
        public const int HiveMetastore = 1536;
        // The image sizes the heap at 80 % of the limit: 2.4 GiB, enough for query.max-memory-per-node=1GB plus headroom.
        public const int Trino = 3072;
        // Hub, proxy and a few single-user servers with pandas.
        public const int JupyterHub = 2048;
        public const int Grafana = 512;
        public const int SalesApi = 512;
        public const int MarketingApi = 512;
        public const int Seeder = 512;
        public const int TokenService = 256;

        public static readonly IReadOnlyDictionary<string, int> ByResource = new Dictionary<string, int>
        {
            [ResourceNames.SalesPostgres] = SalesPostgres,
            [ResourceNames.MarketingPostgres] = MarketingPostgres,
            [ResourceNames.MetastorePostgres] = MetastorePostgres,
            [ResourceNames.Lake] = Lake,
            [ResourceNames.LakeInit] = LakeInit,
            [ResourceNames.HiveMetastore] = HiveMetastore,
            [ResourceNames.Trino] = Trino,
            [ResourceNames.JupyterHub] = JupyterHub,
            [ResourceNames.Grafana] = Grafana,
            [ResourceNames.SalesApi] = SalesApi,
            [ResourceNames.MarketingApi] = MarketingApi,
            [ResourceNames.Seeder] = Seeder,
            [ResourceNames.TokenService] = TokenService,
        };

        public static int Total => ByResource.Values.Sum();
    }
}

/// <summary>The variables through which a consumer finds a domain's database and reads it (SALES_PG_HOST, ...).</summary>
public sealed record DatabaseVariables(string Host, string Port, string Database, string User, string Password) : IEnumerable<string>
{
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)[Host, Port, Database, User, Password]).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
