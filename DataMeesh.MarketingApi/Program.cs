using DataMeesh;
using DataMeesh.DataProducts.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDomainDatabase(ResourceNames.MarketingDatabase, typeof(Program).Assembly);

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunOrMigrateAsync(args);

public partial class Program;
