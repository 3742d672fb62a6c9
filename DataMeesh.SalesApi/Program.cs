using DataMeesh.DataProducts.Hosting;
using DataMeesh.SalesApi;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDataProduct(SalesProduct.Definition, typeof(Program).Assembly);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapDataProduct();
app.MapSalesEndpoints();

return await app.RunOrMigrateAsync(args);

public partial class Program;
