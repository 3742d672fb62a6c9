using DataMeesh;
using DataMeesh.AppHost;
using Memory = DataMeesh.PlatformContract.MemoryMiB;
using Parameters = DataMeesh.PlatformContract.Parameters;

var builder = DistributedApplication.CreateBuilder(args);

// `aspire publish` (or `--operation publish`) turns this model into the Helm chart "datameesh".
builder.AddChartTarget();

// Secrets: generated on the first run and kept in this project's user secrets; CI passes them (README, "Publish").
var secrets = PlatformSecrets.Add(builder);
// Read from configuration (--Parameters:seed-scale=50, Parameters__seed-scale, user secrets), defaulting to the reference sample.
var seedScale = builder.AddParameter(Parameters.SeedScale, builder.Configuration[$"Parameters:{Parameters.SeedScale}"] ?? "1", publishValueAsDefault: true)
    .WithDescription("Multiplies the seeder's reference sample (1 = the reference sample exactly).");

// One PostgreSQL server per domain, and one for the Hive metastore.
var sales = builder.AddDomainDatabase(ResourceNames.SalesPostgres, ResourceNames.SalesDatabase, secrets.SalesPostgres,
    PlatformContract.Volumes.SalesPostgresData, Memory.SalesPostgres, PlatformContract.Env.SalesDatabase, PlatformContract.Roles.SalesReader, secrets.SalesReader);
var marketing = builder.AddDomainDatabase(ResourceNames.MarketingPostgres, ResourceNames.MarketingDatabase, secrets.MarketingPostgres,
    PlatformContract.Volumes.MarketingPostgresData, Memory.MarketingPostgres, PlatformContract.Env.MarketingDatabase, PlatformContract.Roles.MarketingReader, secrets.MarketingReader);
var metastoreDatabase = builder.AddMetastoreDatabase(secrets.MetastorePostgres);

// The lake (S3 with the bucket created), the metastore over it, and Trino over the domains and the lake.
var lake = builder.AddLake(secrets.LakeAccessKey, secrets.LakeSecretKey);
var metastore = builder.AddHiveMetastore(metastoreDatabase, lake);
var trino = builder.AddTrino(sales, marketing, metastore, lake);

// The data products: each API owns and migrates its database; the seeder fills both once their schemas exist.
var salesApi = builder.AddDataProductApi<Projects.DataMeesh_SalesApi>(ResourceNames.SalesApi, sales, secrets.JwtSigningKey, Memory.SalesApi);
var marketingApi = builder.AddDataProductApi<Projects.DataMeesh_MarketingApi>(ResourceNames.MarketingApi, marketing, secrets.JwtSigningKey, Memory.MarketingApi);
var seeder = builder.AddSeeder<Projects.DataMeesh_Seeder>(sales, marketing, [salesApi, marketingApi], seedScale);

// The tools people open, once there is data to look at.
builder.AddJupyterHub(sales, marketing, lake, trino, salesApi, marketingApi, seeder, secrets.JupyterHubAdmin, secrets.JupyterHubUser);
builder.AddGrafana(sales, marketing, trino, seeder, secrets.GrafanaAdmin);

builder.Build().Run();
