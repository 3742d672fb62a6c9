using DataMeesh.DataProducts.Hosting;
using DataMeesh.MarketingApi;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDataProduct(MarketingProduct.Definition, typeof(Program).Assembly);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapDataProduct();
app.MapMarketingEndpoints();

return await app.RunOrMigrateAsync(args);

public partial class Program;
