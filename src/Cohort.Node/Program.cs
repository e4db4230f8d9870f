using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Node.Http;
using Cohort.Node.Http.Accounts;
using Cohort.Node.Http.Admin;
using Cohort.Node.Http.Carts;
using Cohort.Node.Http.FlashSales;
using Cohort.Node.Http.Health;
using Cohort.Node.Http.Orders;
using Cohort.Node.Http.Products;
using Cohort.Node.Http.Transfers;
using Cohort.Node.Http.Users;
using OpenTelemetry.Metrics;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
    o.UseUtcTimestamp = true;
});
builder.Services.AddCohort(builder.Configuration);
builder.Services.AddCohortAuth(builder.Configuration);
builder.Services.AddRequestSigning(builder.Configuration);
builder.Services.AddCohortRateLimits(builder.Configuration);
builder.Services.AddSingleton<EntityAsk>();
builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(CohortMetrics.MeterName).AddPrometheusExporter());
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

var app = builder.Build();
// Before signing: a request over the node's budget is refused before its HMAC is checked and its nonce written.
app.UseRateLimiter();
app.UseCohortAuth();
app.UseRequestSigning();
app.MapAccountEndpoints();
app.MapTransferEndpoints();
app.MapProductEndpoints();
app.MapOrderEndpoints();
app.MapFlashSaleEndpoints();
app.MapCartEndpoints();
app.MapUserEndpoints();
app.MapAdminEndpoints();
app.MapHealthEndpoints();
app.Run();
