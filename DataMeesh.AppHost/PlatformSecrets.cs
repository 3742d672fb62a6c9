using Parameters = DataMeesh.PlatformContract.Parameters;

namespace DataMeesh.AppHost;

/// <summary>
/// Every password of the platform as a secret parameter. Locally each is generated once and kept in user secrets
/// (<c>dotnet user-secrets list --project DataMeesh.AppHost</c>, or the dashboard's parameters); elsewhere pass
/// <c>--Parameters:NAME=value</c>. Generated values are letters and digits only, so they are safe in JDBC URLs and
/// connection strings; the token service derives its ES256 key from the 64-character token signing key.
/// </summary>
internal sealed record PlatformSecrets(
    IResourceBuilder<ParameterResource> SalesPostgres,
    IResourceBuilder<ParameterResource> MarketingPostgres,
    IResourceBuilder<ParameterResource> MetastorePostgres,
    IResourceBuilder<ParameterResource> SalesReader,
    IResourceBuilder<ParameterResource> MarketingReader,
    IResourceBuilder<ParameterResource> SalesPiiReader,
    IResourceBuilder<ParameterResource> MarketingPiiReader,
    IResourceBuilder<ParameterResource> PiiKey,
    IResourceBuilder<ParameterResource> LakeAccessKey,
    IResourceBuilder<ParameterResource> LakeSecretKey,
    IResourceBuilder<ParameterResource> JupyterHubAdmin,
    IResourceBuilder<ParameterResource> JupyterHubUser,
    IResourceBuilder<ParameterResource> GrafanaAdmin,
    IResourceBuilder<ParameterResource> TokenSigningKey)
{
    public static PlatformSecrets Add(IDistributedApplicationBuilder builder) => new(
        Secret(builder, Parameters.SalesPostgresPassword),
        Secret(builder, Parameters.MarketingPostgresPassword),
        Secret(builder, Parameters.MetastorePostgresPassword),
        Secret(builder, Parameters.SalesReaderPassword),
        Secret(builder, Parameters.MarketingReaderPassword),
        Secret(builder, Parameters.SalesPiiReaderPassword),
        Secret(builder, Parameters.MarketingPiiReaderPassword),
        Secret(builder, Parameters.PiiKey),
        builder.AddParameter(Parameters.LakeAccessKey, "datameesh", publishValueAsDefault: true),
        Secret(builder, Parameters.LakeSecretKey),
        // JupyterHub's shared-password authenticator wants at least 32 characters for the admin password.
        Secret(builder, Parameters.JupyterHubAdminPassword),
        Secret(builder, Parameters.JupyterHubUserPassword, length: 16),
        Secret(builder, Parameters.GrafanaAdminPassword),
        Secret(builder, Parameters.TokenSigningKey, length: 64));

    private static IResourceBuilder<ParameterResource> Secret(IDistributedApplicationBuilder builder, string name, int length = 32) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = length, Special = false }, secret: true, persist: true);
}
