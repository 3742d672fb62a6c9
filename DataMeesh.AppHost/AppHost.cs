// The whole mesh, read top-down like its architecture diagram: parameters, databases, the lake and the query engine, the
// data products, then the tools people open. Each resource is configured in its own *Extensions.cs; every relationship
// (a reference, read access, a wait) is one line here.
using DataMeesh;
using DataMeesh.AppHost;
using Env = DataMeesh.PlatformContract.Env;
using Roles = DataMeesh.PlatformContract.Roles;
using Volumes = DataMeesh.PlatformContract.Volumes;

var builder = DistributedApplication.CreateBuilder(args);

// `aspire publish` (or `--operation publish`) turns this model into the Helm chart "datameesh" (Publishing/).
builder.AddChartTarget();

// Parameters: every password generated once and kept in user secrets (CI passes them: README, "Publish"); the sample's size.
var secrets = PlatformSecrets.Add(builder);
var seedScale = builder.AddSeedScale();

// One PostgreSQL server per domain, and one for the Hive metastore.
var salesDb = builder.AddDataMeeshPostgres(ResourceNames.SalesPostgres, secrets.SalesPostgres, Volumes.SalesPostgresData)
    .WithPreparedTransactions()
    .AddDatabase(ResourceNames.SalesDatabase);
var marketingDb = builder.AddDataMeeshPostgres(ResourceNames.MarketingPostgres, secrets.MarketingPostgres, Volumes.MarketingPostgresData)
    .WithPreparedTransactions()
    .AddDatabase(ResourceNames.MarketingDatabase);
var metastoreDb = builder.AddDataMeeshPostgres(ResourceNames.MetastorePostgres, secrets.MetastorePostgres, Volumes.MetastorePostgresData)
    .AddDatabaseCreatedAtFirstStart(ResourceNames.MetastoreDatabase);

// How Grafana and the notebooks read each domain: its read-only role, which cannot select personal columns. Trino reads
// as the PII-entitled role and masks personal columns itself for every group but platform (README, "Personal data").
var salesReader = new DomainReader(salesDb, Env.SalesDatabase, Roles.SalesReader, secrets.SalesReader);
var marketingReader = new DomainReader(marketingDb, Env.MarketingDatabase, Roles.MarketingReader, secrets.MarketingReader);
var salesPiiReader = new DomainReader(salesDb, Env.SalesDatabase, Roles.SalesPiiReader, secrets.SalesPiiReader);
var marketingPiiReader = new DomainReader(marketingDb, Env.MarketingDatabase, Roles.MarketingPiiReader, secrets.MarketingPiiReader);

// The lake and its bucket, the metastore over it, and Trino over the domains and the lake.
var lake = builder.AddLake(secrets.LakeAccessKey, secrets.LakeSecretKey);
var lakeBucket = lake.AddLakeBucket()
    .WaitFor(lake);
var metastore = builder.AddHiveMetastore()
    .WithCatalogDatabase(metastoreDb)
    .WithWarehouse(lake)
    .WaitFor(metastoreDb)
    .WaitForCompletion(lakeBucket);
var trino = builder.AddTrino()
    .WithReaderAccess(salesPiiReader)
    .WithReaderAccess(marketingPiiReader)
    .WithLake(lake)
    .WithMetastore(metastore)
    .WaitFor(metastore)
    .WaitForCompletion(lakeBucket);

// The one issuer of platform tokens: the APIs trust its public key, hub users exchange their hub token there.
var tokenService = builder.AddTokenService<Projects.DataMeesh_TokenService>(secrets.TokenSigningKey);

// The data products: each API owns (creates, migrates) its database, gives its reader roles a login and keeps its
// pseudonyms under the mesh's key.
var salesApi = builder.AddDataProductApi<Projects.DataMeesh_SalesApi>(ResourceNames.SalesApi)
    .WithReference(salesDb)
    .WithReaderPassword(salesReader)
    .WithPiiReaderPassword(salesPiiReader)
    .WithPiiKey(secrets.PiiKey)
    .WithPlatformTokens(tokenService)
    .WaitFor(salesDb)
    .WaitFor(tokenService);
var marketingApi = builder.AddDataProductApi<Projects.DataMeesh_MarketingApi>(ResourceNames.MarketingApi)
    .WithReference(marketingDb)
    .WithReaderPassword(marketingReader)
    .WithPiiReaderPassword(marketingPiiReader)
    .WithPiiKey(secrets.PiiKey)
    .WithPlatformTokens(tokenService)
    .WaitFor(marketingDb)
    .WaitFor(tokenService);
// The seeder fills both domains once their APIs have migrated them.
var seeder = builder.AddSeeder<Projects.DataMeesh_Seeder>(seedScale)
    .WithReference(salesDb)
    .WithReference(marketingDb)
    .WaitFor(salesApi)
    .WaitFor(marketingApi);

// The tools people open, once there is data to look at.
var jupyterHub = builder.AddJupyterHub(secrets.JupyterHubAdmin, secrets.JupyterHubUser)
    .WithReaderAccess(salesReader)
    .WithReaderAccess(marketingReader)
    .WithLake(lake)
    .WithTrino(trino)
    .WithDataProductApis(salesApi, marketingApi)
    .WithTokenService(tokenService)
    .WaitFor(trino)
    .WaitForCompletion(lakeBucket)
    .WaitForCompletion(seeder);
tokenService.WithJupyterHub(jupyterHub);
builder.AddGrafana(secrets.GrafanaAdmin)
    .WithReaderAccess(salesReader)
    .WithReaderAccess(marketingReader)
    .WithTrino(trino)
    .WaitFor(trino)
    .WaitForCompletion(seeder);

builder.Build().Run();
